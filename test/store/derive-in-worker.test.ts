/**
 * A recompute of several chunks runs the engine in a worker thread. The worker is compiled code
 * (dist/, which `npm test` builds before the tests run), so this suite drives the compiled use
 * case: the same chunks computed in the worker and on the main thread land the same store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { writeDemoDataset } from '../../src/app/demo/write-demo-dataset.js';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import { canonicalJson } from '../support/canonical-json.js';
import { withTransactionOverrides } from '../support/with-transaction-overrides.js';
import type * as DeriveInWorker from '../../src/app/store/derive-in-worker.js';
import type * as ImportIntoStore from '../../src/app/store/import-into-store.js';
import type * as DuckDbStore from '../../src/store/duckdb/duckdb-store.js';

type ImportModule = typeof ImportIntoStore;
type StoreModule = typeof DuckDbStore;
type WorkerModule = typeof DeriveInWorker;

const dist = (module: string) => pathToFileURL(path.join(import.meta.dirname, '..', '..', 'dist', module)).href;
const { importIntoStore, recomputeStore } = (await import(dist('app/store/import-into-store.js'))) as ImportModule;
const { openDuckDbStore } = (await import(dist('store/duckdb/duckdb-store.js'))) as StoreModule;
const { deriveWorkerScript, startDeriver } = (await import(dist('app/store/derive-in-worker.js'))) as WorkerModule;

const root = mkdtempSync(path.join(os.tmpdir(), 'runrate-worker-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const today = () => isoDate('2026-01-15');
const options = { explicit: [], today, startedAt: '2026-01-15T10:00:00.000Z' };
const demoDir = path.join(root, 'demo');
const demoReady = writeDemoDataset(demoDir, { customers: 60, months: 18, seed: 11 });

describe('the engine in a worker thread', () => {
  test('the compiled worker script is found next to the module that starts it', () => {
    expect(deriveWorkerScript()?.pathname).toMatch(/dist\/app\/store\/derive-worker\.js$/);
  });

  test('a recompute in chunks of 7 customers lands the same store in the worker as on the main thread', async () => {
    await demoReady;
    const snapshots: string[] = [];
    const rejects: string[] = [];
    for (const worker of [true, false]) {
      const store = await openDuckDbStore(path.join(root, `store-${worker}.duckdb`));
      try {
        await importIntoStore(store, [demoDir], options);
        const progress: Array<{ customers: number; workerThreads: number }> = [];
        const outcome = await recomputeStore(store, [], today, { chunkCustomers: 7, worker, onComputeProgress: (p) => progress.push(p) });
        expect(progress.length).toBeGreaterThan(5);
        expect(progress.at(-1)?.customers).toBe(outcome.customers);
        // The worker run really ran in a worker thread.
        expect(progress.every((p) => (worker ? p.workerThreads >= 1 : p.workerThreads === 0))).toBe(true);
        snapshots.push(canonicalJson(await store.snapshot()));
        rejects.push(canonicalJson(outcome.rejects));
      } finally {
        await store.close();
      }
    }
    expect(snapshots[0]).toBe(snapshots[1]);
    expect(rejects[0]).toBe(rejects[1]);
  });

  test("a first import copies its rows into the store's tables while the worker computes, and lands what the main thread lands", async () => {
    await demoReady;
    const snapshots: string[] = [];
    for (const worker of [true, false]) {
      const store = await openDuckDbStore(path.join(root, `first-${worker}.duckdb`), { copyStepRows: 20 });
      try {
        // Steps of the copy made while chunks were still being computed (before the last landed).
        let computing = false;
        let stepsWhileComputing = 0;
        const watched = withTransactionOverrides(store, (tx) => ({
          continueMerge: async () => {
            const made = await tx.continueMerge!();
            if (made && computing) stepsWhileComputing++;
            return made;
          },
        }));
        await importIntoStore(watched, [demoDir], {
          ...options,
          chunkCustomers: 7,
          worker,
          onPhase: (phase) => (computing = phase === 'computing'),
          onComputeProgress: (progress) => (computing = progress.customers < progress.total),
        });
        if (worker) expect(stepsWhileComputing).toBeGreaterThan(0);
        else expect(stepsWhileComputing).toBe(0);
        snapshots.push(canonicalJson(await store.snapshot()));
      } finally {
        await store.close();
      }
    }
    expect(snapshots[0]).toBe(snapshots[1]);
  });

  test('an error in the worker rejects that chunk with its message; the next chunk is still computed', async () => {
    const script = deriveWorkerScript();
    expect(script).not.toBeNull();
    const config = { currency: 'USD', timezone: 'UTC', weekStartsOn: 'monday', churnRecognition: 'cancel-effective', renewalGraceDays: 7, reactivationWindowDays: null, discounts: 'net', fx: { rateDate: 'movement', fixedDate: null }, asOf: isoDate('2025-01-01') };
    const deriver = startDeriver(script!, { config: config as never, plans: [], fxRates: [] });
    try {
      await expect(deriver.derive({ invoiceLines: ['not json'], subscriptionEvents: [] })).rejects.toThrow(/SyntaxError/);
      const fine = await deriver.derive({ invoiceLines: [], subscriptionEvents: [] });
      expect(fine.tables.every((table) => table.rows.length === 0)).toBe(true);
    } finally {
      await deriver.close();
    }
  });
});
