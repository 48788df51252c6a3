/**
 * The store's tables as typed columns, and the one mapping between canonical records and rows.
 * Both backends write and read through these definitions (their own DDL declares the same
 * columns, checked by the contract tests). Money and counts are BIGINT, dates DATE, instants
 * TIMESTAMPTZ: nothing passes through a float.
 */
import { assert } from '../engine/assert.js';
import type { CalendarDate } from '../engine/calendar/calendar-date.js';
import type { Instant } from '../engine/calendar/instant.js';
import type { SubscriptionTimeline, TimelinePoint } from '../engine/compute-movements.js';
import type { Customer, Dataset, FxRate, InvoiceLine, Moment, Plan, SubscriptionEvent } from '../engine/model.js';
import type { CurrencyCode } from '../engine/money/currency.js';
import { ratio } from '../engine/money/ratio.js';
import type { DataWarning, Movement, RejectedRow } from '../engine/movement.js';
import type { DerivedRows, SourceDocuments } from './store-port.js';

export type ColumnType = 'text' | 'bigint' | 'date' | 'instant' | 'boolean';

/** A cell: text, an integer (money, count, day number of a DATE, epoch ms of an instant), a boolean. */
export type Cell = string | number | boolean | null;

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
}

export interface TableDef<R> {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  toRow(record: R): Cell[];
  fromRow(cells: readonly Cell[]): R;
}

const text = (name: string): ColumnDef => ({ name, type: 'text' });
const bigint = (name: string): ColumnDef => ({ name, type: 'bigint' });
const date = (name: string): ColumnDef => ({ name, type: 'date' });
const instant = (name: string): ColumnDef => ({ name, type: 'instant' });
const boolean = (name: string): ColumnDef => ({ name, type: 'boolean' });
/** A date-or-instant value: two columns, one of them set. */
const moment = (name: string): ColumnDef[] => [date(`${name}_date`), instant(`${name}_instant`)];

function momentCells(value: Moment | null): [Cell, Cell] {
  if (value === null) return [null, null];
  return value.kind === 'date' ? [value.date, null] : [null, value.instant];
}

function momentOf(dateCell: Cell, instantCell: Cell): Moment | null {
  if (dateCell !== null) return { kind: 'date', date: dateCell as CalendarDate };
  if (instantCell !== null) return { kind: 'instant', instant: instantCell as Instant };
  return null;
}

const str = (cell: Cell): string => cell as string;
const strOrNull = (cell: Cell): string | null => (cell === null ? null : (cell as string));
const num = (cell: Cell): number => cell as number;
const numOrNull = (cell: Cell): number | null => (cell === null ? null : (cell as number));
const source = (file: Cell, line: Cell) => ({ file: str(file), line: num(line) });

export const CUSTOMERS: TableDef<Customer> = {
  name: 'customers',
  columns: [text('customer_id'), text('name'), text('email'), text('company'), text('country'), ...moment('created_at'), text('attributes'), text('source_file'), bigint('source_line')],
  toRow: (c) => [c.customerId, c.name, c.email, c.company, c.country, ...momentCells(c.createdAt), JSON.stringify(c.attributes), c.source.file, c.source.line],
  fromRow: (r) => ({
    customerId: str(r[0]!),
    name: strOrNull(r[1]!),
    email: strOrNull(r[2]!),
    company: strOrNull(r[3]!),
    country: strOrNull(r[4]!),
    createdAt: momentOf(r[5]!, r[6]!),
    attributes: JSON.parse(str(r[7]!)) as Record<string, string>,
    source: source(r[8]!, r[9]!),
  }),
};

export const PLANS: TableDef<Plan> = {
  name: 'plans',
  columns: [text('plan_id'), text('name'), text('interval_unit'), bigint('interval_count'), text('product'), text('source_file'), bigint('source_line')],
  toRow: (p) => [p.planId, p.name, p.interval.unit, p.interval.count, p.product, p.source.file, p.source.line],
  fromRow: (r) => ({
    planId: str(r[0]!),
    name: strOrNull(r[1]!),
    interval: { unit: str(r[2]!) as Plan['interval']['unit'], count: num(r[3]!) },
    product: strOrNull(r[4]!),
    source: source(r[5]!, r[6]!),
  }),
};

export const INVOICE_LINES: TableDef<InvoiceLine> = {
  name: 'invoice_lines',
  columns: [
    text('line_id'), text('invoice_id'), text('customer_id'), text('subscription_id'), text('plan_id'), text('type'),
    ...moment('service_start'), ...moment('service_end'), bigint('amount'), text('currency'), bigint('quantity'), bigint('discount'),
    text('discount_duration'), bigint('tax'), boolean('prorated'), ...moment('cancelled_at'), ...moment('cancel_requested_at'),
    ...moment('issued_at'), bigint('event_order'), text('source_file'), bigint('source_line'),
  ],
  toRow: (l) => [
    l.lineId, l.invoiceId, l.customerId, l.subscriptionId, l.planId, l.type, ...momentCells(l.serviceStart), ...momentCells(l.serviceEnd),
    l.amount, l.currency, l.quantity, l.discount, l.discountDuration, l.tax, l.prorated, ...momentCells(l.cancelledAt),
    ...momentCells(l.cancelRequestedAt), ...momentCells(l.issuedAt), l.eventOrder, l.source.file, l.source.line,
  ],
  fromRow: (r) => ({
    lineId: str(r[0]!),
    invoiceId: str(r[1]!),
    customerId: str(r[2]!),
    subscriptionId: strOrNull(r[3]!),
    planId: strOrNull(r[4]!),
    type: str(r[5]!) as InvoiceLine['type'],
    serviceStart: momentOf(r[6]!, r[7]!),
    serviceEnd: momentOf(r[8]!, r[9]!),
    amount: num(r[10]!),
    currency: str(r[11]!) as CurrencyCode,
    quantity: num(r[12]!),
    discount: num(r[13]!),
    discountDuration: strOrNull(r[14]!) as InvoiceLine['discountDuration'],
    tax: num(r[15]!),
    prorated: r[16] === null ? null : (r[16] as boolean),
    cancelledAt: momentOf(r[17]!, r[18]!),
    cancelRequestedAt: momentOf(r[19]!, r[20]!),
    issuedAt: momentOf(r[21]!, r[22]!),
    eventOrder: numOrNull(r[23]!),
    source: source(r[24]!, r[25]!),
  }),
};

export const SUBSCRIPTION_EVENTS: TableDef<SubscriptionEvent> = {
  name: 'subscription_events',
  columns: [
    text('event_id'), text('customer_id'), text('subscription_id'), text('type'), ...moment('effective_at'), ...moment('requested_at'),
    text('plan_id'), bigint('amount'), bigint('unit_amount'), bigint('quantity'), bigint('discount'), text('discount_duration'),
    text('currency'), text('interval_unit'), bigint('interval_count'), ...moment('paid_through'), text('source_file'), bigint('source_line'),
  ],
  toRow: (e) => [
    e.eventId, e.customerId, e.subscriptionId, e.type, ...momentCells(e.effectiveAt), ...momentCells(e.requestedAt), e.planId, e.amount,
    e.unitAmount, e.quantity, e.discount, e.discountDuration, e.currency, e.interval?.unit ?? null, e.interval?.count ?? null,
    ...momentCells(e.paidThrough), e.source.file, e.source.line,
  ],
  fromRow: (r) => ({
    eventId: str(r[0]!),
    customerId: str(r[1]!),
    subscriptionId: str(r[2]!),
    type: str(r[3]!) as SubscriptionEvent['type'],
    effectiveAt: momentOf(r[4]!, r[5]!)!,
    requestedAt: momentOf(r[6]!, r[7]!),
    planId: strOrNull(r[8]!),
    amount: numOrNull(r[9]!),
    unitAmount: numOrNull(r[10]!),
    quantity: num(r[11]!),
    discount: num(r[12]!),
    discountDuration: strOrNull(r[13]!) as SubscriptionEvent['discountDuration'],
    currency: strOrNull(r[14]!) as CurrencyCode | null,
    interval: r[15] === null ? null : { unit: str(r[15]!) as Plan['interval']['unit'], count: num(r[16]!) },
    paidThrough: momentOf(r[17]!, r[18]!),
    source: source(r[19]!, r[20]!),
  }),
};

/** Rates are exact ratios: stored as "numerator/denominator" text, never as a float. */
export const FX_RATES: TableDef<FxRate> = {
  name: 'fx_rates',
  columns: [date('date'), text('base'), text('quote'), text('rate'), text('source_file'), bigint('source_line')],
  toRow: (f) => [f.date, f.base, f.quote, `${f.rate.num}/${f.rate.den}`, f.source.file, f.source.line],
  fromRow: (r) => {
    const [numerator, denominator] = str(r[3]!).split('/') as [string, string];
    return { date: num(r[0]!) as CalendarDate, base: str(r[1]!) as CurrencyCode, quote: str(r[2]!) as CurrencyCode, rate: ratio(BigInt(numerator), BigInt(denominator)), source: source(r[4]!, r[5]!) };
  },
};

export const SOURCE_TABLES = [CUSTOMERS, PLANS, INVOICE_LINES, SUBSCRIPTION_EVENTS, FX_RATES] as const;

/** The key of each source table: a re-imported key replaces its row. */
export const SOURCE_KEYS: Record<string, readonly string[]> = {
  customers: ['customer_id'],
  plans: ['plan_id'],
  invoice_lines: ['line_id'],
  subscription_events: ['event_id'],
  fx_rates: ['date', 'base', 'quote'],
};

// Derived tables ---------------------------------------------------------------------------------

export const MOVEMENTS: TableDef<Movement> = {
  name: 'movements',
  columns: [
    date('date'), text('customer_id'), text('subscription_id'), text('type'), text('reason'), bigint('amount'), text('currency'),
    bigint('native_amount'), text('native_currency'), bigint('customer_mrr'), text('plan_id'), bigint('price_effect'),
    bigint('volume_effect'), bigint('mix_effect'), text('sources'),
  ],
  toRow: (m) => [
    m.date, m.customerId, m.subscriptionId, m.type, m.reason, m.amount, m.currency, m.nativeAmount, m.nativeCurrency, m.customerMrr,
    m.planId, m.priceEffect, m.volumeEffect, m.mixEffect, JSON.stringify(m.sources),
  ],
  fromRow: (r) => ({
    date: num(r[0]!) as CalendarDate,
    customerId: str(r[1]!),
    subscriptionId: str(r[2]!),
    type: str(r[3]!) as Movement['type'],
    reason: strOrNull(r[4]!) as Movement['reason'],
    amount: num(r[5]!),
    currency: str(r[6]!) as CurrencyCode,
    nativeAmount: num(r[7]!),
    nativeCurrency: str(r[8]!) as CurrencyCode,
    customerMrr: num(r[9]!),
    planId: strOrNull(r[10]!),
    priceEffect: numOrNull(r[11]!),
    volumeEffect: numOrNull(r[12]!),
    mixEffect: numOrNull(r[13]!),
    sources: JSON.parse(str(r[14]!)) as string[],
  }),
};

/** One row per subscription: its identity and plans; its points live in TIMELINE_POINTS. */
export const SUBSCRIPTIONS: TableDef<Omit<SubscriptionTimeline, 'points' | 'scheduled'>> = {
  name: 'subscriptions',
  columns: [text('subscription_id'), text('customer_id'), text('currency'), text('plan_ids')],
  toRow: (s) => [s.subscriptionId, s.customerId, s.currency, JSON.stringify(s.planIds)],
  fromRow: (r) => ({ subscriptionId: str(r[0]!), customerId: str(r[1]!), currency: str(r[2]!) as CurrencyCode, planIds: JSON.parse(str(r[3]!)) as string[] }),
};

/** The end of an open span: "until further notice". */
export const FOREVER = 2932896 as CalendarDate; // 9999-12-31

export interface StoredPoint extends TimelinePoint {
  readonly subscriptionId: string;
  readonly customerId: string;
  readonly scheduled: boolean;
  /** The next point's date (FOREVER for the last): the point holds on [date, validTo). */
  readonly validTo: CalendarDate;
}

export const TIMELINE_POINTS: TableDef<StoredPoint> = {
  name: 'timeline_points',
  columns: [text('customer_id'), text('subscription_id'), boolean('scheduled'), date('date'), bigint('native_mrr'), bigint('mrr'), text('plan_id'), date('valid_to')],
  toRow: (p) => [p.customerId, p.subscriptionId, p.scheduled, p.date, p.nativeMrr, p.mrr, p.planId, p.validTo],
  fromRow: (r) => ({
    customerId: str(r[0]!),
    subscriptionId: str(r[1]!),
    scheduled: r[2] as boolean,
    date: num(r[3]!) as CalendarDate,
    nativeMrr: num(r[4]!),
    mrr: num(r[5]!),
    planId: strOrNull(r[6]!),
    validTo: num(r[7]!) as CalendarDate,
  }),
};

/** A customer's MRR on [validFrom, validTo): the spans whole-business reports query by day. */
export interface CustomerState {
  readonly customerId: string;
  readonly validFrom: CalendarDate;
  readonly validTo: CalendarDate;
  readonly mrr: number;
}

export const CUSTOMER_STATES: TableDef<CustomerState> = {
  name: 'customer_states',
  columns: [text('customer_id'), date('valid_from'), date('valid_to'), bigint('mrr')],
  toRow: (c) => [c.customerId, c.validFrom, c.validTo, c.mrr],
  fromRow: (r) => ({ customerId: str(r[0]!), validFrom: num(r[1]!) as CalendarDate, validTo: num(r[2]!) as CalendarDate, mrr: num(r[3]!) }),
};

export const ENGINE_REJECTS: TableDef<RejectedRow & { customerId: string }> = {
  name: 'engine_rejects',
  columns: [text('customer_id'), text('file'), bigint('line'), text('column_name'), text('message')],
  toRow: (r) => [r.customerId, r.file, r.line, r.column, r.message],
  fromRow: (r) => ({ customerId: str(r[0]!), file: str(r[1]!), line: num(r[2]!), column: str(r[3]!), message: str(r[4]!) }),
};

export const DATA_WARNINGS: TableDef<DataWarning & { customerId: string }> = {
  name: 'data_warnings',
  columns: [text('customer_id'), text('code'), text('message'), text('subscription_id'), date('date')],
  toRow: (w) => [w.customerId, w.code, w.message, w.subscriptionId ?? null, w.date ?? null],
  fromRow: (r) => ({
    customerId: str(r[0]!),
    code: str(r[1]!),
    message: str(r[2]!),
    ...(r[3] === null ? {} : { subscriptionId: str(r[3]!) }),
    ...(r[4] === null ? {} : { date: num(r[4]!) as CalendarDate }),
  }),
};

export const DERIVED_TABLES = [MOVEMENTS, SUBSCRIPTIONS, TIMELINE_POINTS, CUSTOMER_STATES, ENGINE_REJECTS, DATA_WARNINGS] as const;

/**
 * Records from JSON documents, each an array of rows and each row an array of cells in the
 * table's column order (dates as days, instants as epoch milliseconds): how rows cross from the
 * store to another thread, text being far cheaper to move and parse than objects to clone.
 */
export function recordsFromDocuments<R>(table: TableDef<R>, documents: readonly string[]): R[] {
  const integers = table.columns.flatMap((column, index) => (column.type === 'text' || column.type === 'boolean' ? [] : [index]));
  const records: R[] = [];
  for (const document of documents) {
    for (const cells of JSON.parse(document) as Cell[][]) {
      // JSON numbers beyond 2^53 would arrive rounded: refuse them.
      for (const index of integers) assert(cells[index] === null || Number.isSafeInteger(cells[index]), `stored integer out of range in ${table.name}: ${String(cells[index])}`);
      records.push(table.fromRow(cells));
    }
  }
  return records;
}

/** A chunk's lines and events from their documents, with every plan and rate: the engine's input. */
export function datasetOfDocuments(documents: SourceDocuments, shared: Pick<Dataset, 'plans' | 'fxRates'>): Dataset {
  return {
    customers: [],
    plans: shared.plans,
    invoiceLines: recordsFromDocuments(INVOICE_LINES, documents.invoiceLines),
    subscriptionEvents: recordsFromDocuments(SUBSCRIPTION_EVENTS, documents.subscriptionEvents),
    fxRates: shared.fxRates,
  };
}

/** Derived rows as the records of each derived table, for both backends to append. */
export function derivedRecords(rows: DerivedRows): ReadonlyArray<readonly [TableDef<unknown>, readonly unknown[]]> {
  const points: StoredPoint[] = [];
  for (const timeline of rows.timelines) {
    for (const [list, scheduled] of [[timeline.points, false], [timeline.scheduled, true]] as const) {
      list.forEach((point, i) => {
        // Field by field rather than a spread: this runs per point, and spread copies are slow in V8.
        points.push({
          customerId: timeline.customerId,
          subscriptionId: timeline.subscriptionId,
          scheduled,
          date: point.date,
          nativeMrr: point.nativeMrr,
          mrr: point.mrr,
          planId: point.planId,
          validTo: list[i + 1]?.date ?? FOREVER,
        });
      });
    }
  }
  // Movements are sorted by date then customer: a customer's MRR after a day is the
  // customer_mrr of its movements that day, and holds until its next day with movements.
  const states: CustomerState[] = [];
  const byCustomer = new Map<string, Array<{ date: CalendarDate; mrr: number }>>();
  for (const movement of rows.movements) {
    let days = byCustomer.get(movement.customerId);
    if (!days) byCustomer.set(movement.customerId, (days = []));
    if (days.at(-1)?.date === movement.date) days[days.length - 1] = { date: movement.date, mrr: movement.customerMrr };
    else days.push({ date: movement.date, mrr: movement.customerMrr });
  }
  for (const [customerId, days] of byCustomer) {
    days.forEach((day, i) => states.push({ customerId, validFrom: day.date, validTo: days[i + 1]?.date ?? FOREVER, mrr: day.mrr }));
  }
  return [
    [MOVEMENTS as TableDef<unknown>, rows.movements],
    [SUBSCRIPTIONS as TableDef<unknown>, rows.timelines],
    [TIMELINE_POINTS as TableDef<unknown>, points],
    [CUSTOMER_STATES as TableDef<unknown>, states],
    [ENGINE_REJECTS as TableDef<unknown>, rows.rejects],
    [DATA_WARNINGS as TableDef<unknown>, rows.warnings.map((warning) => ({ ...warning, customerId: warning.customerId ?? '' }))],
  ];
}

/** Subscriptions and their points (sorted by customer, subscription, date) back into timelines. */
export function assembleTimelines(
  subscriptions: ReadonlyArray<Omit<SubscriptionTimeline, 'points' | 'scheduled'>>,
  points: readonly StoredPoint[],
): SubscriptionTimeline[] {
  const byId = new Map<string, { points: StoredPoint[]; scheduled: StoredPoint[] }>();
  for (const point of points) {
    let entry = byId.get(point.subscriptionId);
    if (!entry) byId.set(point.subscriptionId, (entry = { points: [], scheduled: [] }));
    (point.scheduled ? entry.scheduled : entry.points).push(point);
  }
  const strip = ({ date, nativeMrr, mrr, planId }: StoredPoint) => ({ date, nativeMrr, mrr, planId });
  return subscriptions.map((subscription) => {
    const entry = byId.get(subscription.subscriptionId);
    return { ...subscription, points: (entry?.points ?? []).map(strip), scheduled: (entry?.scheduled ?? []).map(strip) };
  });
}

/** Rejected rows of imports, with the raw row, so nothing is lost when the terminal scrolled by. */
export const REJECTS: TableDef<{ importId: number; file: string; line: number; column: string; message: string; raw: string | null }> = {
  name: 'rejects',
  columns: [bigint('import_id'), text('file'), bigint('line'), text('column_name'), text('message'), text('raw_row')],
  toRow: (r) => [r.importId, r.file, r.line, r.column, r.message, r.raw],
  fromRow: (r) => ({ importId: num(r[0]!), file: str(r[1]!), line: num(r[2]!), column: str(r[3]!), message: str(r[4]!), raw: strOrNull(r[5]!) }),
};

export const IMPORTS: TableDef<{ importId: number; startedAt: string; paths: string; read: number; new: number; replaced: number; unchanged: number; rejected: number; recomputed: string }> = {
  name: 'imports',
  columns: [bigint('import_id'), text('started_at'), text('paths'), bigint('rows_read'), bigint('rows_new'), bigint('rows_replaced'), bigint('rows_unchanged'), bigint('rows_rejected'), text('recomputed')],
  toRow: (r) => [r.importId, r.startedAt, r.paths, r.read, r.new, r.replaced, r.unchanged, r.rejected, r.recomputed],
  fromRow: (r) => ({
    importId: num(r[0]!),
    startedAt: str(r[1]!),
    paths: str(r[2]!),
    read: num(r[3]!),
    new: num(r[4]!),
    replaced: num(r[5]!),
    unchanged: num(r[6]!),
    rejected: num(r[7]!),
    recomputed: str(r[8]!),
  }),
};
