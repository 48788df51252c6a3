/**
 * A subscription's MRR timeline from its invoice lines (mrr-rules.md §3, docs/rules.md):
 * cycles, prorations, gaps within the grace period, the end of coverage, cancellations.
 *
 * The timeline is computed on change points only: the state is constant between consecutive
 * line starts, line ends and cancellation dates, so each stretch is evaluated once.
 */
import {
  addDays,
  addMonths,
  formatIsoDate,
  wholeMonthsBetween,
  type CalendarDate,
} from '../calendar/calendar-date.js';
import { momentDate, momentSortKey } from '../calendar/moment-date.js';
import { lastIndexOnOrBefore } from '../calendar/last-index-on-or-before.js';
import { sortedDays } from '../calendar/sorted-days.js';
import { assert } from '../assert.js';
import type { EngineConfig } from '../config.js';
import type { BillingInterval, InvoiceLine, Plan } from '../model.js';
import type { DataWarning, RejectedRow } from '../movement.js';
import { equals, multiply, ONE, ratio, sign, ZERO, type Ratio } from '../money/ratio.js';
import { monthlyFactor } from './monthly-factor.js';
import {
  combineContributions,
  compareStrings,
  compactPoints,
  zeroState,
  type Contribution,
  type SubscriptionState,
  type TimelineResult,
} from './subscription-state.js';


interface DatedLine {
  readonly line: InvoiceLine;
  readonly start: CalendarDate;
  readonly end: CalendarDate;
  readonly interval: BillingInterval;
  readonly isTrial: boolean;
}

interface Cycle {
  readonly start: CalendarDate;
  readonly end: CalendarDate;
  readonly lines: DatedLine[];
  /** Each line's contribution, once the cycle's lines are all known. */
  parts: readonly Contribution[];
}

/**
 * One number per (start, end) period, for a map of cycles without a map per start: ends lie
 * within ±2^22 days of 1970 (years 0001 to 9999 do), so the pairs never collide, and the key
 * stays below 2^53.
 */
function periodKey(start: CalendarDate, end: CalendarDate): number {
  assert(Math.abs(start) < 2 ** 22 && Math.abs(end) < 2 ** 22, 'a service period lies within ±2^22 days of 1970');
  return start * 2 ** 23 + end;
}

interface Cancellation {
  readonly date: CalendarDate;
  readonly sourceId: string;
}

/** The end of one billing interval that starts on `start`. */
export function intervalEnd(start: CalendarDate, interval: BillingInterval): CalendarDate {
  switch (interval.unit) {
    case 'month':
      return addMonths(start, interval.count);
    case 'year':
      return addMonths(start, 12 * interval.count);
    case 'week':
      return addDays(start, 7 * interval.count);
    case 'day':
      return addDays(start, interval.count);
  }
}

/** The start of the billing interval that ends on `end`. */
export function intervalStartBefore(end: CalendarDate, interval: BillingInterval): CalendarDate {
  switch (interval.unit) {
    case 'month':
      return addMonths(end, -interval.count);
    case 'year':
      return addMonths(end, -12 * interval.count);
    case 'week':
      return addDays(end, -7 * interval.count);
    case 'day':
      return addDays(end, -interval.count);
  }
}

/** What a period of exactly one interval looks like (months when anchored, else weeks, else days). */
export function naturalInterval(start: CalendarDate, end: CalendarDate): BillingInterval {
  const months = wholeMonthsBetween(start, end);
  if (months !== null) return { unit: 'month', count: months };
  const days = end - start;
  return days % 7 === 0 ? { unit: 'week', count: days / 7 } : { unit: 'day', count: days };
}

const NOMINAL_DAYS: Record<BillingInterval['unit'], number> = { day: 1, week: 7, month: 30.436875, year: 365.2425 };

/** docs/rules.md "Billing interval": the interval seen most often, ties to the longer. */
export function inferInterval(periods: ReadonlyArray<{ start: CalendarDate; end: CalendarDate }>): BillingInterval {
  // A subscription has one or two distinct intervals: a short list, in first-seen order.
  const counts: Array<{ interval: BillingInterval; seen: number }> = [];
  for (const { start, end } of periods) {
    const interval = naturalInterval(start, end);
    const entry = counts.find((known) => known.interval.unit === interval.unit && known.interval.count === interval.count);
    if (entry) entry.seen++;
    else counts.push({ interval, seen: 1 });
  }
  let best: { interval: BillingInterval; seen: number } | null = null;
  for (const entry of counts) {
    if (
      !best ||
      entry.seen > best.seen ||
      (entry.seen === best.seen &&
        NOMINAL_DAYS[entry.interval.unit] * entry.interval.count > NOMINAL_DAYS[best.interval.unit] * best.interval.count)
    ) {
      best = entry;
    }
  }
  return best?.interval ?? { unit: 'month', count: 1 };
}

function policyAmounts(line: InvoiceLine, config: EngineConfig): { counted: number; list: number; discount: number } {
  const list = line.amount + line.discount;
  switch (config.discounts) {
    case 'net':
      return { counted: line.amount, list, discount: line.discount };
    case 'gross':
      return { counted: list, list, discount: 0 };
    case 'forever-only':
      return line.discountDuration === 'forever'
        ? { counted: line.amount, list, discount: line.discount }
        : { counted: list, list, discount: 0 };
  }
}

/** `scale`: ONE for a cycle line, else the full interval's days over the line's own. */
function contribution(dated: DatedLine, config: EngineConfig, scale: Ratio, prorated: boolean): Contribution {
  const whole = equals(scale, ONE);
  const factor = whole ? monthlyFactor(dated.interval) : multiply(monthlyFactor(dated.interval), scale);
  // A proration credit ("unused time on 10 seats") takes its quantity away; cycle lines count as they are.
  const quantity = prorated && dated.line.amount < 0 ? -dated.line.quantity : dated.line.quantity;
  if (dated.isTrial) {
    return { planId: dated.line.planId, quantity, mrr: ZERO, listMrr: ZERO, discount: ZERO, listMrrTolerance: ZERO, sourceId: dated.line.lineId };
  }
  const amounts = policyAmounts(dated.line, config);
  const mrr = multiply(ratio(BigInt(amounts.counted)), factor);
  return {
    planId: dated.line.planId,
    quantity,
    mrr,
    // Most lines carry no discount: their list amount is the counted one, their discount nothing
    // (the same values, without two more BigInt products per line).
    listMrr: amounts.list === amounts.counted ? mrr : multiply(ratio(BigInt(amounts.list)), factor),
    discount: amounts.discount === 0 ? ZERO : multiply(ratio(BigInt(amounts.discount)), factor),
    // A scaled line inherits the half minor unit its billing system rounded it by (one more half
    // for its discount), scaled up with it.
    listMrrTolerance: whole ? ZERO : multiply(ratio(dated.line.discount === 0 ? 1n : 2n, 2n), factor),
    sourceId: dated.line.lineId,
  };
}

/** What decides between two cycles with the same start: highest event_order, latest issued_at, greatest line_id. */
interface CycleRank {
  readonly order: number;
  readonly issuedDay: number;
  readonly issuedInstant: number;
  readonly lineId: string;
}

function cycleRank(cycle: Cycle, zone: string): CycleRank {
  let order = -Infinity;
  let issuedDay = -Infinity;
  let issuedInstant = -Infinity;
  let lineId = '';
  for (const { line } of cycle.lines) {
    if (line.eventOrder !== null && line.eventOrder > order) order = line.eventOrder;
    if (line.issuedAt) {
      const [day, instant] = momentSortKey(line.issuedAt, zone);
      if (day > issuedDay || (day === issuedDay && instant > issuedInstant)) [issuedDay, issuedInstant] = [day, instant];
    }
    if (compareStrings(line.lineId, lineId) > 0) lineId = line.lineId;
  }
  return { order, issuedDay, issuedInstant, lineId };
}

/** Latest start wins; ties by rank (computed once per cycle, and only for a tie: rare). */
function compareCycles(a: Cycle, b: Cycle, rank: (cycle: Cycle) => CycleRank): number {
  if (a.start !== b.start) return a.start - b.start;
  const x = rank(a);
  const y = rank(b);
  if (x.order !== y.order) return x.order > y.order ? 1 : -1;
  if (x.issuedDay !== y.issuedDay) return x.issuedDay > y.issuedDay ? 1 : -1;
  if (x.issuedInstant !== y.issuedInstant) return x.issuedInstant > y.issuedInstant ? 1 : -1;
  return compareStrings(x.lineId, y.lineId);
}

export function invoiceTimeline(
  subscriptionId: string,
  customerId: string,
  lines: readonly InvoiceLine[],
  plans: ReadonlyMap<string, Plan>,
  config: EngineConfig,
): TimelineResult {
  const zone = config.timezone;
  const rejects: RejectedRow[] = [];
  const warnings: DataWarning[] = [];

  // 1. Dates in the configured zone; an empty or reversed period cannot carry MRR.
  const undated: Array<{ line: InvoiceLine; start: CalendarDate; end: CalendarDate }> = [];
  for (const line of lines) {
    if (!line.serviceStart || !line.serviceEnd) continue;
    const start = momentDate(line.serviceStart, zone);
    const end = momentDate(line.serviceEnd, zone);
    if (end <= start) {
      rejects.push({
        file: line.source.file,
        line: line.source.line,
        column: 'service_end',
        message: `service period ${formatIsoDate(start)} → ${formatIsoDate(end)} is empty in time zone ${zone}`,
      });
      continue;
    }
    undated.push({ line, start, end });
  }

  // 2. Billing interval: the plan's, else inferred once for the subscription.
  const inferred = inferInterval(undated.filter((d) => d.line.type === 'subscription' && d.line.prorated !== true));
  // Built field by field: a spread copy here made the engine half as fast again (V8 gives
  // spread-built objects slower shapes, and every later step reads these).
  const dated: DatedLine[] = undated.map((d) => ({
    line: d.line,
    start: d.start,
    end: d.end,
    interval: (d.line.planId !== null ? plans.get(d.line.planId)?.interval : undefined) ?? inferred,
    isTrial: d.line.type === 'trial',
  }));

  // 3. Cycles and prorations; an unflagged line shorter than its interval that lies inside a
  //    cycle is a proration (checked longest first so a partial first period can hold one).
  const cycleLines: DatedLine[] = [];
  const prorations: DatedLine[] = [];
  const undecided: DatedLine[] = [];
  for (const d of dated) {
    if (d.isTrial || d.line.prorated === false) cycleLines.push(d);
    else if (d.line.prorated === true) prorations.push(d);
    else if (d.end < intervalEnd(d.start, d.interval)) undecided.push(d);
    else cycleLines.push(d);
  }
  undecided.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || compareStrings(a.line.lineId, b.line.lineId));
  for (const d of undecided) {
    const inside = cycleLines.some((c) => c.start <= d.start && d.end <= c.end && (c.start !== d.start || c.end !== d.end));
    (inside ? prorations : cycleLines).push(d);
  }

  // Lines with the same period make one cycle (keyed by a number: no key strings, and no map per
  // start, which was one map per line for monthly lines).
  const cyclesByPeriod = new Map<number, Cycle>();
  const cycles: Cycle[] = [];
  for (const d of cycleLines) {
    const key = periodKey(d.start, d.end);
    const cycle = cyclesByPeriod.get(key);
    if (cycle) cycle.lines.push(d);
    else {
      const created: Cycle = { start: d.start, end: d.end, lines: [d], parts: [] };
      cyclesByPeriod.set(key, created);
      cycles.push(created);
    }
  }
  const ranks = new Map<Cycle, CycleRank>();
  const rank = (cycle: Cycle): CycleRank => {
    let known = ranks.get(cycle);
    if (!known) ranks.set(cycle, (known = cycleRank(cycle, zone)));
    return known;
  };
  const cycleStarts = sortedDays(cycles.map((c) => c.start));

  const prorationParts = prorations.map((d) => {
    const fullDays = d.end - intervalStartBefore(d.end, d.interval);
    return { dated: d, part: contribution(d, config, ratio(BigInt(fullDays), BigInt(d.end - d.start)), true) };
  });
  for (const cycle of cycles) cycle.parts = cycle.lines.map((d) => contribution(d, config, ONE, false));

  // 4. Cancellations, dated by the churnRecognition policy.
  const cancellations = cancellationDates(dated, config);

  // 5. Raw state on each stretch between change points.
  // Repeats and all: sortedDays keeps each day once.
  const changeDays: CalendarDate[] = [];
  for (const d of dated) changeDays.push(d.start, d.end);
  for (const c of cancellations) changeDays.push(c.date);
  const days = sortedDays(changeDays);

  type Stretch = { date: CalendarDate; covered: boolean; state: SubscriptionState };
  const stretches: Stretch[] = [];
  // The base cycle of a day is the greatest (compareCycles) of those running on it. Days come in
  // order, so the cycles started by then are a growing prefix of the cycles sorted by start; the
  // latest-started running one is found by looking back from the end of that prefix, usually at
  // once (the cycles of a subscription run back to back), instead of testing every cycle every day.
  const byStart = [...cycles].sort((a, b) => a.start - b.start);
  let started = 0;
  for (const day of days) {
    while (started < byStart.length && byStart[started]!.start <= day) started++;
    let base: Cycle | null = null;
    for (let i = started - 1; i >= 0; i--) {
      const cycle = byStart[i]!;
      if (base && cycle.start < base.start) break;
      if (day < cycle.end && (!base || compareCycles(cycle, base, rank) > 0)) base = cycle;
    }
    const baseParts = base ? base.parts : [];
    // The cycle's parts are copied only when a proration adds to them (most days have none).
    let withProrations: Contribution[] | null = null;
    let earliestProration: CalendarDate | null = null;
    for (const { dated: p, part } of prorationParts) {
      if (p.start <= day && day < p.end && (!base || base.start < p.start)) {
        (withProrations ??= [...baseParts]).push(part);
        if (earliestProration === null || p.start < earliestProration) earliestProration = p.start;
      }
    }
    const covered = base !== null || earliestProration !== null;
    if (!covered) {
      stretches.push({ date: day, covered, state: zeroState() });
      continue;
    }
    const { state, unclampedTotal } = combineContributions(withProrations ?? baseParts, base ? base.start : earliestProration);
    if (sign(unclampedTotal) < 0) {
      warnings.push({
        code: 'negative-mrr',
        message: `subscription ${subscriptionId} has a negative MRR total from ${formatIsoDate(day)}; counted as 0`,
        customerId,
        subscriptionId,
        date: day,
      });
    }
    stretches.push({ date: day, covered, state });
  }

  // 6. Gaps: bridged within the grace period; the end of coverage ends the subscription once
  //    asOf is more than the grace period past it (pending renewal until then).
  let lastCovered: SubscriptionState | null = null;
  for (let i = 0; i < stretches.length; i++) {
    const stretch = stretches[i]!;
    if (stretch.covered) {
      lastCovered = stretch.state;
      continue;
    }
    if (!lastCovered) continue;
    const coverageEnd = stretch.date;
    let next = i + 1;
    while (next < stretches.length && !stretches[next]!.covered) next++;
    const nextStart = next < stretches.length ? stretches[next]!.date : null;
    const bridged =
      nextStart !== null ? nextStart - coverageEnd <= config.renewalGraceDays : config.asOf - coverageEnd <= config.renewalGraceDays;
    for (let j = i; j < next; j++) {
      stretches[j] = { ...stretches[j]!, state: bridged ? lastCovered : zeroState() };
    }
    i = next - 1;
  }

  // 7. Cancellations win from their date until a cycle starts after them.
  if (cancellations.length > 0) {
    // Stretches come in date order: the latest cancellation on or before each is a moving pointer.
    const cancelDays = sortedDays(cancellations.map((c) => c.date));
    let passed = 0;
    for (let i = 0; i < stretches.length; i++) {
      const day = stretches[i]!.date;
      while (passed < cancelDays.length && cancelDays[passed]! <= day) passed++;
      if (passed === 0) continue;
      const latest = cancelDays[passed - 1]!;
      const restartedOn = cycleStarts[lastIndexOnOrBefore(cycleStarts, latest) + 1];
      const restarted = restartedOn !== undefined && restartedOn <= day;
      if (!restarted) {
        const ids = cancellations.filter((c) => c.date === latest).map((c) => c.sourceId);
        stretches[i] = { ...stretches[i]!, state: zeroState([...new Set(ids)].sort(compareStrings)) };
      }
    }
  }

  return { points: compactPoints(stretches), warnings, rejects };
}


/**
 * The dates on which cancellations remove MRR under `churnRecognition` (mrr-rules.md §3):
 * the effective date, the request date, or the end of the paid period.
 */
function cancellationDates(dated: readonly DatedLine[], config: EngineConfig): Cancellation[] {
  const zone = config.timezone;
  const result: Cancellation[] = [];
  for (const d of dated) {
    const effective = d.line.cancelledAt ? momentDate(d.line.cancelledAt, zone) : null;
    const requested = d.line.cancelRequestedAt ? momentDate(d.line.cancelRequestedAt, zone) : null;
    let date: CalendarDate | null;
    switch (config.churnRecognition) {
      case 'cancel-effective':
        date = effective;
        break;
      case 'cancel-requested':
        date = requested ?? effective;
        break;
      case 'period-end': {
        const reference = effective ?? requested;
        if (reference === null) {
          date = null;
          break;
        }
        let paidThrough: CalendarDate | null = null;
        for (const other of dated) if (other.start <= reference && (paidThrough === null || other.end > paidThrough)) paidThrough = other.end;
        date = paidThrough ?? reference;
        break;
      }
    }
    if (date !== null) result.push({ date, sourceId: d.line.lineId });
  }
  return result;
}
