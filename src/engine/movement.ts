/** The rows the engine produces (mrr-rules.md §5), in integer minor units of the reporting currency. */
import type { CalendarDate } from './calendar/calendar-date.js';
import type { CurrencyCode } from './money/currency.js';

export type MovementType = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation' | 'fx';

export type MovementReason =
  | 'cross_sell'
  | 'partial_churn'
  | 'plan_change'
  | 'quantity'
  | 'price'
  | 'price_volume_mix'
  | 'discount'
  | 'paused'
  | 'resumed'
  | 'other';

export interface Movement {
  readonly date: CalendarDate;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly type: MovementType;
  /** Only for `expansion` and `contraction`. */
  readonly reason: MovementReason | null;
  readonly amount: number;
  readonly currency: CurrencyCode;
  /** The business change in the subscription's own currency (0 for `fx` rows). */
  readonly nativeAmount: number;
  readonly nativeCurrency: CurrencyCode;
  /** The customer's MRR after all of the day's changes. */
  readonly customerMrr: number;
  readonly planId: string | null;
  readonly priceEffect: number | null;
  readonly volumeEffect: number | null;
  readonly mixEffect: number | null;
  /** Ids of the invoice lines or subscription events behind the change. */
  readonly sources: readonly string[];
}

/** A problem with the data that did not stop the computation (a clamped negative total …). */
export interface DataWarning {
  readonly code: string;
  readonly message: string;
  readonly customerId?: string;
  readonly subscriptionId?: string;
  readonly date?: CalendarDate;
}

/** A row that was not applied, reported as `FILE:LINE: column: message`. */
export interface RejectedRow {
  readonly file: string;
  readonly line: number;
  readonly column: string;
  readonly message: string;
  /** The row as read (CSV fields re-quoted, or the JSON object), kept by the store. */
  readonly raw?: string;
}
