/**
 * What a subscription is on a stretch of days, in its own currency: the rounded MRR plus what
 * explains it (plans, quantities, list prices, discount) for movement reasons and drill-down.
 */
import type { CalendarDate } from '../calendar/calendar-date.js';
import type { DataWarning, RejectedRow } from '../movement.js';
import { add, compareRatios, equals, roundRatio, sign, ZERO, type Ratio } from '../money/ratio.js';

/** One plan's share of a subscription's state (the lines or events of that plan added up). */
export interface PlanItem {
  readonly planId: string | null;
  /** Net of proration credits: a credit counts its quantity with the sign of its amount. */
  readonly quantity: number;
  /** Monthly amount under the `discounts` policy, unrounded. */
  readonly mrr: Ratio;
  /** Monthly amount before any discount, unrounded: the list price side of reasons. */
  readonly listMrr: Ratio;
  /**
   * How far `listMrr` may be off because the billing system rounded prorated lines to a minor
   * unit before Runrate scaled them up to a full interval; prices within it are the same price.
   */
  readonly listMrrTolerance: Ratio;
}

export interface SubscriptionState {
  /** Native MRR in minor units, rounded once, never negative. */
  readonly mrr: number;
  readonly items: readonly PlanItem[];
  /** Monthly discount in force, unrounded (for the `discount` reason). */
  readonly discount: Ratio;
  /** The day whose exchange rate converts this state under `fx.rateDate: period-start`. */
  readonly rateDate: CalendarDate | null;
  readonly paused: boolean;
  /** Ids of the lines or events that make this state (sorted). */
  readonly sources: readonly string[];
}

/** A subscription's state from `date` until the next point (or through asOf). */
export interface StatePoint {
  readonly date: CalendarDate;
  readonly state: SubscriptionState;
}

export function zeroState(sources: readonly string[] = [], paused = false): SubscriptionState {
  return { mrr: 0, items: [], discount: ZERO, rateDate: null, paused, sources };
}

export interface Contribution {
  readonly planId: string | null;
  /** Signed: a proration credit takes away the quantity it credits (docs/rules.md "Reasons"). */
  readonly quantity: number;
  readonly mrr: Ratio;
  readonly listMrr: Ratio;
  readonly discount: Ratio;
  /** Error bound of `listMrr` (see PlanItem.listMrrTolerance); zero for whole-interval amounts. */
  readonly listMrrTolerance: Ratio;
  readonly sourceId: string;
}

/**
 * Adds contributions exactly and rounds once (mrr-rules.md §2). Returns the total before
 * clamping so the caller can warn about a negative total.
 */
export function combineContributions(
  contributions: readonly Contribution[],
  rateDate: CalendarDate | null,
): { state: SubscriptionState; unclampedTotal: Ratio } {
  if (contributions.length === 1) return single(contributions[0]!, rateDate);
  const byPlan = new Map<string | null, { quantity: number; mrr: Ratio; listMrr: Ratio; listMrrTolerance: Ratio }>();
  let total = ZERO;
  let discount = ZERO;
  for (const part of contributions) {
    total = add(total, part.mrr);
    discount = add(discount, part.discount);
    const item = byPlan.get(part.planId) ?? { quantity: 0, mrr: ZERO, listMrr: ZERO, listMrrTolerance: ZERO };
    byPlan.set(part.planId, {
      quantity: item.quantity + part.quantity,
      mrr: add(item.mrr, part.mrr),
      listMrr: add(item.listMrr, part.listMrr),
      listMrrTolerance: add(item.listMrrTolerance, part.listMrrTolerance),
    });
  }
  const items: PlanItem[] = [];
  for (const [planId, item] of byPlan) {
    // A plan whose credits cancel its charges (to the billing system's rounding) is no longer in
    // force: the plan a customer upgraded from.
    if (item.quantity === 0 && compareRatios(absolute(item.listMrr), item.listMrrTolerance) <= 0) continue;
    items.push({ planId, ...item });
  }
  items.sort((a, b) => comparePlanIds(a.planId, b.planId));
  const rounded = sign(total) < 0 ? 0 : Number(roundRatio(total));
  const sources = [...new Set(contributions.map((part) => part.sourceId))].sort(compareStrings);
  return { state: { mrr: rounded, items, discount, rateDate, paused: false, sources }, unclampedTotal: total };
}

/**
 * combineContributions of one part (most states: a cycle of one line), without its maps, sets
 * and sorts. The same values; sums of one term are the term itself.
 */
function single(part: Contribution, rateDate: CalendarDate | null): { state: SubscriptionState; unclampedTotal: Ratio } {
  const { planId, quantity, mrr, listMrr, listMrrTolerance } = part;
  const inForce = !(quantity === 0 && compareRatios(absolute(listMrr), listMrrTolerance) <= 0);
  const items: PlanItem[] = inForce ? [{ planId, quantity, mrr, listMrr, listMrrTolerance }] : [];
  const rounded = sign(mrr) < 0 ? 0 : Number(roundRatio(mrr));
  return { state: { mrr: rounded, items, discount: part.discount, rateDate, paused: false, sources: [part.sourceId] }, unclampedTotal: mrr };
}

function absolute(a: Ratio): Ratio {
  return a.num < 0n ? { num: -a.num, den: a.den } : a;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePlanIds(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compareStrings(a, b);
}

/** Same MRR and same explanation: consecutive equal states are merged into one stretch. */
export function sameState(a: SubscriptionState, b: SubscriptionState): boolean {
  if (a.mrr !== b.mrr || a.paused !== b.paused || a.rateDate !== b.rateDate) return false;
  if (a.items.length !== b.items.length || a.sources.length !== b.sources.length) return false;
  if (!equals(a.discount, b.discount)) return false;
  for (let i = 0; i < a.sources.length; i++) if (a.sources[i] !== b.sources[i]) return false;
  for (let i = 0; i < a.items.length; i++) {
    const x = a.items[i]!;
    const y = b.items[i]!;
    if (x.planId !== y.planId || x.quantity !== y.quantity || !equals(x.mrr, y.mrr) || !equals(x.listMrr, y.listMrr)) return false;
  }
  return true;
}


export interface TimelineResult {
  /** Change points sorted by date, consecutive states different; may extend past asOf. */
  readonly points: readonly StatePoint[];
  readonly warnings: readonly DataWarning[];
  readonly rejects: readonly RejectedRow[];
}

/** Merges consecutive equal states and drops leading zeros: a timeline starts with its first MRR. */
export function compactPoints(stretches: ReadonlyArray<{ date: CalendarDate; state: SubscriptionState }>): StatePoint[] {
  const points: StatePoint[] = [];
  for (const { date, state } of stretches) {
    const previous = points.at(-1);
    // A leading paused state is kept: a later resume must be seen as a resume.
    if (previous ? sameState(previous.state, state) : state.mrr === 0 && state.items.length === 0 && !state.paused) continue;
    points.push({ date, state });
  }
  return points;
}

/** The plan that carries most of a subscription's MRR: a movement and a segment name one plan. */
export function primaryPlan(state: SubscriptionState | null): string | null {
  let best: PlanItem | null = null;
  for (const item of state?.items ?? []) {
    if (item.planId === null) continue;
    if (!best || item.mrr.num * best.mrr.den > best.mrr.num * item.mrr.den) best = item;
  }
  return best?.planId ?? null;
}
