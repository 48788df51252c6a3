/**
 * A subscription's MRR timeline from its events (mrr-rules.md §4, docs/rules.md): start,
 * change, cancel, pause and resume, applied in `effective_at` order. Invalid sequences are
 * rejected per row; the rest of the subscription is kept.
 */
import { type CalendarDate } from '../calendar/calendar-date.js';
import { momentDate, momentSortKey } from '../calendar/moment-date.js';
import type { EngineConfig } from '../config.js';
import type { BillingInterval, Plan, SubscriptionEvent } from '../model.js';
import type { RejectedRow } from '../movement.js';
import { multiply, ratio, ZERO, type Ratio } from '../money/ratio.js';
import { monthlyFactor } from './monthly-factor.js';
import {
  combineContributions,
  compactPoints,
  compareStrings,
  zeroState,
  type SubscriptionState,
  type TimelineResult,
} from './subscription-state.js';

type Status = 'none' | 'active' | 'paused' | 'cancelled';

interface Assignment {
  readonly date: CalendarDate;
  readonly state: SubscriptionState;
}

function reject(event: SubscriptionEvent, column: string, message: string): RejectedRow {
  return { file: event.source.file, line: event.source.line, column, message };
}

/** The state an event with an amount sets, under the `discounts` policy. */
function amountState(
  event: SubscriptionEvent,
  plans: ReadonlyMap<string, Plan>,
  config: EngineConfig,
  effective: CalendarDate,
): SubscriptionState {
  const interval: BillingInterval = event.interval ?? (event.planId !== null ? plans.get(event.planId)?.interval : undefined) ?? { unit: 'month', count: 1 };
  const factor = monthlyFactor(interval);
  const amount = event.amount ?? 0;
  const list = event.unitAmount !== null ? event.unitAmount * event.quantity : amount + event.discount;
  const keepsDiscount = config.discounts === 'net' || (config.discounts === 'forever-only' && event.discountDuration === 'forever');
  const counted = keepsDiscount ? amount : amount + event.discount;
  const scaled = (minor: number): Ratio => multiply(ratio(BigInt(minor)), factor);
  return combineContributions(
    [
      {
        planId: event.planId,
        quantity: event.quantity,
        mrr: scaled(counted),
        listMrr: scaled(list),
        discount: scaled(keepsDiscount ? event.discount : 0),
        listMrrTolerance: ZERO,
        sourceId: event.eventId,
      },
    ],
    effective,
  ).state;
}

/** One run of a subscription from a `start` to its cancellation (if any). */
interface Life {
  readonly start: CalendarDate;
  readonly assignments: Assignment[];
  cancel: Assignment | null;
}

export function eventTimeline(
  events: readonly SubscriptionEvent[],
  plans: ReadonlyMap<string, Plan>,
  config: EngineConfig,
): TimelineResult {
  const zone = config.timezone;
  const ordered = [...events].sort((a, b) => {
    const [dayA, instantA] = momentSortKey(a.effectiveAt, zone);
    const [dayB, instantB] = momentSortKey(b.effectiveAt, zone);
    if (dayA !== dayB) return dayA - dayB;
    if (instantA !== instantB) return instantA < instantB ? -1 : 1;
    return compareStrings(a.eventId, b.eventId);
  });

  const rejects: RejectedRow[] = [];
  const lives: Life[] = [];
  let status: Status = 'none';
  let current: SubscriptionState = zeroState();
  let beforePause: SubscriptionState | null = null;

  for (const event of ordered) {
    const effective = momentDate(event.effectiveAt, zone);
    const life = lives.at(-1);
    switch (event.type) {
      case 'start': {
        if (status === 'active' || status === 'paused') {
          rejects.push(reject(event, 'type', `start of subscription ${event.subscriptionId}, which is already active`));
          continue;
        }
        current = amountState(event, plans, config, effective);
        lives.push({ start: effective, assignments: [{ date: effective, state: current }], cancel: null });
        status = 'active';
        beforePause = null;
        continue;
      }
      case 'change': {
        if (!life || status === 'cancelled') {
          rejects.push(reject(event, 'type', `change of subscription ${event.subscriptionId}, which is ${life ? 'cancelled' : 'not started'}`));
          continue;
        }
        const changed = amountState(event, plans, config, effective);
        if (status === 'paused') {
          // A change during a pause is what the resume restores; the MRR stays 0 meanwhile.
          beforePause = changed;
          continue;
        }
        current = changed;
        break;
      }
      case 'pause': {
        if (!life || status !== 'active') {
          rejects.push(reject(event, 'type', `pause of subscription ${event.subscriptionId}, which is ${status === 'paused' ? 'already paused' : life ? 'cancelled' : 'not started'}`));
          continue;
        }
        beforePause = current;
        current = zeroState([event.eventId], true);
        status = 'paused';
        break;
      }
      case 'resume': {
        if (!life || status !== 'paused') {
          rejects.push(reject(event, 'type', `resume of subscription ${event.subscriptionId}, which is not paused`));
          continue;
        }
        current =
          event.amount !== null
            ? amountState(event, plans, config, effective)
            : { ...beforePause!, rateDate: effective, sources: [event.eventId] };
        beforePause = null;
        status = 'active';
        break;
      }
      case 'cancel': {
        if (!life || status === 'cancelled') {
          rejects.push(reject(event, 'type', `cancel of subscription ${event.subscriptionId}, which is ${life ? 'already cancelled' : 'not started'}`));
          continue;
        }
        const chosen =
          config.churnRecognition === 'cancel-requested' && event.requestedAt
            ? event.requestedAt
            : config.churnRecognition === 'period-end' && event.paidThrough
              ? event.paidThrough
              : event.effectiveAt;
        // A request made before the life began cannot end it before its start.
        const date = Math.max(momentDate(chosen, zone), life.start) as CalendarDate;
        life.cancel = { date, state: zeroState([event.eventId]) };
        status = 'cancelled';
        beforePause = null;
        continue;
      }
    }
    life!.assignments.push({ date: effective, state: current });
  }

  return { points: compactPoints(resolveLives(lives)), warnings: [], rejects };
}

/**
 * Turns lives into stretches. A cancellation holds the MRR at 0 from its date, even over later
 * events of its own life (a request before an upgrade took effect), until the next start.
 * Same-day assignments net: the last one of the day wins.
 */
function resolveLives(lives: readonly Life[]): Array<{ date: CalendarDate; state: SubscriptionState }> {
  const stretches: Array<{ date: CalendarDate; state: SubscriptionState }> = [];
  const put = (date: CalendarDate, state: SubscriptionState) => {
    while (stretches.length > 0 && stretches.at(-1)!.date >= date) stretches.pop();
    stretches.push({ date, state });
  };
  lives.forEach((life, index) => {
    const nextStart = lives[index + 1]?.start ?? Infinity;
    const end = Math.min(life.cancel?.date ?? Infinity, nextStart);
    for (const assignment of life.assignments) if (assignment.date < end) put(assignment.date, assignment.state);
    if (life.cancel && life.cancel.date <= nextStart) put(life.cancel.date, life.cancel.state);
  });
  return stretches;
}
