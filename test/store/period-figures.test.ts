/**
 * The store's fast path for whole-business reports: the figures DuckDB computes in SQL give
 * exactly the metrics the in-memory path computes from movements, for every interval, on the
 * multi-currency demo data and on generated datasets (exact integers, so exact equality).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { writeDemoDataset } from '../../src/app/demo/write-demo-dataset.js';
import { configJsonLayer, configToJson, type ConfigInput } from '../../src/app/resolve-config.js';
import { rangeFrom } from '../../src/app/report-views.js';
import { importBatch, importIntoStore } from '../../src/app/store/import-into-store.js';
import { loadStoreSource } from '../../src/app/store/load-store-source.js';
import { keepMonthlyReportFigures, storeFigures } from '../../src/app/store/store-figures.js';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import type { EngineConfig } from '../../src/engine/config.js';
import type { InvoiceLine, SubscriptionEvent } from '../../src/engine/model.js';
import { constantCurrency } from '../../src/engine/report/constant-currency.js';
import { lookbackMonths, metricsFromFigures, metricsReport } from '../../src/engine/report/metrics-report.js';
import { reportPeriods } from '../../src/engine/report/mrr-report.js';
import type { Interval } from '../../src/engine/report/period.js';
import { segmentViews } from '../../src/engine/report/segment-view.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { RunrateStore } from '../../src/store/store-port.js';
import { arbitraryCase } from '../support/arbitrary-dataset.js';

const FACTOR = Math.max(1, Number(process.env.RUNRATE_PROPERTY_RUNS ?? '1') || 1);
const root = mkdtempSync(path.join(os.tmpdir(), 'runrate-figures-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const today = () => isoDate('2026-01-15');
let stores = 0;

async function compare(store: RunrateStore, explicit: ConfigInput[], intervals: readonly Interval[]) {
  const source = await loadStoreSource(store, { explicit, today });
  const fast = await storeFigures(store, explicit, today);
  expect(fast, 'the fast path applies').not.toBeNull();
  const [view] = segmentViews(source.result, [], null, { customers: new Map(), plans: new Map(), currentMrr: new Map(), currency: source.config.currency });
  for (const interval of intervals) {
    const range = rangeFrom(source.config, fast!.firstMovement, interval, null, null);
    const periods = reportPeriods(fast!.firstMovement, range);
    const { periods: figures, lookbackMonths: months } = await fast!.figures(periods, lookbackMonths(periods));
    const expected = metricsReport(view!.movements, range, constantCurrency(source.result.timelines, view!, source.result.rates, source.config.currency));
    expect(metricsFromFigures(figures, months), interval).toEqual(expected);
  }
}

/** A configuration as the explicit layer that asks for exactly it. */
function explicitOf(config: EngineConfig): ConfigInput {
  return configJsonLayer(configToJson(config), 'the test configuration');
}

describe('period figures from SQL equal the in-memory metrics', () => {
  test('on the multi-currency demo data, every interval', async () => {
    const data = path.join(root, 'demo');
    await writeDemoDataset(data, { customers: 150, months: 30, seed: 21 });
    const store = await openDuckDbStore(path.join(root, `s${++stores}.duckdb`));
    try {
      await importIntoStore(store, [data], { explicit: [], today, startedAt: '2026-01-15T00:00:00Z' });
      await compare(store, [], ['day', 'week', 'month', 'quarter', 'year']);
    } finally {
      await store.close();
    }
  });

  test('on generated datasets (every policy, three currencies, three time zones)', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase(), fc.constantFrom<Interval>('day', 'week', 'month', 'quarter'), async (generated, interval) => {
        const dataset = { ...generated.dataset, fxRates: generated.dataset.fxRates.length > 0 ? generated.dataset.fxRates : generated.fallbackRates };
        const explicit = [explicitOf(generated.config)];
        const store = await openDuckDbStore(path.join(root, `s${++stores}.duckdb`));
        try {
          await importBatch(store, { dataset, rejects: [], warnings: [], rowsRead: 0, sources: [], configs: [] }, ['generated'], { explicit, today, startedAt: '2026-01-15T00:00:00Z' });
          await compare(store, explicit, [interval, 'month']);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 30 * FACTOR },
    );
  });

  test('kept figures, updated import by import from the changed customers, equal the in-memory metrics', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase({ maxCustomers: 6 }), fc.integer({ min: 2, max: 4 }), fc.integer(), async (generated, count, seed) => {
        const dataset = { ...generated.dataset, fxRates: generated.dataset.fxRates.length > 0 ? generated.dataset.fxRates : generated.fallbackRates };
        let state = seed >>> 0;
        const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) % count;
        // Rates first; every other row in a random import; a few lines imported again, changed, at the end.
        const parts = Array.from({ length: count }, (_, i) => ({ invoiceLines: [] as InvoiceLine[], subscriptionEvents: [] as SubscriptionEvent[], fxRates: i === 0 ? dataset.fxRates : [] }));
        for (const line of dataset.invoiceLines) parts[next()]!.invoiceLines.push(line);
        for (const event of dataset.subscriptionEvents) parts[next()]!.subscriptionEvents.push(event);
        parts[count - 1]!.invoiceLines.push(...dataset.invoiceLines.filter((_, i) => i % 4 === 1).map((line) => ({ ...line, amount: line.amount * 2 })));
        const explicit = [explicitOf(generated.config)];
        const store = await openDuckDbStore(path.join(root, `s${++stores}.duckdb`));
        try {
          for (const part of parts) {
            await importBatch(store, { dataset: { ...part, customers: [], plans: dataset.plans }, rejects: [], warnings: [], rowsRead: 0, sources: [], configs: [] }, ['part'], { explicit, today, startedAt: '2026-01-15T00:00:00Z' });
            await keepMonthlyReportFigures(store, today);
          }
          await compare(store, explicit, ['month']);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 25 * FACTOR },
    );
  });
});
