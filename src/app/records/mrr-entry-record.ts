/** MRR series entries as the records of cli.md (`mrr`, and the first fields of `metrics`). */
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import type { MrrEntry } from '../../engine/report/mrr-report.js';

export const MRR_ENTRY_FIELDS = [
  'period',
  'first',
  'last',
  'mrr_start',
  'mrr',
  'new',
  'expansion',
  'contraction',
  'churn',
  'reactivation',
  'fx',
  'net_new',
  'customers',
  'customers_start',
] as const;

export type MrrEntryRecord = Record<(typeof MRR_ENTRY_FIELDS)[number], string | number>;

export function mrrEntryRecord(entry: MrrEntry): MrrEntryRecord {
  return {
    period: entry.period.label,
    first: formatIsoDate(entry.period.first),
    last: formatIsoDate(entry.period.last),
    mrr_start: entry.mrrStart,
    mrr: entry.mrr,
    new: entry.new,
    expansion: entry.expansion,
    contraction: entry.contraction,
    churn: entry.churn,
    reactivation: entry.reactivation,
    fx: entry.fx,
    net_new: entry.netNew,
    customers: entry.customers,
    customers_start: entry.customersStart,
  };
}
