/**
 * Turns `--segment key=value` and `--group-by DIM` into the engine's segment views of a computed
 * source, and answers the drill-down queries (`movements`, `customers`) on those views.
 */
import type { CalendarDate } from '../engine/calendar/calendar-date.js';
import type { EngineConfig } from '../engine/config.js';
import type { Plan } from '../engine/model.js';
import type { Movement, MovementType } from '../engine/movement.js';
import { periodContaining, type Interval } from '../engine/report/period.js';
import { customerSummaries, type CustomerStatus, type CustomerSummary } from '../engine/report/customer-summary.js';
import { inMrrBand, isDimension, segmentViews, type Dimension, type SegmentContext, type SegmentFilter, type View } from '../engine/report/segment-view.js';
import { pointOn } from '../engine/report/point-on.js';
import type { ReportRange } from '../engine/report/mrr-report.js';
import { UsageError } from './errors.js';
import type { ComputedSource } from './load-dataset-source.js';

export interface ViewRequest {
  /** `key=value` texts as given on the command line. */
  readonly segments: readonly string[];
  readonly groupBy: string | null;
}

export const DIMENSION_HELP = 'country, plan, product, currency, mrr_band or attr.KEY';

export function parseSegments(texts: readonly string[]): SegmentFilter[] {
  return texts.map((text) => {
    const match = /^([^=]+)=(.*)$/.exec(text);
    if (!match) throw new UsageError(`--segment: "${text}" is not key=value (keys: ${DIMENSION_HELP})`);
    const dimension = match[1]!.trim();
    const value = match[2]!.trim();
    if (!isDimension(dimension)) throw new UsageError(`--segment: "${dimension}" is not a dimension (${DIMENSION_HELP})`);
    if (dimension === 'mrr_band' && inMrrBand(0, value, 'USD' as never) === null) {
      throw new UsageError(`--segment: mrr_band "${value}" is not a band such as 0, 1000-5000 or 10000+ (major units)`);
    }
    return { dimension, value };
  });
}

export function parseGroupBy(text: string | null): Dimension | null {
  if (text === null) return null;
  if (!isDimension(text)) throw new UsageError(`--group-by: "${text}" is not a dimension (${DIMENSION_HELP})`);
  return text;
}

export function segmentContext(source: ComputedSource): SegmentContext {
  const customers = source.customers.rows;
  const plans = new Map<string, Plan>(source.plans.map((plan) => [plan.planId, plan]));
  const currentMrr = new Map<string, number>();
  for (const movement of source.result.movements) if (movement.date <= source.config.asOf) currentMrr.set(movement.customerId, movement.customerMrr);
  return { customers, plans, currentMrr, currency: source.config.currency };
}

/**
 * The range of a report: `from` defaults to the start of the period of the business's first
 * movement, for every group alike, so that grouped reports have the same periods row for row.
 */
export function reportRange(source: ComputedSource, interval: Interval, from: CalendarDate | null, to: CalendarDate | null): ReportRange {
  return rangeFrom(source.config, source.result.movements[0]?.date ?? null, interval, from, to);
}

export function rangeFrom(config: EngineConfig, firstMovement: CalendarDate | null, interval: Interval, from: CalendarDate | null, to: CalendarDate | null): ReportRange {
  return {
    interval,
    weekStartsOn: config.weekStartsOn,
    from: from ?? (firstMovement !== null ? periodContaining(firstMovement, interval, config.weekStartsOn).first : null),
    to,
    asOf: config.asOf,
  };
}

export function viewsFor(source: ComputedSource, request: ViewRequest): View[] {
  return segmentViews(source.result, parseSegments(request.segments), parseGroupBy(request.groupBy), segmentContext(source));
}

export interface MovementQuery {
  readonly from: CalendarDate | null;
  readonly to: CalendarDate | null;
  readonly customer: string | null;
  readonly types: readonly MovementType[] | null;
  /** Only customers paying (within the view) on this day: the retained base of NRR and GRR. */
  readonly payingOn: CalendarDate | null;
}

/** The movements (of a view, or one customer's read from the store) that the query selects. */
export function queryMovements(movements: readonly Movement[], query: MovementQuery): Movement[] {
  let paying: Set<string> | null = null;
  if (query.payingOn !== null) {
    const mrr = new Map<string, number>();
    for (const movement of movements) if (movement.date <= query.payingOn) mrr.set(movement.customerId, movement.customerMrr);
    paying = new Set([...mrr].filter(([, value]) => value > 0).map(([customerId]) => customerId));
  }
  return movements.filter(
    (m) =>
      (query.from === null || m.date >= query.from) &&
      (query.to === null || m.date <= query.to) &&
      (query.customer === null || m.customerId === query.customer) &&
      (query.types === null || query.types.includes(m.type)) &&
      (paying === null || paying.has(m.customerId)),
  );
}

export interface CustomerQuery {
  /** The day whose MRR is shown (default asOf). */
  readonly on: CalendarDate | null;
  readonly status: CustomerStatus | null;
  /** Only the customers of this cohort (the period label of their first `new`). */
  readonly cohort: { readonly label: string; readonly interval: Interval } | null;
  /** Only customers paying (within the view) on this day: the base of nrr_12m. */
  readonly payingOn?: CalendarDate | null;
}

/** `segmented`: the request had a segment or a grouping (customers outside it are not listed). */
export function queryCustomers(source: ComputedSource, view: View, query: CustomerQuery, segmented: boolean): CustomerSummary[] {
  const day = query.on ?? source.config.asOf;
  const movements = view.movements.filter((m) => m.date <= day);
  // Subscriptions in force on the day, within the view.
  const timelines = source.result.timelines.map((timeline) => {
    const point = pointOn(timeline.points, day);
    const inView = point !== null && point.mrr > 0 && view.includes(timeline, day);
    return { ...timeline, points: inView ? [point] : [] };
  });
  const inView = new Set(view.movements.map((m) => m.customerId));
  let summaries = customerSummaries(source.customers, movements, timelines);
  // A segment lists the customers it has ever held; the whole business lists everyone.
  if (segmented) summaries = summaries.filter((s) => inView.has(s.customerId));
  if (query.status !== null) summaries = summaries.filter((s) => s.status === query.status);
  if (query.payingOn !== undefined && query.payingOn !== null) {
    const payingOn = query.payingOn;
    const mrr = new Map<string, number>();
    for (const movement of view.movements) if (movement.date <= payingOn) mrr.set(movement.customerId, movement.customerMrr);
    summaries = summaries.filter((s) => (mrr.get(s.customerId) ?? 0) > 0);
  }
  if (query.cohort !== null) {
    const { label, interval } = query.cohort;
    const firstNew = new Map<string, CalendarDate>();
    for (const movement of view.movements) if (movement.type === 'new' && !firstNew.has(movement.customerId)) firstNew.set(movement.customerId, movement.date);
    summaries = summaries.filter((s) => {
      const date = firstNew.get(s.customerId);
      return date !== undefined && periodContaining(date, interval, source.config.weekStartsOn).label === label;
    });
  }
  return summaries;
}

