/**
 * The incremental batch of the benchmark (performance.md, measurement 2): 1,000 new invoice
 * lines and subscription events for a demo dataset, as a day's export would bring them:
 *
 * - new customers (invoice lines, and event-style `start`s);
 * - renewals: the next monthly cycle of subscriptions running at the end of the window;
 * - upgrades: added seats on 2025-12-20, billed as a prorated credit and charge;
 * - cancellations: a running subscription's last line again, now cancelled on 2025-12-28 (a
 *   replaced row), and `cancel` events for running event-style subscriptions.
 *
 * Candidates are read from the dataset's own files with DuckDB and picked at an even stride in
 * subscription order, so the batch is a pure function of the dataset (and so of the seed).
 * Everything is dated in December 2025, inside the window, so it changes movements, except the
 * renewals that start after asOf, which are scheduled.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbSession, sqlString, type Row } from './duckdb-session.js';

export interface BatchSummary {
  readonly lines: number;
  readonly events: number;
  readonly customers: number;
  readonly kinds: Record<string, number>;
}

const INVOICE_LINE_COLUMNS = [
  'line_id', 'invoice_id', 'customer_id', 'subscription_id', 'plan_id', 'type', 'service_start', 'service_end', 'amount',
  'currency', 'quantity', 'discount', 'discount_duration', 'tax', 'prorated', 'cancelled_at', 'cancel_requested_at',
  'issued_at', 'event_order',
] as const;

const EVENT_COLUMNS = [
  'event_id', 'customer_id', 'subscription_id', 'type', 'effective_at', 'requested_at', 'plan_id', 'amount', 'unit_amount',
  'quantity', 'discount', 'discount_duration', 'currency', 'interval_unit', 'interval_count', 'paid_through',
] as const;

type LineColumn = (typeof INVOICE_LINE_COLUMNS)[number];
type EventColumn = (typeof EVENT_COLUMNS)[number];

/** Shares of a 1,000-row batch; new customers fill whatever a small dataset cannot supply. */
const PLAN = { upgrades: 100, renewals: 300, cancellations: 150, newEventCustomers: 50, eventCancels: 50 } as const;

const UPGRADE_DAY = '2025-12-20';
const CANCEL_DAY = '2025-12-28';
const EVENT_CANCEL_AT = '2025-12-22T10:00:00Z';

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csv(columns: readonly string[], rows: readonly Record<string, string>[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((column) => csvField(row[column] ?? '')).join(','))].join('\n') + '\n';
}

function text(row: Row, column: string): string {
  const value = row[column];
  return value === null || value === undefined ? '' : String(value);
}

function cents(amount: string): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (!match) throw new Error(`not an amount with two decimals: ${amount}`);
  const magnitude = Number(match[2]) * 100 + Number(match[3]);
  return match[1] === '-' ? -magnitude : magnitude;
}

function money(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const magnitude = Math.abs(minor);
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, '0')}`;
}

/** `amount × days / fullDays`, half away from zero, as the demo's billing prorates. */
function prorate(amount: number, days: number, fullDays: number): number {
  const magnitude = Math.floor((2 * Math.abs(amount) * days + fullDays) / (2 * fullDays));
  return amount < 0 ? -magnitude : magnitude;
}

function dayNumber(iso: string): number {
  const [year, month, day] = iso.split('-').map(Number);
  return Math.round(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1) / 86_400_000);
}

function isoDay(dayNo: number): string {
  return new Date(dayNo * 86_400_000).toISOString().slice(0, 10);
}

function addMonth(iso: string): string {
  const [year = 0, month = 1, day = 1] = iso.split('-').map(Number);
  const next = new Date(Date.UTC(year, month, 1));
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  return `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
}

const allText = (columns: readonly string[]): string => `{${columns.map((column) => `${sqlString(column)}: 'VARCHAR'`).join(', ')}}`;

/** `count` rows of a candidate table, at an even stride in subscription order. */
async function pick(session: DuckDbSession, table: string, count: number): Promise<Row[]> {
  const [total] = await session.rows(`SELECT count(*) AS n FROM ${table}`);
  const available = Number(total?.n ?? 0);
  const stride = Math.max(1, Math.floor(available / Math.max(1, count)));
  return session.rows(
    `SELECT * FROM ${table} QUALIFY (row_number() OVER (ORDER BY subscription_id) - 1) % ${stride} = 0 ORDER BY subscription_id LIMIT ${count}`,
  );
}

export async function writeIncrementalBatch(datasetDir: string, outDir: string, size = 1000): Promise<BatchSummary> {
  const session = await DuckDbSession.open(':memory:');
  const lines: Record<LineColumn, string>[] = [];
  const events: Record<EventColumn, string>[] = [];
  const customers: Record<string, string>[] = [];
  const kinds: Record<string, number> = {};
  const count = (kind: string, rows: number): void => {
    kinds[kind] = (kinds[kind] ?? 0) + rows;
  };
  try {
    const read = (file: string, columns: readonly string[]): string =>
      `read_csv(${sqlString(join(datasetDir, file))}, header = true, auto_detect = false, columns = ${allText(columns)})`;
    await session.run(`CREATE TEMP TABLE plans AS SELECT * FROM ${read('plans.csv', ['plan_id', 'name', 'interval_unit', 'interval_count', 'product'])}`);
    // The latest full-cycle line of each monthly subscription that runs through the last days of
    // the window, not cancelled: one that a renewal, an upgrade or a cancellation can follow.
    await session.run(`
      CREATE TEMP TABLE running AS
      SELECT lines.*
      FROM ${read('invoice_lines.csv', INVOICE_LINE_COLUMNS)} AS lines
      JOIN plans ON plans.plan_id = lines.plan_id
      WHERE lines.type = 'subscription' AND plans.interval_unit = 'month' AND plans.interval_count = '1'
      QUALIFY row_number() OVER (PARTITION BY lines.subscription_id ORDER BY lines.service_start DESC, lines.line_id DESC) = 1
        AND lines.prorated = 'false' AND lines.cancelled_at IS NULL
        AND lines.service_start::DATE < DATE ${sqlString(UPGRADE_DAY)} AND lines.service_end::DATE > DATE ${sqlString(CANCEL_DAY)}`);
    await session.run(`
      CREATE TEMP TABLE upgrade_candidates AS SELECT * FROM running
      WHERE (plan_id LIKE 'pro-monthly%' OR plan_id LIKE 'business-monthly%') AND discount IS NULL`);
    const upgrades = await pick(session, 'upgrade_candidates', PLAN.upgrades);
    await session.run(`CREATE TEMP TABLE picked (subscription_id VARCHAR)`);
    const remember = async (rows: Row[]): Promise<void> => {
      if (rows.length > 0) await session.run(`INSERT INTO picked VALUES ${rows.map((row) => `(${sqlString(text(row, 'subscription_id'))})`).join(', ')}`);
    };
    await remember(upgrades);
    await session.run(`CREATE TEMP TABLE renewal_candidates AS SELECT * FROM running WHERE subscription_id NOT IN (SELECT subscription_id FROM picked)`);
    const renewals = await pick(session, 'renewal_candidates', PLAN.renewals);
    await remember(renewals);
    await session.run(`CREATE TEMP TABLE cancel_candidates AS SELECT * FROM running WHERE subscription_id NOT IN (SELECT subscription_id FROM picked)`);
    const cancellations = await pick(session, 'cancel_candidates', PLAN.cancellations);
    // Event-style subscriptions whose last event leaves them paying and comes before the
    // cancellation (event ids follow each customer's writing order, so the greatest is the
    // last; timestamps are ISO 8601 or Unix seconds).
    await session.run(`
      CREATE TEMP TABLE running_events AS
      SELECT * FROM (
        SELECT *, max(CASE WHEN regexp_full_match(effective_at, '[0-9]+') THEN to_timestamp(effective_at::BIGINT) ELSE effective_at::TIMESTAMPTZ END)
                    OVER (PARTITION BY subscription_id) AS last_effective
        FROM ${read('subscription_events.csv', EVENT_COLUMNS)}
        QUALIFY row_number() OVER (PARTITION BY subscription_id ORDER BY event_id DESC) = 1
      )
      WHERE type IN ('start', 'change', 'resume') AND coalesce(amount, '') <> '0.00'
        AND last_effective < TIMESTAMPTZ ${sqlString(EVENT_CANCEL_AT)} - INTERVAL 1 DAY`);
    const eventCancels = await pick(session, 'running_events', PLAN.eventCancels);

    let batchNo = 0;
    const nextId = (): string => String(++batchNo).padStart(6, '0');

    for (const row of upgrades) {
      const quantity = Number(text(row, 'quantity'));
      const amount = cents(text(row, 'amount'));
      const unit = Math.round(amount / quantity);
      const added = Math.max(1, Math.floor(quantity / 3));
      const cycleEnd = text(row, 'service_end');
      const days = dayNumber(cycleEnd) - dayNumber(UPGRADE_DAY);
      const fullDays = dayNumber(cycleEnd) - dayNumber(text(row, 'service_start'));
      const id = nextId();
      const base = Object.fromEntries(INVOICE_LINE_COLUMNS.map((column) => [column, ''])) as Record<LineColumn, string>;
      const common = {
        ...base, invoice_id: `in_b_${id}`, customer_id: text(row, 'customer_id'), subscription_id: text(row, 'subscription_id'),
        plan_id: text(row, 'plan_id'), type: 'subscription', service_start: UPGRADE_DAY, service_end: cycleEnd, currency: text(row, 'currency'),
        prorated: 'true', issued_at: `${UPGRADE_DAY}T11:00:00Z`,
      };
      lines.push({ ...common, line_id: `il_b_${id}_1`, amount: money(-prorate(amount, days, fullDays)), quantity: String(quantity) });
      lines.push({ ...common, line_id: `il_b_${id}_2`, amount: money(prorate(unit * (quantity + added), days, fullDays)), quantity: String(quantity + added) });
    }
    count('upgrade lines (prorated pairs)', upgrades.length * 2);

    for (const row of renewals) {
      const id = nextId();
      const start = text(row, 'service_end');
      const renewal = Object.fromEntries(INVOICE_LINE_COLUMNS.map((column) => [column, text(row, column)])) as Record<LineColumn, string>;
      lines.push({
        ...renewal, line_id: `il_b_${id}`, invoice_id: `in_b_${id}`, service_start: start, service_end: addMonth(start),
        issued_at: `${start}T02:00:00Z`, event_order: '',
      });
    }
    count('renewal lines', renewals.length);

    for (const row of cancellations) {
      const replaced = Object.fromEntries(INVOICE_LINE_COLUMNS.map((column) => [column, text(row, column)])) as Record<LineColumn, string>;
      lines.push({ ...replaced, cancelled_at: `${CANCEL_DAY}T12:00:00Z`, cancel_requested_at: `${CANCEL_DAY}T12:00:00Z` });
    }
    count('cancelled lines (replaced rows)', cancellations.length);

    for (const row of eventCancels) {
      const base = Object.fromEntries(EVENT_COLUMNS.map((column) => [column, ''])) as Record<EventColumn, string>;
      events.push({
        ...base, event_id: `evt_b_${nextId()}`, customer_id: text(row, 'customer_id'), subscription_id: text(row, 'subscription_id'),
        type: 'cancel', effective_at: EVENT_CANCEL_AT, requested_at: EVENT_CANCEL_AT,
      });
    }
    count('cancel events', eventCancels.length);

    const newEventCustomers = Math.min(PLAN.newEventCustomers, size - lines.length - events.length);
    for (let n = 0; n < newEventCustomers; n++) {
      const id = nextId();
      const customer = `cus_e${id}`;
      const day = isoDay(dayNumber('2025-12-01') + (n % 28));
      customers.push({ customer_id: customer, name: `Batch events ${id}`, country: 'US', created_at: day });
      const base = Object.fromEntries(EVENT_COLUMNS.map((column) => [column, ''])) as Record<EventColumn, string>;
      events.push({
        ...base, event_id: `evt_b_${id}`, customer_id: customer, subscription_id: `sub_e${id}_01`, type: 'start', effective_at: `${day}T09:30:00Z`,
        plan_id: 'pro-monthly', amount: '45.00', unit_amount: '15.00', quantity: '3', currency: 'USD', interval_unit: 'month', interval_count: '1',
      });
    }
    count('start events (new customers)', newEventCustomers);

    const newLineCustomers = size - lines.length - events.length;
    for (let n = 0; n < newLineCustomers; n++) {
      const id = nextId();
      const customer = `cus_n${id}`;
      const day = isoDay(dayNumber('2025-12-01') + (n % 28));
      customers.push({ customer_id: customer, name: `Batch lines ${id}`, country: 'US', created_at: day });
      const base = Object.fromEntries(INVOICE_LINE_COLUMNS.map((column) => [column, ''])) as Record<LineColumn, string>;
      lines.push({
        ...base, line_id: `il_n${id}_0001`, invoice_id: `in_n${id}_0001`, customer_id: customer, subscription_id: `sub_n${id}_01`,
        plan_id: 'starter-monthly', type: 'subscription', service_start: day, service_end: addMonth(day), amount: '32.00', currency: 'USD',
        quantity: '1', prorated: 'false', issued_at: `${day}T09:00:00Z`,
      });
    }
    count('new customer lines', newLineCustomers);
  } finally {
    session.close();
  }
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'invoice_lines.csv'), csv(INVOICE_LINE_COLUMNS, lines));
  await writeFile(join(outDir, 'subscription_events.csv'), csv(EVENT_COLUMNS, events));
  await writeFile(join(outDir, 'customers.csv'), csv(['customer_id', 'name', 'country', 'created_at'], customers));
  return { lines: lines.length, events: events.length, customers: customers.length, kinds };
}
