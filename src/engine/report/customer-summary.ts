/**
 * Per-customer figures on asOf (cli.md `customers`, `customer ID`), derived from movements and
 * subscription timelines only, so they always agree with the MRR series.
 */
import type { CalendarDate } from '../calendar/calendar-date.js';
import type { SubscriptionTimeline } from '../compute-movements.js';
import type { Customer, Dataset } from '../model.js';
import type { Movement } from '../movement.js';
import { compareStrings } from '../subscription/subscription-state.js';

export type CustomerStatus = 'paying' | 'churned' | 'never_paid';

export interface CustomerSummary {
  readonly customerId: string;
  readonly customer: Customer | null;
  readonly mrr: number;
  readonly arr: number;
  readonly status: CustomerStatus;
  readonly firstPaid: CalendarDate | null;
  /** Subscriptions with MRR on asOf. */
  readonly subscriptions: readonly string[];
}

/** Every customer the data knows: listed in customers, or only referenced by a line or event. */
export interface KnownCustomers {
  readonly ids: readonly string[];
  readonly rows: ReadonlyMap<string, Customer>;
}

export function knownCustomers(dataset: Dataset): KnownCustomers {
  const ids = new Set<string>();
  for (const customer of dataset.customers) ids.add(customer.customerId);
  for (const line of dataset.invoiceLines) ids.add(line.customerId);
  for (const event of dataset.subscriptionEvents) ids.add(event.customerId);
  return { ids: [...ids].sort(compareStrings), rows: new Map(dataset.customers.map((customer) => [customer.customerId, customer])) };
}

/** Every known customer, sorted by id. */
export function customerSummaries(
  known: KnownCustomers,
  movements: readonly Movement[],
  timelines: readonly SubscriptionTimeline[],
): CustomerSummary[] {
  const mrr = new Map<string, number>();
  const firstPaid = new Map<string, CalendarDate>();
  for (const movement of movements) {
    mrr.set(movement.customerId, movement.customerMrr);
    if (!firstPaid.has(movement.customerId)) firstPaid.set(movement.customerId, movement.date);
  }
  const active = new Map<string, string[]>();
  for (const timeline of timelines) {
    const last = timeline.points.at(-1);
    if (!last || last.mrr <= 0) continue;
    const list = active.get(timeline.customerId) ?? [];
    list.push(timeline.subscriptionId);
    active.set(timeline.customerId, list);
  }

  return known.ids.map((customerId) => {
    const value = mrr.get(customerId) ?? 0;
    const first = firstPaid.get(customerId) ?? null;
    return {
      customerId,
      customer: known.rows.get(customerId) ?? null,
      mrr: value,
      arr: 12 * value,
      status: value > 0 ? 'paying' : first !== null ? 'churned' : 'never_paid',
      firstPaid: first,
      subscriptions: (active.get(customerId) ?? []).sort(compareStrings),
    };
  });
}
