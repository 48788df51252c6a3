/**
 * Terse builders for hand-written datasets: tests state only what matters to them and every
 * other field takes the canonical default of inputs.md.
 */
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import type { Instant } from '../../src/engine/calendar/instant.js';
import type { EngineConfig } from '../../src/engine/config.js';
import type { BillingInterval, Dataset, FxRate, InvoiceLine, Moment, Plan, SubscriptionEvent } from '../../src/engine/model.js';
import type { CurrencyCode } from '../../src/engine/money/currency.js';
import { parseDecimalRatio } from '../../src/engine/money/decimal.js';

export function currency(code: string): CurrencyCode {
  return code as CurrencyCode;
}

export function onDate(text: string): Moment {
  return { kind: 'date', date: isoDate(text) };
}

export function atInstant(epochMs: number): Moment {
  return { kind: 'instant', instant: epochMs as Instant };
}

export function plan(planId: string, unit: BillingInterval['unit'], count = 1): Plan {
  return { planId, name: planId, interval: { unit, count }, product: null, source: { file: 'plans.csv', line: 0 } };
}

export interface LineSpec {
  readonly lineId: string;
  readonly customerId?: string;
  readonly subscriptionId?: string;
  readonly start: string;
  readonly end: string;
  readonly amount: number;
  readonly currency?: string;
  readonly planId?: string | null;
  readonly type?: InvoiceLine['type'];
  readonly quantity?: number;
  readonly discount?: number;
  readonly discountDuration?: InvoiceLine['discountDuration'];
  readonly prorated?: boolean | null;
  readonly cancelledAt?: string | null;
  readonly cancelRequestedAt?: string | null;
}

export function line(spec: LineSpec): InvoiceLine {
  return {
    lineId: spec.lineId,
    invoiceId: `inv-${spec.lineId}`,
    customerId: spec.customerId ?? 'c1',
    subscriptionId: spec.subscriptionId ?? 's1',
    planId: spec.planId ?? null,
    type: spec.type ?? 'subscription',
    serviceStart: onDate(spec.start),
    serviceEnd: onDate(spec.end),
    amount: spec.amount,
    currency: currency(spec.currency ?? 'USD'),
    quantity: spec.quantity ?? 1,
    discount: spec.discount ?? 0,
    discountDuration: spec.discountDuration ?? null,
    tax: 0,
    prorated: spec.prorated === undefined ? false : spec.prorated,
    cancelledAt: spec.cancelledAt ? onDate(spec.cancelledAt) : null,
    cancelRequestedAt: spec.cancelRequestedAt ? onDate(spec.cancelRequestedAt) : null,
    issuedAt: null,
    eventOrder: null,
    source: { file: 'invoice_lines.csv', line: 0 },
  };
}

export interface EventSpec {
  readonly eventId: string;
  readonly type: SubscriptionEvent['type'];
  readonly at: string;
  readonly customerId?: string;
  readonly subscriptionId?: string;
  readonly amount?: number | null;
  readonly unitAmount?: number | null;
  readonly quantity?: number;
  readonly discount?: number;
  readonly discountDuration?: SubscriptionEvent['discountDuration'];
  readonly currency?: string | null;
  readonly planId?: string | null;
  readonly interval?: BillingInterval | null;
  readonly requestedAt?: string | null;
  readonly paidThrough?: string | null;
}

export function event(spec: EventSpec): SubscriptionEvent {
  const carriesAmount = spec.type === 'start' || spec.type === 'change';
  return {
    eventId: spec.eventId,
    customerId: spec.customerId ?? 'c1',
    subscriptionId: spec.subscriptionId ?? 's1',
    type: spec.type,
    effectiveAt: onDate(spec.at),
    requestedAt: spec.requestedAt ? onDate(spec.requestedAt) : null,
    planId: spec.planId ?? null,
    amount: spec.amount ?? null,
    unitAmount: spec.unitAmount ?? null,
    quantity: spec.quantity ?? 1,
    discount: spec.discount ?? 0,
    discountDuration: spec.discountDuration ?? null,
    currency: spec.currency === undefined ? (carriesAmount ? currency('USD') : null) : spec.currency === null ? null : currency(spec.currency),
    interval: spec.interval ?? null,
    paidThrough: spec.paidThrough ? onDate(spec.paidThrough) : null,
    source: { file: 'subscription_events.csv', line: 0 },
  };
}

export function fxRate(date: string, base: string, quote: string, rate: string): FxRate {
  const parsed = parseDecimalRatio(rate);
  if (!parsed.ok) throw new Error(parsed.message);
  return { date: isoDate(date), base: currency(base), quote: currency(quote), rate: parsed.value, source: { file: 'fx_rates.csv', line: 0 } };
}

/** Numbers every row's source line (header is line 1) so rejects can be told apart. */
export function dataset(parts: Partial<Dataset>): Dataset {
  const number = <T extends { source: { file: string; line: number } }>(rows: readonly T[] | undefined): T[] =>
    (rows ?? []).map((row, index) => ({ ...row, source: { file: row.source.file, line: index + 2 } }));
  return {
    customers: number(parts.customers),
    plans: number(parts.plans),
    invoiceLines: number(parts.invoiceLines),
    subscriptionEvents: number(parts.subscriptionEvents),
    fxRates: number(parts.fxRates),
  };
}

export function config(
  overrides: Partial<Omit<EngineConfig, 'fx' | 'asOf' | 'currency'>> & { asOf: string; currency?: string; fx?: Partial<Omit<EngineConfig['fx'], 'fixedDate'>> & { fixedDate?: string } },
): EngineConfig {
  const { asOf, fx, currency: code, ...rest } = overrides;
  return {
    currency: currency(code ?? 'USD'),
    timezone: 'UTC',
    weekStartsOn: 'monday',
    churnRecognition: 'cancel-effective',
    renewalGraceDays: 7,
    reactivationWindowDays: null,
    discounts: 'net',
    ...rest,
    fx: { rateDate: fx?.rateDate ?? 'period-start', fixedDate: fx?.fixedDate ? isoDate(fx.fixedDate) : null },
    asOf: isoDate(asOf),
  };
}
