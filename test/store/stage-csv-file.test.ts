/**
 * A plain invoice_lines CSV file loaded by DuckDB itself (stage-csv-file.ts) lands exactly as the
 * same file read row by row in JavaScript: the same stored rows, rejects (line, column, message,
 * raw text), warnings, counts and configuration. Values are drawn from the forms SQL accepts and
 * from near misses on each side of them (blank ids, upper-case enumerations, impossible dates,
 * instants without an offset or with microseconds, amounts with too many decimals, unknown
 * currencies, repeated ids, quotes that make a file not plain).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { importIntoStore, type ImportOutcome } from '../../src/app/store/import-into-store.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { InvoiceLine } from '../../src/engine/model.js';
import type { CsvStagingOutcome, RunrateStore, StoreTransaction } from '../../src/store/store-port.js';
import { canonicalJson } from '../support/canonical-json.js';

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
const REQUIRED = ['line_id', 'invoice_id', 'customer_id', 'amount', 'currency'];
/** Subscription lines need these: a file without them is mostly rejects, so most files have them. */
const PERIOD = ['subscription_id', 'service_start', 'service_end'];
const OPTIONAL = Object.keys(VALUES).filter((column) => !REQUIRED.includes(column) && !PERIOD.includes(column));

/** A file: a header (required columns, some optional ones, maybe an unknown one, shuffled) and rows. */
const arbitraryFile = fc
  .record({
    optional: fc.subarray(OPTIONAL),
    period: fc.oneof({ weight: 9, arbitrary: fc.constant(PERIOD) }, { weight: 1, arbitrary: fc.subarray(PERIOD) }),
    unknown: fc.boolean(),
    order: fc.array(fc.nat(), { minLength: 25, maxLength: 25 }),
    rows: fc.array(
      fc.record({
        // Mostly clean: each value is the column's first ones with high odds.
        picks: fc.array(fc.oneof({ weight: 30, arbitrary: fc.nat({ max: 1 }) }, { weight: 1, arbitrary: fc.nat({ max: 20 }) }), { minLength: 25, maxLength: 25 }),
        id: fc.oneof({ weight: 20, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('', ' ', 'dup') }),
      }),
      { minLength: 1, maxLength: 25 },
    ),
    quoted: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ optional, period, unknown, order, rows, quoted }) => {
    const columns = [...REQUIRED, ...period, ...optional, ...(unknown ? ['note'] : [])];
    const shuffled = columns.map((column, index) => ({ column, key: order[index] ?? 0 })).sort((a, b) => a.key - b.key).map(({ column }) => column);
    const lines = rows.map((row, index) =>
      shuffled
        .map((column, at) => {
          if (column === 'line_id') return row.id === null ? `il_${index + 1}` : row.id;
          if (column === 'note') return quoted && index === 0 ? '"a note"' : 'note';
          const values = VALUES[column]!;
          return values[(row.picks[at] ?? 0) % values.length]!;
        })
        .join(','),
    );
    return `${[shuffled.join(','), ...lines].join('\n')}\n`;
  });

interface Landed {
  /** null when the import failed (the engine found no rate for a currency, say): then `error`. */
  readonly outcome: ImportOutcome | null;
  readonly error: string | null;
  readonly rows: readonly InvoiceLine[];
  readonly bulk: CsvStagingOutcome | null | undefined;
}

/** Thrown to roll an import back once it is seen: one store serves every case. */
const SEEN = new Error('rolled back once seen');
let shared: RunrateStore | null = null;
afterAll(async () => shared?.close());

/** `times`: the folder is imported that many times over in one import (a later copy stages into a filled table). */
async function land(dir: string, bulkCsv: boolean, times = 1): Promise<Landed> {
  const store = (shared ??= await openDuckDbStore(':memory:'));
  let bulk: CsvStagingOutcome | null | undefined;
  let rows: InvoiceLine[] = [];
  const transaction = store.transaction.bind(store);
  const seeing: RunrateStore = Object.create(store) as RunrateStore;
  seeing.transaction = <T>(work: (tx: StoreTransaction) => Promise<T>) =>
    transaction(async (tx) => {
      const stage = tx.stageCsvFile?.bind(tx);
      const seen: StoreTransaction = Object.create(tx) as StoreTransaction;
      if (stage) seen.stageCsvFile = async (request) => (bulk = await stage(request));
      const result = await work(seen);
      // Store order is not part of the contract (the engine does not depend on it): file order.
      rows = [...(await tx.readSourceRows(null)).invoiceLines].sort((a, b) => a.source.line - b.source.line);
      outcome = result as ImportOutcome;
      throw SEEN;
    });
  let outcome: ImportOutcome | null = null;
  let error: string | null = null;
  await importIntoStore(seeing, Array.from({ length: times }, () => dir), { explicit: [{ currency: 'USD', asOf: '2024-06-30' }], today: () => 0 as never, startedAt: 'test', bulkCsv, worker: false }).catch((thrown: unknown) => {
    if (thrown !== SEEN) error = String(thrown);
  });
  expect(outcome === null).toBe(error !== null);
  return { outcome, error, rows, bulk };
}

/** What an import tells and keeps, without the staging detour. */
function comparable(landed: Landed): unknown {
  const { outcome } = landed;
  if (outcome === null) return landed.error;
  return canonicalJson({
    counts: outcome.counts,
    rejects: outcome.batch.rejects,
    warnings: outcome.batch.warnings,
    rowsRead: outcome.batch.rowsRead,
    config: outcome.config,
    rows: landed.rows,
  });
}

describe('plain CSV staged by DuckDB', () => {
  test('lands exactly as the file read row by row', async () => {
    let staged = 0;
    let doubtful = 0;
    let declined = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryFile, fc.integer({ min: 1, max: 2 }), async (text, times) => {
        const dir = path.join(root, `case-${run++}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'invoice_lines.csv'), text);
        const inBulk = await land(dir, true, times);
        const byRow = await land(dir, false, times);
        expect(comparable(inBulk)).toEqual(comparable(byRow));
        expect(byRow.bulk).toBeUndefined();
        if (inBulk.bulk) {
          staged += inBulk.bulk.staged;
          doubtful += inBulk.bulk.doubtful.length;
        } else declined++;
      }),
      { numRuns: 60 * FACTOR, seed: 20261122 },
    );
    // The property held with both kinds of rows really going through DuckDB, and with files it declined.
    expect(staged).toBeGreaterThan(100);
    expect(doubtful).toBeGreaterThan(20);
    expect(declined).toBeGreaterThan(0);
  }, 120_000);

  test('a clean file is staged whole by DuckDB, and a doubtful row is parsed by the reader', async () => {
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
    const landed = await land(dir, true);
    expect(landed.bulk?.staged).toBe(2);
    expect(landed.bulk?.currencies).toEqual(['JPY', 'USD']);
    expect(landed.bulk?.doubtful).toEqual([{ line: 3, fields: ['il_2', 'in_2', 'cus_1', 'sub_1', 'subscription', '2024-02-01', '2024-03-01', '49.001', 'USD', ''] }]);
    expect(landed.outcome?.batch.rejects).toEqual([
      expect.objectContaining({ line: 3, column: 'amount', message: '"49.001" has more decimals than USD allows (at most 2 decimals)' }),
    ]);
    const rows = landed.rows;
    expect(rows.map((row) => [row.lineId, row.amount, row.source])).toEqual([
      ['il_1', 4900, { file: path.join(dir, 'invoice_lines.csv'), line: 2 }],
      ['il_3', 5000, { file: path.join(dir, 'invoice_lines.csv'), line: 4 }],
    ]);
    expect(rows[0]!.issuedAt).toEqual({ kind: 'instant', instant: Date.UTC(2024, 0, 1, 8, 30) });
  });
});
