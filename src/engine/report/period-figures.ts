import type { MrrFigures } from './mrr-report.js';

/** Everything the formulas of one period need: sums, counts and MRR values, all exact integers. */
export interface PeriodFigures extends MrrFigures {
  readonly newCustomers: number;
  readonly reactivatedCustomers: number;
  readonly churnedCustomers: number;
  /** Expansion, contraction and churn of the customers paying on the day before the period. */
  readonly retainedExpansion: number;
  readonly retainedContraction: number;
  readonly retainedChurn: number;
  /** nrr_12m: the MRR, 12 months before `last`, of the customers paying then… */
  readonly yearAgoMrr: number;
  /** …and their MRR on `last`, converted at the rates of that earlier day. */
  readonly yearAgoCustomersMrrNow: number;
}
