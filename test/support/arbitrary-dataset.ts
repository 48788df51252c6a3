/**
 * fast-check arbitraries for whole datasets and configurations, small enough to run the naive
 * reference model hundreds of times a minute, yet covering every rule that makes MRR tricky.
 *
 * fast-check generates a *recipe* (customers → subscriptions → steps) and a deterministic builder
 * turns it into canonical rows, so that shrinking removes customers, subscriptions and steps
 * instead of mangling dates into meaningless data.
 */
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { addDays, addMonths, civilFromDate, dateFromCivil, dayOfWeek, daysInMonth, formatIsoDate, type CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import type { Instant } from '../../src/engine/calendar/instant.js';
import type { ChurnRecognition, DiscountPolicy, EngineConfig, FxRateDate } from '../../src/engine/config.js';
import type { BillingInterval, Customer, Dataset, DiscountDuration, FxRate, InvoiceLine, Moment, Plan, SubscriptionEvent } from '../../src/engine/model.js';
import type { CurrencyCode } from '../../src/engine/money/currency.js';
import { parseDecimalRatio } from '../../src/engine/money/decimal.js';
import { formatConfig, formatDataset } from '../reference/format-case.js';

/** Features a run can leave out, to look past a known disagreement while it is being fixed. */
export type GeneratorFeature = 'negative-lines' | 'prorations' | 'proration-plan-changes' | 'same-day-events' | 'same-start-cycles' | 'reanchors' | 'pauses' | 'cancellations' | 'gaps' | 'instants';

export interface GeneratorOptions {
  readonly maxCustomers?: number;
  readonly without?: readonly GeneratorFeature[];
}

export interface GeneratedCase {
  readonly dataset: Dataset;
  readonly config: EngineConfig;
  /** Rates passed as `fallbackRates` when the dataset itself brings none. */
  readonly fallbackRates: FxRate[];
}

// ---------------------------------------------------------------------------------------------
// Fixed frame: every generated date lies between RATES_FROM and RATES_UNTIL, so a rate always exists.

/** A Monday; subscriptions start up to ~18 months after it. */
const T0 = dateFromCivil(2023, 1, 2);
const RATES_FROM = addDays(T0, -150);
const RATES_UNTIL = addDays(T0, 900);

const TIERS = ['basic', 'pro', 'team'] as const;
const INTERVAL_KINDS = ['month', 'quarter', 'year', 'week', 'two-weeks', 'ten-days'] as const;
type IntervalKind = (typeof INTERVAL_KINDS)[number];

const KIND_INTERVAL: Record<IntervalKind, BillingInterval> = {
  month: { unit: 'month', count: 1 },
  quarter: { unit: 'month', count: 3 },
  year: { unit: 'year', count: 1 },
  week: { unit: 'week', count: 1 },
  'two-weeks': { unit: 'week', count: 2 },
  'ten-days': { unit: 'day', count: 10 },
};
/** Kinds a re-anchoring plan change may move to: never a shorter interval, so the replaced cycle
 * can never come back into force once the new one ends. */
const LONGER_OR_EQUAL: Record<IntervalKind, readonly IntervalKind[]> = {
  month: ['month', 'quarter', 'year'],
  quarter: ['quarter', 'year'],
  year: ['year'],
  week: ['week', 'two-weeks', 'month'],
  'two-weeks': ['two-weeks', 'month'],
  'ten-days': ['ten-days'],
};
const TIMEZONES = ['UTC', 'Pacific/Kiritimati', 'America/St_Johns'] as const;
const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY'] as const;
/** Approximate value of 1 EUR, in units of the currency (for believable rates). */
const EUR_VALUE: Record<string, number> = { USD: 1.08, GBP: 0.86, JPY: 158 };

function planId(tier: number, kind: IntervalKind): string {
  return `${TIERS[tier % TIERS.length] ?? 'basic'}-${kind}`;
}

function boundary(anchor: CalendarDate, kind: IntervalKind, k: number): CalendarDate {
  switch (kind) {
    case 'month':
      return addMonths(anchor, k);
    case 'quarter':
      return addMonths(anchor, 3 * k);
    case 'year':
      return addMonths(anchor, 12 * k);
    case 'week':
      return addDays(anchor, 7 * k);
    case 'two-weeks':
      return addDays(anchor, 14 * k);
    case 'ten-days':
      return addDays(anchor, 10 * k);
  }
}

function isMonthKind(kind: IntervalKind): boolean {
  return kind === 'month' || kind === 'quarter' || kind === 'year';
}

/** A proration's full interval is counted back from its service_end; with a clamped month-end
 * anchor (Jan 31 → Feb 29) that is not the cycle's own start, so prorations stay off such anchors. */
function prorationSafeAnchor(anchor: CalendarDate, kind: IntervalKind): boolean {
  return !isMonthKind(kind) || civilFromDate(anchor).day <= 28;
}

// ---------------------------------------------------------------------------------------------
// Recipes

interface ItemRecipe {
  readonly tier: number;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly discount: { readonly percent: number; readonly duration: DiscountDuration; readonly cycles: number } | null;
}

interface InvoiceStep {
  readonly change: 'none' | 'quantity' | 'price' | 'plan' | 'add' | 'remove';
  readonly changeValue: number;
  readonly mid: 'none' | 'upgrade' | 'reanchor' | 'negative' | 'switch';
  readonly midFraction: number;
  readonly midValue: number;
  readonly gapAfter: number;
}

interface InvoiceSubRecipe {
  readonly style: 'invoice';
  readonly currency: number;
  readonly planned: boolean;
  readonly kind: IntervalKind;
  readonly startDay: number;
  readonly monthEnd: boolean;
  readonly trialDays: number;
  readonly trialOnly: boolean;
  readonly firstPartial: number;
  readonly items: readonly ItemRecipe[];
  readonly steps: readonly InvoiceStep[];
  readonly cancel: {
    readonly offset: number;
    readonly requestedBack: number | null;
    readonly instant: boolean;
    readonly restartAfter: number | null;
    readonly restartCycles: number;
  } | null;
  readonly instantLines: boolean;
  readonly localHour: number;
}

type EventAction = 'change-quantity' | 'change-price' | 'change-plan' | 'change-discount' | 'pause' | 'resume' | 'cancel' | 'restart' | 'invalid';

interface EventStep {
  readonly gap: number;
  readonly action: EventAction;
  readonly param: number;
  readonly instant: boolean;
}

interface EventSubRecipe {
  readonly style: 'event';
  readonly currency: number;
  readonly planned: boolean;
  readonly kind: IntervalKind | null;
  readonly startDay: number;
  readonly tier: number;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly discountPercent: number;
  readonly discountDuration: DiscountDuration | null;
  readonly useUnitAmount: boolean;
  readonly zeroStart: boolean;
  readonly steps: readonly EventStep[];
  readonly localHour: number;
}

type SubRecipe = InvoiceSubRecipe | EventSubRecipe;

interface CustomerRecipe {
  readonly subscriptions: readonly SubRecipe[];
  readonly oneTimeLine: boolean;
}

interface ConfigRecipe {
  readonly currencies: readonly string[];
  readonly reportingIndex: number;
  readonly timezone: string;
  readonly weekStartsOn: EngineConfig['weekStartsOn'];
  readonly churnRecognition: ChurnRecognition;
  readonly renewalGraceDays: number;
  readonly reactivationWindowDays: number | null;
  readonly discounts: DiscountPolicy;
  readonly rateDate: FxRateDate;
  readonly fixedDay: number;
  readonly asOfDay: number;
  readonly prorationMode: 'flagged' | 'auto';
  readonly ratesSource: 'dataset' | 'fallback';
  readonly rateSeed: number;
  readonly directRows: boolean;
  readonly customerRows: boolean;
}

const itemArb: fc.Arbitrary<ItemRecipe> = fc.record({
  tier: fc.integer({ min: 0, max: 2 }),
  quantity: fc.integer({ min: 1, max: 5 }),
  unitPrice: fc.integer({ min: 500, max: 30_000 }),
  discount: fc.option(
    fc.record({
      percent: fc.integer({ min: 5, max: 50 }),
      duration: fc.constantFrom<DiscountDuration>('once', 'repeating', 'forever'),
      cycles: fc.integer({ min: 1, max: 3 }),
    }),
    { freq: 3 },
  ),
});

const gapArb = fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 2 }, { arbitrary: fc.integer({ min: 13, max: 60 }), weight: 1 });

const invoiceStepArb: fc.Arbitrary<InvoiceStep> = fc.record({
  change: fc.oneof(
    { arbitrary: fc.constant('none' as const), weight: 5 },
    { arbitrary: fc.constantFrom('quantity' as const, 'price' as const, 'plan' as const, 'add' as const, 'remove' as const), weight: 3 },
  ),
  changeValue: fc.nat({ max: 1000 }),
  mid: fc.oneof(
    { arbitrary: fc.constant('none' as const), weight: 6 },
    { arbitrary: fc.constantFrom('upgrade' as const, 'reanchor' as const, 'negative' as const, 'switch' as const), weight: 2 },
  ),
  midFraction: fc.integer({ min: 1, max: 9 }),
  midValue: fc.nat({ max: 1000 }),
  gapAfter: gapArb,
});

const invoiceSubArb: fc.Arbitrary<InvoiceSubRecipe> = fc.record({
  style: fc.constant('invoice' as const),
  currency: fc.nat({ max: 2 }),
  planned: fc.boolean(),
  kind: fc.constantFrom(...INTERVAL_KINDS),
  startDay: fc.integer({ min: 0, max: 540 }),
  monthEnd: fc.boolean(),
  trialDays: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 7, max: 30 }), weight: 1 }),
  trialOnly: fc.boolean(),
  firstPartial: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 3, max: 20 }), weight: 1 }),
  items: fc.array(itemArb, { minLength: 1, maxLength: 3 }),
  steps: fc.array(invoiceStepArb, { minLength: 1, maxLength: 8 }),
  cancel: fc.option(
    fc.record({
      offset: fc.integer({ min: 0, max: 40 }),
      requestedBack: fc.option(fc.integer({ min: 0, max: 20 })),
      instant: fc.boolean(),
      restartAfter: fc.option(fc.integer({ min: 1, max: 60 })),
      restartCycles: fc.integer({ min: 1, max: 3 }),
    }),
    { freq: 3 },
  ),
  instantLines: fc.boolean(),
  localHour: fc.integer({ min: 0, max: 23 }),
});

const eventStepArb: fc.Arbitrary<EventStep> = fc.record({
  gap: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 90 }), weight: 6 }),
  action: fc.oneof(
    { arbitrary: fc.constantFrom<EventAction>('change-quantity', 'change-price', 'change-plan', 'change-discount'), weight: 4 },
    { arbitrary: fc.constantFrom<EventAction>('pause', 'resume', 'cancel', 'restart'), weight: 3 },
    { arbitrary: fc.constant<EventAction>('invalid'), weight: 1 },
  ),
  param: fc.nat({ max: 1000 }),
  instant: fc.boolean(),
});

const eventSubArb: fc.Arbitrary<EventSubRecipe> = fc.record({
  style: fc.constant('event' as const),
  currency: fc.nat({ max: 2 }),
  planned: fc.boolean(),
  kind: fc.option(fc.constantFrom(...INTERVAL_KINDS)),
  startDay: fc.integer({ min: 0, max: 540 }),
  tier: fc.integer({ min: 0, max: 2 }),
  quantity: fc.integer({ min: 1, max: 5 }),
  unitPrice: fc.integer({ min: 500, max: 30_000 }),
  discountPercent: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.integer({ min: 5, max: 50 }), weight: 1 }),
  discountDuration: fc.option(fc.constantFrom<DiscountDuration>('once', 'repeating', 'forever')),
  useUnitAmount: fc.boolean(),
  zeroStart: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  steps: fc.array(eventStepArb, { minLength: 0, maxLength: 8 }),
  localHour: fc.integer({ min: 0, max: 23 }),
});

const subArb: fc.Arbitrary<SubRecipe> = fc.oneof({ arbitrary: invoiceSubArb, weight: 3 }, { arbitrary: eventSubArb, weight: 2 });

const customerArb: fc.Arbitrary<CustomerRecipe> = fc.record({
  subscriptions: fc.array(subArb, { minLength: 1, maxLength: 3 }),
  oneTimeLine: fc.boolean(),
});

const configArb: fc.Arbitrary<ConfigRecipe> = fc.record({
  currencies: fc.oneof(
    { arbitrary: fc.constantFrom(['USD'], ['EUR'], ['JPY']), weight: 1 },
    { arbitrary: fc.shuffledSubarray([...CURRENCIES], { minLength: 2, maxLength: 3 }), weight: 3 },
  ),
  reportingIndex: fc.nat({ max: 2 }),
  timezone: fc.constantFrom(...TIMEZONES),
  weekStartsOn: fc.constantFrom('monday' as const, 'sunday' as const),
  churnRecognition: fc.constantFrom<ChurnRecognition>('cancel-requested', 'cancel-effective', 'period-end'),
  renewalGraceDays: fc.oneof(fc.constantFrom(0, 3, 7), fc.integer({ min: 0, max: 15 })),
  reactivationWindowDays: fc.option(fc.integer({ min: 0, max: 120 })),
  discounts: fc.constantFrom<DiscountPolicy>('net', 'gross', 'forever-only'),
  rateDate: fc.constantFrom<FxRateDate>('period-start', 'daily', 'month-start', 'fixed'),
  fixedDay: fc.integer({ min: -60, max: 600 }),
  asOfDay: fc.integer({ min: 30, max: 800 }),
  prorationMode: fc.constantFrom('flagged' as const, 'auto' as const),
  ratesSource: fc.oneof({ arbitrary: fc.constant('dataset' as const), weight: 4 }, { arbitrary: fc.constant('fallback' as const), weight: 1 }),
  rateSeed: fc.nat(),
  directRows: fc.boolean(),
  customerRows: fc.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Builder

/** A tiny deterministic PRNG (mulberry32) for the parts that need no shrinking: rates, shuffles. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function endOfMonth(date: CalendarDate): CalendarDate {
  const { year, month } = civilFromDate(date);
  return dateFromCivil(year, month, daysInMonth(year, month));
}

class Builder {
  readonly lines: InvoiceLine[] = [];
  readonly events: SubscriptionEvent[] = [];
  constructor(
    readonly config: ConfigRecipe,
    readonly timezone: string,
    readonly without: ReadonlySet<GeneratorFeature>,
  ) {}

  /** The instant at `hour:minute` local time on `date` in the configured zone, so it falls on `date` there. */
  instantOn(date: CalendarDate, hour: number, minute: number): Moment {
    const zoned = Temporal.PlainDate.from(formatIsoDate(date)).toZonedDateTime({ timeZone: this.timezone, plainTime: Temporal.PlainTime.from({ hour, minute }) });
    return { kind: 'instant', instant: zoned.epochMilliseconds as Instant };
  }

  moment(date: CalendarDate, asInstant: boolean, hour: number): Moment {
    return asInstant && !this.without.has('instants') ? this.instantOn(date, hour, (hour * 7) % 60) : { kind: 'date', date };
  }
}

interface LiveItem {
  tier: number;
  quantity: number;
  unitPrice: number;
  discount: ItemRecipe['discount'];
  cyclesBilled: number;
}

function buildInvoiceSubscription(b: Builder, customerId: string, subscriptionId: string, recipe: InvoiceSubRecipe, currency: CurrencyCode): void {
  const flagged = b.config.prorationMode === 'flagged';
  const planned = recipe.planned;
  let kind: IntervalKind = recipe.kind;
  let anchor = addDays(T0, recipe.startDay);
  if (recipe.monthEnd && isMonthKind(kind)) anchor = endOfMonth(anchor);
  let lineNo = 0;
  let invoiceNo = 0;
  const moment = (date: CalendarDate): Moment => b.moment(date, recipe.instantLines, recipe.localHour);
  const emit = (fields: Partial<InvoiceLine> & Pick<InvoiceLine, 'amount' | 'serviceStart' | 'serviceEnd'>, invoice: number): InvoiceLine => {
    const row: InvoiceLine = {
      lineId: `${subscriptionId}-l${String(++lineNo).padStart(2, '0')}`,
      invoiceId: `${subscriptionId}-i${String(invoice).padStart(2, '0')}`,
      customerId,
      subscriptionId,
      planId: null,
      type: 'subscription',
      currency,
      quantity: 1,
      discount: 0,
      discountDuration: null,
      tax: 0,
      prorated: flagged ? false : null,
      cancelledAt: null,
      cancelRequestedAt: null,
      issuedAt: null,
      eventOrder: null,
      source: { file: 'invoice_lines.csv', line: 0 },
      ...fields,
    };
    b.lines.push(row);
    return row;
  };

  const items: LiveItem[] = recipe.items.map((i) => ({ ...i, cyclesBilled: 0 }));
  const planOf = (item: LiveItem): string | null => (planned ? planId(item.tier, kind) : null);
  const gross = (item: LiveItem): number => item.unitPrice * item.quantity;
  const discountOf = (item: LiveItem): number => {
    const d = item.discount;
    if (d === null) return 0;
    const active = d.duration === 'forever' || (d.duration === 'once' ? item.cyclesBilled === 0 : item.cyclesBilled < d.cycles);
    return active ? Math.round((gross(item) * d.percent) / 100) : 0;
  };
  const amountOf = (item: LiveItem): number => gross(item) - discountOf(item);

  const emitCycle = (start: CalendarDate, end: CalendarDate, overrides: Partial<InvoiceLine> = {}): InvoiceLine[] => {
    const invoice = ++invoiceNo;
    const rows = items.map((item) => {
      const discount = discountOf(item);
      return emit(
        {
          planId: planOf(item),
          serviceStart: moment(start),
          serviceEnd: moment(end),
          amount: gross(item) - discount,
          quantity: item.quantity,
          discount,
          discountDuration: discount > 0 && item.discount ? item.discount.duration : null,
          issuedAt: invoice % 3 === 0 ? { kind: 'date', date: start } : null,
          ...overrides,
        },
        invoice,
      );
    });
    for (const item of items) item.cyclesBilled++;
    return rows;
  };

  // Trial (carries 0, gives coverage) and a flagged first partial period before the first cycle.
  if (recipe.trialDays > 0) {
    emit({ type: 'trial', planId: planOf(items[0] as LiveItem), serviceStart: moment(addDays(anchor, -recipe.trialDays)), serviceEnd: moment(anchor), amount: 0 }, ++invoiceNo);
    if (recipe.trialOnly) return;
  } else if (recipe.firstPartial > 0 && flagged && prorationSafeAnchor(anchor, kind) && !b.without.has('prorations')) {
    const first = items[0] as LiveItem;
    const full = boundary(anchor, kind, 1) - anchor;
    const days = Math.min(recipe.firstPartial, full - 1);
    emit(
      {
        planId: planOf(first),
        serviceStart: moment(addDays(anchor, -days)),
        serviceEnd: moment(anchor),
        amount: Math.round((amountOf(first) * days) / full),
        quantity: first.quantity,
        prorated: true,
      },
      ++invoiceNo,
    );
  }

  // Unplanned subscriptions share one inferred interval: keep the full cycles the majority (a
  // trial needs two of them) and, without a prorated column, add no short lines at all.
  const steps = [...recipe.steps];
  if (!planned && recipe.trialDays > 0 && steps.length < 2) steps.push({ change: 'none', changeValue: 0, mid: 'none', midFraction: 5, midValue: 0, gapAfter: 0 });
  let k = 0;
  let lastCycle: { start: CalendarDate; end: CalendarDate; rows: InvoiceLine[] } | null = null;
  steps.forEach((step, index) => {
    if (index > 0) applyChange(step);
    let start = boundary(anchor, kind, k);
    let end = boundary(anchor, kind, k + 1);
    let rows = emitCycle(start, end);
    k++;
    const length = end - start;
    const u = addDays(start, Math.max(1, Math.min(length - 1, Math.floor((length * step.midFraction) / 10))));
    const remaining = end - u;
    const prorationsOk = (flagged || planned) && prorationSafeAnchor(anchor, kind) && length >= 2;
    if (step.mid === 'negative' && !planned && !b.without.has('negative-lines')) {
      const total = items.reduce((sum, item) => sum + amountOf(item), 0);
      const credit = step.midValue % 3 === 0 ? total + 100 + step.midValue : Math.max(1, Math.floor((total * (step.midValue % 90)) / 100));
      emit({ serviceStart: moment(start), serviceEnd: moment(end), amount: -credit }, invoiceNo);
    } else if (step.mid === 'upgrade' && prorationsOk && !b.without.has('prorations')) {
      const j = step.midValue % items.length;
      const old = items[j] as LiveItem;
      const oldAmount = amountOf(old);
      const oldPlan = planOf(old);
      const upgraded: LiveItem = { ...old, discount: null, cyclesBilled: 0 };
      if (step.midValue % 3 === 0 && planned && !b.without.has('proration-plan-changes')) upgraded.tier = (old.tier + 1) % TIERS.length;
      else if (step.midValue % 3 === 1) upgraded.quantity = old.quantity + 1 + (step.midValue % 2);
      else upgraded.unitPrice = old.unitPrice + 100 * (1 + (step.midValue % 50));
      items[j] = upgraded;
      const invoice = ++invoiceNo;
      emit({ planId: oldPlan, serviceStart: moment(u), serviceEnd: moment(end), amount: -Math.round((oldAmount * remaining) / length), quantity: old.quantity, prorated: flagged ? true : null }, invoice);
      emit({ planId: planOf(upgraded), serviceStart: moment(u), serviceEnd: moment(end), amount: Math.round((amountOf(upgraded) * remaining) / length), quantity: upgraded.quantity, prorated: flagged ? true : null }, invoice);
    } else if (step.mid === 'reanchor' && prorationsOk && !b.without.has('reanchors')) {
      const invoice = ++invoiceNo;
      for (const item of items) {
        emit({ planId: planOf(item), serviceStart: moment(u), serviceEnd: moment(end), amount: -Math.round((amountOf(item) * remaining) / length), quantity: item.quantity, prorated: flagged ? true : null }, invoice);
      }
      const choices = planned ? LONGER_OR_EQUAL[kind] : [kind];
      kind = choices[step.midValue % choices.length] ?? kind;
      const j = step.midValue % items.length;
      const old = items[j] as LiveItem;
      items[j] = { ...old, quantity: old.quantity + 1, cyclesBilled: 0, discount: null };
      anchor = u;
      k = 0;
      start = boundary(anchor, kind, k);
      end = boundary(anchor, kind, k + 1);
      rows = emitCycle(start, end);
      k++;
    } else if (step.mid === 'switch' && planned && !b.without.has('same-start-cycles')) {
      // A second cycle with the same start and a longer interval (a plan switch on the renewal
      // day): the tie goes to the higher event_order, else the later issued_at, else the greater
      // line_id, so either cycle may win.
      const choices = LONGER_OR_EQUAL[kind].filter((other) => other !== kind);
      const longer = choices[step.midValue % Math.max(1, choices.length)];
      if (longer !== undefined) {
        const variant = step.midValue % 3;
        const newWins = variant === 2 || step.midFraction % 2 === 0;
        const mark = (wins: boolean): Partial<InvoiceLine> =>
          variant === 0
            ? { eventOrder: wins ? 2 : 1, issuedAt: null }
            : variant === 1
              ? { eventOrder: null, issuedAt: b.instantOn(start, wins ? 15 : 8, 30) }
              : { eventOrder: null, issuedAt: null };
        for (const row of rows) b.lines[b.lines.indexOf(row)] = { ...row, ...mark(!newWins) };
        const j = step.midValue % items.length;
        const old = items[j] as LiveItem;
        items[j] = { ...old, tier: (old.tier + 1) % TIERS.length, cyclesBilled: 0 };
        kind = longer;
        anchor = start;
        k = 1;
        end = boundary(anchor, kind, 1);
        rows = emitCycle(start, end, mark(newWins));
      }
    }
    lastCycle = { start, end, rows };
    if (step.gapAfter > 0 && !b.without.has('gaps')) {
      anchor = addDays(end, step.gapAfter);
      k = 0;
    }
  });

  function applyChange(step: InvoiceStep): void {
    const j = step.changeValue % items.length;
    const item = items[j] as LiveItem;
    switch (step.change) {
      case 'none':
        return;
      case 'quantity':
        item.quantity = 1 + ((item.quantity + step.changeValue) % 5);
        return;
      case 'price':
        item.unitPrice = Math.max(100, item.unitPrice + 100 * ((step.changeValue % 21) - 10));
        return;
      case 'plan':
        if (planned) item.tier = (item.tier + 1 + (step.changeValue % 2)) % TIERS.length;
        else item.unitPrice += 250;
        return;
      case 'add':
        if (items.length < 3) items.push({ tier: (item.tier + 1) % TIERS.length, quantity: 1 + (step.changeValue % 3), unitPrice: 700 + step.changeValue * 10, discount: null, cyclesBilled: 0 });
        return;
      case 'remove':
        if (items.length > 1) items.splice(j, 1);
        return;
    }
  }

  const cancel = recipe.cancel;
  const last = lastCycle as { start: CalendarDate; end: CalendarDate; rows: InvoiceLine[] } | null;
  if (cancel === null || last === null || b.without.has('cancellations')) return;
  const effective = addDays(last.start, Math.min(cancel.offset, last.end - last.start + 5));
  const requested = cancel.requestedBack === null ? null : addDays(effective, -Math.min(cancel.requestedBack, effective - last.start));
  const carrier = last.rows[0];
  if (carrier === undefined) return;
  const at = (date: CalendarDate): Moment => b.moment(date, cancel.instant, (recipe.localHour + 5) % 24);
  b.lines[b.lines.indexOf(carrier)] = { ...carrier, cancelledAt: at(effective), cancelRequestedAt: requested === null ? null : at(requested) };
  if (cancel.restartAfter !== null) {
    anchor = addDays(last.end > effective ? last.end : effective, cancel.restartAfter);
    if (isMonthKind(kind) && recipe.monthEnd) anchor = endOfMonth(anchor);
    for (let c = 0; c < cancel.restartCycles; c++) emitCycle(boundary(anchor, kind, c), boundary(anchor, kind, c + 1));
  }
}

interface LiveEventState {
  tier: number;
  quantity: number;
  unitPrice: number;
  discountPercent: number;
}

function buildEventSubscription(b: Builder, customerId: string, subscriptionId: string, recipe: EventSubRecipe, currency: CurrencyCode): void {
  let seq = 0;
  const planned = recipe.planned;
  const kind: IntervalKind = recipe.kind ?? 'month';
  // Without a kind the row names no interval: the plan's applies, else one month.
  const interval = recipe.kind === null ? null : KIND_INTERVAL[kind];
  const pending: { date: CalendarDate; instant: boolean; make: (effectiveAt: Moment) => SubscriptionEvent }[] = [];
  const base = (type: SubscriptionEvent['type']): Omit<SubscriptionEvent, 'effectiveAt'> => ({
    eventId: `${subscriptionId}-e${String(++seq).padStart(2, '0')}`,
    customerId,
    subscriptionId,
    type,
    requestedAt: null,
    planId: null,
    amount: null,
    unitAmount: null,
    quantity: 1,
    discount: 0,
    discountDuration: null,
    currency: null,
    interval: null,
    paidThrough: null,
    source: { file: 'subscription_events.csv', line: 0 },
  });
  const priced = (type: 'start' | 'change' | 'resume', s: LiveEventState, zero = false): Omit<SubscriptionEvent, 'effectiveAt'> => {
    const grossAmount = s.unitPrice * s.quantity;
    const discount = zero ? 0 : Math.round((grossAmount * s.discountPercent) / 100);
    const unitAmount = recipe.useUnitAmount && !zero;
    return {
      ...base(type),
      planId: planned ? planId(s.tier, kind) : null,
      // Ingest derives `amount` from unit_amount when a row omits it, so canonical rows always carry it.
      amount: zero ? 0 : grossAmount - discount,
      unitAmount: unitAmount ? s.unitPrice : null,
      quantity: s.quantity,
      discount,
      discountDuration: discount > 0 ? recipe.discountDuration : null,
      currency,
      interval,
    };
  };
  const push = (date: CalendarDate, instant: boolean, row: Omit<SubscriptionEvent, 'effectiveAt'>): void => {
    pending.push({ date, instant, make: (effectiveAt) => ({ ...row, effectiveAt }) });
  };

  const state: LiveEventState = { tier: recipe.tier, quantity: recipe.quantity, unitPrice: recipe.unitPrice, discountPercent: recipe.discountPercent };
  const firstDay = addDays(T0, recipe.startDay);
  let day = firstDay;
  let lifeStart = day;
  let status: 'active' | 'paused' | 'cancelled' = 'active';
  let nextStartNotBefore = day;
  push(day, false, priced('start', state, recipe.zeroStart));

  for (const step of recipe.steps) {
    day = addDays(day, b.without.has('same-day-events') ? Math.max(1, step.gap) : step.gap);
    let action = step.action;
    if (action === 'invalid') {
      const variant = step.param % 3;
      if (variant === 0) {
        push(addDays(firstDay, -1 - (step.param % 10)), step.instant, priced('change', state));
      } else if (status === 'active') {
        push(day, false, variant === 1 ? priced('start', state) : base('resume'));
      } else if (status === 'paused') {
        push(day, false, base('pause'));
      } else {
        push(day, false, priced('change', state));
      }
      continue;
    }
    if (b.without.has('pauses') && (action === 'pause' || action === 'resume')) action = 'change-price';
    if (b.without.has('cancellations') && (action === 'cancel' || action === 'restart')) action = 'change-quantity';
    if (status === 'cancelled') action = 'restart';
    else if (status === 'paused' && action !== 'cancel') action = 'resume';
    else if (status === 'active' && action === 'resume') action = 'pause';
    else if (status === 'active' && action === 'restart') action = 'change-quantity';
    switch (action) {
      case 'change-quantity':
        state.quantity = 1 + ((state.quantity + 1 + (step.param % 4)) % 6);
        push(day, step.instant, priced('change', state));
        break;
      case 'change-price':
        state.unitPrice = Math.max(100, state.unitPrice + 100 * ((step.param % 21) - 10));
        push(day, step.instant, priced('change', state));
        break;
      case 'change-plan':
        if (planned) state.tier = (state.tier + 1 + (step.param % 2)) % TIERS.length;
        else state.unitPrice += 300;
        push(day, step.instant, priced('change', state));
        break;
      case 'change-discount':
        state.discountPercent = state.discountPercent > 0 && step.param % 2 === 0 ? 0 : 5 + (step.param % 40);
        push(day, step.instant, priced('change', state));
        break;
      case 'pause':
        push(day, step.instant, base('pause'));
        status = 'paused';
        break;
      case 'resume':
        if (step.param % 2 === 0) push(day, step.instant, base('resume'));
        else {
          state.quantity = 1 + (step.param % 5);
          push(day, step.instant, priced('resume', state));
        }
        status = 'active';
        break;
      case 'cancel': {
        const back = Math.min(step.param % 15, day - lifeStart);
        const ahead = step.param % 20;
        push(day, step.instant, {
          ...base('cancel'),
          requestedAt: step.param % 4 === 0 ? null : b.moment(addDays(day, -back), step.instant, (recipe.localHour + 3) % 24),
          paidThrough: step.param % 5 === 0 ? null : b.moment(addDays(day, ahead), step.instant, (recipe.localHour + 9) % 24),
        });
        nextStartNotBefore = addDays(day, ahead + 1);
        status = 'cancelled';
        break;
      }
      case 'restart':
        if (day < nextStartNotBefore) day = nextStartNotBefore;
        lifeStart = day;
        state.quantity = 1 + (step.param % 5);
        push(day, step.instant, priced('start', state));
        status = 'active';
        break;
      default:
        break;
    }
  }

  // Instants only where the day holds one event of the subscription: within a day, rows are
  // ordered by event_id, which the builder assigns in sequence.
  const perDay = new Map<number, number>();
  for (const p of pending) perDay.set(p.date, (perDay.get(p.date) ?? 0) + 1);
  for (const p of pending) {
    const asInstant = p.instant && perDay.get(p.date) === 1;
    b.events.push(p.make(b.moment(p.date, asInstant, recipe.localHour)));
  }
}

function formatRate(units: number, decimals: number): string {
  const scale = 10 ** decimals;
  const whole = Math.floor(units / scale);
  return decimals === 0 ? String(whole) : `${whole}.${String(units % scale).padStart(decimals, '0')}`;
}

function generateRates(recipe: ConfigRecipe): FxRate[] {
  const random = prng(recipe.rateSeed);
  const rows: FxRate[] = [];
  const add = (date: CalendarDate, base: string, quote: string, value: number, decimals: number): void => {
    const parsed = parseDecimalRatio(formatRate(Math.max(1, Math.round(value * 10 ** decimals)), decimals));
    if (!parsed.ok) throw new Error(parsed.message);
    rows.push({ date, base: base as CurrencyCode, quote: quote as CurrencyCode, rate: parsed.value, source: { file: 'fx_rates.csv', line: 0 } });
  };
  const quotes = CURRENCIES.filter((c) => c !== 'EUR');
  const level: Record<string, number> = { ...EUR_VALUE };
  let direct = 0.8;
  for (let day = RATES_FROM; day <= RATES_UNTIL; day = addDays(day, 1)) {
    // Weekends and the odd holiday have no row: the previous row carries forward.
    const weekend = dayOfWeek(day) >= 5;
    const holiday = random() < 0.03;
    for (const quote of quotes) {
      const value = (level[quote] ?? 1) * (1 + (random() - 0.5) * 0.01);
      level[quote] = value;
      if (day === RATES_FROM || (!weekend && !holiday)) add(day, 'EUR', quote, value, quote === 'JPY' ? 2 : 4);
    }
    direct *= 1 + (random() - 0.5) * 0.01;
    if (recipe.directRows && (day === RATES_FROM || (!weekend && !holiday))) add(day, 'USD', 'GBP', direct, 4);
  }
  return rows;
}

function build(customers: readonly CustomerRecipe[], recipe: ConfigRecipe, without: ReadonlySet<GeneratorFeature>): GeneratedCase {
  const b = new Builder(recipe, recipe.timezone, without);
  const currencies = recipe.currencies;
  const currencyAt = (index: number): CurrencyCode => (currencies[index % currencies.length] ?? 'USD') as CurrencyCode;
  customers.forEach((customer, c) => {
    const customerId = `cus-${c + 1}`;
    customer.subscriptions.forEach((sub, s) => {
      const subscriptionId = `${customerId}-sub-${s + 1}`;
      if (sub.style === 'invoice') buildInvoiceSubscription(b, customerId, subscriptionId, sub, currencyAt(sub.currency));
      else buildEventSubscription(b, customerId, subscriptionId, sub, currencyAt(sub.currency));
    });
    if (customer.oneTimeLine) {
      // Noise that must never carry MRR: a one-time charge and a credit note without service period.
      for (const type of ['one_time', 'credit_note'] as const) {
        b.lines.push({
          lineId: `${customerId}-${type}`,
          invoiceId: `${customerId}-misc`,
          customerId,
          subscriptionId: type === 'one_time' ? null : `${customerId}-sub-1`,
          planId: null,
          type,
          serviceStart: null,
          serviceEnd: null,
          amount: type === 'one_time' ? 4_900 : -1_000,
          currency: currencyAt(0),
          quantity: 1,
          discount: 0,
          discountDuration: null,
          tax: 0,
          prorated: recipe.prorationMode === 'flagged' ? false : null,
          cancelledAt: null,
          cancelRequestedAt: null,
          issuedAt: { kind: 'date', date: addDays(T0, 10 * c) },
          eventOrder: null,
          source: { file: 'invoice_lines.csv', line: 0 },
        });
      }
    }
  });

  const plans: Plan[] = [];
  for (let tier = 0; tier < TIERS.length; tier++) {
    for (const kind of INTERVAL_KINDS) {
      plans.push({ planId: planId(tier, kind), name: `${TIERS[tier]} ${kind}`, interval: KIND_INTERVAL[kind], product: TIERS[tier] ?? null, source: { file: 'plans.csv', line: 0 } });
    }
  }
  const customerRows: Customer[] = recipe.customerRows
    ? customers.map((_, c) => ({
        customerId: `cus-${c + 1}`,
        name: `Customer ${c + 1}`,
        email: null,
        company: null,
        country: c % 2 === 0 ? 'FR' : 'US',
        createdAt: { kind: 'date', date: T0 },
        attributes: {},
        source: { file: 'customers.csv', line: 0 },
      }))
    : [];
  const rates = currencies.length > 1 || recipe.rateSeed % 4 === 0 ? generateRates(recipe) : [];
  const number = <T extends { source: { file: string; line: number } }>(rows: readonly T[]): T[] =>
    rows.map((row, index) => ({ ...row, source: { file: row.source.file, line: index + 2 } }));
  const fxRates = number(rates);
  const useFallback = recipe.ratesSource === 'fallback';
  const dataset: Dataset = {
    customers: number(customerRows),
    plans: number(plans),
    invoiceLines: number(b.lines),
    subscriptionEvents: number(b.events),
    fxRates: useFallback ? [] : fxRates,
  };
  const reporting = (currencies[recipe.reportingIndex % currencies.length] ?? 'USD') as CurrencyCode;
  const config: EngineConfig = {
    currency: reporting,
    timezone: recipe.timezone,
    weekStartsOn: recipe.weekStartsOn,
    churnRecognition: recipe.churnRecognition,
    renewalGraceDays: recipe.renewalGraceDays,
    reactivationWindowDays: recipe.reactivationWindowDays,
    discounts: recipe.discounts,
    fx: { rateDate: recipe.rateDate, fixedDate: recipe.rateDate === 'fixed' ? addDays(T0, recipe.fixedDay) : null },
    asOf: addDays(T0, recipe.asOfDay),
  };
  const generated: GeneratedCase = { dataset, config, fallbackRates: useFallback ? fxRates : [] };
  // fast-check prints counter-examples through this: the readable rows, not 2,000 fx objects.
  Object.defineProperty(generated, fc.toStringMethod, {
    enumerable: false,
    value: () => `\n${formatConfig(config)}${useFallback ? ' (rates as fallbackRates)' : ''}\n${formatDataset(dataset, config.timezone)}\n`,
  });
  return generated;
}

/** A whole generated case: 1–6 customers with 1–3 subscriptions each and a random configuration. */
export function arbitraryCase(options: GeneratorOptions = {}): fc.Arbitrary<GeneratedCase> {
  return fc
    .record({ customers: fc.array(customerArb, { minLength: 1, maxLength: options.maxCustomers ?? 6 }), config: configArb })
    .map(({ customers, config }) => build(customers, config, new Set(options.without ?? [])));
}

/** The same rows in another order, every array permuted by a seeded shuffle. */
export function shuffleDataset(dataset: Dataset, seed: number): Dataset {
  const random = prng(seed);
  const shuffle = <T>(rows: readonly T[]): T[] => {
    const out = [...rows];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
  return {
    customers: shuffle(dataset.customers),
    plans: shuffle(dataset.plans),
    invoiceLines: shuffle(dataset.invoiceLines),
    subscriptionEvents: shuffle(dataset.subscriptionEvents),
    fxRates: shuffle(dataset.fxRates),
  };
}
