/**
 * ChartMogul subscription events → canonical subscription events, and cancellations of
 * invoice-billed subscriptions.
 *
 * ChartMogul takes MRR from invoices and uses its events for committed MRR: a subscription that
 * has line items keeps its MRR from them, so only a cancellation event changes it (it becomes
 * the `cancelled_at` of one of its lines); start and update events of such a subscription are
 * counted as excluded. A subscription known only from events is event style in Runrate.
 * Retractions remove the event they retract; a scheduled event that the immediate event of the
 * same kind and day follows is the same change announced twice, so only the immediate one stays.
 */
import type { Moment, SubscriptionEvent, SubscriptionEventType } from '../../engine/model.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import { ownString } from '../string-pool.js';
import { Fields, REQUIRED, subtractCents } from './chart-mogul-fields.js';
import type { ChartMogulImportContext } from './chart-mogul-import-context.js';
import type { RawObject, Where } from './collect-chart-mogul-objects.js';
import type { ChartMogulCatalog } from './map-chart-mogul-catalog.js';
import { resolvePlan, type MutableInvoiceLine } from './map-chart-mogul-invoices.js';

type Kind = 'start' | 'change' | 'cancel';

const EVENT_MEANINGS = {
  subscription_start: { kind: 'start', scheduled: false },
  subscription_start_scheduled: { kind: 'start', scheduled: true },
  subscription_updated: { kind: 'change', scheduled: false },
  subscription_update_scheduled: { kind: 'change', scheduled: true },
  subscription_cancelled: { kind: 'cancel', scheduled: false },
  subscription_cancellation_scheduled: { kind: 'cancel', scheduled: true },
  scheduled_subscription_start_retracted: { retracts: 'start' },
  scheduled_subscription_update_retracted: { retracts: 'change' },
  scheduled_subscription_cancellation_retracted: { retracts: 'cancel' },
  subscription_event_retracted: { retracts: 'any' },
} as const satisfies Record<string, { kind: Kind; scheduled: boolean } | { retracts: Kind | 'any' }>;

type EventType = keyof typeof EVENT_MEANINGS;
const EVENT_TYPES = Object.keys(EVENT_MEANINGS) as EventType[];

const CANONICAL_TYPE: Readonly<Record<Kind, SubscriptionEventType>> = { start: 'start', change: 'change', cancel: 'cancel' };

interface ParsedEvent {
  readonly eventId: string;
  /** ChartMogul's own numeric id, which `retracted_event_id` may name. */
  readonly chartMogulId: string | null;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly kind: Kind;
  readonly scheduled: boolean;
  readonly effectiveAt: Moment;
  readonly requestedAt: Moment | null;
  readonly planId: string | null;
  readonly amount: number | null;
  readonly quantity: number;
  readonly currency: CurrencyCode | null;
  readonly where: Where;
  readonly order: number;
  dropped: boolean;
}

interface Retraction {
  readonly eventId: string;
  readonly retracts: Kind | 'any';
  readonly retractedEventId: string | null;
  readonly subscriptionId: string | null;
  readonly eventDate: Moment | null;
  readonly where: Where;
  readonly fields: Fields;
  readonly order: number;
}

const MS_PER_DAY = 86_400_000;

/** Milliseconds since the epoch, a date being its UTC midnight: orders moments of one import. */
function instantKey(moment: Moment): number {
  return moment.kind === 'date' ? moment.date * MS_PER_DAY : moment.instant;
}

function utcDay(moment: Moment): number {
  return Math.floor(instantKey(moment) / MS_PER_DAY);
}

function resolveCustomer(fields: Fields, defaults: RawObject['defaults'], catalog: ChartMogulCatalog): string {
  const external = fields.id('customer_external_id') ?? fields.id('data_source_customer_external_id') ?? defaults.customerExternalId;
  if (external !== null) return external;
  const uuid = fields.id('customer_uuid') ?? defaults.customerUuid;
  if (uuid !== null) return catalog.customerIdByUuid.get(uuid) ?? uuid;
  return fields.fail('customer_external_id', REQUIRED);
}

export function mapChartMogulEvents(
  objects: readonly RawObject[],
  catalog: ChartMogulCatalog,
  lines: readonly MutableInvoiceLine[],
  context: ChartMogulImportContext,
): SubscriptionEvent[] {
  const events: ParsedEvent[] = [];
  const retractions: Retraction[] = [];
  const eventIds = new Map<string, Where>();
  let order = 0;

  for (const raw of objects) {
    if (raw.kind !== 'subscription_event') continue;
    context.countObject('subscription_event');
    const fields = new Fields(raw.value, raw.where.path);
    const parsed = context.attempt(raw.where, (): ParsedEvent | Retraction => {
      const meaning: (typeof EVENT_MEANINGS)[EventType] = EVENT_MEANINGS[fields.requiredOneOf('event_type', EVENT_TYPES)];
      const chartMogulId = fields.id('id');
      const eventId = fields.id('external_id') ?? chartMogulId ?? fields.fail('external_id', REQUIRED);
      if ('retracts' in meaning) {
        const retractedEventId = fields.id('retracted_event_id');
        const subscriptionId = fields.id('subscription_external_id');
        if (retractedEventId === null && (meaning.retracts === 'any' || subscriptionId === null)) fields.fail('retracted_event_id', `${REQUIRED} to tell which event is retracted`);
        return { eventId, retracts: meaning.retracts, retractedEventId, subscriptionId, eventDate: fields.moment('event_date'), where: raw.where, fields, order: order++ };
      }
      const customerId = resolveCustomer(fields, raw.defaults, catalog);
      const subscriptionId = fields.requiredId('subscription_external_id');
      const effectiveAt = fields.requiredMoment('effective_date');
      const requestedAt = fields.moment('event_date');
      const priced = meaning.kind !== 'cancel';
      const currency = priced ? fields.requiredCurrency('currency') : fields.currency('currency');
      const cents = priced ? fields.requiredCents('amount_in_cents') : fields.cents('amount_in_cents');
      const tax = fields.cents('tax_amount_in_cents') ?? 0;
      const amount = cents === null ? null : subtractCents(fields, 'tax_amount_in_cents', cents, tax);
      return {
        eventId,
        chartMogulId,
        customerId,
        subscriptionId,
        kind: meaning.kind,
        scheduled: meaning.scheduled,
        effectiveAt,
        requestedAt,
        planId: resolvePlan(fields, catalog, context),
        // A cancellation's amount says nothing Runrate uses.
        amount: priced ? amount : null,
        quantity: fields.integer('quantity', { min: 0 }) ?? 1,
        currency: priced ? currency : null,
        where: raw.where,
        order: order++,
        dropped: false,
      };
    });
    if (parsed === null) continue;
    if (!context.claim(eventIds, parsed.eventId, raw.where, fields.has('external_id') ? fields.at('external_id') : fields.at('id'), 'subscription event id')) continue;
    if ('retracts' in parsed) retractions.push(parsed);
    else events.push(parsed);
  }

  applyRetractions(events, retractions, context);
  dropAnnouncedTwice(events, context);

  const billed = new Map<string, MutableInvoiceLine[]>();
  for (const line of lines) {
    if (line.type === 'one_time' || line.subscriptionId === null) continue;
    const list = billed.get(line.subscriptionId);
    if (list) list.push(line);
    else billed.set(line.subscriptionId, [line]);
  }

  const result: SubscriptionEvent[] = [];
  for (const event of events) {
    if (event.dropped) continue;
    const subscriptionLines = billed.get(event.subscriptionId);
    if (subscriptionLines !== undefined) {
      if (event.kind === 'cancel') cancelBilledSubscription(event, subscriptionLines, context);
      else context.exclude('start or update event of an invoice-billed subscription (its MRR comes from its invoices)');
      continue;
    }
    result.push({
      eventId: ownString(event.eventId),
      customerId: context.pool.intern(event.customerId),
      subscriptionId: context.pool.intern(event.subscriptionId),
      type: CANONICAL_TYPE[event.kind],
      effectiveAt: event.effectiveAt,
      requestedAt: event.requestedAt,
      planId: context.pool.internOrNull(event.planId),
      amount: event.amount,
      unitAmount: null,
      quantity: event.quantity,
      discount: 0,
      discountDuration: null,
      currency: event.currency,
      interval: null,
      paidThrough: null,
      source: { file: event.where.file, line: event.where.line },
    });
  }
  return result;
}

/** Each retraction removes the event it names, or the latest scheduled one of its kind. */
function applyRetractions(events: ParsedEvent[], retractions: Retraction[], context: ChartMogulImportContext): void {
  const sorted = [...retractions].sort((a, b) => (a.eventDate ? instantKey(a.eventDate) : 0) - (b.eventDate ? instantKey(b.eventDate) : 0) || a.order - b.order);
  for (const retraction of sorted) {
    let target: ParsedEvent | null = null;
    for (const event of events) {
      if (event.dropped) continue;
      const matches =
        retraction.retractedEventId !== null
          ? event.eventId === retraction.retractedEventId || event.chartMogulId === retraction.retractedEventId
          : event.subscriptionId === retraction.subscriptionId &&
            event.scheduled &&
            event.kind === retraction.retracts &&
            (retraction.eventDate === null || event.requestedAt === null || instantKey(event.requestedAt) <= instantKey(retraction.eventDate));
      if (!matches) continue;
      if (target === null || (event.requestedAt ? instantKey(event.requestedAt) : 0) >= (target.requestedAt ? instantKey(target.requestedAt) : 0)) target = event;
    }
    if (target === null) {
      const what =
        retraction.retractedEventId !== null
          ? `event ${JSON.stringify(retraction.retractedEventId)}`
          : `a scheduled ${retraction.retracts === 'change' ? 'update' : retraction.retracts === 'cancel' ? 'cancellation' : 'start'} of subscription ${JSON.stringify(retraction.subscriptionId)}`;
      context.reject(
        retraction.where,
        retraction.retractedEventId !== null ? retraction.fields.at('retracted_event_id') : retraction.fields.at('event_type'),
        `retracts ${what}, which is not among the subscription events read`,
      );
      continue;
    }
    target.dropped = true;
    context.exclude('retracted subscription event');
  }
}

function dropAnnouncedTwice(events: ParsedEvent[], context: ChartMogulImportContext): void {
  const immediate = new Set<string>();
  const key = (event: ParsedEvent) => `${event.kind} ${utcDay(event.effectiveAt)} ${event.subscriptionId}`;
  for (const event of events) if (!event.dropped && !event.scheduled) immediate.add(key(event));
  for (const event of events) {
    if (event.dropped || !event.scheduled || !immediate.has(key(event))) continue;
    event.dropped = true;
    context.exclude('scheduled event followed by the same change taking effect');
  }
}

/**
 * The cancellation goes on the line in force when it takes effect (the latest one starting on
 * or before it), so that `churnRecognition: period-end` finds the paid period it ends.
 */
function cancelBilledSubscription(event: ParsedEvent, lines: MutableInvoiceLine[], context: ChartMogulImportContext): void {
  const effective = instantKey(event.effectiveAt);
  const open = lines.filter((line) => line.cancelledAt === null && line.serviceStart !== null);
  const startKey = (line: MutableInvoiceLine) => instantKey(line.serviceStart!);
  const before = open.filter((line) => startKey(line) <= effective);
  const pick = (candidates: MutableInvoiceLine[], latest: boolean) =>
    candidates.reduce<MutableInvoiceLine | null>((best, line) => {
      if (best === null) return line;
      const difference = startKey(line) - startKey(best) || (line.lineId < best.lineId ? -1 : line.lineId > best.lineId ? 1 : 0);
      return (latest ? difference > 0 : difference < 0) ? line : best;
    }, null);
  const line = before.length > 0 ? pick(before, true) : pick(open, false);
  if (line === null) {
    context.exclude('cancellation of a subscription whose line items are all cancelled already');
    return;
  }
  line.cancelledAt = event.effectiveAt;
  line.cancelRequestedAt = event.requestedAt;
}
