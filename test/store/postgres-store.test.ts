/**
 * The PostgreSQL store on a real server (the throwaway cluster of .ci/run or of
 * test/support/postgres-cluster.ts), each test on a database of its own: migrations and upgrades,
 * merge counts, exact round trips of every column type through COPY, atomicity, and what only a
 * shared server has: concurrent imports and reports reading during an import. Where the DuckDB
 * store answers the same question, both must answer alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import postgres from 'postgres';
import { afterAll, describe, expect, test } from 'vitest';
import { deriveRows } from '../../src/app/store/derive-rows.js';
import { dateFromCivil, type CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import type { Instant } from '../../src/engine/calendar/instant.js';
import type { SubscriptionTimeline } from '../../src/engine/compute-movements.js';
import type { Customer, Dataset, InvoiceLine, Plan, SubscriptionEvent } from '../../src/engine/model.js';
import { ratio } from '../../src/engine/money/ratio.js';
import type { DataWarning, Movement } from '../../src/engine/movement.js';
import { DUCKDB_MIGRATIONS } from '../../src/store/duckdb/duckdb-migrations.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/postgres-migrations.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { StoreError, type DerivedRows, type MergeResult, type RunrateStore, type StoredReject, type StoreSnapshot } from '../../src/store/store-port.js';
import { DERIVED_TABLES, IMPORTS, REJECTS, SOURCE_TABLES, type ColumnType } from '../../src/store/store-tables.js';
import { arbitraryCase } from '../support/arbitrary-dataset.js';
import { canonicalJson } from '../support/canonical-json.js';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../support/postgres-database.js';
import { atInstant, currency, event, fxRate, line, onDate, plan } from '../reference/dataset-builders.js';

const MAX = Number.MAX_SAFE_INTEGER;
const databases: TestDatabase[] = [];
const stores: RunrateStore[] = [];
const duckDir = mkdtempSync(path.join(os.tmpdir(), 'runrate-pg-parity-'));
let duckStores = 0;

/** Server-wide objects (roles) to drop once the databases using them are gone. */
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const store of stores) await store.close().catch(() => undefined);
  for (const database of databases) await database.drop();
  for (const cleanup of cleanups) await cleanup();
  rmSync(duckDir, { recursive: true, force: true });
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

/** The database URL each store was opened on, to look at its tables directly. */
const urlOf = new WeakMap<RunrateStore, string>();

async function open(url: string, options?: { migrateUpTo?: number }): Promise<RunrateStore> {
  const store = await openPostgresStore(url, options);
  stores.push(store);
  urlOf.set(store, url);
  return store;
}

async function freshStore(): Promise<RunrateStore> {
  return open((await freshDatabase()).url);
}

async function freshDuckDb(): Promise<RunrateStore> {
  const store = await openDuckDbStore(path.join(duckDir, `store-${++duckStores}.duckdb`));
  stores.push(store);
  return store;
}

/** Runs raw SQL on a test database (to look at the schema the store made). */
async function query<T extends object>(url: string, run: (sql: postgres.Sql) => Promise<T[]>): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return [...(await run(sql))];
  } finally {
    await sql.end();
  }
}

const empty: Dataset = { customers: [], plans: [], invoiceLines: [], subscriptionEvents: [], fxRates: [] };
const noDerived: DerivedRows = { movements: [], timelines: [], rejects: [], warnings: [] };
const sorted = (values: readonly string[]) => [...values].sort();
const sortedResult = (result: MergeResult) => ({
  ...result,
  customersWithChangedRows: sorted(result.customersWithChangedRows),
  changedPlans: sorted(result.changedPlans),
});

/** A dataset or snapshot in one canonical order, for comparisons that ignore row order. */
function canonicalDataset(dataset: Dataset): string {
  const by = <T>(key: (row: T) => string) => (rows: readonly T[]) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return canonicalJson({
    customers: by<Customer>((c) => c.customerId)(dataset.customers),
    plans: by<Plan>((p) => p.planId)(dataset.plans),
    invoiceLines: by<InvoiceLine>((l) => l.lineId)(dataset.invoiceLines),
    subscriptionEvents: by<SubscriptionEvent>((e) => e.eventId)(dataset.subscriptionEvents),
    fxRates: by<Dataset['fxRates'][number]>((f) => `${f.date}|${f.base}|${f.quote}`)(dataset.fxRates),
  });
}

function canonicalSnapshot(snapshot: StoreSnapshot): string {
  const text = (value: unknown) => canonicalJson(value);
  const sortByText = <T>(rows: readonly T[]) => [...rows].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
  return canonicalJson({
    configJson: snapshot.configJson,
    customers: sortByText(snapshot.customers),
    customerIds: sorted(snapshot.customerIds),
    plans: sortByText(snapshot.plans),
    fxRates: sortByText(snapshot.fxRates),
    movements: sortByText(snapshot.derived.movements),
    timelines: sortByText(snapshot.derived.timelines),
    rejects: sortByText(snapshot.derived.rejects),
    warnings: sortByText(snapshot.derived.warnings),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Fixtures ---------------------------------------------------------------------------------------

const day = (year: number, month: number, dayOfMonth: number) => dateFromCivil(year, month, dayOfMonth);
const ms = (iso: string) => Date.parse(iso) as Instant;
const awkward = ['tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', '\\.', 'ünïcødé ✓ 🚀 中文', '', '"quoted", \'single\'', 'trailing\\'];

function extremeLines(): InvoiceLine[] {
  const base = line({ lineId: 'x', start: '2024-01-01', end: '2024-02-01', amount: 1 });
  const dates = [day(1970, 1, 1), day(1969, 12, 31), day(1970, 1, 2), day(2024, 2, 29), day(2000, 2, 29), day(1900, 3, 1), day(1, 1, 1), day(9999, 12, 31)];
  const instants = [0, -1, 1, ms('2024-02-29T23:59:59.999Z'), ms('1969-12-31T23:59:59.999Z'), ms('0001-01-01T00:00:00.000Z'), ms('9999-12-31T23:59:59.999Z'), 1_709_164_800_123];
  return awkward.map((text, i) => ({
    ...base,
    lineId: `line ${text} ${i}`,
    invoiceId: text,
    customerId: `customer ${text}`,
    subscriptionId: i % 3 === 0 ? null : `sub ${text}`,
    planId: i % 2 === 0 ? null : text,
    type: (['subscription', 'one_time', 'trial', 'credit_note'] as const)[i % 4]!,
    serviceStart: i % 2 === 0 ? { kind: 'date', date: dates[i % dates.length]! } : { kind: 'instant', instant: instants[i % instants.length]! as Instant },
    serviceEnd: i % 5 === 0 ? null : { kind: 'instant', instant: instants[(i + 3) % instants.length]! as Instant },
    amount: [MAX, -MAX, 0, MAX - 1, -(MAX - 1), 2 ** 52, -(2 ** 52) - 1][i % 7]!,
    currency: currency(['USD', 'EUR', 'JPY'][i % 3]!),
    quantity: [1, MAX, 0][i % 3]!,
    discount: [0, -MAX, 123][i % 3]!,
    discountDuration: ([null, 'once', 'repeating', 'forever'] as const)[i % 4]!,
    tax: [0, MAX][i % 2]!,
    prorated: [true, false, null][i % 3]!,
    cancelledAt: i % 2 === 1 ? { kind: 'date', date: dates[(i + 1) % dates.length]! } : null,
    cancelRequestedAt: i % 3 === 1 ? { kind: 'instant', instant: instants[(i + 5) % instants.length]! as Instant } : null,
    issuedAt: i % 4 === 0 ? null : { kind: 'date', date: dates[(i + 2) % dates.length]! },
    eventOrder: [null, MAX, -MAX, 0][i % 4]!,
    source: { file: `dir\t${text}/invoice_lines.csv`, line: [1, MAX][i % 2]! },
  }));
}

function extremeDataset(): Dataset {
  const customers: Customer[] = awkward.map((text, i) => ({
    customerId: `customer ${text}`,
    name: i % 2 === 0 ? text : null,
    email: i % 3 === 0 ? null : `${i}@example.com`,
    company: text === '' ? '' : null,
    country: i % 2 === 0 ? 'DE' : null,
    createdAt: i % 3 === 0 ? null : i % 3 === 1 ? onDate('2024-02-29') : atInstant(-86_400_001),
    attributes: i % 2 === 0 ? ({} as Record<string, string>) : { tier: text, 'key\twith\ttabs': 'value\nwith\nnewlines', unicode: 'é🚀' },
    source: { file: 'customers.csv', line: i + 2 },
  }));
  const plans: Plan[] = [
    { ...plan('p-month', 'month'), name: null, product: 'prod\t1' },
    { ...plan('p-year', 'year', MAX), name: 'yearly \\ plan', product: null },
  ];
  const events: SubscriptionEvent[] = [
    event({ eventId: 'e1', type: 'start', at: '2024-02-29', amount: MAX, unitAmount: -MAX, quantity: MAX, planId: 'p-month', interval: { unit: 'week', count: 2 }, paidThrough: '1969-12-31' }),
    { ...event({ eventId: 'e2\t\n', type: 'cancel', at: '2000-02-29', currency: null }), effectiveAt: atInstant(1_709_164_800_123), requestedAt: atInstant(-1) },
    event({ eventId: 'e3', type: 'pause', at: '1970-01-01', currency: null, requestedAt: '1970-01-02', discount: -5, discountDuration: 'forever' }),
  ];
  const fxRates = [
    fxRate('2024-02-29', 'EUR', 'USD', '1.0823'),
    { ...fxRate('1969-12-31', 'JPY', 'USD', '1'), rate: ratio(123456789012345678901234567890n, 987654321098765432109876543210n) },
  ];
  return { customers, plans, invoiceLines: extremeLines(), subscriptionEvents: events, fxRates };
}

function extremeDerived(): DerivedRows {
  const movement: Movement = {
    date: day(2024, 2, 29),
    customerId: 'customer tab\there',
    subscriptionId: 'sub\\1',
    type: 'expansion',
    reason: 'price',
    amount: MAX,
    currency: currency('USD'),
    nativeAmount: -MAX,
    nativeCurrency: currency('EUR'),
    customerMrr: MAX - 1,
    planId: null,
    priceEffect: MAX,
    volumeEffect: null,
    mixEffect: -MAX,
    sources: ['l1', 'line\twith\ttab', 'ü🚀'],
  };
  const timeline: SubscriptionTimeline = {
    subscriptionId: 'sub\\1',
    customerId: 'customer tab\there',
    currency: currency('EUR'),
    points: [
      { date: day(1969, 12, 31), nativeMrr: MAX, mrr: -MAX, planId: null },
      { date: day(2024, 2, 29), nativeMrr: 0, mrr: 0, planId: 'p-month' },
    ],
    scheduled: [{ date: day(2100, 1, 1), nativeMrr: 5, mrr: 6, planId: 'p\nyear' }],
    planIds: ['p-month', 'p\nyear'],
  };
  const warnings: Array<DataWarning & { customerId: string }> = [
    { customerId: 'customer tab\there', code: 'negative-total', message: 'clamped\tto\nzero', subscriptionId: 'sub\\1', date: day(2000, 2, 29) },
    { customerId: '', code: 'other', message: 'no subscription, no date' },
  ];
  return {
    movements: [movement, { ...movement, date: day(1970, 1, 1), type: 'new', reason: null, amount: 0, sources: [] }],
    timelines: [timeline],
    rejects: [{ customerId: 'customer \\N', file: 'events\t.csv', line: MAX, column: 'type\n', message: 'bad \\ row 🚀' }],
    warnings,
  };
}

function snapshotOf(dataset: Dataset, derived: DerivedRows, configJson: string | null): StoreSnapshot {
  return {
    configJson,
    customers: dataset.customers,
    customerIds: [...new Set([...dataset.customers.map((c) => c.customerId), ...dataset.invoiceLines.map((l) => l.customerId), ...dataset.subscriptionEvents.map((e) => e.customerId)])],
    plans: dataset.plans,
    fxRates: dataset.fxRates,
    derived,
  };
}

// Tests ------------------------------------------------------------------------------------------

describe('PostgreSQL store: migrations', () => {
  const POSTGRES_TYPES: Record<ColumnType, string> = { text: 'text', bigint: 'bigint', date: 'date', instant: 'timestamp with time zone', boolean: 'boolean' };

  test('a fresh database gets every migration once, with the columns of the shared table definitions', async () => {
    const database = await freshDatabase();
    const store = await open(database.url);
    expect(store.backend).toBe('postgres');
    expect(await store.schemaVersion()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
    await store.close();
    // Opening again applies nothing.
    const again = await open(database.url);
    expect(await again.schemaVersion()).toBe(4);
    const versions = await query(database.url, (sql) => sql<Array<{ version: string }>>`SELECT version FROM schema_migrations ORDER BY version`);
    expect(versions.map((row) => Number(row.version))).toEqual([1, 2, 3, 4]);

    const columns = await query(
      database.url,
      (sql) => sql<Array<{ table_name: string; column_name: string; data_type: string }>>`
        SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    for (const table of [...SOURCE_TABLES, ...DERIVED_TABLES, REJECTS, IMPORTS]) {
      const actual = columns.filter((column) => column.table_name === table.name).map((column) => `${column.column_name} ${column.data_type}`);
      expect(actual, table.name).toEqual(table.columns.map((column) => `${column.name} ${POSTGRES_TYPES[column.type]}`));
    }
  });

  test('the migrations create the same tables as DuckDB’s, split into the same versions', () => {
    const tablesOf = (statements: readonly string[]) => statements.flatMap((statement) => /^CREATE TABLE (\w+)/.exec(statement)?.[1] ?? []).sort();
    expect(POSTGRES_MIGRATIONS.map((migration) => ({ version: migration.version, tables: tablesOf(migration.statements) }))).toEqual(
      DUCKDB_MIGRATIONS.map((migration) => ({ version: migration.version, tables: tablesOf(migration.statements) })),
    );
  });

  test('a store of version 1 with data in it upgrades itself when opened', async () => {
    const database = await freshDatabase();
    const old = await open(database.url, { migrateUpTo: 1 });
    expect(await old.schemaVersion()).toBe(1);
    const [before] = await query(database.url, (sql) => sql<Array<{ imports: string | null }>>`SELECT to_regclass('imports')::text AS imports`);
    expect(before!.imports).toBeNull();
    // A version-1 store holds source rows; its derived rows are written by today's code only
    // after the upgrade (today's derived rows carry columns version 1 did not have).
    const dataset = extremeDataset();
    const derived = extremeDerived();
    await old.transaction(async (tx) => {
      await tx.lockForWrite();
      await tx.mergeSourceRows(dataset);
      await tx.setMeta('config', '{"version":1}');
    });
    await old.close();

    const store = await open(database.url);
    expect(await store.schemaVersion()).toBe(4);
    expect(canonicalDataset(await store.readAllSource())).toBe(canonicalDataset(dataset));
    await store.transaction(async (tx) => tx.replaceDerived(null, derived));
    expect(canonicalSnapshot(await store.snapshot())).toBe(canonicalSnapshot(snapshotOf(dataset, derived, '{"version":1}')));
    // The tables of versions 2 and 3 work.
    await store.transaction(async (tx) => {
      await tx.recordImport(
        { importId: await tx.nextImportId(), startedAt: '2026-01-15T10:00:00.000Z', paths: ['old'], counts: { read: 1, new: 1, replaced: 0, unchanged: 0 }, rejected: 0, recomputed: 'all' },
        [],
      );
    });
    expect((await store.imports()).map((record) => record.importId)).toEqual([1]);
  });

  test('a role that may only read opens an up-to-date store and reads it', async () => {
    const database = await freshDatabase();
    const writer = await open(database.url);
    await writer.transaction((tx) => tx.mergeSourceRows(extremeDataset()));
    const role = `reader_${database.name}`;
    await query(database.url, async (sql) => {
      await sql`CREATE ROLE ${sql(role)} LOGIN`;
      await sql`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${sql(role)}`;
      return [];
    });
    cleanups.push(() => query(testServerUrl(), (sql) => sql`DROP ROLE IF EXISTS ${sql(role)}`).then(() => undefined));
    const url = new URL(database.url);
    url.username = role;
    const reader = await open(url.toString());
    expect(await reader.schemaVersion()).toBe(4);
    expect(canonicalDataset(await reader.readAllSource())).toBe(canonicalDataset(extremeDataset()));
    await expect(reader.transaction((tx) => tx.setMeta('config', 'x'))).rejects.toThrow(/permission denied/);
  });

  test('migrateUpTo 0 leaves a fresh database untouched', async () => {
    const database = await freshDatabase();
    const store = await open(database.url, { migrateUpTo: 0 });
    expect(await store.schemaVersion()).toBe(0);
    const [row] = await query(database.url, (sql) => sql<Array<{ tables: string }>>`SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'public'`);
    expect(Number(row!.tables)).toBe(0);
  });

  test('openers racing on a fresh database apply each migration exactly once', async () => {
    const database = await freshDatabase();
    const opened = await Promise.all(Array.from({ length: 5 }, () => open(database.url)));
    for (const store of opened) expect(await store.schemaVersion()).toBe(4);
    const versions = await query(database.url, (sql) => sql<Array<{ version: string }>>`SELECT version FROM schema_migrations ORDER BY version`);
    expect(versions.map((row) => Number(row.version))).toEqual([1, 2, 3, 4]);
  });
});

describe('PostgreSQL store: merging', () => {
  const first: Dataset = {
    customers: [{ customerId: 'c1', name: 'One', email: null, company: null, country: null, createdAt: null, attributes: {}, source: { file: 'customers.csv', line: 2 } }],
    plans: [plan('p1', 'month'), plan('p2', 'year')],
    invoiceLines: [
      line({ lineId: 'l1', customerId: 'c1', start: '2024-01-01', end: '2024-02-01', amount: 1000, planId: 'p1' }),
      line({ lineId: 'l2', customerId: 'c2', subscriptionId: 's2', start: '2024-01-01', end: '2024-02-01', amount: 2000, planId: 'p2' }),
      line({ lineId: 'l3', customerId: 'c3', subscriptionId: 's3', start: '2024-01-01', end: '2024-02-01', amount: 3000, currency: 'EUR' }),
    ],
    subscriptionEvents: [event({ eventId: 'e1', customerId: 'c4', subscriptionId: 's4', type: 'start', at: '2024-01-01', amount: 500, planId: 'p1' })],
    fxRates: [fxRate('2024-01-01', 'EUR', 'USD', '1.1')],
  };
  const second: Dataset = {
    customers: [],
    plans: [plan('p1', 'month'), { ...plan('p2', 'year'), name: 'Yearly' }],
    invoiceLines: [
      first.invoiceLines[0]!,
      { ...first.invoiceLines[1]!, amount: 2500 },
      { ...first.invoiceLines[2]!, customerId: 'c5' },
      line({ lineId: 'l4', customerId: 'c6', subscriptionId: 's6', start: '2024-01-01', end: '2024-02-01', amount: 1 }),
      line({ lineId: 'l4', customerId: 'c6', subscriptionId: 's6', start: '2024-01-01', end: '2024-02-01', amount: 4000 }),
    ],
    subscriptionEvents: [first.subscriptionEvents[0]!],
    fxRates: [fxRate('2024-01-01', 'EUR', 'USD', '1.1')],
  };

  async function mergeBoth(store: RunrateStore, batches: readonly Dataset[]): Promise<MergeResult[]> {
    const results: MergeResult[] = [];
    for (const batch of batches) results.push(sortedResult(await store.transaction((tx) => tx.mergeSourceRows(batch))));
    return results;
  }

  test('counts new, replaced and unchanged rows, keeps the last of duplicate ids, and names what changed, as DuckDB does', async () => {
    const store = await freshStore();
    const [one, two] = await mergeBoth(store, [first, second]);
    expect(one).toEqual({
      counts: { read: 8, new: 8, replaced: 0, unchanged: 0 },
      customersWithChangedRows: ['c1', 'c2', 'c3', 'c4'],
      changedPlans: ['p1', 'p2'],
      ratesChanged: true,
    });
    expect(two).toEqual({
      counts: { read: 9, new: 1, replaced: 3, unchanged: 4 },
      // c3 lost line l3 to c5: both are recomputed.
      customersWithChangedRows: ['c2', 'c3', 'c5', 'c6'],
      changedPlans: ['p2'],
      ratesChanged: false,
    });
    const stored = await store.readAllSource();
    expect(stored.invoiceLines.find((row) => row.lineId === 'l4')!.amount).toBe(4000);
    expect(stored.invoiceLines.find((row) => row.lineId === 'l3')!.customerId).toBe('c5');
    expect(stored.invoiceLines).toHaveLength(4);
    expect(canonicalDataset(stored)).toBe(canonicalDataset({ ...first, ...second, customers: first.customers, invoiceLines: [...second.invoiceLines.slice(0, 3), second.invoiceLines[4]!] }));

    const duck = await freshDuckDb();
    expect(await mergeBoth(duck, [first, second])).toEqual([one, two]);
    expect(canonicalDataset(await duck.readAllSource())).toBe(canonicalDataset(stored));
  });

  test('a batch merged twice in one transaction is unchanged the second time', async () => {
    const store = await freshStore();
    const [again] = await store.transaction(async (tx) => {
      await tx.mergeSourceRows(first);
      return [await tx.mergeSourceRows(first)];
    });
    expect(again!.counts).toEqual({ read: 8, new: 0, replaced: 0, unchanged: 8 });
  });

  test('the other queries of a transaction answer as DuckDB’s do', async () => {
    // A generated case with movements of several customers (some cases end before any MRR).
    const generated = fc
      .sample(arbitraryCase({ maxCustomers: 6 }), { seed: 42, numRuns: 50 })
      .find((c) => new Set(deriveRows(c.dataset, c.config, c.fallbackRates).movements.map((m) => m.customerId)).size >= 3);
    const { config, fallbackRates } = generated!;
    // Two customers on one subscription id (a data error the engine rejects), as a group.
    const shared = generated!.dataset.invoiceLines.find((l) => l.subscriptionId !== null)!;
    const dataset: Dataset = { ...generated!.dataset, invoiceLines: [...generated!.dataset.invoiceLines, { ...shared, lineId: 'shared-line', customerId: 'zz-intruder' }] };
    const derived = deriveRows(dataset, config, fallbackRates);
    const half = (rows: DerivedRows, part: 0 | 1): DerivedRows => {
      const pick = <T>(list: readonly T[]) => list.filter((_, i) => i % 2 === part);
      return { movements: pick(rows.movements), timelines: pick(rows.timelines), rejects: pick(rows.rejects), warnings: pick(rows.warnings) };
    };
    const answers = async (store: RunrateStore) => {
      const rejects: StoredReject[] = [
        { importId: 1, file: 'b.csv', line: 3, column: 'amount', message: 'bad\tamount', raw: 'x,\\y' },
        { importId: 1, file: 'a.csv', line: 9, column: '', message: 'short row', raw: null },
      ];
      const empty = { configJson: await store.configJson(), firstMovementDate: await store.firstMovementDate(), fxRates: await store.fxRates() };
      const inTransaction = await store.transaction(async (tx) => {
        await tx.lockForWrite();
        const merged = sortedResult(await tx.mergeSourceRows(dataset));
        await tx.replaceDerived(null, half(derived, 0));
        await tx.deleteDerived(null);
        await tx.appendDerived(half(derived, 0));
        await tx.appendDerived(half(derived, 1));
        await tx.setMeta('config', 'first');
        await tx.setMeta('config', 'second');
        const someCustomers = merged.customersWithChangedRows.slice(0, 1);
        const importId = await tx.nextImportId();
        await tx.recordImport({ importId, startedAt: 'now', paths: ['a', 'b\tc'], counts: merged.counts, rejected: 2, recomputed: 7 }, rejects);
        return {
          merged,
          meta: [await tx.getMeta('config'), await tx.getMeta('missing')],
          onPlans: sorted(await tx.customersOnPlans(dataset.plans.map((p) => p.planId).slice(0, 2))),
          onNoPlans: await tx.customersOnPlans([]),
          outside: sorted(await tx.customersBilledOutside('USD')),
          shared: sorted(await tx.withSharedSubscriptions(someCustomers)),
          sharedNone: sorted(await tx.withSharedSubscriptions([])),
          withRows: sorted(await tx.customersWithRows()),
          groups: (await tx.sharedSubscriptionGroups()).map((group) => group.join(' ')).sort(),
          some: canonicalDataset(await tx.readSourceRows(someCustomers)),
          none: canonicalDataset(await tx.readSourceRows([])),
          all: canonicalDataset(await tx.readSourceRows(null)),
          nextImportId: await tx.nextImportId(),
        };
      });
      // Replacing some customers' derived rows keeps the others'.
      const someCustomers = inTransaction.merged.customersWithChangedRows.slice(0, 1);
      await store.transaction((tx) => tx.replaceDerived(someCustomers, noDerived));
      const someone = derived.movements.find((m) => !someCustomers.includes(m.customerId))?.customerId ?? 'nobody';
      return {
        ...inTransaction,
        empty,
        configJson: await store.configJson(),
        fxRates: canonicalJson([...(await store.fxRates())].sort((a, b) => a.date - b.date || (a.base + a.quote < b.base + b.quote ? -1 : 1))),
        firstMovementDate: await store.firstMovementDate(),
        customerMovements: canonicalJson(await store.customerMovements(someone)),
        noMovements: await store.customerMovements('nobody'),
        snapshot: canonicalSnapshot(await store.snapshot()),
        source: canonicalDataset(await store.readAllSource()),
        rejects: await store.rejects(),
        imports: await store.imports(),
      };
    };
    const fromPostgres = await answers(await freshStore());
    const fromDuckDb = await answers(await freshDuckDb());
    expect(fromPostgres).toEqual(fromDuckDb);
    expect(fromPostgres.meta).toEqual(['second', null]);
    expect(fromPostgres.empty).toEqual({ configJson: null, firstMovementDate: null, fxRates: [] });
    expect(fromPostgres.firstMovementDate).toBe(Math.min(...derived.movements.map((m) => m.date)));
    expect(fromPostgres.customerMovements).not.toBe('[]');
    expect(fromPostgres.rejects.map((reject) => reject.file)).toEqual(['a.csv', 'b.csv']);
    expect(fromPostgres.nextImportId).toBe(2);
    expect(fromPostgres.groups).toEqual([[shared.customerId, 'zz-intruder'].sort().join(' ')]);
  });
});

describe('PostgreSQL store: exact values', () => {
  test('every column type round-trips exactly through COPY: BIGINT near 2^53, dates around 1970 and leap days, instants to the millisecond, NULLs, awkward text', async () => {
    const store = await freshStore();
    const dataset = extremeDataset();
    const derived = extremeDerived();
    const rejects: StoredReject[] = awkward.map((text, i) => ({ importId: MAX, file: `f${i}`, line: MAX - i, column: text, message: text, raw: i % 2 === 0 ? text : null }));
    const result = await store.transaction(async (tx) => {
      const merged = await tx.mergeSourceRows(dataset);
      await tx.replaceDerived(null, derived);
      await tx.setMeta('config', 'tab\tnewline\nbackslash\\ 🚀');
      await tx.recordImport(
        { importId: MAX, startedAt: '2024-02-29T23:59:59.999Z', paths: ['a\tb', 'ü'], counts: { read: MAX, new: 0, replaced: -0, unchanged: 1 }, rejected: MAX, recomputed: 'all' },
        rejects,
      );
      return merged;
    });
    const total = dataset.customers.length + dataset.plans.length + dataset.invoiceLines.length + dataset.subscriptionEvents.length + dataset.fxRates.length;
    expect(result.counts).toEqual({ read: total, new: total, replaced: 0, unchanged: 0 });

    expect(canonicalDataset(await store.readAllSource())).toBe(canonicalDataset(dataset));
    expect(canonicalSnapshot(await store.snapshot())).toBe(canonicalSnapshot(snapshotOf(dataset, derived, 'tab\tnewline\nbackslash\\ 🚀')));
    expect([...(await store.rejects())].sort((a, b) => a.line - b.line)).toEqual([...rejects].sort((a, b) => a.line - b.line));
    expect(await store.imports()).toEqual([
      { importId: MAX, startedAt: '2024-02-29T23:59:59.999Z', paths: ['a\tb', 'ü'], counts: { read: MAX, new: 0, replaced: 0, unchanged: 1 }, rejected: MAX, recomputed: 'all' },
    ]);

    // What the server holds is the value itself, not an encoding of it.
    const rows = await query(
      urlOf.get(store)!,
      (sql) => sql<Array<{ start: string | null; instant: string | null; amount: string; text: string }>>`
        SELECT service_start_date::text AS start, to_char(service_end_instant AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS instant, amount::text AS amount, invoice_id AS text
        FROM invoice_lines WHERE line_id IN (${dataset.invoiceLines[1]!.lineId}, ${dataset.invoiceLines[4]!.lineId}) ORDER BY line_id COLLATE "C"`,
    );
    expect(rows).toEqual([
      { start: '2000-02-29', instant: '2024-02-29T00:00:00.123', amount: String(-(MAX - 1)), text: '\\N' },
      { start: null, instant: '1969-12-31T23:59:59.999', amount: String(-MAX), text: 'line\nbreak' },
    ]);
  });

  test('the same extreme values give the same snapshot from DuckDB', async () => {
    const dataset = extremeDataset();
    const derived = extremeDerived();
    const load = async (store: RunrateStore) => {
      await store.transaction(async (tx) => {
        await tx.mergeSourceRows(dataset);
        await tx.replaceDerived(null, derived);
      });
      return { snapshot: canonicalSnapshot(await store.snapshot()), source: canonicalDataset(await store.readAllSource()) };
    };
    expect(await load(await freshStore())).toEqual(await load(await freshDuckDb()));
  });
});

describe('PostgreSQL store: atomicity and concurrency', () => {
  const linesFor = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) =>
      line({ lineId: `${prefix}-${i}`, customerId: `${prefix}-c${i % 50}`, subscriptionId: `${prefix}-s${i % 50}`, start: '2024-01-01', end: '2024-02-01', amount: i + 1 }),
    );
  const movementsFor = (lines: readonly InvoiceLine[], amount: number): Movement[] =>
    lines.map((l) => ({
      date: 19723 as CalendarDate,
      customerId: l.customerId,
      subscriptionId: l.subscriptionId!,
      type: 'new',
      reason: null,
      amount,
      currency: currency('USD'),
      nativeAmount: amount,
      nativeCurrency: currency('USD'),
      customerMrr: amount,
      planId: null,
      priceEffect: null,
      volumeEffect: null,
      mixEffect: null,
      sources: [l.lineId],
    }));

  test('a transaction that throws leaves nothing behind, and the error is the one thrown', async () => {
    const store = await freshStore();
    const lines = linesFor('a', 20);
    await store.transaction(async (tx) => {
      await tx.mergeSourceRows({ ...empty, invoiceLines: lines });
      await tx.replaceDerived(null, { ...noDerived, movements: movementsFor(lines, 1) });
      await tx.setMeta('config', 'A');
    });
    const snapshot = canonicalSnapshot(await store.snapshot());
    const source = canonicalDataset(await store.readAllSource());
    const failure = new Error('the power went out');
    await expect(
      store.transaction(async (tx) => {
        await tx.lockForWrite();
        await tx.mergeSourceRows({ ...empty, invoiceLines: [...lines.map((l) => ({ ...l, amount: 7 })), ...linesFor('b', 10)] });
        await tx.replaceDerived(null, noDerived);
        await tx.setMeta('config', 'B');
        await tx.recordImport({ importId: 1, startedAt: 'now', paths: [], counts: { read: 0, new: 0, replaced: 0, unchanged: 0 }, rejected: 0, recomputed: 0 }, []);
        throw failure;
      }),
    ).rejects.toBe(failure);
    // A statement the server refuses (a NUL byte in text) rolls back the same way.
    await expect(store.transaction((tx) => tx.mergeSourceRows({ ...empty, invoiceLines: [...linesFor('c', 5), { ...lines[0]!, invoiceId: 'nul\u0000byte' }] }))).rejects.toThrow();
    expect(canonicalSnapshot(await store.snapshot())).toBe(snapshot);
    expect(canonicalDataset(await store.readAllSource())).toBe(source);
    expect(await store.imports()).toEqual([]);
  });

  test('two imports of different rows running at the same time both land, one after the other', async () => {
    const database = await freshDatabase();
    // Two stores, two pools: as two processes would.
    const [one, two] = [await open(database.url), await open(database.url)];
    const order: string[] = [];
    const importRows = (store: RunrateStore, prefix: string) =>
      store.transaction(async (tx) => {
        await tx.lockForWrite();
        order.push(`${prefix} locked`);
        const merged = await tx.mergeSourceRows({ ...empty, invoiceLines: linesFor(prefix, 500) });
        await tx.replaceDerived(await tx.withSharedSubscriptions(merged.customersWithChangedRows), { ...noDerived, movements: movementsFor(linesFor(prefix, 500), 1) });
        await sleep(300);
        const importId = await tx.nextImportId();
        await tx.recordImport({ importId, startedAt: prefix, paths: [prefix], counts: merged.counts, rejected: 0, recomputed: 50 }, []);
        order.push(`${prefix} done`);
        return merged.counts;
      });
    const [a, b] = await Promise.all([importRows(one, 'a'), importRows(two, 'b')]);
    expect(a).toEqual({ read: 500, new: 500, replaced: 0, unchanged: 0 });
    expect(b).toEqual({ read: 500, new: 500, replaced: 0, unchanged: 0 });
    // Serialised by the write lock: neither started merging before the other had finished.
    expect([order.slice(0, 2), order.slice(2)].map((pair) => pair.map((step) => step.split(' ')[1]))).toEqual([
      ['locked', 'done'],
      ['locked', 'done'],
    ]);
    const source = await one.readAllSource();
    expect(source.invoiceLines).toHaveLength(1000);
    expect((await two.snapshot()).derived.movements).toHaveLength(1000);
    expect((await one.imports()).map((record) => [record.importId, record.paths[0]])).toEqual(
      order.filter((step) => step.endsWith('done')).map((step, i) => [i + 1, step.split(' ')[0]]),
    );
  });

  test('a report read during an import sees the store before it, and after it once committed, never a mix', async () => {
    const database = await freshDatabase();
    const writer = await open(database.url);
    const reader = await open(database.url);
    const before = linesFor('before', 200);
    await writer.transaction(async (tx) => {
      await tx.mergeSourceRows({ ...empty, invoiceLines: before });
      await tx.replaceDerived(null, { ...noDerived, movements: movementsFor(before, 1) });
      await tx.setMeta('config', 'A');
    });

    let reachedGate!: () => void;
    const reached = new Promise<void>((resolve) => (reachedGate = resolve));
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const after = linesFor('after', 200);
    const importing = writer.transaction(async (tx) => {
      await tx.lockForWrite();
      await tx.mergeSourceRows({ ...empty, invoiceLines: after });
      await tx.replaceDerived(null, { ...noDerived, movements: movementsFor([...before, ...after], 2) });
      await tx.setMeta('config', 'B');
      reachedGate();
      await gate;
    });
    await reached;

    const during = await reader.snapshot();
    expect(during.configJson).toBe('A');
    expect(during.derived.movements).toHaveLength(200);
    expect(new Set(during.derived.movements.map((m) => m.amount))).toEqual(new Set([1]));
    expect((await reader.readAllSource()).invoiceLines).toHaveLength(200);

    // Snapshots racing the commit: each is wholly A or wholly B.
    const racing: Array<Promise<StoreSnapshot>> = [];
    openGate();
    const done = importing.then(() => undefined);
    for (let i = 0; i < 8; i++) {
      racing.push(reader.snapshot());
      await sleep(2);
    }
    await done;
    racing.push(reader.snapshot());
    for (const snapshot of await Promise.all(racing)) {
      const amounts = new Set(snapshot.derived.movements.map((m) => m.amount));
      if (snapshot.configJson === 'A') expect([snapshot.derived.movements.length, [...amounts]]).toEqual([200, [1]]);
      else expect([snapshot.configJson, snapshot.derived.movements.length, [...amounts]]).toEqual(['B', 400, [2]]);
    }
    const final = await reader.snapshot();
    expect(final.configJson).toBe('B');
    expect(final.customerIds).toHaveLength(100);
  });
});

describe('PostgreSQL store: connection failures', () => {
  const closedPort = () =>
    new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });

  test('an unreachable server is a one-line StoreError without the password', async () => {
    const port = await closedPort();
    const error = await openPostgresStore(`postgres://runrate:s3cr3t-pa55@127.0.0.1:${port}/runrate`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as Error).message;
    expect(message).not.toContain('s3cr3t-pa55');
    expect(message).not.toContain('\n');
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toMatch(/ECONNREFUSED/);
  });

  test('a missing database is a StoreError too; a store’s location never shows its password', async () => {
    const missing = new URL(testServerUrl());
    missing.pathname = '/runrate_no_such_database';
    missing.password = 'hunter2';
    const error = await openPostgresStore(missing.toString()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/runrate_no_such_database/);
    expect((error as Error).message).not.toContain('hunter2');

    const database = await freshDatabase();
    const withPassword = new URL(database.url);
    withPassword.password = 'hunter2'; // trust authentication ignores it
    const store = await open(withPassword.toString());
    expect(store.location).not.toContain('hunter2');
    expect(store.location).toContain(database.name);
  });
});
