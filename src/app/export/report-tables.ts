/**
 * The reports as typed tables, the one shape every export format writes: each column says whether
 * it holds text, a date, money (integer minor units), a count, a rate or a list.
 */
import { cohortRecord } from '../records/cohort-record.js';
import { CUSTOMER_FIELDS, customerRecord } from '../records/customer-record.js';
import { METRICS_ENTRY_FIELDS, metricsEntryRecord, RATE_FIELDS } from '../records/metrics-entry-record.js';
import { MOVEMENT_FIELDS, movementRecord } from '../records/movement-record.js';
import { queryCustomers, type ViewRequest, viewsFor } from '../report-views.js';
import type { ComputedSource } from '../load-dataset-source.js';
import { cohortReport } from '../../engine/report/cohort-report.js';
import { constantCurrency } from '../../engine/report/constant-currency.js';
import { metricsReport } from '../../engine/report/metrics-report.js';
import type { ReportRange } from '../../engine/report/mrr-report.js';

export type ColumnKind = 'text' | 'date' | 'money' | 'count' | 'rate' | 'list';

export interface ReportTable {
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnKind }>;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null | readonly string[]>>;
}

const DATE_FIELDS = new Set(['date', 'first', 'last', 'first_paid']);
const COUNT_FIELDS = new Set(['customers', 'customers_start', 'new_customers', 'reactivated_customers', 'churned_customers', 'age', 'native_amount']);
const LIST_FIELDS = new Set(['sources', 'subscriptions']);
const MONEY_FIELDS = new Set([
  'mrr_start', 'mrr', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx', 'net_new', 'arr', 'arpa', 'asp', 'ltv',
  'amount', 'customer_mrr', 'price_effect', 'volume_effect', 'mix_effect',
]);

function kindOf(field: string): ColumnKind {
  if (DATE_FIELDS.has(field)) return 'date';
  if (LIST_FIELDS.has(field)) return 'list';
  if (RATE_FIELDS.has(field)) return 'rate';
  if (COUNT_FIELDS.has(field)) return 'count';
  if (MONEY_FIELDS.has(field)) return 'money';
  return 'text';
}

function table(name: string, fields: readonly string[], records: ReadonlyArray<object>, grouped: boolean): ReportTable {
  const all = grouped ? ['group', ...fields] : [...fields];
  return {
    name,
    columns: all.map((field) => ({ name: field, kind: kindOf(field) })),
    rows: records.map((record) => all.map((field) => (record as Record<string, string | number | null | string[]>)[field] ?? null)),
  };
}

/** metrics (with the mrr breakdown), movements, customers on asOf and cohorts, over one range. */
export function reportTables(source: ComputedSource, range: ReportRange, request: ViewRequest): ReportTable[] {
  const { config, result } = source;
  const views = viewsFor(source, request);
  const grouped = request.groupBy !== null;
  const withGroup = <T extends object>(group: string, records: T[]) => records.map((record) => (grouped ? { group, ...record } : record));
  const segmented = request.segments.length > 0 || grouped;

  const metrics = views.flatMap((view) =>
    withGroup(view.group, metricsReport(view.movements, range, constantCurrency(result.timelines, view, result.rates, config.currency)).map(metricsEntryRecord)),
  );
  const movements = views.flatMap((view) => withGroup(view.group, view.movements.filter((m) => m.date <= config.asOf).map(movementRecord)));
  const customers = views.flatMap((view) => withGroup(view.group, queryCustomers(source, view, { on: null, status: null, cohort: null }, segmented).map(customerRecord)));
  const cohorts = views.flatMap((view) =>
    withGroup(
      view.group,
      cohortReport(view.movements, range).flatMap((cohort) => {
        const record = cohortRecord(cohort, false);
        return record.customers.map((count, age) => ({ cohort: record.cohort, age, customers: count, mrr: record.mrr[age] }));
      }),
    ),
  );
  return [
    table('metrics', METRICS_ENTRY_FIELDS, metrics, grouped),
    table('movements', MOVEMENT_FIELDS, movements, grouped),
    table('customers', CUSTOMER_FIELDS, customers, grouped),
    table('cohorts', ['cohort', 'age', 'customers', 'mrr'], cohorts, grouped),
  ];
}
