/** One customer in full (cli.md `customer ID`): its figures, subscriptions, timeline, movements. */
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import { customerSummaries } from '../../engine/report/customer-summary.js';
import type { ComputedSource } from '../load-dataset-source.js';
import { customerRecord, type CustomerRecord } from './customer-record.js';
import { movementRecord, type MovementRecord } from './movement-record.js';

export interface CustomerDetailRecord {
  currency: string;
  as_of: string;
  customer: CustomerRecord & { email: string | null; company: string | null; country: string | null; attributes: Record<string, string> };
  subscriptions: Array<{
    subscription_id: string;
    currency: CurrencyCode;
    plan_ids: string[];
    native_mrr: number;
    mrr: number;
    first_mrr: string | null;
    ended: string | null;
  }>;
  /** The customer's MRR from each date on. */
  timeline: Array<{ date: string; mrr: number }>;
  movements: MovementRecord[];
}

export function customerDetail(source: ComputedSource, customerId: string): CustomerDetailRecord | null {
  const { config, result } = source;
  const movements = result.movements.filter((m) => m.customerId === customerId && m.date <= config.asOf);
  const timelines = result.timelines.filter((t) => t.customerId === customerId);
  const summary = customerSummaries(source.customers, movements, timelines).find((s) => s.customerId === customerId);
  if (!summary) return null;
  const timeline: Array<{ date: string; mrr: number }> = [];
  for (const movement of movements) {
    const date = formatIsoDate(movement.date);
    if (timeline.at(-1)?.date === date) timeline[timeline.length - 1]!.mrr = movement.customerMrr;
    else timeline.push({ date, mrr: movement.customerMrr });
  }
  return {
    currency: config.currency,
    as_of: formatIsoDate(config.asOf),
    customer: {
      ...customerRecord(summary),
      email: summary.customer?.email ?? null,
      company: summary.customer?.company ?? null,
      country: summary.customer?.country ?? null,
      attributes: { ...(summary.customer?.attributes ?? {}) },
    },
    subscriptions: timelines.map((t) => {
      const last = t.points.at(-1);
      const ended = last && last.mrr === 0 ? formatIsoDate(last.date) : null;
      return {
        subscription_id: t.subscriptionId,
        currency: t.currency,
        plan_ids: [...t.planIds],
        native_mrr: last?.nativeMrr ?? 0,
        mrr: last?.mrr ?? 0,
        first_mrr: t.points[0] ? formatIsoDate(t.points[0].date) : null,
        ended,
      };
    }),
    timeline,
    movements: movements.map(movementRecord),
  };
}
