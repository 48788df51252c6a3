/**
 * Runs every golden scenario (test/scenarios/*.scenario.md, and the worked examples of
 * docs/metrics/*.md) through the real ingest, configuration and engine, and compares with the
 * expected tables exactly: the number of rows must match, and every listed column on every row.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { loadDatasetSource } from '../../src/app/load-dataset-source.js';
import { cohortRecord } from '../../src/app/records/cohort-record.js';
import { customerRecord } from '../../src/app/records/customer-record.js';
import { metricsEntryRecord, RATE_FIELDS } from '../../src/app/records/metrics-entry-record.js';
import { movementRecord } from '../../src/app/records/movement-record.js';
import { mrrEntryRecord } from '../../src/app/records/mrr-entry-record.js';
import { queryCustomers, viewsFor } from '../../src/app/report-views.js';
import { formatIsoDate, isoDate } from '../../src/engine/calendar/calendar-date.js';
import { currencyExponent, type CurrencyCode } from '../../src/engine/money/currency.js';
import { parseMinorUnits } from '../../src/engine/money/decimal.js';
import { cohortReport } from '../../src/engine/report/cohort-report.js';
import { constantCurrency } from '../../src/engine/report/constant-currency.js';
import { metricsReport } from '../../src/engine/report/metrics-report.js';
import { forecast, scheduledChanges } from '../../src/engine/report/forecast.js';
import { mrrReport } from '../../src/engine/report/mrr-report.js';
import { forecastRecord } from '../../src/app/records/forecast-record.js';
import type { Interval } from '../../src/engine/report/period.js';
import { parseFlags, parseScenario, type ExpectationBlock } from '../support/scenario-file.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const metricDocs = path.resolve(here, '../../docs/metrics');
const scenarioFiles = [
  ...readdirSync(here).filter((name) => name.endsWith('.scenario.md')).sort().map((name) => path.join(here, name)),
  ...readdirSync(metricDocs).filter((name) => name.endsWith('.md')).sort().map((name) => path.join(metricDocs, name)),
];
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** Column name in a scenario table → field of the machine-readable record. */
const COLUMN_FIELDS: Record<string, string> = {
  customer: 'customer_id',
  subscription: 'subscription_id',
  plan: 'plan_id',
  price: 'price_effect',
  volume: 'volume_effect',
  mix: 'mix_effect',
  native: 'native_amount',
};
const MONEY_FIELDS = new Set([
  'amount', 'customer_mrr', 'price_effect', 'volume_effect', 'mix_effect', 'mrr', 'arr', 'mrr_start', 'new', 'expansion',
  'contraction', 'churn', 'reactivation', 'fx', 'net_new', 'arpa', 'asp', 'ltv', 'committed_mrr', 'new_and_reactivation', 'scheduled',
]);
const COUNT_FIELDS = new Set(['customers', 'customers_start', 'new_customers', 'reactivated_customers', 'churned_customers', 'native_amount']);

function expectedCell(field: string, cell: string, currency: CurrencyCode, fractions: ReadonlySet<string>): unknown {
  if (cell === '-') return field === 'sources' || field === 'subscriptions' ? [] : null;
  if (field === 'sources' || field === 'subscriptions') return cell.split(',');
  if (RATE_FIELDS.has(field) || fractions.has(field)) {
    // Rates are written as the exact fraction the formula divides: "1/3", "0.2", "-1".
    const [numerator, denominator] = cell.split('/');
    return denominator === undefined ? Number(numerator) : Number(numerator) / Number(denominator);
  }
  if (COUNT_FIELDS.has(field)) return Number(cell); // native_amount: minor units of the subscription's currency
  if (MONEY_FIELDS.has(field)) {
    const parsed = parseMinorUnits(cell.replace(/^\+/, ''), currencyExponent(currency));
    if (!parsed.ok) throw new Error(`bad amount in scenario: ${cell}`);
    return parsed.value;
  }
  return cell;
}

/** `fractions`: fields written as fractions rather than money (cohort shares). */
function compareTable(block: ExpectationBlock, actual: ReadonlyArray<object>, currency: CurrencyCode, fractions: ReadonlySet<string> = new Set()) {
  const fields = block.header.map((column) => COLUMN_FIELDS[column] ?? column);
  const project = (record: object) => fields.map((field) => (record as Record<string, unknown>)[field]);
  const expected = block.rows.map((row) => fields.map((field, i) => expectedCell(field, row[i] ?? '', currency, fractions)));
  expect(actual.map(project)).toEqual(expected);
}

/** Cohort tables are written one row per cohort and age: `cohort age customers mrr`. */
function cohortRows(records: ReturnType<typeof cohortRecord>[]) {
  return records.flatMap((record) => record.customers.map((customers, age) => ({ cohort: record.cohort, age: String(age), customers, mrr: record.mrr[age] })));
}

for (const file of scenarioFiles) {
  const scenario = parseScenario(file);
  if (scenario.expectations.length === 0) continue; // an index page
  describe(`${path.relative(path.resolve(here, '../..'), file)}: ${scenario.title}`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runrate-scenario-'));
    temporary.push(dir);
    for (const [name, body] of scenario.files) writeFileSync(path.join(dir, name), body);

    scenario.expectations.forEach((block, index) => {
      test(`${block.kind} ${block.flags.join(' ')} (#${index + 1})`.trim(), async () => {
        const { values, segments } = parseFlags(block.flags);
        // Report options choose what to compare; every other flag is configuration.
        const { interval, customer, groupBy, from, to, share, months, ...configFlags } = values;
        const load = () => loadDatasetSource(dir, { flags: configFlags, configFile: null, today: () => isoDate('2030-01-01') });
        if (block.kind === 'error') {
          await expect(load()).rejects.toThrow(block.lines.join(' '));
          return;
        }
        const source = await load();
        const { config, result } = source;
        const currency = config.currency;
        const views = viewsFor(source, { segments, groupBy: groupBy ?? null });
        const range = {
          interval: (interval ?? 'month') as Interval,
          weekStartsOn: config.weekStartsOn,
          from: from === undefined ? null : isoDate(from),
          to: to === undefined ? null : isoDate(to),
          asOf: config.asOf,
        };
        const grouped = <T extends object>(rows: (view: (typeof views)[number]) => T[]) =>
          views.flatMap((view) => rows(view).map((row) => (groupBy === undefined ? row : { group: view.group, ...row })));
        switch (block.kind) {
          case 'movements':
            compareTable(block, grouped((view) => view.movements.filter((m) => customer === undefined || m.customerId === customer).map(movementRecord)), currency);
            break;
          case 'mrr':
            compareTable(block, grouped((view) => mrrReport(view.movements, range).map(mrrEntryRecord)), currency);
            break;
          case 'metrics':
            compareTable(block, grouped((view) => metricsReport(view.movements, range, constantCurrency(result.timelines, view, result.rates, currency)).map(metricsEntryRecord)), currency);
            break;
          case 'cohorts':
            compareTable(
              block,
              grouped((view) => cohortRows(cohortReport(view.movements, range).map((cohort) => cohortRecord(cohort, share === 'true')))),
              currency,
              share === 'true' ? new Set(['customers', 'mrr']) : new Set(),
            );
            break;
          case 'forecast': {
            const [view] = views;
            const projection = forecast(view!.movements, scheduledChanges(result.timelines, config.asOf, view!.includes), config.asOf, Number(months ?? '12'));
            const record = forecastRecord(projection, currency, formatIsoDate(config.asOf));
            compareTable(block, record.entries.map((entry) => ({ ...entry, committed_mrr: record.committed_mrr })), currency);
            break;
          }
          case 'customers':
            compareTable(block, grouped((view) => queryCustomers(source, view, { on: null, status: null, cohort: null }, segments.length > 0).map(customerRecord)), currency);
            break;
          case 'rejects':
            expect(source.rejects.map((row) => `${row.file}:${row.line}: ${row.column}: ${row.message}`)).toEqual(block.lines);
            break;
          case 'warnings':
            expect(source.dataWarnings.map((w) => `${w.date === undefined ? '' : `${formatIsoDate(w.date)} `}${w.code}: ${w.subscriptionId ?? ''}`.trim())).toEqual(block.lines);
            break;
        }
        // A scenario that expects no rejected rows says so by having no `rejects` block.
        if (!scenario.expectations.some((other) => other.kind === 'rejects')) expect(source.rejects, 'unexpected rejected rows').toEqual([]);
      });
    });
  });
}
