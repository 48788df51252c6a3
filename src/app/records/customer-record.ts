/** Customers as the records of cli.md `customers`. */
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import type { CustomerSummary } from '../../engine/report/customer-summary.js';

export const CUSTOMER_FIELDS = ['customer_id', 'name', 'mrr', 'arr', 'status', 'first_paid', 'subscriptions'] as const;

export interface CustomerRecord {
  customer_id: string;
  name: string | null;
  mrr: number;
  arr: number;
  status: 'paying' | 'churned' | 'never_paid';
  first_paid: string | null;
  subscriptions: string[];
}

export function customerRecord(summary: CustomerSummary): CustomerRecord {
  return {
    customer_id: summary.customerId,
    name: summary.customer?.name ?? null,
    mrr: summary.mrr,
    arr: summary.arr,
    status: summary.status,
    first_paid: summary.firstPaid === null ? null : formatIsoDate(summary.firstPaid),
    subscriptions: [...summary.subscriptions],
  };
}
