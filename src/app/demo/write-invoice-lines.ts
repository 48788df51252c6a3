/**
 * Writes a customer story as invoice lines, the way a billing system exports them: one line per
 * billing cycle (trial or paid), a pair of prorated lines for a mid-cycle change (a credit for
 * the unused time of the old terms and a charge for the remaining time of the new ones, both
 * over [change day, cycle end)), setup fees, credit notes, and the cancellation on the lines of
 * the last cycle.
 */
import type { CalendarDate } from '../../engine/calendar/calendar-date.js';
import { fullIntervalDays, netAmount, prorate, type CustomerStory, type Moment, type SubscriptionStory, type Terms } from './customer-story.js';
import type { RowSink } from './csv-file-writer.js';
import type { DemoText } from './demo-text.js';

export const INVOICE_LINE_COLUMNS = [
  'line_id', 'invoice_id', 'customer_id', 'subscription_id', 'plan_id', 'type', 'service_start', 'service_end', 'amount',
  'currency', 'quantity', 'discount', 'discount_duration', 'tax', 'prorated', 'cancelled_at', 'cancel_requested_at',
  'issued_at', 'event_order',
] as const;

type LineType = 'subscription' | 'trial' | 'one_time' | 'credit_note';

interface Line {
  readonly invoiceId: string;
  readonly subscription: SubscriptionStory;
  readonly planId: string;
  readonly type: LineType;
  readonly period: readonly [CalendarDate, CalendarDate] | null;
  readonly amount: number;
  readonly quantity: number | null;
  readonly discount: number;
  readonly discountDuration: string;
  readonly prorated: boolean;
  readonly cancellation: { readonly effectiveAt: Moment; readonly requestedAt: Moment } | null;
  readonly issuedAt: Moment;
  readonly eventOrder: number | null;
}

function vat(amount: number, percent: number): number {
  const magnitude = Math.floor((Math.abs(amount) * percent + 50) / 100);
  return amount < 0 ? -magnitude : magnitude;
}

function shifted(moment: Moment, days: number): Moment {
  return days === 0 ? moment : { ...moment, day: (moment.day - days) as CalendarDate };
}

/** Writes the story's invoice lines; returns how many. */
export function writeInvoiceLines(story: CustomerStory, out: RowSink, text: DemoText): number {
  const { customer } = story;
  let lines = 0;
  let invoices = 0;
  let creditNotes = 0;
  const nextInvoice = (): string => `in_${customer.number}_${String(++invoices).padStart(4, '0')}`;
  const nextCreditNote = (): string => `cn_${customer.number}_${String(++creditNotes).padStart(2, '0')}`;

  const write = (line: Line): void => {
    const currency = line.subscription.currency;
    lines++;
    out.row([
      `il_${customer.number}_${String(lines).padStart(4, '0')}`,
      line.invoiceId,
      customer.id,
      line.subscription.id,
      line.planId,
      line.type,
      line.period ? text.date(line.period[0]) : '',
      line.period ? text.date(line.period[1]) : '',
      text.money(line.amount, currency),
      currency,
      line.quantity === null ? '' : String(line.quantity),
      line.discount === 0 ? '' : text.money(line.discount, currency),
      line.discount === 0 ? '' : line.discountDuration,
      customer.vatPercent > 0 ? text.money(vat(line.amount, customer.vatPercent), currency) : '',
      line.prorated ? 'true' : 'false',
      line.cancellation ? text.moment(line.cancellation.effectiveAt) : '',
      line.cancellation ? text.moment(line.cancellation.requestedAt) : '',
      text.moment(line.issuedAt),
      line.eventOrder === null ? '' : String(line.eventOrder),
    ]);
  };

  for (const subscription of story.subscriptions) {
    let eventOrder = 0;
    let setupFeeDue = subscription.setupFee > 0;
    const cycleLine = (invoiceId: string, terms: Terms, type: LineType, period: readonly [CalendarDate, CalendarDate], amount: number, discount: number, prorated: boolean, cancellation: Line['cancellation'], issuedAt: Moment): void => {
      write({
        invoiceId, subscription, planId: terms.planId, type, period, amount, quantity: terms.quantity, discount,
        discountDuration: terms.discountDuration ?? '', prorated, cancellation, issuedAt, eventOrder: ++eventOrder,
      });
    };
    for (const life of subscription.lives) {
      const last = life.segments[life.segments.length - 1];
      const end = life.end;
      const cancellation = end.kind === 'cancelled' ? { effectiveAt: end.effectiveAt, requestedAt: end.requestedAt } : null;
      for (let index = 0; index < life.segments.length; index++) {
        const segment = life.segments[index];
        if (!segment) continue;
        const cycle = [segment.cycleStart, segment.cycleEnd] as const;
        const cancelled = cancellation !== null && segment.cycleStart === last?.cycleStart ? cancellation : null;
        const previous = life.segments[index - 1];
        if (segment.start === segment.cycleStart || !previous) {
          const invoiceId = nextInvoice();
          const issuedAt = shifted(segment.at, segment.invoicedDaysAhead);
          if (segment.kind === 'trial') {
            cycleLine(invoiceId, segment.terms, 'trial', cycle, 0, 0, false, cancelled, issuedAt);
          } else {
            cycleLine(invoiceId, segment.terms, 'subscription', cycle, netAmount(segment.terms), segment.terms.discount, false, cancelled, issuedAt);
            if (setupFeeDue) {
              setupFeeDue = false;
              write({
                invoiceId, subscription, planId: '', type: 'one_time', period: null, amount: subscription.setupFee, quantity: 1, discount: 0,
                discountDuration: '', prorated: false, cancellation: null, issuedAt, eventOrder: null,
              });
            }
          }
        } else {
          // A mid-cycle change, billed at once as Stripe does: both lines cover [change, cycle end).
          const invoiceId = nextInvoice();
          const period = [segment.start, segment.cycleEnd] as const;
          const days = segment.cycleEnd - segment.start;
          const fullDays = fullIntervalDays(subscription, segment.cycleEnd);
          const old = previous.terms;
          cycleLine(invoiceId, old, 'subscription', period, -prorate(netAmount(old), days, fullDays), -prorate(old.discount, days, fullDays), true, cancelled, segment.at);
          const now = segment.terms;
          cycleLine(invoiceId, now, 'subscription', period, prorate(netAmount(now), days, fullDays), prorate(now.discount, days, fullDays), true, cancelled, segment.at);
        }
        if (segment.goodwillCredit) {
          write({
            invoiceId: nextCreditNote(), subscription, planId: '', type: 'credit_note', period: null, amount: segment.goodwillCredit.amount,
            quantity: null, discount: 0, discountDuration: '', prorated: false, cancellation: null, issuedAt: segment.goodwillCredit.at, eventOrder: null,
          });
        }
      }
      if (end.kind === 'cancelled' && end.refund !== 0 && last) {
        // The refund of the unused part of the cycle cancelled at once.
        write({
          invoiceId: nextCreditNote(), subscription, planId: last.terms.planId, type: 'credit_note', period: [end.effectiveAt.day, last.cycleEnd],
          amount: end.refund, quantity: last.terms.quantity, discount: 0, discountDuration: '', prorated: false, cancellation: null,
          issuedAt: end.effectiveAt, eventOrder: null,
        });
      }
    }
  }
  return lines;
}
