/**
 * The canonical dataset of inputs.md as typed, validated values. Ingest adapters produce it;
 * the engine consumes it. Amounts are integer minor units of the row's own currency.
 */
import type { CalendarDate } from './calendar/calendar-date.js';
import type { Instant } from './calendar/instant.js';
import type { CurrencyCode } from './money/currency.js';
import type { Ratio } from './money/ratio.js';

/** Where a row came from, for error messages and drill-down (`FILE:LINE`). */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** A value given either as a calendar date or as an instant; instants become dates in the
 * configured time zone inside the engine, so a time-zone change needs no re-import. */
export type Moment =
  | { readonly kind: 'date'; readonly date: CalendarDate }
  | { readonly kind: 'instant'; readonly instant: Instant };

export type IntervalUnit = 'day' | 'week' | 'month' | 'year';

export interface BillingInterval {
  readonly unit: IntervalUnit;
  readonly count: number;
}

export type DiscountDuration = 'once' | 'repeating' | 'forever';

export interface Customer {
  readonly customerId: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly company: string | null;
  readonly country: string | null;
  readonly createdAt: Moment | null;
  /** `attr.<key>` columns, keyed without the `attr.` prefix. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly source: SourceRef;
}

export interface Plan {
  readonly planId: string;
  readonly name: string | null;
  readonly interval: BillingInterval;
  readonly product: string | null;
  readonly source: SourceRef;
}

export type InvoiceLineType = 'subscription' | 'one_time' | 'trial' | 'credit_note';

export interface InvoiceLine {
  readonly lineId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly subscriptionId: string | null;
  readonly planId: string | null;
  readonly type: InvoiceLineType;
  readonly serviceStart: Moment | null;
  readonly serviceEnd: Moment | null;
  readonly amount: number;
  readonly currency: CurrencyCode;
  readonly quantity: number;
  readonly discount: number;
  readonly discountDuration: DiscountDuration | null;
  readonly tax: number;
  /** null when the dataset has no `prorated` column: the engine then auto-detects prorations. */
  readonly prorated: boolean | null;
  readonly cancelledAt: Moment | null;
  readonly cancelRequestedAt: Moment | null;
  readonly issuedAt: Moment | null;
  readonly eventOrder: number | null;
  readonly source: SourceRef;
}

export type SubscriptionEventType = 'start' | 'change' | 'cancel' | 'pause' | 'resume';

export interface SubscriptionEvent {
  readonly eventId: string;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly type: SubscriptionEventType;
  readonly effectiveAt: Moment;
  readonly requestedAt: Moment | null;
  readonly planId: string | null;
  /** Amount per billing interval after discounts; null when the row gives none (pause, cancel). */
  readonly amount: number | null;
  readonly unitAmount: number | null;
  readonly quantity: number;
  readonly discount: number;
  readonly discountDuration: DiscountDuration | null;
  readonly currency: CurrencyCode | null;
  readonly interval: BillingInterval | null;
  readonly paidThrough: Moment | null;
  readonly source: SourceRef;
}

export interface FxRate {
  readonly date: CalendarDate;
  readonly base: CurrencyCode;
  readonly quote: CurrencyCode;
  /** 1 base = rate quote, exact. */
  readonly rate: Ratio;
  readonly source: SourceRef;
}

export interface Dataset {
  readonly customers: readonly Customer[];
  readonly plans: readonly Plan[];
  readonly invoiceLines: readonly InvoiceLine[];
  readonly subscriptionEvents: readonly SubscriptionEvent[];
  readonly fxRates: readonly FxRate[];
}
