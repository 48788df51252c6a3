/**
 * Checks shared by the engine's properties and the reference model's self-checks. Each returns
 * the first problem as a readable sentence, or null, so a property can report it with the case.
 */
import { addDays, formatIsoDate, type CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import type { SubscriptionTimeline } from '../../src/engine/compute-movements.js';
import type { EngineConfig } from '../../src/engine/config.js';
import { formatMovement, type MovementLike } from '../reference/format-case.js';

export interface CheckedMovement extends MovementLike {
  readonly customerMrr: number;
}

/** MRR of a timeline on `day`: the last point on or before it, else 0. */
export function timelineValue(timeline: SubscriptionTimeline, day: number): number {
  let value = 0;
  for (const point of timeline.points) {
    if (point.date > day) break;
    value = point.mrr;
  }
  return value;
}

/** Consecutive points must differ in something besides the date (MRR, native MRR, plan …). */
function sameApartFromDate(a: object, b: object): boolean {
  const strip = (point: object): string => JSON.stringify(Object.entries(point).filter(([key]) => key !== 'date'));
  return strip(a) === strip(b);
}

export function checkTimelinesWellFormed(timelines: readonly SubscriptionTimeline[], config: EngineConfig): string | null {
  for (const t of timelines) {
    for (let i = 0; i < t.points.length; i++) {
      const point = t.points[i];
      const previous = t.points[i - 1];
      if (point === undefined) continue;
      if (point.date > config.asOf) return `timeline ${t.subscriptionId} has a point after asOf on ${formatIsoDate(point.date)}`;
      if (previous !== undefined && previous.date >= point.date) return `timeline ${t.subscriptionId} is not sorted at ${formatIsoDate(point.date)}`;
      if (previous !== undefined && sameApartFromDate(previous, point)) {
        return `timeline ${t.subscriptionId} repeats the same point on ${formatIsoDate(point.date)}`;
      }
      if (!Number.isSafeInteger(point.mrr) || !Number.isSafeInteger(point.nativeMrr) || point.mrr < 0 || point.nativeMrr < 0) {
        return `timeline ${t.subscriptionId} has a bad value on ${formatIsoDate(point.date)}: ${point.nativeMrr} / ${point.mrr}`;
      }
    }
  }
  return null;
}

/**
 * Conservation (invariant 1): for every entity and every day from `firstDay` to `asOf`, the sum of
 * the movements dated on or before the day equals that day's MRR.
 */
export function checkConservation(
  movements: readonly CheckedMovement[],
  entities: ReadonlyMap<string, { readonly mrrOn: (day: CalendarDate) => number; readonly owns: (m: CheckedMovement) => boolean }>,
  firstDay: CalendarDate,
  asOf: CalendarDate,
): string | null {
  for (const m of movements) {
    if (m.date < firstDay || m.date > asOf) return `movement outside [first day, asOf]: ${formatMovement(m)}`;
  }
  for (const [name, entity] of entities) {
    const own = movements.filter((m) => entity.owns(m));
    let sum = 0;
    let index = 0;
    const sorted = [...own].sort((a, b) => a.date - b.date);
    for (let day = addDays(firstDay, -1); day <= asOf; day = addDays(day, 1)) {
      while (index < sorted.length && (sorted[index]?.date ?? Infinity) <= day) sum += sorted[index++]?.amount ?? 0;
      const mrr = entity.mrrOn(day);
      if (sum !== mrr) return `${name} on ${formatIsoDate(day)}: movements add up to ${sum} but MRR is ${mrr}`;
    }
  }
  return null;
}

const REASONED = new Set(['expansion', 'contraction']);
const SPLIT = new Set(['quantity', 'price', 'price_volume_mix']);

/**
 * State consistency (mrr-rules.md §5): each type matches the customer's MRR on the day before and
 * the day itself, reasons sit exactly on expansion and contraction, no movement is zero.
 */
export function checkStateConsistency(
  movements: readonly CheckedMovement[],
  customerMrrOn: (customerId: string, day: CalendarDate) => number,
  customers: readonly string[],
  firstDay: CalendarDate,
  config: EngineConfig,
): string | null {
  const byCustomerDay = new Map<string, CheckedMovement[]>();
  for (const m of movements) {
    const key = `${m.customerId}|${m.date}`;
    const list = byCustomerDay.get(key) ?? [];
    list.push(m);
    byCustomerDay.set(key, list);
  }
  for (const customerId of customers) {
    let everPaid = false;
    let churnDate: number | null = null;
    for (let day = firstDay; day <= config.asOf; day = addDays(day, 1)) {
      const before = customerMrrOn(customerId, addDays(day, -1));
      const after = customerMrrOn(customerId, day);
      for (const m of byCustomerDay.get(`${customerId}|${day}`) ?? []) {
        const problem = (what: string): string => `${what}: ${formatMovement(m)} (customer MRR ${before} → ${after})`;
        if (m.amount === 0) return problem('movement of amount 0');
        if (m.customerMrr !== after) return problem(`customerMrr ${m.customerMrr} is not the customer's MRR`);
        if (REASONED.has(m.type) !== (m.reason !== null)) return problem('reason must be set exactly on expansion and contraction');
        const hasSplit = m.priceEffect !== null || m.volumeEffect !== null || m.mixEffect !== null;
        if (hasSplit !== (m.reason !== null && SPLIT.has(m.reason))) return problem('price/volume/mix must be set exactly on quantity, price and price_volume_mix');
        if (hasSplit && (m.priceEffect ?? 0) + (m.volumeEffect ?? 0) + (m.mixEffect ?? 0) !== m.amount) return problem('price + volume + mix differs from the amount');
        const absentTooLong = config.reactivationWindowDays !== null && churnDate !== null && day - churnDate > config.reactivationWindowDays;
        switch (m.type) {
          case 'new':
            if (!(before === 0 && after > 0)) return problem('new without going from 0 to paying');
            if (everPaid && !absentTooLong) return problem('new for a customer who paid before, within the reactivation window');
            break;
          case 'reactivation':
            if (!(before === 0 && after > 0)) return problem('reactivation without going from 0 to paying');
            if (!everPaid) return problem('reactivation of a customer who never paid');
            if (absentTooLong) return problem('reactivation after an absence longer than reactivationWindowDays');
            break;
          case 'churn':
            if (!(before > 0 && after === 0 && m.customerMrr === 0)) return problem('churn without the customer ending at 0');
            if (m.amount > 0) return problem('positive churn');
            break;
          case 'expansion':
          case 'contraction':
            if (!(before > 0 && after > 0)) return problem(`${m.type} while the customer does not pay on both days`);
            if (m.type === 'expansion' ? m.amount <= 0 : m.amount >= 0) return problem(`${m.type} with the wrong sign`);
            break;
          case 'fx':
            if (!(before > 0 && after > 0)) return problem('fx while the customer does not pay on both days');
            break;
        }
      }
      if (after > 0) everPaid = true;
      if (before > 0 && after === 0) churnDate = day;
    }
  }
  return null;
}
