import type { Period } from './period.js';

/** Everything the formulas of one period need: sums, counts and MRR values, all exact integers. */
export interface PeriodFigures {
  readonly period: Period;
  readonly mrrStart: number;
  readonly mrr: number;
  readonly new: number;
  readonly expansion: number;
  readonly contraction: number;
  readonly churn: number;
  readonly reactivation: number;
  readonly fx: number;
  readonly customers: number;
  readonly customersStart: number;
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


/** The mrr report's entry of a period, from its figures. */
export function mrrEntryOfFigures(figures: PeriodFigures) {
  return {
    period: figures.period,
    mrrStart: figures.mrrStart,
    mrr: figures.mrr,
    new: figures.new,
    expansion: figures.expansion,
    contraction: figures.contraction,
    churn: figures.churn,
    reactivation: figures.reactivation,
    fx: figures.fx,
    netNew: figures.new + figures.expansion + figures.contraction + figures.churn + figures.reactivation,
    customers: figures.customers,
    customersStart: figures.customersStart,
  };
}
