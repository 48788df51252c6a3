/**
 * Stripe tables as data pipelines land them (Fivetran's Stripe connector, the column layout of the
 * dbt_stripe package): subscriptions, subscription items, prices, plans, products, customers,
 * invoices, invoice line items, coupons and discounts, as CSV. Each row becomes the Stripe object
 * it mirrors (pre-basil shape), and the objects go through the same mapping as API objects, so
 * one set of rules serves both. Timestamps without an offset are UTC, as those pipelines write them.
 */
import { basename } from 'node:path';
import type { SourceRef } from '../../engine/model.js';
import type { ConnectorResult } from '../connector-result.js';
import { readCsvRows } from '../read-csv-rows.js';
import { buildStripeDataset } from './build-stripe-dataset.js';
import { StripeCatalog } from './stripe-catalog.js';
import { StripeObject, type JsonObject } from './stripe-object.js';

export type StripeTableName =
  | 'invoice_line_item'
  | 'subscription_item'
  | 'subscription'
  | 'invoice'
  | 'price'
  | 'plan'
  | 'product'
  | 'customer'
  | 'coupon'
  | 'discount';

/** The columns that identify a table; checked in this order (line items hold item columns, some invoice exports line columns). */
const SIGNATURES: ReadonlyArray<readonly [StripeTableName, readonly string[]]> = [
  ['invoice', ['id', 'customer_id', 'currency', 'status', 'amount_due']],
  ['invoice_line_item', ['id', 'invoice_id', 'amount', 'currency', 'period_start', 'period_end']],
  ['subscription_item', ['id', 'subscription_id', 'plan_id', 'quantity']],
  ['subscription', ['id', 'customer_id', 'status', 'current_period_start', 'cancel_at_period_end']],
  ['price', ['id', 'currency', 'unit_amount', 'recurring_interval']],
  ['plan', ['id', 'amount', 'currency', 'interval', 'interval_count']],
  ['coupon', ['id', 'duration', 'percent_off', 'amount_off']],
  ['discount', ['id', 'coupon_id', 'start', 'end']],
  ['customer', ['id', 'email', 'created', 'delinquent']],
  ['product', ['id', 'name', 'type', 'active']],
];

/** `"END"` (Snowflake) and `end` are one column. */
function normalise(column: string): string {
  return column.trim().replace(/^"+|"+$/g, '').toLowerCase();
}

function splitHeader(header: string): string[] {
  const columns: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const char = header[i]!;
    if (char === '"') {
      if (quoted && header[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (char === ',' && !quoted) {
      columns.push(current);
      current = '';
    } else current += char;
  }
  columns.push(current);
  return columns.map(normalise);
}

function tableOf(columns: readonly string[]): StripeTableName | null {
  const present = new Set(columns);
  for (const [table, required] of SIGNATURES) if (required.every((column) => present.has(column))) return table;
  return null;
}

/** The table a CSV header row belongs to, or null. */
export function detectStripeTable(headerLine: string): StripeTableName | null {
  if (!headerLine.includes(',')) return null;
  return tableOf(splitHeader(headerLine));
}

type Row = Readonly<Record<string, string>>;

interface TableRow {
  readonly row: Row;
  readonly source: SourceRef;
}

const LOCAL_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const OFFSET_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A timestamp cell as Unix seconds text; anything unreadable is kept for the object to reject. */
function seconds(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return text;
  const local = LOCAL_TIMESTAMP.exec(text);
  if (local !== null) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = local;
    return String(Math.floor(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000));
  }
  if (OFFSET_TIMESTAMP.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(ms)) return String(Math.floor(ms / 1000));
  }
  return text;
}

function bool(text: string | undefined): boolean | string | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return text;
}

function json(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Drops absent values, so an empty cell reads as a missing field. */
function object(fields: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** Where each object field came from, so a rejected row names the CSV column. */
const COLUMN_OF_FIELD: Readonly<Record<string, string>> = {
  customer: 'customer_id',
  subscription: 'subscription_id',
  invoice: 'invoice_id',
  product: 'product_id',
  price: 'plan_id',
  coupon: 'coupon_id',
  'period.start': 'period_start',
  'period.end': 'period_end',
  'recurring.interval': 'recurring_interval',
  'recurring.interval_count': 'recurring_interval_count',
  'recurring.usage_type': 'recurring_usage_type',
  'address.country': 'address_country',
  'status_transitions.finalized_at': 'finalized_at',
};

export interface ReadStripeTablesOptions {
  readonly onFile?: (path: string) => void;
}

/** Reads Stripe tables (CSV files recognised by their header) into the canonical dataset. */
export async function readStripeTables(paths: readonly string[], options: ReadStripeTablesOptions = {}): Promise<ConnectorResult> {
  const catalog = new StripeCatalog();
  const tables = new Map<StripeTableName, TableRow[]>();
  const tableFiles = new Set<string>();
  // Path order, so which of two rows with one id is kept never depends on the order given.
  for (const path of [...new Set(paths)].sort()) {
    options.onFile?.(path);
    const file = basename(path);
    tableFiles.add(file);
    let columns: string[] = [];
    let table: StripeTableName | null = null;
    await readCsvRows(path, {
      header(fields) {
        columns = fields.map(normalise);
        table = tableOf(columns);
        if (table === null) catalog.warnings.push(`${file}: not a Stripe table this connector knows (by its columns); ignored`);
      },
      row(fields, line) {
        if (table === null) return;
        if (fields.length !== columns.length) {
          catalog.rejects.push({ file, line, column: '', message: `expected ${columns.length} fields, found ${fields.length}` });
          return;
        }
        const row: Record<string, string> = {};
        columns.forEach((column, index) => {
          const value = fields[index]!.trim();
          if (value !== '' && column !== '') row[column] = value;
        });
        const rows = tables.get(table) ?? [];
        rows.push({ row, source: { file, line } });
        tables.set(table, rows);
      },
      malformed(_fields, line, message) {
        catalog.rejects.push({ file, line, column: '', message });
      },
    });
  }
  for (const object of tableObjects(tables, catalog)) catalog.add(object);
  const result = buildStripeDataset(catalog);
  return {
    ...result,
    rejects: result.rejects.map((reject) =>
      tableFiles.has(reject.file) ? { ...reject, column: COLUMN_OF_FIELD[reject.column] ?? reject.column } : reject,
    ),
  };
}

function rowsOf(tables: ReadonlyMap<StripeTableName, TableRow[]>, table: StripeTableName): readonly TableRow[] {
  return tables.get(table) ?? [];
}

function tableObjects(tables: ReadonlyMap<StripeTableName, TableRow[]>, catalog: StripeCatalog): Array<{ object: StripeObject; source: SourceRef }> {
  const found: Array<{ object: StripeObject; source: SourceRef }> = [];
  const add = (fields: Record<string, unknown>, source: SourceRef) => found.push({ object: new StripeObject(object(fields), ''), source });

  const discountsBySubscription = new Map<string, string[]>();
  const discountsByInvoice = new Map<string, Array<{ amount: string; discount: string }>>();
  for (const { row, source } of rowsOf(tables, 'discount')) {
    add({ object: 'discount', id: row.id, coupon: row.coupon_id, start: seconds(row.start), end: seconds(row.end), subscription: row.subscription_id, customer: row.customer_id, invoice: row.invoice_id }, source);
    if (row.subscription_id !== undefined && row.id !== undefined) discountsBySubscription.set(row.subscription_id, [...(discountsBySubscription.get(row.subscription_id) ?? []), row.id]);
    if (row.invoice_id !== undefined && row.id !== undefined && row.amount !== undefined && row.amount !== '0') {
      discountsByInvoice.set(row.invoice_id, [...(discountsByInvoice.get(row.invoice_id) ?? []), { amount: row.amount, discount: row.id }]);
    }
  }
  for (const { row, source } of rowsOf(tables, 'coupon')) {
    add({ object: 'coupon', id: row.id, duration: row.duration, duration_in_months: row.duration_in_months, percent_off: row.percent_off, amount_off: row.amount_off, currency: row.currency }, source);
  }
  for (const { row, source } of rowsOf(tables, 'product')) {
    add({ object: 'product', id: row.id, name: row.name, deleted: bool(row.is_deleted) === true ? true : undefined }, source);
  }
  for (const { row, source } of rowsOf(tables, 'price')) {
    const recurring = row.recurring_interval === undefined ? undefined : object({ interval: row.recurring_interval, interval_count: row.recurring_interval_count, usage_type: row.recurring_usage_type });
    add(
      {
        object: 'price',
        id: row.id,
        currency: row.currency,
        type: row.type,
        unit_amount: row.unit_amount,
        nickname: row.nickname,
        product: row.product_id,
        recurring,
        deleted: bool(row.is_deleted) === true ? true : undefined,
      },
      source,
    );
  }
  for (const { row, source } of rowsOf(tables, 'plan')) {
    add(
      {
        object: 'plan',
        id: row.id,
        currency: row.currency,
        amount: row.amount,
        interval: row.interval,
        interval_count: row.interval_count,
        usage_type: row.usage_type,
        nickname: row.nickname,
        product: row.product_id,
        deleted: bool(row.is_deleted) === true ? true : undefined,
      },
      source,
    );
  }
  for (const { row, source } of rowsOf(tables, 'customer')) {
    add(
      {
        object: 'customer',
        id: row.id,
        name: row.name,
        email: row.email,
        description: row.description,
        created: seconds(row.created),
        address: row.address_country === undefined ? undefined : { country: row.address_country },
        metadata: json(row.metadata),
        deleted: bool(row.is_deleted) === true ? true : undefined,
      },
      source,
    );
  }
  for (const { row, source } of rowsOf(tables, 'subscription_item')) {
    add(
      {
        object: 'subscription_item',
        id: row.id,
        subscription: row.subscription_id,
        price: row.price_id ?? row.plan_id,
        quantity: row.quantity,
        current_period_start: seconds(row.current_period_start),
        current_period_end: seconds(row.current_period_end),
      },
      source,
    );
  }
  for (const { row, source } of rowsOf(tables, 'subscription')) {
    // A history table holds every version of a subscription; the current one is flagged active.
    if (row._fivetran_active !== undefined && bool(row._fivetran_active) !== true) {
      catalog.count(catalog.unknownTypes, 'subscription history row (an earlier version)');
      continue;
    }
    add(
      {
        object: 'subscription',
        id: row.id,
        customer: row.customer_id,
        status: row.status,
        created: seconds(row.created),
        start_date: seconds(row.start_date),
        current_period_start: seconds(row.current_period_start),
        current_period_end: seconds(row.current_period_end),
        cancel_at: seconds(row.cancel_at),
        cancel_at_period_end: bool(row.cancel_at_period_end),
        canceled_at: seconds(row.canceled_at),
        ended_at: seconds(row.ended_at),
        trial_start: seconds(row.trial_start),
        trial_end: seconds(row.trial_end),
        metadata: json(row.metadata),
        discounts: discountsBySubscription.get(row.id ?? '') ?? [],
      },
      source,
    );
  }
  for (const { row, source } of rowsOf(tables, 'invoice')) {
    add(
      {
        object: 'invoice',
        id: row.id,
        customer: row.customer_id,
        currency: row.currency,
        status: row.status,
        subscription: row.subscription_id,
        created: seconds(row.created),
        status_transitions: row.finalized_at === undefined ? undefined : { finalized_at: seconds(row.finalized_at) },
        lines: { object: 'list', data: [], has_more: false },
        total_discount_amounts: discountsByInvoice.get(row.id ?? ''),
      },
      source,
    );
  }
  for (const { row, source } of rowsOf(tables, 'invoice_line_item')) {
    add(
      {
        object: 'line_item',
        id: row.id,
        invoice: row.invoice_id,
        amount: row.amount,
        currency: row.currency,
        description: row.description,
        period: { start: seconds(row.period_start), end: seconds(row.period_end) },
        proration: bool(row.proration),
        quantity: row.quantity,
        subscription: row.subscription_id,
        subscription_item: row.subscription_item_id,
        type: row.type ?? (row.subscription_item_id !== undefined ? 'subscription' : 'invoiceitem'),
        price: row.price_id ?? row.plan_id,
      },
      source,
    );
  }
  return found;
}
