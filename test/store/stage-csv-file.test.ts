/**
 * A plain invoice_lines, subscription_events or customers CSV file loaded by DuckDB itself (stage-csv-file.ts) lands
 * exactly as the same file read row by row in JavaScript: the same stored rows, rejects (line,
 * column, message, raw text), warnings, counts and configuration. Values are drawn from the forms
 * SQL accepts and from near misses on each side of them (blank ids, upper-case enumerations,
 * impossible dates, instants without an offset or with microseconds, amounts with too many
 * decimals, unknown currencies, repeated ids, text that is blank only to Unicode, attributes JSON
 * must escape), each field written bare, quoted, or with a quote that makes the file not plain.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { importIntoStore, type ImportOutcome } from '../../src/app/store/import-into-store.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { Customer, InvoiceLine, SubscriptionEvent } from '../../src/engine/model.js';
import type { CsvStagingOutcome, CsvStagingRequest, RunrateStore, StoreTransaction } from '../../src/store/store-port.js';
import { canonicalJson } from '../support/canonical-json.js';
import { withTransactionOverrides } from '../support/with-transaction-overrides.js';

const FACTOR = Math.max(1, Number(process.env.RUNRATE_PROPERTY_RUNS ?? '1') || 1);
const root = mkdtempSync(path.join(os.tmpdir(), 'runrate-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VALUES: Record<string, readonly string[]> = {
  invoice_id: ['in_1', 'in_2', '', ' ', '\u00a0', ' in_3', '_x', '~'],
  customer_id: ['cus_1', 'cus_2', 'cus_3', '', ' ', '\t', 'Cus 4 ', 'é'],
  subscription_id: ['sub_1', 'sub_2', '', ' ', 'sub 3'],
  plan_id: ['monthly', 'annual', '', ' '],
  type: ['', 'subscription', 'one_time', 'trial', 'credit_note', 'Subscription', ' trial', 'bogus'],
  service_start: ['2024-01-01', '2024-02-29', '2024-01-15T10:00:00Z', '2024-01-15T10:00:00.5+02:00', '', '2023-02-29', '2024-1-5', ' 2024-01-01', '1899-12-31', '2100-01-01', '2024-01-15T10:00:00', '2024-01-15T24:00:00Z', '2024-01-15T10:00:00.1234Z', '1704067200', '2024-01-15 10:00:00Z', '2024-01-15t10:00:00z'],
  service_end: ['2024-02-01', '2024-03-01', '2024-01-01', '2024-02-15T10:00:00Z', '2024-01-15T09:00:00Z', '2024-02-15T10:00:00-05:30', '', '2024-13-01', '2024-02-30', '2024-02-01T10:00:00+24:00', '2024-02-01T10:00:00.999Z', '1704067100', '1706745600', '-5'],
  amount: ['12.50', '12.5', '0', '-0', '-0.01', '+4.1', '100', '12.500', '.5', '1e3', '12345678901.12', '123456789012', '', ' 5', 'abc', '0.0001', '-12.3456'],
  currency: ['USD', 'EUR', 'JPY', 'KWD', 'CLF', 'usd', 'XXX', 'EUR ', '', 'ABC'],
  quantity: ['', '3', '0', '-1', '2.0', '007', '1e2', '1234567890123456'],
  discount: ['', '1.00', '0.5', '1.999', '-2'],
  discount_duration: ['', 'once', 'repeating', 'forever', 'Once', 'never'],
  tax: ['', '0.00', '2.1', 'x'],
  prorated: ['', 'true', 'false', '1', '0', 'TRUE', 'yes'],
  cancelled_at: ['', '2024-02-10', '2024-02-10T00:00:00Z', '2024-02-10T00:00'],
  cancel_requested_at: ['', '2024-02-01'],
  issued_at: ['', '2024-01-01T12:00:00Z', '2024-01-01T12:00:00.123+01:00', '2024-01-01', '1752206074', '123456789012', '0'],
  event_order: ['', '1', '-2', '-0', '3.0', 'x', '1234567890123456'],
};
/** An unknown column: ignored, but its text decides whether a file is plain. */
const NOTES = ['note', 'a, b', 'say "hi"', ''];
const REQUIRED = ['line_id', 'invoice_id', 'customer_id', 'amount', 'currency'];

type Quoting = 'bare' | 'quoted' | 'broken';

/** How each field of a row is written: mostly bare, sometimes quoted. */
function arbitraryQuoting(fields: number) {
  return fc.array(fc.oneof({ weight: 10, arbitrary: fc.constant<Quoting>('bare') }, { weight: 1, arbitrary: fc.constant<Quoting>('quoted') }), { minLength: fields, maxLength: fields });
}

/** One file in ten has a stray quote in its first row's first field: it is not plain. */
const arbitraryStray = fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

/** A field as CSV text; a value with a comma or a quote is always quoted, as a writer would. */
function field(value: string, quoting: Quoting): string {
  if (quoting === 'broken') return `${value}"x`;
  return quoting === 'quoted' || /[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
/** Subscription lines need these: a file without them is mostly rejects, so most files have them. */
const PERIOD = ['subscription_id', 'service_start', 'service_end'];
const OPTIONAL = Object.keys(VALUES).filter((column) => !REQUIRED.includes(column) && !PERIOD.includes(column));

/**
 * A CSV file of random rows: `columns` draws the header's columns (then shuffled), each row's
 * values come from `valuesOf(column)`, its first two values with odds of `clean` to 1 for the
 * rest, and ids are numbered (`${idPrefix}N`) but for a blank or repeated one now and then.
 */
function arbitraryCsvFile(shape: {
  readonly columns: fc.Arbitrary<string[]>;
  readonly idColumn: string;
  readonly idPrefix: string;
  readonly valuesOf: (column: string) => readonly string[];
  readonly clean: number;
}): fc.Arbitrary<string> {
  const MAX_FIELDS = 30;
  return fc
    .record({
      columns: shape.columns,
      order: fc.array(fc.nat(), { minLength: MAX_FIELDS, maxLength: MAX_FIELDS }),
      rows: fc.array(
        fc.record({
          picks: fc.array(fc.oneof({ weight: shape.clean, arbitrary: fc.nat({ max: 1 }) }, { weight: 1, arbitrary: fc.nat({ max: 20 }) }), { minLength: MAX_FIELDS, maxLength: MAX_FIELDS }),
          id: fc.oneof({ weight: 20, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('', ' ', 'dup') }),
          quoting: arbitraryQuoting(MAX_FIELDS),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      stray: arbitraryStray,
    })
    .map(({ columns, order, rows, stray }) => {
      expect(columns.length).toBeLessThanOrEqual(MAX_FIELDS);
      const shuffled = columns.map((column, index) => ({ column, key: order[index] ?? 0 })).sort((a, b) => a.key - b.key).map(({ column }) => column);
      const lines = rows.map((row, index) =>
        shuffled
          .map((column, at) => {
            const quoting = stray && index === 0 && at === 0 ? 'broken' : (row.quoting[at] ?? 'bare');
            if (column === shape.idColumn) return field(row.id === null ? `${shape.idPrefix}${index + 1}` : row.id, quoting);
            const values = shape.valuesOf(column);
            return field(values[(row.picks[at] ?? 0) % values.length]!, quoting);
          })
          .join(','),
      );
      return `${[shuffled.map((column) => field(column, 'bare')).join(','), ...lines].join('\n')}\n`;
    });
}

/** Mostly the whole group, now and then a part of it. */
function mostly(group: readonly string[]): fc.Arbitrary<string[]> {
  return fc.oneof({ weight: 9, arbitrary: fc.constant(group) }, { weight: 1, arbitrary: fc.subarray([...group]) }).map((columns) => [...columns]);
}

/** An invoice_lines file: the required columns, mostly a period, some optional ones, maybe an unknown one. */
const arbitraryFile = arbitraryCsvFile({
  columns: fc
    .tuple(mostly(PERIOD), fc.subarray(OPTIONAL), fc.boolean())
    .map(([period, optional, unknown]) => [...REQUIRED, ...period, ...optional, ...(unknown ? ['note'] : [])]),
  idColumn: 'line_id',
  idPrefix: 'il_',
  valuesOf: (column) => (column === 'note' ? NOTES : VALUES[column]!),
  clean: 30,
});

interface Landed {
  /** null when the import failed (the engine found no rate for a currency, say): then `error`. */
  readonly outcome: ImportOutcome | null;
  readonly error: string | null;
  readonly rows: ReadonlyArray<InvoiceLine | SubscriptionEvent>;
  readonly bulk: CsvStagingOutcome | null | undefined;
}

/** What a test of the customers file compares: the stored customers, and each one's attributes as stored text. */
interface LandedCustomers {
  readonly outcome: ImportOutcome | null;
  readonly error: string | null;
  readonly customers: ReadonlyArray<Customer & { readonly attributesJson: string }>;
  readonly bulk: CsvStagingOutcome | null | undefined;
}

/** Thrown to roll an import back once it is seen: one store serves every case. */
const SEEN = new Error('rolled back once seen');
let shared: RunrateStore | null = null;
afterAll(async () => shared?.close());

/**
 * The store, catching what its load of `kind`'s file returned (undefined: never asked); `after`
 * runs inside the import's transaction once the import's work is done, given its result.
 */
function watching(store: RunrateStore, kind: CsvStagingRequest['kind'], after: (tx: StoreTransaction, result: unknown) => Promise<void> = async () => undefined) {
  let bulk: CsvStagingOutcome | null | undefined;
  const seeing = withTransactionOverrides(
    store,
    (tx): Partial<StoreTransaction> => {
      const stage = tx.stageCsvFile?.bind(tx);
      return stage ? { stageCsvFile: async (request) => (request.kind === kind ? (bulk = await stage(request)) : stage(request)) } : {};
    },
    after,
  );
  return { store: seeing, bulk: () => bulk };
}

/** `times`: the folder is imported that many times over in one import (a later copy stages into a filled table). */
function importTimes(store: RunrateStore, dir: string, bulkCsv: boolean, times: number, bulkCsvMinRows = 1): Promise<ImportOutcome> {
  return importIntoStore(store, Array.from({ length: times }, () => dir), { explicit: [{ currency: 'USD', asOf: '2024-06-30' }], today: () => 0 as never, startedAt: 'test', bulkCsv, bulkCsvMinRows, worker: false });
}

async function land(dir: string, bulkCsv: boolean, times = 1, kind: 'invoice_lines' | 'subscription_events' = 'invoice_lines', bulkCsvMinRows = 1): Promise<Landed> {
  let rows: ReadonlyArray<InvoiceLine | SubscriptionEvent> = [];
  let outcome: ImportOutcome | null = null;
  let error: string | null = null;
  const watched = watching((shared ??= await openDuckDbStore(':memory:')), kind, async (tx, result) => {
    // Store order is not part of the contract (the engine does not depend on it): file order.
    const stored = await tx.readSourceRows(null);
    rows = [...(kind === 'invoice_lines' ? stored.invoiceLines : stored.subscriptionEvents)].sort((a, b) => a.source.line - b.source.line);
    outcome = result as ImportOutcome;
    throw SEEN;
  });
  await importTimes(watched.store, dir, bulkCsv, times, bulkCsvMinRows).catch((thrown: unknown) => {
    if (thrown !== SEEN) error = String(thrown);
  });
  expect(outcome === null).toBe(error !== null);
  return { outcome, error, rows, bulk: watched.bulk() };
}

/**
 * Customers are only read back whole (readAllSource), so each case has a store of its own, kept:
 * the attributes' key order then shows in their JSON text.
 */
async function landCustomers(dir: string, bulkCsv: boolean, times = 1): Promise<LandedCustomers> {
  const store = await openDuckDbStore(':memory:');
  try {
    const watched = watching(store, 'customers');
    let outcome: ImportOutcome | null = null;
    let error: string | null = null;
    await importTimes(watched.store, dir, bulkCsv, times).then(
      (result) => (outcome = result),
      (thrown: unknown) => (error = String(thrown)),
    );
    const customers = outcome === null ? [] : (await store.readAllSource()).customers.map((customer) => ({ ...customer, attributesJson: JSON.stringify(customer.attributes) }));
    return { outcome, error, customers: [...customers].sort((a, b) => a.source.line - b.source.line), bulk: watched.bulk() };
  } finally {
    await store.close();
  }
}

/** What an import tells and keeps, without the staging detour. */
function comparable(landed: Landed | LandedCustomers): unknown {
  const { outcome } = landed;
  if (outcome === null) return landed.error;
  return canonicalJson({
    counts: outcome.counts,
    rejects: outcome.batch.rejects,
    warnings: outcome.batch.warnings,
    rowsRead: outcome.batch.rowsRead,
    config: outcome.config,
    rows: 'rows' in landed ? landed.rows : landed.customers,
  });
}

const EVENT_VALUES: Record<string, readonly string[]> = {
  customer_id: ['cus_1', 'cus_2', '', ' ', 'é'],
  subscription_id: ['sub_1', 'sub_2', '', ' '],
  type: ['start', 'cancel', 'change', 'pause', 'resume', 'Start', ' cancel', 'stop', ''],
  effective_at: ['2024-01-01', '2024-02-15T10:00:00Z', '1704067200', '', '2024-02-30', '2024-01-15T10:00:00'],
  requested_at: ['', '2024-01-01T09:00:00+01:00', 'soon'],
  plan_id: ['monthly', '', ' ', 'annual '],
  amount: ['49.00', '10', '', '12.345', '-3', '.5', '1e3'],
  unit_amount: ['', '10.00', '0.001', '99999999999.99'],
  quantity: ['', '3', '0', '-1', '2.0', '999999999999999'],
  discount: ['', '1.50', '0.5', 'x'],
  discount_duration: ['', 'once', 'Forever', 'never'],
  currency: ['USD', 'EUR', '', 'JPY', 'usd', 'XXX'],
  interval_unit: ['month', '', 'year', 'Month', 'fortnight'],
  interval_count: ['', '1', '3', '0', '1.0', '-2'],
  paid_through: ['', '2024-03-01', '2024-03-01T00:00:00Z'],
};
const EVENT_REQUIRED = ['event_id', 'customer_id', 'subscription_id', 'type', 'effective_at'];
/** Start and change events need a price: a file without these is mostly rejects, so most files have them. */
const EVENT_PRICE = ['amount', 'currency'];
const EVENT_OPTIONAL = Object.keys(EVENT_VALUES).filter((column) => !EVENT_REQUIRED.includes(column) && !EVENT_PRICE.includes(column));

/** A subscription_events file: the required columns, mostly a price, and some optional ones. */
const arbitraryEventsFile = arbitraryCsvFile({
  columns: fc.tuple(mostly(EVENT_PRICE), fc.subarray(EVENT_OPTIONAL)).map(([price, optional]) => [...EVENT_REQUIRED, ...price, ...optional]),
  idColumn: 'event_id',
  idPrefix: 'evt_',
  valuesOf: (column) => EVENT_VALUES[column]!,
  clean: 12,
});

const CUSTOMER_VALUES: Record<string, readonly string[]> = {
  customer_id: ['cus_1', 'cus_2', 'cus_3', '', ' ', '\t', 'Cus 4 ', 'é'],
  name: ['Ann Lee', 'Élodie Roux', '', ' ', '\u00a0', '  Bob  ', 'Lee, Ann', 'say "hi"'],
  email: ['ann@example.com', '', 'bob@example.org ', '\u3000'],
  company: ['Acme', 'Acme, Inc.', '', '株式会社', ' '],
  country: ['US', 'de', '', ' US', 'USA', 'U1', 'fr '],
  created_at: ['2024-01-01', '', '2024-01-15T10:00:00Z', '1704067200', '2023-02-29', ' 2024-01-01', 'x'],
};
const ATTRIBUTE_COLUMNS = ['attr.industry', 'team_size', 'industry', 'attr.team_size', 'attr.', '2024', 'plan tier', 'attr.x\\y', 'attr.a"b'];
const ATTRIBUTE_VALUES = ['software', 'retail', '', ' ', '\u00a0', 'é', 'a "q"', 'back\\slash', 'tab\there', 'x, y'];
const CUSTOMER_OPTIONAL = Object.keys(CUSTOMER_VALUES).filter((column) => column !== 'customer_id');

/** A customers file: customer_id, some known columns, some attribute columns (clashing, odd keys). */
const arbitraryCustomersFile = arbitraryCsvFile({
  columns: fc
    .tuple(fc.subarray(CUSTOMER_OPTIONAL), fc.oneof({ weight: 3, arbitrary: fc.subarray(ATTRIBUTE_COLUMNS.slice(0, 2)) }, { weight: 1, arbitrary: fc.subarray(ATTRIBUTE_COLUMNS) }))
    .map(([optional, attributes]) => ['customer_id', ...optional, ...attributes]),
  idColumn: 'customer_id',
  idPrefix: 'cus_',
  valuesOf: (column) => CUSTOMER_VALUES[column] ?? ATTRIBUTE_VALUES,
  clean: 20,
});

/**
 * Imports each random file with and without the store's load (`write` puts it in a folder) and
 * compares what landed; then checks that rows really went both ways through DuckDB, and that it
 * declined some files.
 */
async function landsAsReadRowByRow<L extends Landed | LandedCustomers>(
  arbitrary: fc.Arbitrary<string>,
  seed: number,
  write: (dir: string, text: string) => void,
  landWith: (dir: string, bulkCsv: boolean, times: number) => Promise<L>,
  same: (inBulk: L, byRow: L) => void = () => undefined,
): Promise<void> {
  let staged = 0;
  let doubtful = 0;
  let declined = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, fc.integer({ min: 1, max: 2 }), async (text, times) => {
      const dir = mkdtempSync(path.join(root, 'case-'));
      write(dir, text);
      const inBulk = await landWith(dir, true, times);
      const byRow = await landWith(dir, false, times);
      expect(comparable(inBulk)).toEqual(comparable(byRow));
      same(inBulk, byRow);
      expect(byRow.bulk).toBeUndefined();
      if (inBulk.bulk) {
        staged += inBulk.bulk.staged;
        doubtful += inBulk.bulk.doubtful.length;
      } else declined++;
      rmSync(dir, { recursive: true, force: true });
    }),
    { numRuns: 60 * FACTOR, seed },
  );
  expect(staged).toBeGreaterThan(100);
  expect(doubtful).toBeGreaterThan(20);
  expect(declined).toBeGreaterThan(0);
}

/** Three invoice lines: two clean ones (one in JPY, one issued at an instant with an offset) and one with too many decimals. */
function storyFolder(): string {
  const dir = path.join(root, 'story');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'invoice_lines.csv'),
    [
      'line_id,invoice_id,customer_id,subscription_id,type,service_start,service_end,amount,currency,issued_at',
      'il_1,in_1,cus_1,sub_1,subscription,2024-01-01,2024-02-01,49.00,USD,2024-01-01T09:30:00+01:00',
      'il_2,in_2,cus_1,sub_1,subscription,2024-02-01,2024-03-01,49.001,USD,',
      'il_3,in_3,cus_2,sub_2,subscription,2024-01-15,2024-02-15,5000,JPY,',
    ].join('\n'),
  );
  return dir;
}

describe('plain CSV staged by DuckDB', () => {
  test('an invoice_lines file lands exactly as the file read row by row', async () => {
    await landsAsReadRowByRow(
      arbitraryFile,
      20261122,
      (dir, text) => writeFileSync(path.join(dir, 'invoice_lines.csv'), text),
      (dir, bulkCsv, times) => land(dir, bulkCsv, times),
    );
  }, 120_000 * FACTOR);

  test('a subscription_events file lands exactly as the file read row by row', async () => {
    await landsAsReadRowByRow(
      arbitraryEventsFile,
      20261124,
      (dir, text) => writeFileSync(path.join(dir, 'subscription_events.csv'), text),
      (dir, bulkCsv, times) => land(dir, bulkCsv, times, 'subscription_events'),
    );
  }, 120_000 * FACTOR);

  test('a customers file lands exactly as the file read row by row, attributes in the same order', async () => {
    await landsAsReadRowByRow(
      arbitraryCustomersFile,
      20261123,
      (dir, text) => {
        writeFileSync(path.join(dir, 'customers.csv'), text);
        // A dataset needs lines or events.
        writeFileSync(path.join(dir, 'invoice_lines.csv'), 'line_id,invoice_id,customer_id,type,amount,currency\nil_1,in_1,cus_1,one_time,10,USD\n');
      },
      landCustomers,
      (inBulk, byRow) => expect(inBulk.customers.map((customer) => customer.attributesJson)).toEqual(byRow.customers.map((customer) => customer.attributesJson)),
    );
  }, 120_000 * FACTOR);

  test('a clean file is staged whole by DuckDB, and a doubtful row is parsed by the reader', async () => {
    const dir = storyFolder();
    const landed = await land(dir, true);
    expect(landed.bulk?.staged).toBe(2);
    expect(landed.bulk?.currencies).toEqual(['JPY', 'USD']);
    expect(landed.bulk?.doubtful).toEqual([{ line: 3, fields: ['il_2', 'in_2', 'cus_1', 'sub_1', 'subscription', '2024-02-01', '2024-03-01', '49.001', 'USD', ''] }]);
    expect(landed.outcome?.batch.rejects).toEqual([
      expect.objectContaining({ line: 3, column: 'amount', message: '"49.001" has more decimals than USD allows (at most 2 decimals)' }),
    ]);
    const rows = landed.rows as readonly InvoiceLine[];
    expect(rows.map((row) => [row.lineId, row.amount, row.source])).toEqual([
      ['il_1', 4900, { file: path.join(dir, 'invoice_lines.csv'), line: 2 }],
      ['il_3', 5000, { file: path.join(dir, 'invoice_lines.csv'), line: 4 }],
    ]);
    expect(rows[0]!.issuedAt).toEqual({ kind: 'instant', instant: Date.UTC(2024, 0, 1, 8, 30) });
  });

  test('a file of fewer rows than the import asks for is read row by row: a small batch pays no load', async () => {
    const dir = storyFolder();
    const landed = await land(dir, true, 1, 'invoice_lines', 4);
    expect(landed.bulk).toBeUndefined();
    expect((await land(dir, true, 1, 'invoice_lines', 3)).bulk?.staged).toBe(2);
    expect(comparable(landed)).toEqual(comparable(await land(dir, false)));
  });
});

describe('a customers file staged by DuckDB', () => {
  test('keeps quoted text as written and lists plain attribute columns before attr. ones', async () => {
    const dir = path.join(root, 'customers-story');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'customers.csv'),
      ['customer_id,name,company,country,attr.industry,team_size', 'cus_1,Ann Lee,"Acme, Inc.",us,software,11-50', 'cus_2, ,Beta,DE,,'].join('\n'),
    );
    writeFileSync(path.join(dir, 'invoice_lines.csv'), 'line_id,invoice_id,customer_id,type,amount,currency\nil_1,in_1,cus_1,one_time,10,USD\n');
    const landed = await landCustomers(dir, true);
    // cus_2's name is a space alone: blank to JavaScript, so the reader parses that row.
    expect(landed.bulk?.staged).toBe(1);
    expect(landed.bulk?.doubtful).toEqual([{ line: 3, fields: ['cus_2', ' ', 'Beta', 'DE', '', ''] }]);
    expect(landed.customers.map((customer) => [customer.customerId, customer.name, customer.company, customer.country, customer.attributesJson])).toEqual([
      ['cus_1', 'Ann Lee', 'Acme, Inc.', 'US', '{"team_size":"11-50","industry":"software"}'],
      ['cus_2', null, 'Beta', 'DE', '{}'],
    ]);
  });
});
