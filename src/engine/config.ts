/** The configuration keys of inputs.md, fully resolved (no defaults left to fill). */
import type { CalendarDate } from './calendar/calendar-date.js';
import type { CurrencyCode } from './money/currency.js';

export type ChurnRecognition = 'cancel-requested' | 'cancel-effective' | 'period-end';
export type DiscountPolicy = 'net' | 'gross' | 'forever-only';
export type FxRateDate = 'period-start' | 'daily' | 'month-start' | 'fixed';
export type WeekStart = 'monday' | 'sunday';

export interface EngineConfig {
  readonly currency: CurrencyCode;
  readonly timezone: string;
  readonly weekStartsOn: WeekStart;
  readonly churnRecognition: ChurnRecognition;
  readonly renewalGraceDays: number;
  /** null = unlimited: a returning customer is always a reactivation. */
  readonly reactivationWindowDays: number | null;
  readonly discounts: DiscountPolicy;
  readonly fx: { readonly rateDate: FxRateDate; readonly fixedDate: CalendarDate | null };
  readonly asOf: CalendarDate;
}
