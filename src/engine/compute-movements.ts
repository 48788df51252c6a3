/**
 * The engine's entry point: from a canonical dataset and a resolved configuration, every
 * subscription's MRR timeline and every movement up to `asOf`. Pure: the same input gives the
 * same output whatever the order of rows, the machine or its time zone.
 */
import { assert } from './assert.js';
import type { CalendarDate } from './calendar/calendar-date.js';
import { momentSortKey } from './calendar/moment-date.js';
import type { EngineConfig } from './config.js';
import { customerMovements, type CustomerSubscription } from './customer/customer-movements.js';
import { reportingTimeline, type ReportingPoint } from './customer/reporting-timeline.js';
import { convertMinorUnits } from './fx/convert-minor-units.js';
import { RateTable } from './fx/rate-table.js';
import type { CurrencyCode } from './money/currency.js';
import type { Dataset, FxRate, InvoiceLine, Plan, SubscriptionEvent } from './model.js';
import type { DataWarning, Movement, RejectedRow } from './movement.js';
import { eventTimeline } from './subscription/event-timeline.js';
import { invoiceTimeline } from './subscription/invoice-timeline.js';
import { compareStrings, primaryPlan, type StatePoint } from './subscription/subscription-state.js';

/** A stretch of constant MRR: from `date` until the next point's date, or through `asOf`. */
export interface TimelinePoint {
  readonly date: CalendarDate;
  /** Native MRR, rounded once, in minor units of the subscription's currency. */
  readonly nativeMrr: number;
  /** MRR in minor units of the reporting currency. */
  readonly mrr: number;
  /** The plan carrying most of the MRR (null without plans): what plan segments go by. */
  readonly planId: string | null;
}

export interface SubscriptionTimeline {
  readonly subscriptionId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  /** Up to asOf, sorted by date; the first point is the first day with MRR; consecutive points differ. */
  readonly points: readonly TimelinePoint[];
  /**
   * Changes already in the data but dated after asOf (committed MRR, the forecast), converted at
   * the latest rate known for their rate date.
   */
  readonly scheduled: readonly TimelinePoint[];
  /** Every plan the subscription has been on. */
  readonly planIds: readonly string[];
}

export interface ComputeResult {
  /** Sorted by date, customer_id, subscription_id, type. */
  readonly movements: readonly Movement[];
  /** Sorted by customer_id, subscription_id. */
  readonly timelines: readonly SubscriptionTimeline[];
  /** Rows the engine could not apply (invalid event sequences, inconsistent subscriptions). */
  readonly rejects: readonly RejectedRow[];
  readonly warnings: readonly DataWarning[];
  /** The exchange rates the computation used (the dataset's, or the fallback history). */
  readonly rates: RateTable;
}

export interface ComputeOptions {
  /** Rates used when the dataset brings none (the bundled reference history). */
  readonly fallbackRates?: readonly FxRate[];
}

interface SubscriptionSource {
  readonly subscriptionId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly lines: InvoiceLine[];
  readonly events: SubscriptionEvent[];
}

export function compareMovements(a: Movement, b: Movement): number {
  return (
    a.date - b.date ||
    compareStrings(a.customerId, b.customerId) ||
    compareStrings(a.subscriptionId, b.subscriptionId) ||
    compareStrings(a.type, b.type)
  );
}

/**
 * Groups lines and events by subscription. A subscription has one customer and one currency,
 * those of its earliest row; rows that disagree are rejected rather than guessed at.
 */
function groupSubscriptions(dataset: Dataset, config: EngineConfig, rejects: RejectedRow[]): SubscriptionSource[] {
  const zone = config.timezone;
  const bySubscription = new Map<string, SubscriptionSource>();

  // Each subscription's rows are sorted on their own: the same order as one sort of every row
  // (the key is total), for far fewer comparisons than sorting a whole chunk at once.
  const mrrLines = dataset.invoiceLines.filter(
    (line) => (line.type === 'subscription' || line.type === 'trial') && line.subscriptionId !== null && line.serviceStart && line.serviceEnd,
  );
  for (const [id, lines] of groupedBy(mrrLines, (line) => line.subscriptionId!)) {
    for (const line of sortedBy(lines, (line) => momentSortKey(line.serviceStart!, zone), (line) => line.lineId)) {
      const source = bySubscription.get(id);
      if (!source) {
        bySubscription.set(id, { subscriptionId: id, customerId: line.customerId, currency: line.currency, lines: [line], events: [] });
        continue;
      }
      if (line.customerId !== source.customerId) {
        rejects.push(reject(line.source, 'customer_id', `subscription ${id} belongs to customer ${source.customerId}, not ${line.customerId}`));
      } else if (line.currency !== source.currency) {
        rejects.push(reject(line.source, 'currency', `subscription ${id} is billed in ${source.currency}, not ${line.currency}`));
      } else source.lines.push(line);
    }
  }

  const invoiceStyle = new Set(bySubscription.keys());
  for (const [id, events] of groupedBy(dataset.subscriptionEvents, (event) => event.subscriptionId)) {
    for (const event of sortedBy(events, (event) => momentSortKey(event.effectiveAt, zone), (event) => event.eventId)) {
      if (invoiceStyle.has(id)) {
        rejects.push(reject(event.source, 'subscription_id', `subscription ${id} is described by invoice lines; its events are not applied`));
        continue;
      }
      let source = bySubscription.get(id);
      if (!source) {
        if (event.currency === null) {
          rejects.push(reject(event.source, 'type', `${event.type} of subscription ${id}, which is not started`));
          continue;
        }
        source = { subscriptionId: id, customerId: event.customerId, currency: event.currency, lines: [], events: [] };
        bySubscription.set(id, source);
      }
      if (event.customerId !== source.customerId) {
        rejects.push(reject(event.source, 'customer_id', `subscription ${id} belongs to customer ${source.customerId}, not ${event.customerId}`));
      } else if (event.currency !== null && event.currency !== source.currency) {
        rejects.push(reject(event.source, 'currency', `subscription ${id} is billed in ${source.currency}, not ${event.currency}`));
      } else source.events.push(event);
    }
  }
  return [...bySubscription.values()].sort(
    (a, b) => compareStrings(a.customerId, b.customerId) || compareStrings(a.subscriptionId, b.subscriptionId),
  );
}

function groupedBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const id = key(row);
    const group = groups.get(id);
    if (group) group.push(row);
    else groups.set(id, [row]);
  }
  return groups;
}

/** Rows sorted by (day, instant) then id, each key computed once. */
function sortedBy<T>(rows: readonly T[], key: (row: T) => [number, number], id: (row: T) => string): T[] {
  if (rows.length < 2) return [...rows];
  const keyed = rows.map((row) => {
    const [day, instant] = key(row);
    return { row, day, instant, id: id(row) };
  });
  keyed.sort((a, b) => a.day - b.day || (a.instant === b.instant ? 0 : a.instant < b.instant ? -1 : 1) || compareStrings(a.id, b.id));
  return keyed.map((entry) => entry.row);
}

/**
 * Movements of all customers in the order of cli.md (date, customer, subscription, type). Each
 * customer's movements come out of the engine in (date, subscription, type) order and customers
 * are computed in id order, so a stable bucket sort by date is the whole sort.
 */
function orderByDate(perCustomer: readonly Movement[]): Movement[] {
  if (perCustomer.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const movement of perCustomer) {
    if (movement.date < first) first = movement.date;
    if (movement.date > last) last = movement.date;
  }
  const counts = new Int32Array(last - first + 2);
  for (const movement of perCustomer) counts[movement.date - first + 1]!++;
  for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
  const ordered = new Array<Movement>(perCustomer.length);
  for (const movement of perCustomer) ordered[counts[movement.date - first]!++] = movement;
  return ordered;
}

function reject(source: { file: string; line: number }, column: string, message: string): RejectedRow {
  return { file: source.file, line: source.line, column, message };
}

export function computeMovements(dataset: Dataset, config: EngineConfig, options: ComputeOptions = {}): ComputeResult {
  const rejects: RejectedRow[] = [];
  const warnings: DataWarning[] = [];
  const plans = new Map<string, Plan>(dataset.plans.map((plan) => [plan.planId, plan]));
  const rates = new RateTable(dataset.fxRates.length > 0 ? dataset.fxRates : (options.fallbackRates ?? []));

  const subscriptions = groupSubscriptions(dataset, config, rejects);
  const timelines: SubscriptionTimeline[] = [];
  const movements: Movement[] = [];

  for (let start = 0; start < subscriptions.length; ) {
    const customerId = subscriptions[start]!.customerId;
    let end = start;
    while (end < subscriptions.length && subscriptions[end]!.customerId === customerId) end++;
    const forCustomer: CustomerSubscription[] = [];
    for (let index = start; index < end; index++) {
      const source = subscriptions[index]!;
      const result =
        source.lines.length > 0
          ? invoiceTimeline(source.subscriptionId, customerId, source.lines, plans, config)
          : eventTimeline(source.events, plans, config);
      rejects.push(...result.rejects);
      warnings.push(...result.warnings.filter((warning) => warning.date === undefined || warning.date <= config.asOf));
      const points = reportingTimeline(result.points, source.currency, rates, config);
      forCustomer.push({ subscriptionId: source.subscriptionId, currency: source.currency, points });
      timelines.push({
        subscriptionId: source.subscriptionId,
        customerId,
        currency: source.currency,
        points: compactTimeline(points),
        scheduled: scheduledPoints(result.points, source.currency, rates, config, points.at(-1) ?? null),
        planIds: planIdsOf(result.points),
      });
    }
    for (const movement of customerMovements(customerId, forCustomer, config)) movements.push(movement);
    start = end;
  }

  const ordered = orderByDate(movements);
  // Dates are what the bucket sort orders; customers come in order by construction.
  assert(ordered.every((movement, i) => i === 0 || ordered[i - 1]!.date <= movement.date), 'movements out of date order');
  rejects.sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line || compareStrings(a.column, b.column));
  return { movements: ordered, timelines, rejects, warnings, rates };
}

/**
 * The states dated after asOf, in the reporting currency. Future days have no rates yet, so each
 * converts at the latest rate known on its rate date (carried forward).
 */
function scheduledPoints(
  states: readonly StatePoint[],
  currency: CurrencyCode,
  rates: RateTable,
  config: EngineConfig,
  lastReported: ReportingPoint | null,
): TimelinePoint[] {
  const result: TimelinePoint[] = [];
  let previous: { mrr: number; nativeMrr: number; planId: string | null } = lastReported
    ? { mrr: lastReported.mrr, nativeMrr: lastReported.state.mrr, planId: lastReported.mrr > 0 ? primaryPlan(lastReported.state) : null }
    : { mrr: 0, nativeMrr: 0, planId: null };
  for (const { date, state } of states) {
    if (date <= config.asOf) continue;
    let mrr = 0;
    if (state.mrr > 0) {
      const rateDay = config.fx.rateDate === 'fixed' && config.fx.fixedDate !== null ? config.fx.fixedDate : config.fx.rateDate === 'period-start' ? (state.rateDate ?? date) : date;
      mrr = convertMinorUnits(state.mrr, rates.requireRate(currency, config.currency, rateDay), currency, config.currency);
    }
    const planId = mrr > 0 ? primaryPlan(state) : null;
    if (mrr === previous.mrr && state.mrr === previous.nativeMrr && planId === previous.planId) continue;
    previous = { mrr, nativeMrr: state.mrr, planId };
    result.push({ date, nativeMrr: state.mrr, mrr, planId });
  }
  return result;
}

/** Every plan named by the points, sorted (one pass: this runs per subscription). */
function planIdsOf(points: readonly StatePoint[]): string[] {
  const ids = new Set<string>();
  for (const point of points) for (const item of point.state.items) if (item.planId !== null) ids.add(item.planId);
  return [...ids].sort(compareStrings);
}

function compactTimeline(points: readonly ReportingPoint[]): TimelinePoint[] {
  const result: TimelinePoint[] = [];
  for (const point of points) {
    const planId = point.mrr > 0 ? primaryPlan(point.state) : null;
    const previous = result.at(-1);
    if (previous ? previous.mrr === point.mrr && previous.nativeMrr === point.state.mrr && previous.planId === planId : point.mrr === 0) continue;
    result.push({ date: point.date, nativeMrr: point.state.mrr, mrr: point.mrr, planId });
  }
  return result;
}

