/**
 * Writes a customer story as subscription events, the way webhook-driven systems and
 * ChartMogul's import describe subscriptions: `start` (amount 0 for a trial), `change` when the
 * terms change (conversion, upgrade, seats, discount ended, price rise), `pause` and `resume`,
 * and `cancel` with its request and paid-through dates. Renewals on unchanged terms write nothing.
 */
import type { CalendarDate } from '../../engine/calendar/calendar-date.js';
import { netAmount, sameTerms, type CustomerStory, type Moment, type Segment, type SubscriptionStory, type Terms } from './customer-story.js';
import type { RowSink } from './csv-file-writer.js';
import type { DemoText } from './demo-text.js';
import { hash32 } from './seeded-random.js';

export const SUBSCRIPTION_EVENT_COLUMNS = [
  'event_id', 'customer_id', 'subscription_id', 'type', 'effective_at', 'requested_at', 'plan_id', 'amount', 'unit_amount',
  'quantity', 'discount', 'discount_duration', 'currency', 'interval_unit', 'interval_count', 'paid_through',
] as const;

type EventType = 'start' | 'change' | 'pause' | 'resume' | 'cancel';

/** Share of change and resume events written with `unit_amount` but no `amount`, which the reader derives. */
const AMOUNT_LEFT_OUT_PERCENT = 12;

/** Writes the story's subscription events; returns how many. */
export function writeSubscriptionEvents(story: CustomerStory, out: RowSink, text: DemoText): number {
  const { customer } = story;
  let events = 0;

  const write = (
    subscription: SubscriptionStory,
    type: EventType,
    effectiveAt: Moment,
    requestedAt: Moment | null,
    terms: Terms | null,
    options: { trial?: boolean; paidThrough?: CalendarDate | null } = {},
  ): void => {
    events++;
    const currency = subscription.currency;
    let amount = '';
    let unitAmount = '';
    if (terms && options.trial) {
      amount = text.money(0, currency);
    } else if (terms) {
      unitAmount = text.money(terms.unitAmount, currency);
      const leaveOut = type !== 'start' && hash32(story.index, events) % 100 < AMOUNT_LEFT_OUT_PERCENT;
      amount = leaveOut ? '' : text.money(netAmount(terms), currency);
    }
    const discounted = terms !== null && !options.trial && terms.discount !== 0;
    out.row([
      `evt_${customer.number}_${String(events).padStart(3, '0')}`,
      customer.id,
      subscription.id,
      type,
      text.moment(effectiveAt),
      requestedAt ? text.moment(requestedAt) : '',
      terms ? terms.planId : '',
      amount,
      unitAmount,
      terms ? String(terms.quantity) : '',
      discounted ? text.money(terms.discount, currency) : '',
      discounted ? (terms.discountDuration ?? '') : '',
      terms ? currency : '',
      terms ? subscription.intervalUnit : '',
      terms ? String(subscription.intervalCount) : '',
      options.paidThrough ? text.date(options.paidThrough) : '',
    ]);
  };

  for (const subscription of story.subscriptions) {
    for (const life of subscription.lives) {
      let previous: Segment | null = null;
      for (const segment of life.segments) {
        const trial = segment.kind === 'trial';
        if (!previous) {
          write(subscription, 'start', segment.at, null, segment.terms, { trial });
        } else if (segment.cause === 'resume') {
          if (segment.pausedAt) write(subscription, 'pause', segment.pausedAt, null, null);
          write(subscription, 'resume', segment.at, null, segment.terms);
        } else if (previous.kind !== segment.kind || !sameTerms(previous.terms, segment.terms)) {
          write(subscription, 'change', segment.at, null, segment.terms, { trial });
        }
        previous = segment;
      }
      const end = life.end;
      if (end.kind === 'cancelled') {
        const paidThrough = previous && previous.kind === 'paid' ? previous.cycleEnd : null;
        write(subscription, 'cancel', end.effectiveAt, end.requestedAt, null, { paidThrough });
      } else if (end.kind === 'paused') {
        write(subscription, 'pause', end.at, null, null);
      } else if (end.kind === 'lapsed' && previous) {
        // Events have no "not renewed": without a cancel the subscription would run forever.
        const at = { ...previous.at, day: previous.end };
        write(subscription, 'cancel', at, at, null, { paidThrough: previous.kind === 'paid' ? previous.cycleEnd : null });
      }
    }
  }
  return events;
}
