/**
 * The store contract, run against every backend: a real DuckDB file, and a real PostgreSQL server
 * (the throwaway cluster of .ci/run, or the one test/support/postgres-cluster.ts starts).
 *
 * - reports read from the store equal the in-memory computation of the same data;
 * - imports are idempotent, count new / replaced / unchanged rows, and replace by id;
 * - an import is atomic: a failure leaves the store exactly as it was;
 * - the store remembers its configuration and refuses to mix another into it;
 * - rejected rows are kept with their raw text;
 * - random data split into random batches and imported in sequence equals the whole at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { readImportSources, type ImportBatch } from '../../src/app/import/read-import-sources.js';
import { configJsonLayer, configToJson, type ConfigInput } from '../../src/app/resolve-config.js';
import { importBatch, importIntoStore, recomputeStore } from '../../src/app/store/import-into-store.js';
import { loadStoreSource } from '../../src/app/store/load-store-source.js';
import { writeDemoDataset } from '../../src/app/demo/write-demo-dataset.js';
import { loadDatasetSource } from '../../src/app/load-dataset-source.js';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import { computeMovements } from '../../src/engine/compute-movements.js';
import type { EngineConfig } from '../../src/engine/config.js';
import type { Dataset } from '../../src/engine/model.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { ConfigurationMismatchError, type RunrateStore } from '../../src/store/store-port.js';
import { arbitraryCase } from '../support/arbitrary-dataset.js';
import { canonicalJson } from '../support/canonical-json.js';
import { createTestDatabase } from '../support/postgres-database.js';

const FACTOR = Math.max(1, Number(process.env.RUNRATE_PROPERTY_RUNS ?? '1') || 1);
const root = mkdtempSync(path.join(os.tmpdir(), 'runrate-store-'));
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  rmSync(root, { recursive: true, force: true });
});

let stores = 0;
interface Backend {
  readonly name: string;
  /** A fresh, empty store. */
  open(): Promise<RunrateStore>;
}

const BACKENDS: Backend[] = [
  { name: 'duckdb', open: () => openDuckDbStore(path.join(root, `store-${++stores}.duckdb`)) },
  {
    name: 'postgres',
    open: async () => {
      const database = await createTestDatabase();
      const { openPostgresStore } = await import('../../src/store/postgres/postgres-store.js');
      const store = await openPostgresStore(database.url);
      cleanups.push(async () => {
        await store.close().catch(() => undefined);
        await database.drop();
      });
      return store;
    },
  },
];

const today = () => isoDate('2026-01-15');
// bulkCsvMinRows 1: DuckDB loads the demo's small CSV files itself, as it does large ones.
const options = (explicit: ConfigInput[] = []) => ({ explicit, today, startedAt: '2026-01-15T10:00:00.000Z', bulkCsvMinRows: 1 });

/** The derived state of a store as comparable JSON (movements and timelines in canonical order). */
async function derivedState(store: RunrateStore, explicit: ConfigInput[] = []) {
  const source = await loadStoreSource(store, { explicit, today });
  return canonicalJson({ config: configToJson(source.config), movements: source.result.movements, timelines: source.result.timelines, rejects: source.result.rejects });
}

function batchOf(dataset: Dataset): ImportBatch {
  return { dataset, rejects: [], warnings: [], rowsRead: Object.values(dataset).reduce((sum, list) => sum + list.length, 0), sources: [], configs: [] };
}

/** A configuration as the explicit layer that asks for exactly it. */
function explicitOf(config: EngineConfig): ConfigInput {
  return configJsonLayer(configToJson(config), 'the test configuration');
}

const demoDir = path.join(root, 'demo');
const demoReady = writeDemoDataset(demoDir, { customers: 60, months: 18, seed: 5 });

for (const backend of BACKENDS) {
  describe(`store contract: ${backend.name}`, () => {
    test('reports from the store equal the in-memory computation of the same data', async () => {
      await demoReady;
      const store = await backend.open();
      try {
        const outcome = await importIntoStore(store, [demoDir], options());
        expect(outcome.recomputed).toBe('all');
        const memory = await loadDatasetSource(demoDir, { flags: {}, configFile: null, today });
        const stored = await loadStoreSource(store, { explicit: [], today });
        expect(stored.computedInMemory).toBe(false);
        expect(canonicalJson(stored.result.movements)).toBe(canonicalJson(memory.result.movements));
        expect(canonicalJson(stored.result.timelines)).toBe(canonicalJson(memory.result.timelines));
        expect(stored.customers.ids).toEqual(memory.customers.ids);
        // Imported rows name their file with the folder imported; everything else is the same.
        const rows = (source: { customers: typeof stored.customers }) =>
          canonicalJson([...source.customers.rows.values()].map(({ source: _where, ...customer }) => customer).sort((a, b) => (a.customerId < b.customerId ? -1 : 1)));
        expect(rows(stored)).toBe(rows(memory));
      } finally {
        await store.close();
      }
    });

    test('importing the same files twice changes nothing and says so', async () => {
      await demoReady;
      const store = await backend.open();
      try {
        const first = await importIntoStore(store, [demoDir], options());
        const before = await derivedState(store);
        const sourceBefore = canonicalJson(await store.readAllSource());
        const second = await importIntoStore(store, [demoDir], options());
        expect(second.counts).toEqual({ read: first.counts.read, new: 0, replaced: 0, unchanged: first.counts.new });
        expect(second.recomputed).toBe(0);
        expect(await derivedState(store)).toBe(before);
        expect(canonicalJson(await store.readAllSource())).toBe(sourceBefore);
        expect((await store.imports()).map((record) => record.importId)).toEqual([1, 2]);
      } finally {
        await store.close();
      }
    });

    test('a re-imported id replaces its row; only its customer is recomputed; the result equals a full recompute', async () => {
      await demoReady;
      const store = await backend.open();
      try {
        await importIntoStore(store, [demoDir], options());
        const dataset = await store.readAllSource();
        const target = dataset.invoiceLines.find((line) => line.type === 'subscription' && line.amount > 0)!;
        const changed = { ...target, amount: target.amount + 1234 };
        const outcome = await importBatch(store, batchOf({ customers: [], plans: [], invoiceLines: [changed], subscriptionEvents: [], fxRates: [] }), ['edit'], options());
        expect(outcome.counts).toEqual({ read: 1, new: 0, replaced: 1, unchanged: 0 });
        expect(outcome.recomputed).toBe(1);
        const incremental = await derivedState(store);
        await recomputeStore(store, [], today);
        expect(await derivedState(store)).toBe(incremental);
        const after = await store.readAllSource();
        expect(after.invoiceLines.find((line) => line.lineId === target.lineId)!.amount).toBe(target.amount + 1234);
        expect(after.invoiceLines).toHaveLength(dataset.invoiceLines.length);
      } finally {
        await store.close();
      }
    });

    test('an import that fails leaves the store exactly as it was', async () => {
      await demoReady;
      const store = await backend.open();
      try {
        await importIntoStore(store, [demoDir], options());
        const before = await derivedState(store);
        const sourceBefore = canonicalJson(await store.readAllSource());
        await expect(
          store.transaction(async (tx) => {
            await tx.mergeSourceRows({ customers: [], plans: [], invoiceLines: (await tx.readSourceRows(null)).invoiceLines.map((l) => ({ ...l, amount: 1 })), subscriptionEvents: [], fxRates: [] });
            await tx.replaceDerived(null, { movements: [], timelines: [], rejects: [], warnings: [] });
            throw new Error('the power went out');
          }),
        ).rejects.toThrow('the power went out');
        expect(await derivedState(store)).toBe(before);
        expect(canonicalJson(await store.readAllSource())).toBe(sourceBefore);
      } finally {
        await store.close();
      }
    });

    test('the store keeps its configuration: another is refused, recompute changes it', async () => {
      await demoReady;
      const store = await backend.open();
      try {
        await importIntoStore(store, [demoDir], options());
        await expect(importIntoStore(store, [demoDir], options([{ churnRecognition: 'period-end' }]))).rejects.toThrow(ConfigurationMismatchError);
        await expect(importIntoStore(store, [demoDir], options([{ churnRecognition: 'period-end' }]))).rejects.toThrow(/churnRecognition: "cancel-effective" in the store, "period-end" asked/);
        // A report asking for another configuration is computed in memory from the stored rows.
        const other = await loadStoreSource(store, { explicit: [{ churnRecognition: 'period-end' }], today });
        expect(other.computedInMemory).toBe(true);
        const memory = await loadDatasetSource(demoDir, { flags: { churnRecognition: 'period-end' }, configFile: null, today });
        expect(canonicalJson(other.result.movements)).toBe(canonicalJson(memory.result.movements));
        await recomputeStore(store, [{ churnRecognition: 'period-end' }], today);
        const recomputed = await loadStoreSource(store, { explicit: [], today });
        expect(recomputed.config.churnRecognition).toBe('period-end');
        expect(recomputed.computedInMemory).toBe(false);
        expect(canonicalJson(recomputed.result.movements)).toBe(canonicalJson(memory.result.movements));
        const again = await importIntoStore(store, [demoDir], options([{ churnRecognition: 'period-end' }]));
        expect(again.counts.new).toBe(0);
      } finally {
        await store.close();
      }
    });

    test('rejected rows are kept with file, line, column, message and raw row', async () => {
      const store = await backend.open();
      try {
        const batch: ImportBatch = {
          ...batchOf({ customers: [], plans: [], invoiceLines: [], subscriptionEvents: [], fxRates: [] }),
          rejects: [
            { file: 'data/invoice_lines.csv', line: 3, column: 'amount', message: '"1.001" has more decimals than USD allows', raw: 'l2,i2,c1,s1,2024-01-01,2024-02-01,1.001,USD' },
            { file: 'data/invoice_lines.csv', line: 7, column: '', message: 'malformed CSV: tab\there, quote " and newline\nhere', raw: 'a\\b\tc' },
          ],
        };
        await importBatch(store, batch, ['data'], options([{ currency: 'USD', asOf: '2024-03-01' }]));
        expect(await store.rejects()).toEqual(batch.rejects.map((reject) => ({ importId: 1, ...reject })));
      } finally {
        await store.close();
      }
    });

    test('customers sharing a subscription id are recomputed together, as in memory', async () => {
      const store = await backend.open();
      try {
        const line = (lineId: string, customerId: string, start: string, end: string, amount: number) => ({
          lineId, invoiceId: lineId, customerId, subscriptionId: 'shared', planId: null, type: 'subscription' as const,
          serviceStart: { kind: 'date' as const, date: isoDate(start) }, serviceEnd: { kind: 'date' as const, date: isoDate(end) },
          amount, currency: 'USD' as never, quantity: 1, discount: 0, discountDuration: null, tax: 0, prorated: null,
          cancelledAt: null, cancelRequestedAt: null, issuedAt: null, eventOrder: null, source: { file: 'invoice_lines.csv', line: Number(lineId.slice(1)) + 1 },
        });
        const first: Dataset = { customers: [], plans: [], invoiceLines: [line('l1', 'c1', '2024-01-01', '2024-02-01', 10000)], subscriptionEvents: [], fxRates: [] };
        const explicit = [{ currency: 'USD', asOf: '2024-03-15' }];
        await importBatch(store, batchOf(first), ['one'], options(explicit));
        // A second customer's line on the same subscription id: rejected by the engine, and c1 recomputed with it,
        // in one chunk even when chunks are of one customer.
        const second: Dataset = { ...first, invoiceLines: [line('l2', 'c2', '2024-02-01', '2024-03-01', 20000)] };
        const outcome = await importBatch(store, batchOf(second), ['two'], { ...options(explicit), chunkCustomers: 1 });
        expect(outcome.recomputed).toBe(2);
        expect(outcome.rejects.map((r) => `${r.line}: ${r.column}: ${r.message}`)).toEqual(['3: customer_id: subscription shared belongs to customer c1, not c2']);
        const whole = computeMovements({ ...first, invoiceLines: [...first.invoiceLines, ...second.invoiceLines] }, (await loadStoreSource(store, { explicit, today })).config);
        const stored = await loadStoreSource(store, { explicit, today });
        expect(canonicalJson(stored.result.movements)).toBe(canonicalJson(whole.movements));
        expect(canonicalJson(stored.result.rejects)).toBe(canonicalJson(whole.rejects));
      } finally {
        await store.close();
      }
    });

    test('rows staged in parts merge exactly as one batch of them all: counts, kept rows, last of a key wins', async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryCase({ maxCustomers: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer(), async (generated, count, seed) => {
          const dataset = generated.dataset;
          // Some rows twice, changed: which of them is kept must not depend on the parts.
          const again = dataset.invoiceLines.filter((_, i) => i % 3 === 0).map((line) => ({ ...line, amount: line.amount + 1 }));
          const rows: Dataset = { ...dataset, invoiceLines: [...dataset.invoiceLines, ...again] };
          let state = seed >>> 0;
          const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) % 2;
          // Contiguous parts in order: each row goes with the previous one or starts the next part.
          const parts: Dataset[] = [{ customers: [], plans: [], invoiceLines: [], subscriptionEvents: [], fxRates: [] }];
          for (const key of ['customers', 'plans', 'invoiceLines', 'subscriptionEvents', 'fxRates'] as const) {
            for (const row of rows[key]) {
              if (parts.length < count && next() === 1) parts.push({ customers: [], plans: [], invoiceLines: [], subscriptionEvents: [], fxRates: [] });
              (parts.at(-1)![key] as unknown[]).push(row);
            }
          }
          const [inParts, atOnce] = [await backend.open(), await backend.open()];
          try {
            const partsResult = await inParts.transaction(async (tx) => {
              for (const part of parts) await tx.stageSourceRows(part);
              return tx.mergeStagedRows();
            });
            const onceResult = await atOnce.transaction((tx) => tx.mergeSourceRows(rows));
            const sorted = (result: typeof onceResult) => ({ ...result, customersWithChangedRows: [...result.customersWithChangedRows].sort(), changedPlans: [...result.changedPlans].sort() });
            expect(sorted(partsResult)).toEqual(sorted(onceResult));
            expect(canonicalJson(await inParts.readAllSource())).toBe(canonicalJson(await atOnce.readAllSource()));
          } finally {
            await inParts.close();
            await atOnce.close();
          }
        }),
        { numRuns: (backend.name === 'duckdb' ? 20 : 10) * FACTOR },
      );
    });

    test('an import staged in small segments lands exactly as one read whole', async () => {
      await demoReady;
      const [segmented, whole] = [await backend.open(), await backend.open()];
      try {
        const a = await importIntoStore(segmented, [demoDir, demoDir], { ...options(), segmentRows: 1 });
        const b = await importBatch(whole, await readImportSources([demoDir, demoDir]), [demoDir, demoDir], options());
        expect(a.counts).toEqual(b.counts);
        expect(a.counts.read).toBe(2 * (a.counts.new + a.counts.replaced + a.counts.unchanged));
        expect(canonicalJson(await segmented.readAllSource())).toBe(canonicalJson(await whole.readAllSource()));
        expect(await derivedState(segmented)).toBe(await derivedState(whole));
      } finally {
        await segmented.close();
        await whole.close();
      }
    });

    test('random data split into random batches, imported in sequence, equals the whole at once', async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryCase({ maxCustomers: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer(), fc.integer({ min: 1, max: 3 }), async (generated, batches, seed, chunkCustomers) => {
          // All rates arrive first (a conversion needs them); every other row lands in a random batch.
          const dataset: Dataset = { ...generated.dataset, fxRates: generated.dataset.fxRates.length > 0 ? generated.dataset.fxRates : generated.fallbackRates };
          let state = seed >>> 0;
          const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) % batches;
          const parts: Dataset[] = Array.from({ length: batches }, (_, i) => ({ customers: [], plans: [], invoiceLines: [], subscriptionEvents: [], fxRates: i === 0 ? dataset.fxRates : [] }));
          for (const key of ['customers', 'plans', 'invoiceLines', 'subscriptionEvents'] as const) for (const row of dataset[key]) (parts[next()]![key] as unknown[]).push(row);
          const explicit = [explicitOf(generated.config)];
          const store = await backend.open();
          try {
            for (const part of parts) await importBatch(store, batchOf(part), ['batch'], { ...options(explicit), chunkCustomers });
            const stored = await loadStoreSource(store, { explicit, today });
            const whole = computeMovements(dataset, generated.config);
            expect(canonicalJson(stored.result.movements)).toBe(canonicalJson(whole.movements));
            expect(canonicalJson(stored.result.timelines)).toBe(canonicalJson(whole.timelines));
            expect(canonicalJson(stored.result.rejects)).toBe(canonicalJson(whole.rejects));
          } finally {
            await store.close();
          }
        }),
        { numRuns: (backend.name === 'duckdb' ? 25 : 15) * FACTOR },
      );
    });
  });
}
