/**
 * Runs every golden scenario (test/scenarios/*.scenario.md) through the real ingest, config
 * resolution and engine, and compares with the expected tables exactly: the number of rows
 * must match, and every column the scenario lists must match on every row.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { loadDatasetSource } from '../../src/app/load-dataset-source.js';
import { customerRecord } from '../../src/app/records/customer-record.js';
import { movementRecord } from '../../src/app/records/movement-record.js';
import { mrrEntryRecord } from '../../src/app/records/mrr-entry-record.js';
import { formatIsoDate, isoDate } from '../../src/engine/calendar/calendar-date.js';
import { currencyExponent, type CurrencyCode } from '../../src/engine/money/currency.js';
import { parseMinorUnits } from '../../src/engine/money/decimal.js';
import { customerSummaries } from '../../src/engine/report/customer-summary.js';
import { mrrReport } from '../../src/engine/report/mrr-report.js';
import type { Interval } from '../../src/engine/report/period.js';
import { flagsToConfig, parseScenario, type ExpectationBlock } from '../support/scenario-file.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const scenarioFiles = readdirSync(here).filter((name) => name.endsWith('.scenario.md')).sort();
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** Column name in a scenario table → field of the machine-readable record. */
const MOVEMENT_COLUMNS: Record<string, string> = {
  customer: 'customer_id',
  subscription: 'subscription_id',
  plan: 'plan_id',
  price: 'price_effect',
  volume: 'volume_effect',
  mix: 'mix_effect',
  native: 'native_amount',
};
const MONEY_FIELDS = new Set(['amount', 'customer_mrr', 'price_effect', 'volume_effect', 'mix_effect', 'mrr', 'arr', 'mrr_start', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx', 'net_new']);

function expectedCell(field: string, cell: string, currency: CurrencyCode): unknown {
  if (cell === '-') return field === 'sources' || field === 'subscriptions' ? [] : null;
  if (field === 'sources' || field === 'subscriptions') return cell.split(',');
  if (field === 'native_amount') return Number(cell); // minor units of the subscription's own currency
  if (MONEY_FIELDS.has(field)) {
    const parsed = parseMinorUnits(cell.replace(/^\+/, ''), currencyExponent(currency));
    if (!parsed.ok) throw new Error(`bad amount in scenario: ${cell}`);
    return parsed.value;
  }
  if (field === 'customers' || field === 'customers_start') return Number(cell);
  return cell;
}

function compareTable(block: ExpectationBlock, actual: ReadonlyArray<Record<string, unknown>>, currency: CurrencyCode) {
  const fields = block.header.map((column) => MOVEMENT_COLUMNS[column] ?? column);
  const project = (record: Record<string, unknown>) => fields.map((field) => record[field]);
  const expected = block.rows.map((row) => fields.map((field, i) => expectedCell(field, row[i] ?? '', currency)));
  expect(actual.map(project)).toEqual(expected);
}

for (const file of scenarioFiles) {
  const scenario = parseScenario(path.join(here, file));
  describe(`${file}: ${scenario.title}`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runrate-scenario-'));
    temporary.push(dir);
    for (const [name, body] of scenario.files) writeFileSync(path.join(dir, name), body);

    scenario.expectations.forEach((block, index) => {
      test(`${block.kind} ${block.flags.join(' ')} (#${index + 1})`.trim(), async () => {
        const flags = flagsToConfig(block.flags);
        // --interval and --customer choose what to compare; every other flag is configuration.
        const { interval, customer, ...configFlags } = flags;
        const load = () => loadDatasetSource(dir, { flags: configFlags, configFile: null, today: () => isoDate('2030-01-01') });
        if (block.kind === 'error') {
          await expect(load()).rejects.toThrow(block.lines.join(' '));
          return;
        }
        const source = await load();
        const currency = source.config.currency;
        switch (block.kind) {
          case 'movements': {
            const movements = source.result.movements.filter((m) => customer === undefined || m.customerId === customer);
            compareTable(block, movements.map(movementRecord) as unknown as Record<string, unknown>[], currency);
            break;
          }
          case 'mrr': {
            const entries = mrrReport(source.result.movements, {
              interval: (interval ?? 'month') as Interval,
              weekStartsOn: source.config.weekStartsOn,
              from: null,
              to: null,
              asOf: source.config.asOf,
            });
            compareTable(block, entries.map(mrrEntryRecord), currency);
            break;
          }
          case 'customers':
            compareTable(block, customerSummaries(source.dataset, source.result.movements, source.result.timelines).map(customerRecord) as unknown as Record<string, unknown>[], currency);
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
