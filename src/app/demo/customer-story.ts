/**
 * One demo customer's whole history, as a story: who they are and, per subscription, the
 * stretches ("segments") during which its terms stay the same, laid on its billing cycles.
 *
 * A story is a pure function of (seed, customer index): every customer draws from its own
 * generator, so customers can be generated one at a time and streamed, in any order. Stories
 * carry no file format: the invoice-line and subscription-event writers turn the same segments
 * into rows, and any other writer (month-aligned periods for a benchmark peer) can too.
 */
import { addDays, addMonths, dayOfWeek, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import type { DemoContext } from './demo-context.js';
import { demoPlan, demoPlanId, listPrice, type DemoCurrency, type DemoPlan, type DemoProduct, type PlanKey } from './demo-plans.js';
import { demoProfile, type DemoIndustry, type DemoTeamSize } from './demo-profile.js';
import { SeededRandom } from './seeded-random.js';

export type BillingStyle = 'invoice_lines' | 'subscription_events';
export type DiscountDuration = 'once' | 'repeating' | 'forever';

/** How a timestamp is written: ISO 8601 in UTC (`Z`), ISO 8601 with the customer's offset, or Unix seconds. */
export type MomentFormat = 'utc' | 'offset' | 'unix';

/** A point in time: a UTC day and a second of that day, with the way it is to be written. */
export interface Moment {
  readonly day: CalendarDate;
  readonly second: number;
  readonly format: MomentFormat;
  readonly offsetMinutes: number;
}

/** What a subscription charges per billing interval, in minor units of its currency. */
export interface Terms {
  readonly planKey: PlanKey;
  readonly planId: string;
  /** List price per unit per interval, before discounts. */
  readonly unitAmount: number;
  readonly quantity: number;
  /** Discount per interval, already deducted from the net amount. */
  readonly discount: number;
  readonly discountDuration: DiscountDuration | null;
}

export function netAmount(terms: Terms): number {
  return terms.unitAmount * terms.quantity - terms.discount;
}

export function sameTerms(a: Terms, b: Terms): boolean {
  return a.planId === b.planId && a.unitAmount === b.unitAmount && a.quantity === b.quantity && a.discount === b.discount && a.discountDuration === b.discountDuration;
}

/** How a segment began: a first start, the paid cycle after a trial, a renewal (on time or a few
 * days late, which re-anchors billing), a mid-cycle change, or the end of a pause. */
export type SegmentCause = 'start' | 'conversion' | 'renewal' | 'late_renewal' | 'change' | 'resume';

export interface Segment {
  readonly kind: 'trial' | 'paid';
  readonly start: CalendarDate;
  /** First day without these terms: the next segment's start, the cycle end, or the day a cancellation took effect. */
  end: CalendarDate;
  /** The billing cycle the segment lies in, `[cycleStart, cycleEnd)`: one whole billing interval. */
  readonly cycleStart: CalendarDate;
  readonly cycleEnd: CalendarDate;
  readonly terms: Terms;
  readonly cause: SegmentCause;
  /** When the segment took effect; its day is `start`. */
  readonly at: Moment;
  /** Days before `start` its invoice was issued (annual renewals are invoiced a week ahead). */
  readonly invoicedDaysAhead: number;
  /** For a `resume`: when the subscription was paused. */
  readonly pausedAt: Moment | null;
  /** A goodwill credit note issued during the segment (negative minor units). */
  goodwillCredit: { readonly amount: number; readonly at: Moment } | null;
}

export type LifeEnd =
  /** Still running on asOf (or its fate is not known yet). */
  | { readonly kind: 'active' }
  /** Simply not renewed: coverage ends with the last cycle. */
  | { readonly kind: 'lapsed' }
  /** Paused on asOf (event style). */
  | { readonly kind: 'paused'; readonly at: Moment }
  /** Cancelled: at period end, or at once with an optional refund (negative minor units). */
  | { readonly kind: 'cancelled'; readonly requestedAt: Moment; readonly effectiveAt: Moment; readonly refund: number };

/** One run of a subscription from a start to its end. A restarted subscription has several. */
export interface SubscriptionLife {
  readonly segments: readonly Segment[];
  readonly end: LifeEnd;
}

export interface SubscriptionStory {
  readonly id: string;
  readonly product: DemoProduct;
  readonly currency: DemoCurrency;
  readonly intervalUnit: 'month' | 'year';
  readonly intervalCount: number;
  readonly monthsPerCycle: number;
  readonly lives: SubscriptionLife[];
  /** A one-time setup fee charged with the first paid cycle, in minor units (0: none). */
  readonly setupFee: number;
}

export interface DemoCustomer {
  readonly id: string;
  /** The zero-padded customer number shared by all ids of the customer. */
  readonly number: string;
  readonly name: string;
  readonly email: string;
  readonly company: string;
  readonly country: string;
  readonly createdAt: CalendarDate;
  readonly industry: DemoIndustry;
  readonly teamSize: DemoTeamSize;
  readonly currency: DemoCurrency;
  readonly vatPercent: number;
  readonly offsetMinutes: number;
}

export interface CustomerStory {
  readonly index: number;
  readonly customer: DemoCustomer;
  readonly billing: BillingStyle;
  readonly subscriptions: readonly SubscriptionStory[];
}

// The frequencies below are the business's "physics"; docs/demo-dataset.md lists them.
const STREAM_CUSTOMERS = 1;
/** Share of customers whose history is written as subscription events instead of invoice lines. */
export const EVENTS_SHARE = 0.15;
export const TRIAL_DAYS = 14;
/** Annual renewals are invoiced this many days before they start. */
export const ANNUAL_INVOICE_DAYS_AHEAD = 7;
const TRIAL_SHARE_MONTHLY = 0.45;
const TRIAL_SHARE_OTHER = 0.15;
const TRIAL_CONVERSION = 0.58;
const REACTIVATION_AFTER_CHURN = 0.2;
const RETURN_AFTER_FAILED_TRIAL = 0.08;
const MAX_TENURES = 3;
const EARLY_CHURN_FACTOR = 1.6;
const LATE_RENEWAL = 0.02;
const PAUSE = 0.012;
const GOODWILL_CREDIT = 0.004;
const RESTART_SAME_SUBSCRIPTION = 0.4;

/** Probability that a cycle is the last one (logo churn per billing cycle). */
const CHURN_PER_CYCLE: Readonly<Record<PlanKey, number>> = {
  'starter-monthly': 0.045,
  'pro-monthly': 0.022,
  'pro-quarterly': 0.06,
  'pro-annual': 0.15,
  'business-monthly': 0.012,
  'business-annual': 0.09,
  'analytics-monthly': 0.035,
  'analytics-annual': 0.25,
  'support-monthly': 0.025,
};

const PLAN_MIX: Readonly<Record<DemoTeamSize, readonly (readonly [PlanKey, number])[]>> = {
  '1-10': [['starter-monthly', 55], ['pro-monthly', 28], ['pro-quarterly', 5], ['pro-annual', 10], ['business-monthly', 2]],
  '11-50': [['starter-monthly', 15], ['pro-monthly', 38], ['pro-quarterly', 8], ['pro-annual', 24], ['business-monthly', 8], ['business-annual', 7]],
  '51-200': [['pro-monthly', 22], ['pro-quarterly', 5], ['pro-annual', 30], ['business-monthly', 13], ['business-annual', 30]],
  '201-1000': [['pro-annual', 20], ['business-monthly', 10], ['business-annual', 70]],
};

const SEATS: Readonly<Record<DemoTeamSize, readonly [number, number]>> = {
  '1-10': [1, 6],
  '11-50': [3, 20],
  '51-200': [10, 60],
  '201-1000': [30, 150],
};

const SETUP_FEE: Readonly<Record<DemoCurrency, number>> = { USD: 50000, EUR: 45000, GBP: 39000 };

const ACTIVE: LifeEnd = { kind: 'active' };
const LAPSED: LifeEnd = { kind: 'lapsed' };

interface LifeState {
  planKey: PlanKey;
  seats: number;
  discountPercent: number;
  discountDuration: DiscountDuration | null;
  /** Paid cycles the discount still applies to (Infinity for `forever`). */
  discountCyclesLeft: number;
}

/** How the subscription an add-on depends on ended: the add-on follows it. */
interface ParentEnd {
  readonly kind: 'cancelled' | 'lapsed' | 'paused';
  /** First day the parent no longer runs. */
  readonly day: CalendarDate;
  /** The day from which no add-on may start any more (the cancellation request). */
  readonly lastStart: CalendarDate;
  readonly requestedAt: Moment | null;
  readonly effectiveAt: Moment | null;
}

interface LifeInput {
  readonly subscription: SubscriptionStory;
  readonly state: LifeState;
  readonly start: CalendarDate;
  readonly trial: boolean;
  readonly converts: boolean;
  /** The core subscription: it changes plans and seats, renews late, pauses, gets credits. */
  readonly main: boolean;
  readonly parentEnd: ParentEnd | null;
}

type TenureOutcome = { readonly kind: 'running' } | { readonly kind: 'ended'; readonly lastDay: CalendarDate; readonly paid: boolean };

function percentOf(amount: number, percent: number): number {
  return Math.floor((amount * percent + 50) / 100);
}

/** `amount × days / fullDays`, rounded half away from zero, in integers. */
export function prorate(amount: number, days: number, fullDays: number): number {
  const magnitude = Math.floor((2 * Math.abs(amount) * days + fullDays) / (2 * fullDays));
  return amount < 0 ? -magnitude : magnitude;
}

/**
 * Length in days of the billing interval that ends on `cycleEnd`, as the engine measures a
 * proration's full period (mrr-rules §3), so that prorations restate the monthly amount exactly.
 */
export function fullIntervalDays(subscription: SubscriptionStory, cycleEnd: CalendarDate): number {
  return cycleEnd - addMonths(cycleEnd, -subscription.monthsPerCycle);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Signups grow over the window: their density rises linearly to three times its starting
 * level, and customer numbers follow signup order. The day offset `k` solves
 * `(k/D + (k/D)²) / 2 = u` by bisection, in plain arithmetic (no `Math.sqrt`).
 */
function signupDay(ctx: DemoContext, index: number, rng: SeededRandom): CalendarDate {
  const days = ctx.windowDays;
  const target = (2 * (index + rng.float()) * days * days) / ctx.customers;
  let low = 0;
  let high = days - 1;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (mid * days + mid * mid < target) low = mid + 1;
    else high = mid;
  }
  let day = addDays(ctx.windowStart, low);
  const weekday = dayOfWeek(day);
  // Fewer signups at weekends: most of them move to the Monday.
  if (weekday >= 5 && rng.chance(0.6)) {
    const monday = addDays(day, 7 - weekday);
    if (monday <= ctx.asOf) day = monday;
  }
  return day;
}

class StoryBuilder {
  readonly subscriptions: SubscriptionStory[] = [];
  private subscriptionCount = 0;

  constructor(
    private readonly ctx: DemoContext,
    private readonly rng: SeededRandom,
    private readonly customer: DemoCustomer,
    private readonly billing: BillingStyle,
  ) {}

  /** A moment on `day` between two hours (UTC), written in one of the three formats. */
  private moment(day: CalendarDate, fromHour: number, toHour: number): Moment {
    const second = this.rng.int(fromHour * 3600, toHour * 3600 - 1);
    const draw = this.rng.float();
    const format: MomentFormat = draw < 0.72 ? 'utc' : draw < 0.9 ? 'offset' : 'unix';
    return { day, second, format, offsetMinutes: this.customer.offsetMinutes };
  }

  private newSubscription(plan: DemoPlan, setupFee: number): SubscriptionStory {
    this.subscriptionCount++;
    const subscription: SubscriptionStory = {
      id: `sub_${this.customer.number}_${pad(this.subscriptionCount, 2)}`,
      product: plan.product,
      currency: this.customer.currency,
      intervalUnit: plan.intervalUnit,
      intervalCount: plan.intervalCount,
      monthsPerCycle: plan.monthsPerCycle,
      lives: [],
      setupFee,
    };
    this.subscriptions.push(subscription);
    return subscription;
  }

  private terms(state: LifeState, day: CalendarDate): Terms {
    const plan = demoPlan(state.planKey);
    const unitAmount = listPrice(plan, this.customer.currency, day);
    const discount = state.discountPercent > 0 ? percentOf(unitAmount * state.seats, state.discountPercent) : 0;
    return {
      planKey: state.planKey,
      planId: demoPlanId(state.planKey, this.customer.currency),
      unitAmount,
      quantity: state.seats,
      discount,
      discountDuration: discount > 0 ? state.discountDuration : null,
    };
  }

  /** One stay of the customer: a core subscription from `start`, and the add-ons sold to it. */
  tenure(start: CalendarDate, tenureIndex: number, previousMain: SubscriptionStory | null): { outcome: TenureOutcome; main: SubscriptionStory } {
    const { rng, customer } = this;
    const planKey = rng.weighted(PLAN_MIX[customer.teamSize]);
    const plan = demoPlan(planKey);
    const [fewest, most] = SEATS[customer.teamSize];
    const state: LifeState = { planKey, seats: plan.perSeat ? rng.int(fewest, most) : 1, discountPercent: 0, discountDuration: null, discountCyclesLeft: 0 };
    this.chooseDiscount(state, plan, tenureIndex);
    const trial = tenureIndex === 0 && rng.chance(plan.monthsPerCycle === 1 ? TRIAL_SHARE_MONTHLY : TRIAL_SHARE_OTHER);
    const converts = !trial || rng.chance(TRIAL_CONVERSION);
    let setupFee = 0;
    if (this.billing === 'invoice_lines' && tenureIndex === 0) {
      if (planKey.startsWith('business') && rng.chance(0.4)) setupFee = SETUP_FEE[customer.currency];
      else if (planKey === 'pro-annual' && rng.chance(0.15)) setupFee = SETUP_FEE[customer.currency] / 2;
    }
    // Event-style systems often restart a cancelled subscription under its old id.
    const reuse =
      this.billing === 'subscription_events' && previousMain !== null && previousMain.monthsPerCycle === plan.monthsPerCycle && rng.chance(RESTART_SAME_SUBSCRIPTION);
    const main = reuse && previousMain ? previousMain : this.newSubscription(plan, setupFee);
    const life = this.simulateLife({ subscription: main, state, start, trial, converts, main: true, parentEnd: null });
    main.lives.push(life);
    const paid = life.segments.some((segment) => segment.kind === 'paid');
    if (paid) this.crossSell(life);
    const end = life.end;
    if (end.kind === 'active' || end.kind === 'paused') return { outcome: { kind: 'running' }, main };
    const last = life.segments[life.segments.length - 1];
    const lastDay = end.kind === 'cancelled' ? end.effectiveAt.day : (last?.end ?? start);
    return { outcome: { kind: 'ended', lastDay, paid }, main };
  }

  private chooseDiscount(state: LifeState, plan: DemoPlan, tenureIndex: number): void {
    const { rng } = this;
    const set = (percent: number, duration: DiscountDuration, cycles: number): void => {
      state.discountPercent = percent;
      state.discountDuration = duration;
      state.discountCyclesLeft = cycles;
    };
    if (tenureIndex > 0) {
      if (rng.chance(0.3)) set(25, 'once', 1); // a win-back offer
      return;
    }
    if ((this.customer.industry === 'nonprofit' || this.customer.industry === 'education') && rng.chance(0.7)) {
      set(20, 'forever', Infinity);
      return;
    }
    const draw = rng.float();
    if (draw < 0.14) {
      // "20 % off for the first three months"; yearly plans get a first-year discount instead.
      if (plan.monthsPerCycle === 1) set(20, 'repeating', 3);
      else if (plan.monthsPerCycle === 3) set(20, 'repeating', 1);
      else set(10, 'once', 1);
    } else if (draw < 0.2) {
      set(plan.monthsPerCycle === 1 ? 50 : 15, 'once', 1);
    }
  }

  private simulateLife(input: LifeInput): SubscriptionLife {
    const { ctx, rng } = this;
    const { subscription, state, parentEnd } = input;
    const asOf = ctx.asOf;
    const segments: Segment[] = [];
    let cycleStart = input.start;
    let cause: SegmentCause = 'start';
    let at = this.moment(cycleStart, 7, 22);
    let pausedAt: Moment | null = null;

    if (input.trial) {
      const trialEnd = addDays(cycleStart, TRIAL_DAYS);
      const trialTerms = { ...this.terms(state, cycleStart), discount: 0, discountDuration: null };
      segments.push({
        kind: 'trial', start: cycleStart, end: trialEnd, cycleStart, cycleEnd: trialEnd, terms: trialTerms,
        cause, at, invoicedDaysAhead: 0, pausedAt: null, goodwillCredit: null,
      });
      if (trialEnd > asOf) return { segments, end: ACTIVE };
      if (!input.converts) return { segments, end: this.failedTrialEnd(cycleStart, trialEnd) };
      cycleStart = trialEnd;
      cause = 'conversion';
      at = { ...at, day: trialEnd };
    }

    let anchor = cycleStart;
    let cyclesSinceAnchor = 0;
    let paidCycles = 0;
    for (;;) {
      if (parentEnd && parentEnd.day <= cycleStart) return { segments, end: this.followParent(parentEnd, null) };
      const cycleEnd = addMonths(anchor, (cyclesSinceAnchor + 1) * subscription.monthsPerCycle);
      const invoicedDaysAhead = this.billing === 'invoice_lines' && subscription.monthsPerCycle >= 12 && cause === 'renewal' ? ANNUAL_INVOICE_DAYS_AHEAD : 0;
      const segment: Segment = {
        kind: 'paid', start: cycleStart, end: cycleEnd, cycleStart, cycleEnd, terms: this.terms(state, cycleStart),
        cause, at, invoicedDaysAhead, pausedAt, goodwillCredit: null,
      };
      segments.push(segment);
      pausedAt = null;
      // A renewal invoiced ahead of asOf: nothing is known yet about the cycle itself.
      if (cycleStart > asOf) return { segments, end: ACTIVE };
      if (parentEnd && parentEnd.day <= cycleEnd) return { segments, end: this.followParent(parentEnd, segment) };

      if (input.main && this.billing === 'invoice_lines' && rng.chance(GOODWILL_CREDIT)) {
        const net = netAmount(segment.terms);
        const day = addDays(cycleStart, rng.int(0, Math.min(cycleEnd - 1, asOf) - cycleStart));
        if (net > 0) segment.goodwillCredit = { amount: -percentOf(net, rng.pick([10, 25, 50, 100])), at: this.moment(day, 8, 20) };
      }

      const churnProbability = CHURN_PER_CYCLE[state.planKey] * (subscription.monthsPerCycle === 1 && paidCycles < 3 ? EARLY_CHURN_FACTOR : 1);
      paidCycles++;
      if (rng.chance(churnProbability)) {
        const end = this.churnEnd(segment, subscription);
        return { segments, end: end ?? this.scheduledParentEnd(parentEnd, segment) };
      }

      if (input.main && cycleEnd - cycleStart >= 2 && this.midCycleChange(state)) {
        const day = addDays(cycleStart, rng.int(1, cycleEnd - cycleStart - 1));
        if (day <= asOf) {
          segment.end = day;
          segments.push({
            kind: 'paid', start: day, end: cycleEnd, cycleStart, cycleEnd, terms: this.terms(state, day),
            cause: 'change', at: this.moment(day, 8, 20), invoicedDaysAhead: 0, pausedAt: null, goodwillCredit: null,
          });
        }
      }

      // The renewal at cycleEnd.
      state.discountCyclesLeft--;
      if (state.discountCyclesLeft <= 0) {
        state.discountPercent = 0;
        state.discountDuration = null;
      }
      let nextStart = cycleEnd;
      if (input.main && this.billing === 'invoice_lines' && subscription.monthsPerCycle === 1 && rng.chance(LATE_RENEWAL)) {
        // A failed card retried a few days later: the new cycle is anchored on the day it was paid.
        nextStart = addDays(cycleEnd, rng.int(1, 5));
        anchor = nextStart;
        cyclesSinceAnchor = 0;
        cause = 'late_renewal';
      } else if (input.main && this.billing === 'subscription_events' && subscription.monthsPerCycle === 1 && cycleEnd <= asOf && rng.chance(PAUSE)) {
        const pause = this.moment(cycleEnd, 0, 6);
        const resume = addDays(cycleEnd, rng.int(30, 92));
        if (resume > asOf) return { segments, end: { kind: 'paused', at: pause } };
        nextStart = resume;
        anchor = resume;
        cyclesSinceAnchor = 0;
        cause = 'resume';
        pausedAt = pause;
      } else {
        cyclesSinceAnchor++;
        cause = 'renewal';
      }
      if (input.main) this.renewalChange(state);
      const issued = this.billing === 'invoice_lines' && subscription.monthsPerCycle >= 12 && cause === 'renewal' ? addDays(nextStart, -ANNUAL_INVOICE_DAYS_AHEAD) : nextStart;
      if (issued > asOf) return { segments, end: this.scheduledParentEnd(parentEnd, segment) };
      cycleStart = nextStart;
      at = this.moment(cycleStart, 0, 6);
    }
  }

  /** A trial that does not convert: cancelled by the customer, or left to expire. */
  private failedTrialEnd(start: CalendarDate, trialEnd: CalendarDate): LifeEnd {
    const { rng } = this;
    if (this.billing === 'invoice_lines' && !rng.chance(0.4)) return LAPSED;
    const requested = this.moment(addDays(start, rng.int(1, trialEnd - start - 1)), 8, 20);
    return { kind: 'cancelled', requestedAt: requested, effectiveAt: this.moment(trialEnd, 0, 6), refund: 0 };
  }

  /**
   * How a churning cycle ends: cancelled at period end (requested during the cycle's last 30
   * days), cancelled at once (sometimes refunded), or, with invoices, simply not renewed.
   * Null when the customer's decision would fall after asOf, where nothing is known of it.
   */
  private churnEnd(segment: Segment, subscription: SubscriptionStory): LifeEnd | null {
    const { rng, ctx } = this;
    const asOf = ctx.asOf;
    const how = this.billing === 'invoice_lines'
      ? rng.weighted([['period_end', 58], ['immediate', 10], ['lapse', 32]] as const)
      : rng.weighted([['period_end', 82], ['immediate', 18]] as const);
    if (how === 'lapse') return segment.cycleEnd <= asOf ? LAPSED : null;
    if (how === 'immediate') {
      const last = Math.min(segment.cycleEnd - 1, asOf);
      if (last > segment.start) {
        const day = addDays(segment.start, rng.int(1, last - segment.start));
        const when = this.moment(day, 8, 20);
        segment.end = day;
        const refunded = this.billing === 'invoice_lines' && rng.chance(0.5);
        const refund = refunded ? -prorate(netAmount(segment.terms), segment.cycleEnd - day, fullIntervalDays(subscription, segment.cycleEnd)) : 0;
        return { kind: 'cancelled', requestedAt: when, effectiveAt: when, refund };
      }
    }
    const first = Math.max(segment.start, segment.cycleEnd - 30);
    const last = Math.min(segment.cycleEnd - 1, asOf);
    if (first > last) return null;
    const requestedAt = this.moment(addDays(segment.start, first - segment.start + rng.int(0, last - first)), 8, 20);
    return { kind: 'cancelled', requestedAt, effectiveAt: this.moment(segment.cycleEnd, 0, 6), refund: 0 };
  }

  /** An add-on ends with the core subscription: cancelled with it, or not renewed after it. */
  private followParent(parent: ParentEnd, segment: Segment | null): LifeEnd {
    if (parent.kind === 'lapsed' || !parent.requestedAt || !parent.effectiveAt) return LAPSED;
    if (segment) segment.end = parent.day;
    return { kind: 'cancelled', requestedAt: parent.requestedAt, effectiveAt: parent.effectiveAt, refund: 0 };
  }

  /** Running on asOf: an add-on whose core subscription is already due to be cancelled is cancelled too. */
  private scheduledParentEnd(parent: ParentEnd | null, segment: Segment): LifeEnd {
    if (!parent || parent.kind !== 'cancelled' || !parent.requestedAt || !parent.effectiveAt) return ACTIVE;
    // The parent ends after this cycle (else `followParent` applied): the add-on stops at its period end.
    return { kind: 'cancelled', requestedAt: parent.requestedAt, effectiveAt: { ...parent.effectiveAt, day: segment.cycleEnd }, refund: 0 };
  }

  private moreSeats(seats: number): number {
    return seats + this.rng.int(1, Math.max(1, Math.floor(seats / 3)));
  }

  private changeSeats(state: LifeState, probability: number, upShare: number): boolean {
    const { rng } = this;
    if (!rng.chance(probability)) return false;
    if (state.seats === 1 || rng.chance(upShare)) state.seats = this.moreSeats(state.seats);
    else state.seats = Math.max(1, state.seats - rng.int(1, Math.max(1, Math.floor(state.seats / 5))));
    return true;
  }

  private switchPlan(state: LifeState, planKey: PlanKey, seats: number): true {
    state.planKey = planKey;
    state.seats = seats;
    return true;
  }

  /** Upgrades and added seats during a cycle (prorated); true when the state changed. */
  private midCycleChange(state: LifeState): boolean {
    const { rng } = this;
    switch (state.planKey) {
      case 'starter-monthly':
        return rng.chance(0.018) && this.switchPlan(state, 'pro-monthly', rng.int(2, 5));
      case 'pro-monthly':
        if (rng.chance(0.006)) return this.switchPlan(state, 'business-monthly', state.seats);
        return this.changeSeats(state, 0.03, 1);
      case 'pro-quarterly':
        return this.changeSeats(state, 0.06, 1);
      case 'pro-annual':
        if (rng.chance(0.05)) return this.switchPlan(state, 'business-annual', state.seats);
        return this.changeSeats(state, 0.2, 1);
      case 'business-monthly':
        return this.changeSeats(state, 0.04, 1);
      case 'business-annual':
        return this.changeSeats(state, 0.25, 1);
      default:
        return false;
    }
  }

  /** Seat changes (both ways) and downgrades, which take effect at a renewal. */
  private renewalChange(state: LifeState): void {
    const { rng } = this;
    switch (state.planKey) {
      case 'pro-monthly':
        if (state.seats <= 3 && rng.chance(0.006)) this.switchPlan(state, 'starter-monthly', 1);
        else this.changeSeats(state, 0.04, 0.6);
        return;
      case 'business-monthly':
        if (rng.chance(0.006)) this.switchPlan(state, 'pro-monthly', state.seats);
        else this.changeSeats(state, 0.04, 0.6);
        return;
      case 'pro-quarterly':
        this.changeSeats(state, 0.08, 0.6);
        return;
      case 'pro-annual':
        this.changeSeats(state, 0.3, 0.7);
        return;
      case 'business-annual':
        if (rng.chance(0.04)) this.switchPlan(state, 'pro-annual', state.seats);
        else this.changeSeats(state, 0.3, 0.7);
        return;
      default:
        return;
    }
  }

  /**
   * Add-ons sold to a paying customer: Analytics to Pro and Business customers, Priority
   * support to Business ones, each a subscription of its own, offered about once a month.
   */
  private crossSell(mainLife: SubscriptionLife): void {
    const { rng, ctx } = this;
    const parentEnd = parentEndOf(mainLife);
    const firstPaid = mainLife.segments.find((segment) => segment.kind === 'paid');
    if (!firstPaid) return;
    const stop = parentEnd ? parentEnd.lastStart : addDays(ctx.asOf, 1);
    const offers: readonly { readonly product: DemoProduct; readonly probability: number; readonly eligible: (key: PlanKey) => boolean }[] = [
      { product: 'analytics', probability: 0.02, eligible: (key) => key !== 'starter-monthly' },
      { product: 'support', probability: 0.008, eligible: (key) => key.startsWith('business') },
    ];
    for (const offer of offers) {
      let busyUntil = firstPaid.start;
      for (let day = addDays(firstPaid.start, rng.int(10, 40)); day < stop && day <= ctx.asOf; day = addDays(day, rng.int(25, 35))) {
        if (day < busyUntil) continue;
        const segment = mainLife.segments.find((candidate) => candidate.kind === 'paid' && candidate.start <= day && day < candidate.end);
        if (!segment || !offer.eligible(segment.terms.planKey) || !rng.chance(offer.probability)) continue;
        const annual = segment.terms.planKey.endsWith('annual') && rng.chance(0.5);
        const planKey: PlanKey = offer.product === 'support' ? 'support-monthly' : annual ? 'analytics-annual' : 'analytics-monthly';
        const subscription = this.newSubscription(demoPlan(planKey), 0);
        const state: LifeState = { planKey, seats: 1, discountPercent: 0, discountDuration: null, discountCyclesLeft: 0 };
        const life = this.simulateLife({ subscription, state, start: day, trial: false, converts: true, main: false, parentEnd });
        subscription.lives.push(life);
        if (life.end.kind !== 'cancelled' && life.end.kind !== 'lapsed') break;
        const last = life.segments[life.segments.length - 1];
        busyUntil = addDays(life.end.kind === 'cancelled' ? life.end.effectiveAt.day : (last?.end ?? day), 60);
      }
    }
  }
}

function parentEndOf(life: SubscriptionLife): ParentEnd | null {
  const end = life.end;
  const last = life.segments[life.segments.length - 1];
  if (!last) return null;
  switch (end.kind) {
    case 'active':
      return null;
    case 'lapsed':
      return { kind: 'lapsed', day: last.end, lastStart: last.end, requestedAt: null, effectiveAt: null };
    case 'paused':
      return { kind: 'paused', day: end.at.day, lastStart: end.at.day, requestedAt: end.at, effectiveAt: end.at };
    case 'cancelled':
      return { kind: 'cancelled', day: end.effectiveAt.day, lastStart: end.requestedAt.day, requestedAt: end.requestedAt, effectiveAt: end.effectiveAt };
  }
}

/** Days between a lead's creation and its first subscription. */
function purchaseDelay(rng: SeededRandom): number {
  const draw = rng.float();
  if (draw < 0.6) return 0;
  if (draw < 0.88) return rng.int(1, 14);
  return rng.int(15, 60);
}

export function customerStory(ctx: DemoContext, index: number): CustomerStory {
  const rng = SeededRandom.forStream(ctx.seed, STREAM_CUSTOMERS, index);
  const profile = demoProfile(rng);
  const createdAt = signupDay(ctx, index, rng);
  const billing: BillingStyle = rng.chance(EVENTS_SHARE) ? 'subscription_events' : 'invoice_lines';
  const number = pad(index + 1, ctx.idWidth);
  const customer: DemoCustomer = { id: `cus_${number}`, number, createdAt, ...profile };
  const builder = new StoryBuilder(ctx, rng, customer, billing);
  let start = addDays(createdAt, purchaseDelay(rng));
  let previousMain: SubscriptionStory | null = null;
  for (let tenureIndex = 0; tenureIndex < MAX_TENURES && start <= ctx.asOf; tenureIndex++) {
    const { outcome, main } = builder.tenure(start, tenureIndex, previousMain);
    previousMain = main;
    if (outcome.kind === 'running') break;
    if (!rng.chance(outcome.paid ? REACTIVATION_AFTER_CHURN : RETURN_AFTER_FAILED_TRIAL)) break;
    start = addDays(outcome.lastDay, outcome.paid ? rng.int(45, 400) : rng.int(30, 200));
  }
  return { index, customer, billing, subscriptions: builder.subscriptions };
}
