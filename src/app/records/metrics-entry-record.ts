/** Metrics entries as the records of cli.md `metrics`: the `mrr` fields, then every metric. */
import type { MetricsEntry } from '../../engine/report/metrics-report.js';
import { MRR_ENTRY_FIELDS, mrrEntryRecord, type MrrEntryRecord } from './mrr-entry-record.js';

export const METRICS_ENTRY_FIELDS = [
  ...MRR_ENTRY_FIELDS,
  'arr',
  'arpa',
  'asp',
  'new_customers',
  'reactivated_customers',
  'churned_customers',
  'customer_churn_rate',
  'gross_mrr_churn_rate',
  'net_mrr_churn_rate',
  'nrr',
  'grr',
  'nrr_12m',
  'quick_ratio',
  'ltv',
  'mrr_growth_rate',
  'expansion_rate',
] as const;

export const RATE_FIELDS = new Set([
  'customer_churn_rate',
  'gross_mrr_churn_rate',
  'net_mrr_churn_rate',
  'nrr',
  'grr',
  'nrr_12m',
  'quick_ratio',
  'mrr_growth_rate',
  'expansion_rate',
]);

export type MetricsEntryRecord = MrrEntryRecord & Record<(typeof METRICS_ENTRY_FIELDS)[number], string | number | null>;

export function metricsEntryRecord(entry: MetricsEntry): MetricsEntryRecord {
  return {
    ...mrrEntryRecord(entry),
    arr: entry.arr,
    arpa: entry.arpa,
    asp: entry.asp,
    new_customers: entry.newCustomers,
    reactivated_customers: entry.reactivatedCustomers,
    churned_customers: entry.churnedCustomers,
    customer_churn_rate: entry.customerChurnRate,
    gross_mrr_churn_rate: entry.grossMrrChurnRate,
    net_mrr_churn_rate: entry.netMrrChurnRate,
    nrr: entry.nrr,
    grr: entry.grr,
    nrr_12m: entry.nrr12m,
    quick_ratio: entry.quickRatio,
    ltv: entry.ltv,
    mrr_growth_rate: entry.mrrGrowthRate,
    expansion_rate: entry.expansionRate,
  };
}
