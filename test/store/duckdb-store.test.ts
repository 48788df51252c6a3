/**
 * What only the embedded store has to prove: a store written by the first migration opens and
 * upgrades itself; a second process gets "in use by process N" instead of a crash; and a real
 * SIGKILL in the middle of a large import leaves the store as it was before, readable.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, describe, expect, test } from 'vitest';
import { writeDemoDataset } from '../../src/app/demo/write-demo-dataset.js';
import { importIntoStore } from '../../src/app/store/import-into-store.js';
import { loadStoreSource } from '../../src/app/store/load-store-source.js';
import { keepMonthlyReportFigures, reportRequest, storeFigures } from '../../src/app/store/store-figures.js';
import { writeFileSync, mkdirSync } from 'node:fs';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import { readDataset } from '../../src/ingest/read-dataset.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { StoreBusyError, type RunrateStore } from '../../src/store/store-port.js';
import { canonicalJson } from '../support/canonical-json.js';
import { withTransactionOverrides } from '../support/with-transaction-overrides.js';

const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repository, 'bin/runrate');
const root = mkdtempSync(path.join(os.tmpdir(), 'runrate-duckdb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const today = () => isoDate('2026-01-15');

/** The store's own connection, for a test to look at what the port does not show (its temporary tables, its kept figures). */
function connectionOf(store: RunrateStore): DuckDBConnection {
  return (store as unknown as { connection: DuckDBConnection }).connection;
}

describe('the DuckDB store', () => {
  test('keeps the monthly report figures, and updates them from the customers an import changes', async () => {
    const data = path.join(root, 'kept-data');
    await writeDemoDataset(data, { customers: 40, months: 18, seed: 9 });
    const extra = path.join(root, 'kept-extra');
    mkdirSync(extra, { recursive: true });
    writeFileSync(
      path.join(extra, 'invoice_lines.csv'),
      'line_id,invoice_id,customer_id,subscription_id,service_start,service_end,amount,currency\nx1,xi1,cus_extra,sub_extra,2025-11-01,2025-12-01,123456.00,USD\n',
    );
    const keptRows = async (file: string) => {
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      const count = Number((await connection.runAndReadAll(`SELECT count(*) FROM report_figures`)).getRows()[0]![0]);
      connection.closeSync();
      instance.closeSync();
      return count;
    };
    const monthly = async (file: string) => {
      const store = await openDuckDbStore(file);
      try {
        const figures = (await storeFigures(store, [], today))!;
        const request = reportRequest(figures.config, figures.firstMovement, 'month', null, null);
        return await figures.figures(request.periods, request.lookbackMonths);
      } finally {
        await store.close();
      }
    };
    const options = { explicit: [{ asOf: '2025-12-31' }], today, startedAt: '2026-01-15T00:00:00Z' };

    const file = path.join(root, 'kept.duckdb');
    const store = await openDuckDbStore(file);
    await importIntoStore(store, [data], options);
    await keepMonthlyReportFigures(store, today);
    await store.close();
    expect(await keptRows(file)).toBe(1);
    const before = await monthly(file);
    expect(await monthly(file)).toEqual(before);

    const again = await openDuckDbStore(file);
    await importIntoStore(again, [extra], options);
    await again.close();
    // Updated in the import's transaction, not forgotten: the next report reads them.
    expect(await keptRows(file)).toBe(1);
    const after = await monthly(file);
    expect(after).not.toEqual(before);

    // The same rows imported at once into a fresh store, computed without anything kept.
    const fresh = path.join(root, 'kept-fresh.duckdb');
    const freshStore = await openDuckDbStore(fresh);
    await importIntoStore(freshStore, [data, extra], options);
    await freshStore.close();
    expect(await keptRows(fresh)).toBe(0);
    expect(after).toEqual(await monthly(fresh));
  });

  test('kept figures follow rows appended for a customer who still has some: the stored rows are read again', async () => {
    const data = path.join(root, 'kept-left-data');
    await writeDemoDataset(data, { customers: 30, months: 18, seed: 12 });
    const file = path.join(root, 'kept-left.duckdb');
    const store = await openDuckDbStore(file);
    const monthly = async () => {
      const figures = (await storeFigures(store, [], today))!;
      const request = reportRequest(figures.config, figures.firstMovement, 'month', null, null);
      return figures.figures(request.periods, request.lookbackMonths);
    };
    try {
      await importIntoStore(store, [data], { explicit: [{ asOf: '2025-12-31' }], today, startedAt: '2026-01-15T00:00:00Z' });
      await keepMonthlyReportFigures(store, today);
      const { derived } = await store.snapshot();
      const customer = derived.movements.find((movement) => movement.type === 'new')!.customerId;
      // Its rows once more, without deleting the first ones: the kept answers must count both.
      await store.transaction(async (tx) => {
        await tx.lockForWrite();
        await tx.appendDerived({
          movements: derived.movements.filter((movement) => movement.customerId === customer),
          timelines: derived.timelines.filter((timeline) => timeline.customerId === customer),
          rejects: [],
          warnings: [],
        });
      });
      const kept = await monthly();
      await connectionOf(store).run(`DELETE FROM report_figures`);
      expect(kept).toEqual(await monthly());
    } finally {
      await store.close();
    }
  });

  test("a first import's copy into its tables waits for continueMerge, while every read of the transaction sees all rows", async () => {
    const data = path.join(root, 'deferred-data');
    await writeDemoDataset(data, { customers: 30, months: 12, seed: 5 });
    const { dataset } = await readDataset(data);
    const ownerIds = [...new Set([...dataset.invoiceLines, ...dataset.subscriptionEvents].map((row) => row.customerId))].sort();
    // A second batch in the same transaction: one line replaced, so the owed copy must be done first.
    const replaced = { ...dataset.invoiceLines[0]!, amount: dataset.invoiceLines[0]!.amount + 100 };

    const snapshots: string[] = [];
    for (const steps of ['by hand', 'at commit'] as const) {
      // 7 rows a step: many steps per table, each ending inside the staged rows' numbering.
      const store = await openDuckDbStore(path.join(root, `deferred-${steps.replace(' ', '-')}.duckdb`), { copyStepRows: 7 });
      try {
        await store.transaction(async (tx) => {
          const merge = await tx.mergeSourceRows(dataset);
          expect(merge.counts.new).toBe(dataset.customers.length + dataset.plans.length + dataset.invoiceLines.length + dataset.subscriptionEvents.length + dataset.fxRates.length);
          expect([...(await tx.customersWithRows())].sort()).toEqual(ownerIds);
          const read = await tx.readSourceRows(null);
          expect(read.invoiceLines.length).toBe(dataset.invoiceLines.length);
          expect(read.subscriptionEvents.length).toBe(dataset.subscriptionEvents.length);
          const documents = await tx.readSourceDocuments!(ownerIds);
          expect(documents.invoiceLines.map((document) => (JSON.parse(document) as unknown[]).length).reduce((a, b) => a + b, 0)).toBe(dataset.invoiceLines.length);
          if (steps === 'by hand') {
            let made = 0;
            while (await tx.continueMerge!()) made++;
            const rows = dataset.customers.length + dataset.invoiceLines.length + dataset.subscriptionEvents.length;
            expect(made).toBeGreaterThanOrEqual(Math.ceil(rows / 7));
          }
          const second = await tx.mergeSourceRows({ customers: [], plans: [], invoiceLines: [replaced], subscriptionEvents: [], fxRates: [] });
          expect(second.counts).toEqual({ read: 1, new: 0, replaced: 1, unchanged: 0 });
        });
        snapshots.push(canonicalJson(await store.snapshot()));
        const stored = await store.readAllSource();
        expect(stored.invoiceLines.length).toBe(dataset.invoiceLines.length);
        expect(stored.invoiceLines.find((line) => line.lineId === replaced.lineId)?.amount).toBe(replaced.amount);
        expect(stored.customers.length).toBe(dataset.customers.length);
      } finally {
        await store.close();
      }
    }
    expect(snapshots[0]).toBe(snapshots[1]);
  });

  test('an import that fails after its staging was committed leaves the store file as it was; no import or report, failed or not, leaves a temporary table behind', async () => {
    const first = path.join(root, 'staging-first');
    const second = path.join(root, 'staging-second');
    await writeDemoDataset(first, { customers: 25, months: 12, seed: 3 });
    await writeDemoDataset(second, { customers: 35, months: 12, seed: 4 });
    const store = await openDuckDbStore(path.join(root, 'staging-commits.duckdb'));
    const temporaryTables = async () =>
      (await connectionOf(store).runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1`)).getRows().map(([name]) => String(name));
    // Every file through DuckDB's CSV path, whose passes commit the staging on the way.
    const options = { explicit: [{ asOf: '2025-12-31' }], today, startedAt: '2026-01-15T00:00:00Z', bulkCsvMinRows: 1 };
    try {
      await importIntoStore(store, [first], options);
      expect(await temporaryTables()).toEqual([]);
      await keepMonthlyReportFigures(store, today);
      expect(await temporaryTables()).toEqual([]);
      const before = canonicalJson(await store.snapshot());
      for (const failAfter of ['lockForWrite', 'mergeStagedRows'] as const) {
        const failing = withTransactionOverrides(store, (tx) => ({
          [failAfter]: async () => {
            await tx[failAfter]();
            throw new Error(`failed after ${failAfter}`);
          },
        }));
        await expect(importIntoStore(failing, [second], options)).rejects.toThrow(`failed after ${failAfter}`);
        expect(canonicalJson(await store.snapshot())).toBe(before);
        expect(await temporaryTables()).toEqual([]);
      }
      // And the store still imports.
      const outcome = await importIntoStore(store, [second], options);
      expect(outcome.counts.new + outcome.counts.replaced).toBeGreaterThan(0);
      expect(await temporaryTables()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test('a store written by the first migration opens and upgrades itself, its rows intact', async () => {
    const file = path.join(root, 'old.duckdb');
    const old = await openDuckDbStore(file, { migrateUpTo: 1 });
    expect(await old.schemaVersion()).toBe(1);
    await old.transaction(async (tx) => {
      await tx.setMeta('config', '{"currency":"USD"}');
      await tx.mergeSourceRows({
        customers: [],
        plans: [],
        invoiceLines: [
          {
            lineId: 'l1', invoiceId: 'i1', customerId: 'c1', subscriptionId: 's1', planId: null, type: 'subscription',
            serviceStart: { kind: 'date', date: isoDate('2024-01-01') }, serviceEnd: { kind: 'date', date: isoDate('2024-02-01') },
            amount: 10000, currency: 'USD' as never, quantity: 1, discount: 0, discountDuration: null, tax: 0, prorated: null,
            cancelledAt: null, cancelRequestedAt: null, issuedAt: null, eventOrder: null, source: { file: 'invoice_lines.csv', line: 2 },
          },
        ],
        subscriptionEvents: [],
        fxRates: [],
      });
    });
    await old.close();

    const upgraded = await openDuckDbStore(file);
    try {
      expect(await upgraded.schemaVersion()).toBe(4);
      expect((await upgraded.readAllSource()).invoiceLines.map((line) => [line.lineId, line.amount])).toEqual([['l1', 10000]]);
      expect(await upgraded.imports()).toEqual([]); // the table migration 2 added
      expect(await upgraded.rejects()).toEqual([]);
    } finally {
      await upgraded.close();
    }
  });

  test('migration 3 rebuilds from a version-2 store exactly the spans the code writes', async () => {
    const data = path.join(root, 'spans-data');
    await writeDemoDataset(data, { customers: 40, months: 18, seed: 9 });
    const file = path.join(root, 'spans.duckdb');
    const store = await openDuckDbStore(file);
    await importIntoStore(store, [data], { explicit: [{ asOf: '2025-12-31' }], today, startedAt: '2026-01-15T00:00:00Z' });
    await store.close();
    const spans = async () => {
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      const read = async (sql: string) => JSON.stringify((await connection.runAndReadAll(sql)).getRows(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      const result = {
        states: await read(`SELECT customer_id, valid_from::VARCHAR, valid_to::VARCHAR, mrr FROM customer_states ORDER BY ALL`),
        points: await read(`SELECT subscription_id, scheduled, date::VARCHAR, valid_to::VARCHAR FROM timeline_points ORDER BY ALL`),
      };
      connection.closeSync();
      instance.closeSync();
      return result;
    };
    const written = await spans();
    expect(written.states.length).toBeGreaterThan(100);
    // Make it a version-2 store, as an older Runrate left it.
    {
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      await connection.run(`DROP TABLE customer_states`);
      await connection.run(`ALTER TABLE timeline_points DROP COLUMN valid_to`);
      await connection.run(`DROP TABLE report_figures`);
      await connection.run(`DELETE FROM schema_migrations WHERE version >= 3`);
      connection.closeSync();
      instance.closeSync();
    }
    const upgraded = await openDuckDbStore(file);
    expect(await upgraded.schemaVersion()).toBe(4);
    await upgraded.close();
    expect(await spans()).toEqual(written);
  });

  test('a second writer gets "the store is in use by process N"', async () => {
    const file = path.join(root, 'busy.duckdb');
    (await openDuckDbStore(file)).close();
    // Another process holds the store open for a few seconds.
    const holder = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(file)}); await i.connect(); process.stdout.write('ready\\n'); setTimeout(() => {}, 20000);`,
    ], { cwd: repository, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const error = await openDuckDbStore(file).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreBusyError);
      expect((error as StoreBusyError).message).toBe(`the store ${file} is in use by process ${holder.pid}; try again when it has finished`);
      // Through the CLI: exit 1 and the same one line.
      const cli = await promisify(execFile)(bin, ['mrr', '--db', file], { cwd: repository }).catch((caught: { code: number; stderr: string }) => caught);
      expect((cli as { code: number }).code).toBe(1);
      expect((cli as { stderr: string }).stderr.trim()).toBe(`runrate: the store ${file} is in use by process ${holder.pid}; try again when it has finished`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('SIGKILL during a large import leaves the store as it was before, readable', async () => {
    const small = path.join(root, 'small');
    const large = path.join(root, 'large');
    await writeDemoDataset(small, { customers: 20, months: 12, seed: 1 });
    await writeDemoDataset(large, { customers: 4000, months: 36, seed: 2 });
    const file = path.join(root, 'killed.duckdb');
    const store = await openDuckDbStore(file);
    await importIntoStore(store, [small], { explicit: [{ asOf: '2025-12-31' }], today, startedAt: '2026-01-15T00:00:00Z' });
    const before = canonicalJson((await loadStoreSource(store, { explicit: [], today })).result);
    const sourceBefore = canonicalJson(await store.readAllSource());
    await store.close();

    // Kill the import once it is inside its transaction (merging or computing), mid-flight.
    const child = spawn(bin, ['import', large, '--db', file], { cwd: repository, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const killedInside = await new Promise<boolean>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/merging|computing/.test(stderr) && child.exitCode === null) {
          setTimeout(() => resolve(child.kill('SIGKILL')), 50);
        }
      });
      child.on('exit', () => resolve(false));
    });
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.on('exit', resolve)));
    expect(killedInside, `the import finished before it could be killed:\n${stderr}`).toBe(true);
    expect(child.signalCode).toBe('SIGKILL');

    const reopened = await openDuckDbStore(file);
    try {
      expect(canonicalJson((await loadStoreSource(reopened, { explicit: [], today })).result)).toBe(before);
      expect(canonicalJson(await reopened.readAllSource())).toBe(sourceBefore);
      expect((await reopened.imports()).map((record) => record.importId)).toEqual([1]);
    } finally {
      await reopened.close();
    }
  });
});
