/** Cohorts as the records of cli.md `cohorts`, absolute or as shares of age 0. */
import type { Cohort } from '../../engine/report/cohort-report.js';

export interface CohortRecord {
  cohort: string;
  customers: Array<number | null>;
  mrr: Array<number | null>;
}

/** `share`: each value divided by age 0 (null when age 0 is 0), the retention curve. */
export function cohortRecord(cohort: Cohort, share: boolean): CohortRecord {
  const relative = (values: readonly number[]) => values.map((value) => (values[0] ? value / values[0] : null));
  return {
    cohort: cohort.period.label,
    customers: share ? relative(cohort.customers) : [...cohort.customers],
    mrr: share ? relative(cohort.mrr) : [...cohort.mrr],
  };
}
