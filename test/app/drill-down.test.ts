/**
 * docs/metrics/drill-down.md, proved: on a generated multi-currency dataset, every figure of the
 * mrr, metrics and cohorts reports equals the sum or count of the rows its query lists.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoDataset } from '../../src/app/demo/write-demo-dataset.js';
import { loadDatasetSource, type ComputedSource } from '../../src/app/load-dataset-source.js';
import { queryCustomers, queryMovements, viewsFor } from '../../src/app/report-views.js';
import { addDays, addMonths, isoDate } from '../../src/engine/calendar/calendar-date.js';
import type { MovementType } from '../../src/engine/movement.js';
import { cohortReport } from '../../src/engine/report/cohort-report.js';
import { constantCurrency } from '../../src/engine/report/constant-currency.js';
import { metricsReport } from '../../src/engine/report/metrics-report.js';
import type { Interval } from '../../src/engine/report/period.js';
import type { View } from '../../src/engine/report/segment-view.js';

let dir: string;
let source: ComputedSource;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runrate-drill-'));
  await writeDemoDataset(dir, { customers: 150, months: 24, seed: 11 });
  source = await loadDatasetSource(dir, { flags: {}, configFile: null, today: () => isoDate('2030-01-01') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function checkView(view: View, interval: Interval, segmented: boolean) {
  const { config, result } = source;
  const range = { interval, weekStartsOn: config.weekStartsOn, from: null, to: null, asOf: config.asOf };
  const entries = metricsReport(view.movements, range, constantCurrency(result.timelines, view, result.rates, config.currency));
  expect(entries.length).toBeGreaterThan(0);
  const movements = (types: MovementType[], from: number, to: number, payingOn: number | null = null) =>
    queryMovements(view.movements, { from: from as never, to: to as never, customer: null, types, payingOn: payingOn as never });
  const customers = (on: number, options: { status?: 'paying'; payingOn?: number } = {}) =>
    queryCustomers(source, view, { on: on as never, status: options.status ?? null, cohort: null, payingOn: (options.payingOn ?? null) as never }, segmented);
  let checked = 0;
  for (const entry of entries) {
    const { first, last } = entry.period;
    const before = addDays(first, -1);
    const label = `${view.group} ${entry.period.label}`;
    expect(sum(customers(last).map((c) => c.mrr)), `${label} mrr`).toBe(entry.mrr);
    expect(sum(customers(before).map((c) => c.mrr)), `${label} mrr_start`).toBe(entry.mrrStart);
    for (const type of ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx'] as const) {
      expect(sum(movements([type], first, last).map((m) => m.amount)), `${label} ${type}`).toBe(entry[type]);
    }
    expect(sum(movements(['new', 'expansion', 'contraction', 'churn', 'reactivation'], first, last).map((m) => m.amount)), `${label} net_new`).toBe(entry.netNew);
    expect(customers(last, { status: 'paying' }).length, `${label} customers`).toBe(entry.customers);
    expect(customers(before, { status: 'paying' }).length, `${label} customers_start`).toBe(entry.customersStart);
    expect(new Set(movements(['new'], first, last).map((m) => m.customerId)).size, `${label} new_customers`).toBe(entry.newCustomers);
    expect(new Set(movements(['reactivation'], first, last).map((m) => m.customerId)).size, `${label} reactivated_customers`).toBe(entry.reactivatedCustomers);
    expect(new Set(movements(['churn'], first, last).map((m) => m.customerId)).size, `${label} churned_customers`).toBe(entry.churnedCustomers);
    const retained = movements(['expansion', 'contraction', 'churn'], first, last, before);
    const nrr = entry.mrrStart === 0 ? null : (entry.mrrStart + sum(retained.map((m) => m.amount))) / entry.mrrStart;
    const grr = entry.mrrStart === 0 ? null : (entry.mrrStart + sum(retained.filter((m) => m.type !== 'expansion').map((m) => m.amount))) / entry.mrrStart;
    expect(nrr, `${label} nrr`).toBe(entry.nrr);
    expect(grr, `${label} grr`).toBe(entry.grr);
    const yearBefore = addMonths(last, -12);
    const base = sum(customers(yearBefore, { payingOn: yearBefore }).map((c) => c.mrr));
    if (entry.nrr12m === null) expect(base, `${label} nrr_12m base`).toBe(0);
    else expect(base, `${label} nrr_12m base`).toBeGreaterThan(0);
    checked++;
  }
  return checked;
}

describe('drill-down: every figure is the sum or count of the rows its query lists', () => {
  for (const interval of ['month', 'quarter'] as const) {
    test(`whole business, by ${interval}`, () => {
      const [view] = viewsFor(source, { segments: [], groupBy: null });
      expect(checkView(view!, interval, false)).toBeGreaterThan(0);
    });
  }

  test('each plan group and each country group, by month', () => {
    for (const groupBy of ['plan', 'country']) {
      const views = viewsFor(source, { segments: [], groupBy });
      expect(views.length).toBeGreaterThan(2);
      for (const view of views) if (view.movements.length > 0) checkView(view, 'month', true);
    }
  });

  test('nrr_12m numerator in one currency lists exactly the customers of the base', () => {
    const [view] = viewsFor(source, { segments: ['currency=USD'], groupBy: null });
    const { config, result } = source;
    const range = { interval: 'month' as const, weekStartsOn: config.weekStartsOn, from: null, to: null, asOf: config.asOf };
    const entries = metricsReport(view!.movements, range, constantCurrency(result.timelines, view!, result.rates, config.currency)).filter((e) => e.nrr12m !== null);
    expect(entries.length).toBeGreaterThan(3);
    for (const entry of entries) {
      const yearBefore = addMonths(entry.period.last, -12);
      const base = sum(queryCustomers(source, view!, { on: yearBefore, status: null, cohort: null, payingOn: yearBefore }, true).map((c) => c.mrr));
      const now = sum(queryCustomers(source, view!, { on: entry.period.last, status: null, cohort: null, payingOn: yearBefore }, true).map((c) => c.mrr));
      expect(now / base, entry.period.label).toBe(entry.nrr12m);
    }
  });

  test('cohort cells are the paying customers of the cohort and their MRR', () => {
    const [view] = viewsFor(source, { segments: [], groupBy: null });
    const { config } = source;
    const cohorts = cohortReport(view!.movements, { interval: 'quarter', weekStartsOn: config.weekStartsOn, from: null, to: null, asOf: config.asOf });
    let cells = 0;
    for (const cohort of cohorts) {
      cohort.customers.forEach((count, age) => {
        const last = addDays(addMonths(cohort.period.first, 3 * (age + 1)), -1);
        const on = last > config.asOf ? config.asOf : last;
        const listed = queryCustomers(source, view!, { on, status: 'paying', cohort: { label: cohort.period.label, interval: 'quarter' } }, false);
        expect(listed.length, `${cohort.period.label} age ${age}`).toBe(count);
        expect(sum(listed.map((c) => c.mrr)), `${cohort.period.label} age ${age} mrr`).toBe(cohort.mrr[age]);
        cells++;
      });
    }
    expect(cells).toBeGreaterThan(20);
  });
});
