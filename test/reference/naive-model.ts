/**
 * An independent, deliberately naive reference model of mrr-rules.md and docs/rules.md.
 *
 * It is written without looking at the engine so that the two can catch each other's mistakes:
 * every subscription's state is recomputed from its raw lines or events for every single day
 * ("which cycles cover day d", "which prorations apply on day d", "is day d in a bridged gap"),
 * with no change-point sweeps, no caches of derived timelines and no cleverness. It is slow on
 * purpose; its only job is to be obviously right. Only the shared primitives (calendar math,
 * exact ratios, rounding, currency exponents) come from the engine.
 */
import { addDays, addMonths, startOfMonth, wholeMonthsBetween, type CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import { dateOfInstant } from '../../src/engine/calendar/instant.js';
import type { EngineConfig } from '../../src/engine/config.js';
import type { BillingInterval, Dataset, FxRate, InvoiceLine, Moment, Plan, SubscriptionEvent } from '../../src/engine/model.js';
import { currencyExponent, type CurrencyCode } from '../../src/engine/money/currency.js';
import { add, divide, multiply, ONE, ratio, roundRatio, sign, subtract, ZERO, type Ratio } from '../../src/engine/money/ratio.js';
import type { MovementReason, MovementType } from '../../src/engine/movement.js';

export interface NaiveMovement {
  readonly date: CalendarDate;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly type: MovementType;
  readonly reason: MovementReason | null;
  readonly amount: number;
  readonly nativeAmount: number;
  readonly customerMrr: number;
  readonly priceEffect: number | null;
  readonly volumeEffect: number | null;
  readonly mixEffect: number | null;
}

export interface NaiveResult {
  /** Sorted by date, customer, subscription, type. */
  readonly movements: NaiveMovement[];
  /** Reporting-currency MRR per subscription per day, for every day from `firstDay` to `asOf`. */
  readonly dailyMrr: Map<string, Map<number, number>>;
  /** Native MRR (rounded once) per subscription per day. */
  readonly nativeDailyMrr: Map<string, Map<number, number>>;
  readonly customerDailyMrr: Map<string, Map<number, number>>;
  readonly totalDailyMrr: Map<number, number>;
  readonly subscriptionCustomer: Map<string, string>;
  /** The earliest day any subscription's data touches; null when there is no subscription. */
  readonly firstDay: CalendarDate | null;
  /** `file:line` of the events the model refused (invalid sequences). */
  readonly rejectedEvents: string[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const MONTH: BillingInterval = { unit: 'month', count: 1 };

function momentDate(moment: Moment, timezone: string): CalendarDate {
  return moment.kind === 'date' ? moment.date : dateOfInstant(moment.instant, timezone);
}

/** Monthly factor of a billing interval (mrr-rules.md §2). */
function monthlyFactor(interval: BillingInterval): Ratio {
  const count = BigInt(interval.count);
  switch (interval.unit) {
    case 'month':
      return ratio(1n, count);
    case 'year':
      return ratio(1n, 12n * count);
    case 'week':
      return ratio(52n, 12n * count);
    case 'day':
      return ratio(365n, 12n * count);
  }
}

/** Length in days of the billing interval that ends on `end` (exclusive end). */
function fullDaysEndingAt(end: CalendarDate, interval: BillingInterval): number {
  switch (interval.unit) {
    case 'month':
      return end - addMonths(end, -interval.count);
    case 'year':
      return end - addMonths(end, -12 * interval.count);
    case 'week':
      return 7 * interval.count;
    case 'day':
      return interval.count;
  }
}

/** True when [start, end) is exactly one billing interval. */
function isFullPeriod(start: CalendarDate, end: CalendarDate, interval: BillingInterval): boolean {
  switch (interval.unit) {
    case 'month':
      return wholeMonthsBetween(start, end) === interval.count;
    case 'year':
      return wholeMonthsBetween(start, end) === 12 * interval.count;
    case 'week':
      return end - start === 7 * interval.count;
    case 'day':
      return end - start === interval.count;
  }
}

/** The interval a single period looks like: n months, else n weeks, else n days. */
function periodShape(start: CalendarDate, end: CalendarDate): BillingInterval {
  const months = wholeMonthsBetween(start, end);
  if (months !== null) return { unit: 'month', count: months };
  const days = end - start;
  if (days % 7 === 0) return { unit: 'week', count: days / 7 };
  return { unit: 'day', count: days };
}

function compareRatio(a: Ratio, b: Ratio): number {
  return sign(subtract(a, b));
}

function absolute(value: Ratio): Ratio {
  return sign(value) < 0 ? ratio(-value.num, value.den) : value;
}

function roundToNumber(value: Ratio): number {
  return Number(roundRatio(value));
}

function policyAmount(amount: number, discount: number, duration: string | null, policy: EngineConfig['discounts']): number {
  switch (policy) {
    case 'net':
      return amount;
    case 'gross':
      return amount + discount;
    case 'forever-only':
      return duration === 'forever' ? amount : amount + discount;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// The state of one subscription on one day

/** One plan's share of a subscription on a day, in native currency per month, unrounded. */
interface PlanShare {
  quantity: number;
  /** Before any discount. */
  list: Ratio;
  /** After the `discounts` policy (what MRR counts). */
  net: Ratio;
  /** How far the billing system's rounding of the prorated lines, scaled to a month, can move
   * `list` (half a minor unit per line, one with a discount). */
  bound: Ratio;
}

interface DayState {
  /** Exact native MRR, already clamped at 0. */
  readonly native: Ratio;
  /** Native MRR rounded once. */
  readonly rounded: number;
  /** The `period-start` rate date (start of the cycle in force / event that set the amount). */
  readonly rateDate: CalendarDate | null;
  readonly plans: ReadonlyMap<string, PlanShare>;
  /** Paused at the end of the day (a pause whose subscription is not yet cancelled). */
  readonly paused: boolean;
}

const ZERO_STATE: DayState = { native: ZERO, rounded: 0, rateDate: null, plans: new Map(), paused: false };
const PAUSED_STATE: DayState = { ...ZERO_STATE, paused: true };

function stateFrom(total: Ratio, rateDate: CalendarDate | null, plans: Map<string, PlanShare>): DayState {
  const native = sign(total) < 0 ? ZERO : total;
  return { native, rounded: roundToNumber(native), rateDate, plans, paused: false };
}

function planKey(planId: string | null): string {
  return planId === null ? '(none)' : `plan:${planId}`;
}

function addShare(plans: Map<string, PlanShare>, key: string, quantity: number, list: Ratio, net: Ratio, bound: Ratio = ZERO): void {
  const share = plans.get(key) ?? { quantity: 0, list: ZERO, net: ZERO, bound: ZERO };
  plans.set(key, { quantity: share.quantity + quantity, list: add(share.list, list), net: add(share.net, net), bound: add(share.bound, bound) });
}

interface SubscriptionModel {
  readonly subscriptionId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly firstDay: CalendarDate;
  stateAt(day: CalendarDate): DayState;
}

// ---------------------------------------------------------------------------------------------
// Invoice style

interface ModelLine {
  readonly line: InvoiceLine;
  readonly start: CalendarDate;
  readonly end: CalendarDate;
  readonly interval: BillingInterval;
  readonly prorated: boolean;
  /** Monthly contributions, before proration scaling. */
  readonly list: Ratio;
  readonly net: Ratio;
}

interface Cycle {
  readonly start: CalendarDate;
  readonly end: CalendarDate;
  readonly lines: readonly ModelLine[];
}

function cycleWins(a: Cycle, b: Cycle): boolean {
  if (a.start !== b.start) return a.start > b.start;
  const order = (c: Cycle): number => Math.max(...c.lines.map((l) => l.line.eventOrder ?? Number.NEGATIVE_INFINITY));
  if (order(a) !== order(b)) return order(a) > order(b);
  const issued = (c: Cycle): number =>
    Math.max(...c.lines.map((l) => (l.line.issuedAt === null ? Number.NEGATIVE_INFINITY : l.line.issuedAt.kind === 'date' ? l.line.issuedAt.date * 86_400_000 : l.line.issuedAt.instant)));
  if (issued(a) !== issued(b)) return issued(a) > issued(b);
  const maxId = (c: Cycle): string => c.lines.map((l) => l.line.lineId).reduce((x, y) => (y > x ? y : x));
  return maxId(a) > maxId(b);
}

function buildInvoiceSubscription(
  subscriptionId: string,
  rawLines: readonly InvoiceLine[],
  plans: ReadonlyMap<string, Plan>,
  config: EngineConfig,
): SubscriptionModel {
  const tz = config.timezone;
  const dated = rawLines
    .filter((l) => (l.type === 'subscription' || l.type === 'trial') && l.serviceStart !== null && l.serviceEnd !== null)
    .map((l) => ({ line: l, start: momentDate(l.serviceStart as Moment, tz), end: momentDate(l.serviceEnd as Moment, tz) }))
    .filter((l) => l.end > l.start);
  const earliest = [...dated].sort((a, b) => a.start - b.start || compareStrings(a.line.lineId, b.line.lineId))[0];
  if (earliest === undefined) throw new Error(`naive model: subscription ${subscriptionId} has no dated line`);

  // Billing interval inferred once from the lines not flagged prorated; the most frequent shape
  // wins, a tie goes to the longer interval (the smaller monthly factor).
  const votes = new Map<string, { interval: BillingInterval; count: number }>();
  for (const l of dated) {
    if (l.line.prorated === true) continue;
    const shape = periodShape(l.start, l.end);
    const key = `${shape.unit}:${shape.count}`;
    const vote = votes.get(key) ?? { interval: shape, count: 0 };
    vote.count++;
    votes.set(key, vote);
  }
  let inferred: BillingInterval = MONTH;
  let best = -1;
  for (const { interval, count } of votes.values()) {
    if (count > best || (count === best && compareRatio(monthlyFactor(interval), monthlyFactor(inferred)) < 0)) {
      inferred = interval;
      best = count;
    }
  }
  const intervalOf = (l: InvoiceLine): BillingInterval => (l.planId !== null ? plans.get(l.planId)?.interval : undefined) ?? inferred;

  // A line is "shorter than its interval" when it is not one whole interval and lasts fewer days
  // than the interval ending at its service_end.
  const isShort = (l: { line: InvoiceLine; start: CalendarDate; end: CalendarDate }): boolean => {
    const interval = intervalOf(l.line);
    return !isFullPeriod(l.start, l.end, interval) && l.end - l.start < fullDaysEndingAt(l.end, interval);
  };
  const isProrated = (l: { line: InvoiceLine; start: CalendarDate; end: CalendarDate }): boolean => {
    if (l.line.prorated !== null) return l.line.prorated;
    if (l.line.type !== 'subscription' || !isShort(l)) return false;
    return dated.some((o) => o.line !== l.line && o.line.type === 'subscription' && o.start <= l.start && l.end <= o.end && !isShort(o));
  };

  const lines: ModelLine[] = dated.map((l) => {
    const interval = intervalOf(l.line);
    const factor = monthlyFactor(interval);
    const trial = l.line.type === 'trial';
    const list = trial ? ZERO : multiply(ratio(BigInt(l.line.amount + l.line.discount)), factor);
    const net = trial ? ZERO : multiply(ratio(BigInt(policyAmount(l.line.amount, l.line.discount, l.line.discountDuration, config.discounts))), factor);
    return { line: l.line, start: l.start, end: l.end, interval, prorated: isProrated(l), list, net };
  });

  const cycles: Cycle[] = [];
  for (const l of lines) {
    if (l.prorated) continue;
    const existing = cycles.find((c) => c.start === l.start && c.end === l.end);
    if (existing) (existing.lines as ModelLine[]).push(l);
    else cycles.push({ start: l.start, end: l.end, lines: [l] });
  }
  const prorations = lines.filter((l) => l.prorated);

  const baseCycleAt = (day: CalendarDate): Cycle | null => {
    let base: Cycle | null = null;
    for (const c of cycles) if (c.start <= day && day < c.end && (base === null || cycleWins(c, base))) base = c;
    return base;
  };

  const prorationApplies = (p: ModelLine, day: CalendarDate): boolean => {
    if (!(p.start <= day && day < p.end)) return false;
    // Starting on the day a new cycle starts: it belongs to the cycle being replaced.
    if (cycles.some((c) => c.start === p.start)) return false;
    const owner = baseCycleAt(p.start);
    if (owner === null) return true; // no cycle in force: it applies on its own
    for (let e = p.start; e <= day; e = addDays(e, 1)) if (baseCycleAt(e) !== owner) return false;
    return true;
  };

  const scale = (p: ModelLine): Ratio => ratio(BigInt(fullDaysEndingAt(p.end, p.interval)), BigInt(p.end - p.start));

  const coveredStateAt = (day: CalendarDate): DayState => {
    const base = baseCycleAt(day);
    let total: Ratio = ZERO;
    const shares = new Map<string, PlanShare>();
    let rateDate: CalendarDate | null = base?.start ?? null;
    if (base) {
      for (const l of base.lines) {
        total = add(total, l.net);
        addShare(shares, planKey(l.line.planId), l.line.type === 'trial' ? 0 : l.line.quantity, l.list, l.net);
      }
    }
    for (const p of prorations) {
      if (!prorationApplies(p, day)) continue;
      const s = scale(p);
      total = add(total, multiply(p.net, s));
      const rounding = multiply(multiply(ratio(1n, p.line.discount !== 0 ? 1n : 2n), s), monthlyFactor(p.interval));
      addShare(shares, planKey(p.line.planId), Math.sign(p.line.amount) * p.line.quantity, multiply(p.list, s), multiply(p.net, s), rounding);
      if (base === null && (rateDate === null || p.start > rateDate)) rateDate = p.start;
    }
    return stateFrom(total, rateDate, shares);
  };

  const covered = (day: CalendarDate): boolean => lines.some((l) => l.start <= day && day < l.end);

  const cancellationDates: CalendarDate[] = [];
  for (const l of lines) {
    const effective = l.line.cancelledAt === null ? null : momentDate(l.line.cancelledAt, tz);
    const requested = l.line.cancelRequestedAt === null ? null : momentDate(l.line.cancelRequestedAt, tz);
    let date: CalendarDate | null = null;
    if (config.churnRecognition === 'cancel-effective') date = effective;
    else if (config.churnRecognition === 'cancel-requested') date = requested ?? effective;
    else if (effective !== null) {
      const ends = lines.filter((o) => o.start <= effective).map((o) => o.end);
      date = ends.length > 0 ? (Math.max(...ends) as CalendarDate) : effective;
    }
    if (date !== null) cancellationDates.push(date);
  }
  const cancelled = (day: CalendarDate): boolean =>
    cancellationDates.some((c) => c <= day && !cycles.some((cycle) => c < cycle.start && cycle.start <= day));

  const stateAt = (day: CalendarDate): DayState => {
    if (cancelled(day)) return ZERO_STATE;
    if (covered(day)) return coveredStateAt(day);
    const endedLines = lines.filter((l) => l.end <= day);
    if (endedLines.length === 0) return ZERO_STATE; // before the first line
    const coverageEnd = Math.max(...endedLines.map((l) => l.end)) as CalendarDate;
    const later = lines.filter((l) => l.start > day).map((l) => l.start);
    const continues =
      later.length > 0 ? Math.min(...later) - coverageEnd <= config.renewalGraceDays : config.asOf - coverageEnd <= config.renewalGraceDays;
    return continues ? coveredStateAt(addDays(coverageEnd, -1)) : ZERO_STATE;
  };

  return {
    subscriptionId,
    customerId: earliest.line.customerId,
    currency: earliest.line.currency,
    firstDay: Math.min(...lines.map((l) => l.start)) as CalendarDate,
    stateAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Event style

interface ModelEvent {
  readonly event: SubscriptionEvent;
  readonly date: CalendarDate;
}

interface Amounts {
  readonly net: Ratio;
  readonly list: Ratio;
  readonly quantity: number;
  readonly planKey: string;
  readonly rateDate: CalendarDate;
}

function eventAmounts(e: ModelEvent, plans: ReadonlyMap<string, Plan>, config: EngineConfig): Amounts | null {
  const ev = e.event;
  const amount = ev.amount ?? (ev.unitAmount === null ? null : ev.unitAmount * ev.quantity - ev.discount);
  if (amount === null) return null;
  const interval = ev.interval ?? (ev.planId !== null ? plans.get(ev.planId)?.interval : undefined) ?? MONTH;
  const factor = monthlyFactor(interval);
  return {
    net: multiply(ratio(BigInt(policyAmount(amount, ev.discount, ev.discountDuration, config.discounts))), factor),
    list: multiply(ratio(BigInt(amount + ev.discount)), factor),
    quantity: ev.quantity,
    planKey: planKey(ev.planId),
    rateDate: e.date,
  };
}

function buildEventSubscription(
  subscriptionId: string,
  rawEvents: readonly SubscriptionEvent[],
  plans: ReadonlyMap<string, Plan>,
  config: EngineConfig,
  rejected: string[],
): SubscriptionModel | null {
  const tz = config.timezone;
  const instantOf = (m: Moment): number => (m.kind === 'date' ? m.date * 86_400_000 : m.instant);
  const sorted = rawEvents
    .map((event) => ({ event, date: momentDate(event.effectiveAt, tz) }))
    .sort((a, b) => a.date - b.date || instantOf(a.event.effectiveAt) - instantOf(b.event.effectiveAt) || compareStrings(a.event.eventId, b.event.eventId));

  // Validate the sequence once, in order; a rejected row changes nothing.
  const valid: ModelEvent[] = [];
  let status: 'none' | 'active' | 'paused' | 'cancelled' = 'none';
  for (const e of sorted) {
    const t = e.event.type;
    let ok: boolean;
    if (t === 'start') ok = status === 'none' || status === 'cancelled';
    else if (t === 'change') ok = status === 'active' || status === 'paused';
    else if (t === 'cancel') ok = status === 'active' || status === 'paused';
    else if (t === 'pause') ok = status === 'active';
    else ok = status === 'paused';
    if (!ok) {
      rejected.push(`${e.event.source.file}:${e.event.source.line}`);
      continue;
    }
    valid.push(e);
    if (t === 'start' || t === 'resume') status = 'active';
    else if (t === 'pause') status = 'paused';
    else if (t === 'cancel') status = 'cancelled';
  }
  if (valid.length === 0) return null;
  const first = valid[0] as ModelEvent;

  // Each cancel zeroes the MRR from its recognition date until the next start.
  const zeroWindows: { from: CalendarDate; until: CalendarDate }[] = [];
  valid.forEach((e, index) => {
    if (e.event.type !== 'cancel') return;
    const ev = e.event;
    let from = e.date;
    if (config.churnRecognition === 'cancel-requested' && ev.requestedAt !== null) from = momentDate(ev.requestedAt, tz);
    if (config.churnRecognition === 'period-end' && ev.paidThrough !== null) from = momentDate(ev.paidThrough, tz);
    const nextStart = valid.slice(index + 1).find((n) => n.event.type === 'start');
    zeroWindows.push({ from, until: nextStart ? nextStart.date : (Number.MAX_SAFE_INTEGER as CalendarDate) });
  });

  const stateAt = (day: CalendarDate): DayState => {
    let current: Amounts | null = null;
    let beforePause: Amounts | null = null;
    let paused = false;
    let pausedAtCancel = false;
    let cancelled = false;
    for (const e of valid) {
      if (e.date > day) break;
      const ev = e.event;
      if (ev.type === 'start') {
        current = eventAmounts(e, plans, config);
        paused = false;
        cancelled = false;
        pausedAtCancel = false;
      } else if (ev.type === 'change') {
        const next = eventAmounts(e, plans, config);
        if (paused) beforePause = next;
        else current = next;
      } else if (ev.type === 'pause') {
        beforePause = current;
        paused = true;
      } else if (ev.type === 'resume') {
        const carried = eventAmounts(e, plans, config);
        current = carried ?? (beforePause === null ? null : { ...beforePause, rateDate: e.date });
        paused = false;
      } else {
        cancelled = true;
        pausedAtCancel = paused;
        paused = false;
      }
    }
    if (current === null) return ZERO_STATE;
    if (zeroWindows.some((w) => w.from <= day && day < w.until)) return ZERO_STATE;
    // Still paused while a cancellation of the paused subscription is not yet recognised.
    if (paused || (cancelled && pausedAtCancel)) return PAUSED_STATE;
    // A cancellation whose recognition date is still ahead (period-end) keeps the amount.
    const shares = new Map<string, PlanShare>();
    addShare(shares, current.planKey, current.quantity, current.list, current.net);
    return stateFrom(current.net, current.rateDate, shares);
  };

  const currency = valid.find((e) => e.event.currency !== null)?.event.currency;
  if (!currency) throw new Error(`naive model: subscription ${subscriptionId} has no currency`);
  return { subscriptionId, customerId: first.event.customerId, currency, firstDay: first.date, stateAt };
}

// ---------------------------------------------------------------------------------------------
// Exchange rates

function makeRateLookup(rows: readonly FxRate[], config: EngineConfig): (from: CurrencyCode, day: CalendarDate) => Ratio {
  const memo = new Map<string, Ratio>();
  const byPair = new Map<string, FxRate[]>();
  for (const r of rows) {
    const key = `${r.base}/${r.quote}`;
    const list = byPair.get(key) ?? [];
    list.push(r);
    byPair.set(key, list);
  }
  // The row of the latest date on or before `day` (carry-forward over weekends and holidays).
  const latest = (base: string, quote: string, day: CalendarDate): Ratio | null => {
    let found: FxRate | null = null;
    for (const r of byPair.get(`${base}/${quote}`) ?? []) if (r.date <= day && (found === null || r.date > found.date)) found = r;
    return found === null ? null : found.rate;
  };
  const to = config.currency;
  const compute = (from: CurrencyCode, day: CalendarDate): Ratio => {
    if (from === to) return ONE;
    const direct = latest(from, to, day);
    if (direct) return direct;
    const reverse = latest(to, from, day);
    if (reverse) return divide(ONE, reverse);
    const bases = [...new Set(rows.map((r) => r.base as string))].sort(compareStrings);
    for (const base of bases) {
      const legTo = base === to ? ONE : latest(base, to, day);
      const legFrom = base === from ? ONE : latest(base, from, day);
      if (legTo && legFrom) return divide(legTo, legFrom);
    }
    throw new Error(`naive model: no rate ${from}/${to} on day ${day}`);
  };
  return (from, day) => {
    const key = `${from}|${day}`;
    let value = memo.get(key);
    if (value === undefined) {
      value = compute(from, day);
      memo.set(key, value);
    }
    return value;
  };
}

// ---------------------------------------------------------------------------------------------
// Movements

export function naiveMovements(dataset: Dataset, config: EngineConfig, fallbackRates: readonly FxRate[] = []): NaiveResult {
  const plans = new Map(dataset.plans.map((p) => [p.planId, p]));
  const rejectedEvents: string[] = [];
  const models: SubscriptionModel[] = [];

  const linesBySub = new Map<string, InvoiceLine[]>();
  for (const l of dataset.invoiceLines) {
    if (l.subscriptionId === null || (l.type !== 'subscription' && l.type !== 'trial')) continue;
    if (l.serviceStart === null || l.serviceEnd === null) continue;
    const list = linesBySub.get(l.subscriptionId) ?? [];
    list.push(l);
    linesBySub.set(l.subscriptionId, list);
  }
  for (const [id, lines] of [...linesBySub].sort((a, b) => compareStrings(a[0], b[0]))) models.push(buildInvoiceSubscription(id, lines, plans, config));

  const eventsBySub = new Map<string, SubscriptionEvent[]>();
  for (const e of dataset.subscriptionEvents) {
    const list = eventsBySub.get(e.subscriptionId) ?? [];
    list.push(e);
    eventsBySub.set(e.subscriptionId, list);
  }
  for (const [id, events] of [...eventsBySub].sort((a, b) => compareStrings(a[0], b[0]))) {
    const model = buildEventSubscription(id, events, plans, config, rejectedEvents);
    if (model) models.push(model);
  }

  const rates = makeRateLookup(dataset.fxRates.length > 0 ? dataset.fxRates : fallbackRates, config);
  const reportingExponent = currencyExponent(config.currency);

  /** The rate multiplier from native minor units to reporting minor units on `day`. */
  const multiplierOf = (model: SubscriptionModel, state: DayState, day: CalendarDate): Ratio => {
    let rateDay: CalendarDate;
    switch (config.fx.rateDate) {
      case 'period-start':
        rateDay = state.rateDate ?? day;
        break;
      case 'daily':
        rateDay = day;
        break;
      case 'month-start':
        rateDay = startOfMonth(day);
        break;
      case 'fixed':
        if (config.fx.fixedDate === null) throw new Error('naive model: fx.rateDate fixed needs fx.fixedDate');
        rateDay = config.fx.fixedDate;
        break;
    }
    const shift = reportingExponent - currencyExponent(model.currency);
    const power = ratio(10n ** BigInt(Math.abs(shift)));
    const rate = rates(model.currency, rateDay);
    return shift >= 0 ? multiply(rate, power) : divide(rate, power);
  };
  const convert = (amount: number, multiplier: Ratio): number => roundToNumber(multiply(ratio(BigInt(amount)), multiplier));

  const firstDay = models.length === 0 ? null : (Math.min(...models.map((m) => m.firstDay)) as CalendarDate);
  const dailyMrr = new Map<string, Map<number, number>>();
  const nativeDailyMrr = new Map<string, Map<number, number>>();
  const customerDailyMrr = new Map<string, Map<number, number>>();
  const totalDailyMrr = new Map<number, number>();
  const subscriptionCustomer = new Map<string, string>();
  const movements: NaiveMovement[] = [];
  if (firstDay === null) {
    return { movements, dailyMrr, nativeDailyMrr, customerDailyMrr, totalDailyMrr, subscriptionCustomer, firstDay, rejectedEvents };
  }

  // Every subscription's state and reported MRR for every day from the day before the first one.
  const states = new Map<string, Map<number, DayState>>();
  const multipliers = new Map<string, Map<number, Ratio>>();
  for (const model of models) {
    subscriptionCustomer.set(model.subscriptionId, model.customerId);
    const byDay = new Map<number, DayState>();
    const multiplierByDay = new Map<number, Ratio>();
    const reported = new Map<number, number>();
    const native = new Map<number, number>();
    for (let day = addDays(firstDay, -1); day <= config.asOf; day = addDays(day, 1)) {
      const state = model.stateAt(day);
      byDay.set(day, state);
      native.set(day, state.rounded);
      if (state.rounded !== 0) {
        const multiplier = multiplierOf(model, state, day);
        multiplierByDay.set(day, multiplier);
        reported.set(day, convert(state.rounded, multiplier));
      } else {
        reported.set(day, 0);
      }
    }
    states.set(model.subscriptionId, byDay);
    multipliers.set(model.subscriptionId, multiplierByDay);
    dailyMrr.set(model.subscriptionId, reported);
    nativeDailyMrr.set(model.subscriptionId, native);
  }

  const customers = [...new Set(models.map((m) => m.customerId))].sort(compareStrings);
  for (const customerId of customers) {
    const subs = models.filter((m) => m.customerId === customerId).sort((a, b) => compareStrings(a.subscriptionId, b.subscriptionId));
    const customerMrr = new Map<number, number>();
    for (let day = addDays(firstDay, -1); day <= config.asOf; day = addDays(day, 1)) {
      customerMrr.set(day, subs.reduce((sum, m) => sum + (dailyMrr.get(m.subscriptionId)?.get(day) ?? 0), 0));
    }
    customerDailyMrr.set(customerId, customerMrr);

    let everPaid = false;
    let churnDate: CalendarDate | null = null;
    for (let day = firstDay; day <= config.asOf; day = addDays(day, 1)) {
      const yesterday = addDays(day, -1);
      const before = customerMrr.get(yesterday) ?? 0;
      const after = customerMrr.get(day) ?? 0;
      for (const m of subs) {
        const s0 = states.get(m.subscriptionId)?.get(yesterday) ?? ZERO_STATE;
        const s1 = states.get(m.subscriptionId)?.get(day) ?? ZERO_STATE;
        const m0 = s0.rounded;
        const m1 = s1.rounded;
        if (m0 === 0 && m1 === 0) continue;
        const r0 = m0 === 0 ? null : (multipliers.get(m.subscriptionId)?.get(yesterday) ?? null);
        // A subscription that stops keeps its last rate: a churn removes exactly what was reported.
        const r1 = m1 === 0 ? r0 : (multipliers.get(m.subscriptionId)?.get(day) ?? null);
        if (r1 === null) throw new Error('naive model: missing multiplier');
        const fx = r0 === null ? 0 : convert(m0, r1) - convert(m0, r0);
        const business = convert(m1, r1) - convert(m0, r1);
        if (business !== 0) {
          let type: MovementType;
          if (before === 0 && after > 0) {
            if (!everPaid) type = 'new';
            else if (config.reactivationWindowDays !== null && churnDate !== null && day - churnDate > config.reactivationWindowDays) type = 'new';
            else type = 'reactivation';
          } else if (before > 0 && after === 0) type = 'churn';
          else if (before > 0 && after > 0) type = business > 0 ? 'expansion' : 'contraction';
          else throw new Error(`naive model: business change ${business} of a customer paying on neither day`);
          let reason: MovementReason | null = null;
          let effects: { price: number; volume: number; mix: number } | null = null;
          if (type === 'expansion' || type === 'contraction') {
            const classified = classify(s0, s1, business, r1);
            reason = classified.reason;
            effects = classified.effects;
          }
          movements.push({
            date: day,
            customerId,
            subscriptionId: m.subscriptionId,
            type,
            reason,
            amount: business,
            nativeAmount: m1 - m0,
            customerMrr: after,
            priceEffect: effects?.price ?? null,
            volumeEffect: effects?.volume ?? null,
            mixEffect: effects?.mix ?? null,
          });
        }
        if (fx !== 0) {
          movements.push({
            date: day,
            customerId,
            subscriptionId: m.subscriptionId,
            type: 'fx',
            reason: null,
            amount: fx,
            nativeAmount: 0,
            customerMrr: after,
            priceEffect: null,
            volumeEffect: null,
            mixEffect: null,
          });
        }
      }
      if (after > 0) everPaid = true;
      if (before > 0 && after === 0) churnDate = day;
    }
  }

  for (let day = addDays(firstDay, -1); day <= config.asOf; day = addDays(day, 1)) {
    let total = 0;
    for (const byDay of customerDailyMrr.values()) total += byDay.get(day) ?? 0;
    totalDailyMrr.set(day, total);
  }

  movements.sort(compareMovements);
  return { movements, dailyMrr, nativeDailyMrr, customerDailyMrr, totalDailyMrr, subscriptionCustomer, firstDay, rejectedEvents };
}

export function compareMovements(
  a: Pick<NaiveMovement, 'date' | 'customerId' | 'subscriptionId' | 'type' | 'amount'>,
  b: Pick<NaiveMovement, 'date' | 'customerId' | 'subscriptionId' | 'type' | 'amount'>,
): number {
  return a.date - b.date || compareStrings(a.customerId, b.customerId) || compareStrings(a.subscriptionId, b.subscriptionId) || compareStrings(a.type, b.type) || a.amount - b.amount;
}

/** Reason of an expansion or contraction (docs/rules.md, first match wins) and its price/volume/mix split. */
function classify(
  s0: DayState,
  s1: DayState,
  amount: number,
  multiplier: Ratio,
): { reason: MovementReason; effects: { price: number; volume: number; mix: number } | null } {
  // "The change is a pause or resume": the paused state differs between the end of d−1 and the
  // end of d (same-day events net out, so a pause and resume on one day is no pause).
  if (!s0.paused && s1.paused) return { reason: 'paused', effects: null };
  if (s0.paused && !s1.paused) return { reason: 'resumed', effects: null };
  if (s0.rounded === 0) return { reason: 'cross_sell', effects: null };
  if (s1.rounded === 0) return { reason: 'partial_churn', effects: null };
  // A plan is in force unless its charges and credits cancel to within the prorations' rounding.
  const inForce = (share: PlanShare): boolean => compareRatio(absolute(share.list), share.bound) > 0;
  const plans0 = [...s0.plans].filter(([, share]) => inForce(share));
  const plans1 = [...s1.plans].filter(([, share]) => inForce(share));
  const keys0 = plans0.map(([key]) => key).sort();
  const keys1 = plans1.map(([key]) => key).sort();
  if (keys0.join('\n') !== keys1.join('\n')) return { reason: 'plan_change', effects: null };

  let quantityChanged = false;
  let priceChanged = false;
  let undetermined = false;
  // The discount is the subscription's whole discount, plans out of force included: what is
  // left of an upgraded plan's discount still counts in the MRR.
  const discountOf = (state: DayState): Ratio => [...state.plans.values()].reduce((sum, share) => add(sum, subtract(share.list, share.net)), ZERO);
  const boundOf = (state: DayState): Ratio => [...state.plans.values()].reduce((sum, share) => add(sum, share.bound), ZERO);
  const discount0 = discountOf(s0);
  const discount1 = discountOf(s1);
  const bounds = add(boundOf(s0), boundOf(s1));
  for (const [key, a] of plans0) {
    const b = s1.plans.get(key) as PlanShare;
    if (a.quantity !== b.quantity) quantityChanged = true;
    // A unit price needs a positive quantity on both days; else the reason is `other` (docs/rules.md).
    if (a.quantity <= 0 || b.quantity <= 0) {
      undetermined = true;
      continue;
    }
    // Two unit prices are the same when they differ by no more than the rounding of both sides.
    const q0 = ratio(BigInt(a.quantity));
    const q1 = ratio(BigInt(b.quantity));
    const difference = absolute(subtract(divide(b.list, q1), divide(a.list, q0)));
    if (compareRatio(difference, add(divide(a.bound, q0), divide(b.bound, q1))) > 0) priceChanged = true;
  }
  if (undetermined) return { reason: 'other', effects: null };
  let reason: MovementReason;
  if (quantityChanged && !priceChanged) reason = 'quantity';
  else if (priceChanged && !quantityChanged) reason = 'price';
  else if (priceChanged && quantityChanged) reason = 'price_volume_mix';
  else return { reason: compareRatio(absolute(subtract(discount1, discount0)), bounds) > 0 ? 'discount' : 'other', effects: null };

  // The split uses the MRR per unit in force (after the discounts policy) in the reporting
  // currency, at the rate of the business part. Several plans add their exact effects, which are
  // rounded once (docs/rules.md does not say whether to round per plan; see docs/testing.md);
  // the residue goes to mix.
  let price: Ratio = ZERO;
  let volume: Ratio = ZERO;
  for (const [key, a] of plans0) {
    const b = s1.plans.get(key) as PlanShare;
    const q0 = ratio(BigInt(a.quantity));
    const q1 = ratio(BigInt(b.quantity));
    const p0 = divide(multiply(a.net, multiplier), q0);
    const p1 = divide(multiply(b.net, multiplier), q1);
    price = add(price, multiply(subtract(p1, p0), q0));
    volume = add(volume, multiply(p0, subtract(q1, q0)));
  }
  const priceEffect = roundToNumber(price);
  const volumeEffect = roundToNumber(volume);
  return { reason, effects: { price: priceEffect, volume: volumeEffect, mix: amount - priceEffect - volumeEffect } };
}
