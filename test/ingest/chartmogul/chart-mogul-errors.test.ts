/**
 * Malformed and unexpected ChartMogul objects: each becomes a rejected row with its file, line and
 * JSON path, never a crash and never a silent skip; unknown collections are counted.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src/ingest/dataset-error.js';
import { readChartMogulFiles } from '../../../src/ingest/chartmogul/read-chart-mogul-files.js';
import { at, invoice, subscriptionItem } from './chart-mogul-stories.js';

let root: string;
let folders = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-chartmogul-errors-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function files(contents: Record<string, string>): Promise<string[]> {
  const dir = join(root, `case-${++folders}`);
  await mkdir(dir);
  const paths: string[] = [];
  for (const [name, text] of Object.entries(contents)) {
    await writeFile(join(dir, name), text);
    paths.push(join(dir, name));
  }
  return paths;
}

const plan = { plan_external_id: 'pro' };
const ok = (id: string) => subscriptionItem(id, 'sub-1', plan, '2024-01-01', '2024-02-01', 5000);

describe('malformed ChartMogul objects', () => {
  it('reject the one object at fault, with the JSON path of the field, and keep the rest', async () => {
    const document = {
      invoices: [
        invoice('INV-1', 'c1', '2024-01-01', 'USD', [{ ...ok('li-1'), service_period_end: 'next month' }, ok('li-2')]),
        { ...invoice('INV-2', 'c1', '2024-01-01', 'USD', [ok('li-3')]), currency: undefined },
        invoice('INV-3', 'c1', '2024-01-01', 'USD', [{ ...ok('li-4'), amount_in_cents: 50.5 }]),
        invoice('INV-4', 'c1', '2024-01-01', 'USD', [{ ...ok('li-5'), type: 'credit' }]),
        invoice('INV-5', 'c1', '2024-01-01', 'USD', [{ ...ok('li-6'), subscription_external_id: null }]),
        { ...invoice('INV-6', 'c1', '2024-01-01', 'USD', []), line_items: { type: 'subscription' } },
        invoice('INV-7', 'c1', '2024-01-01', 'USD', ['oops' as unknown as Record<string, unknown>]),
        invoice('INV-8', 'c1', '2024-01-01', 'USD', [ok('li-8')], [{ date: at('2024-01-01'), type: 'payment', result: 'pending' }]),
        invoice('INV-9', 'c1', '2024-01-01', 'USD', [{ ...ok('li-9'), service_period_end: at('2023-12-01') }]),
        invoice('INV-10', 'c1', '2024-01-01', 'USD', [{ ...ok('li-10'), prorated: true, proration_type: 'full' }]),
        invoice('INV-1', 'c1', '2024-02-01', 'USD', [ok('li-11')]),
        invoice('INV-12', 'c1', '2024-02-01', 'USD', [ok('li-2')]),
        { ...invoice('INV-13', 'c1', '2024-01-01', 'USD', [ok('li-13')]), date: 'yesterday' },
        invoice('INV-14', 'c1', '2024-01-01', 'XYZ', [ok('li-14')]),
        invoice('INV-15', 'c1', '2024-01-01', 'USD', [{ ...ok('li-15'), quantity: -2 }]),
      ],
      coupons: [{ code: 'HALF' }, { code: 'FREE' }],
      note: 'exported by hand',
    };
    const result = await readChartMogulFiles(await files({ 'invoices.json': JSON.stringify(document, null, 2) }));
    expect(result.rejects.map((row) => `${row.file}:${row.line}: ${row.column}: ${row.message}`)).toEqual([
      'invoices.json:1: invoices[0].line_items[0].service_period_end: expected a timestamp (ISO 8601 such as "2024-01-15 00:00:00" or "2024-01-15T00:00:00Z", UTC without an offset), not "next month"',
      'invoices.json:1: invoices[1].currency: a value is required',
      'invoices.json:1: invoices[2].line_items[0].amount_in_cents: expected a whole number of cents (minor units of the currency), not "50.5"',
      'invoices.json:1: invoices[3].line_items[0].type: "credit" is not one of subscription, one_time, trial, usage_based',
      'invoices.json:1: invoices[4].line_items[0].subscription_external_id: a value is required',
      'invoices.json:1: invoices[5].line_items: expected a list, not an object',
      'invoices.json:1: invoices[6].line_items[0]: expected a line item object',
      'invoices.json:1: invoices[7].transactions[0].result: "pending" is not one of successful, failed',
      'invoices.json:1: invoices[8].line_items[0].service_period_end: must be after service_period_start',
      'invoices.json:1: invoices[9].line_items[0].proration_type: "full" prorations are not supported: Runrate adds a prorated line to the MRR in force, as ChartMogul\'s "differential" type does; send the prorated charge and the credit for unused time as two differential line items',
      'invoices.json:1: invoices[10].external_id: duplicate invoice external_id "INV-1" (first at invoices.json:1 invoices[0])',
      'invoices.json:1: invoices[11].line_items[0].external_id: duplicate line item id "li-2" (first at invoices.json:1 invoices[0].line_items[1])',
      'invoices.json:1: invoices[12].date: expected a timestamp (ISO 8601 such as "2024-01-15 00:00:00" or "2024-01-15T00:00:00Z", UTC without an offset), not "yesterday"',
      'invoices.json:1: invoices[13].currency: "XYZ" is not an ISO 4217 currency code',
      'invoices.json:1: invoices[14].line_items[0].quantity: a negative quantity (-2) needs a credit: an amount of 0 or less',
    ]);
    expect(result.dataset.invoiceLines.map((line) => line.lineId)).toEqual(['li-2', 'li-8']);
    expect(result.summary.unknownTypes).toEqual({ coupons: 2 });
    expect(result.summary.objects).toEqual({ invoice: 15, line_item: 15, transaction: 15 });
    expect(result.warnings).toEqual(['invoices.json: unknown document field "note" ignored', 'objects Runrate does not use were counted and skipped: coupons (2)']);
  });

  it('reject NDJSON lines by their line number, and events that do not read or retract nothing', async () => {
    const start = { external_id: 'ev-1', customer_external_id: 'c1', subscription_external_id: 's1', event_type: 'subscription_start', effective_date: '2024-01-01', currency: 'USD', amount_in_cents: 1000 };
    const lines = [
      JSON.stringify(start),
      '{"external_id": "ev-2", ',
      JSON.stringify({ ...start, external_id: 'ev-3', event_type: 'subscription_paused' }),
      '[1, 2]',
      JSON.stringify({ external_id: 'ev-5', event_type: 'subscription_event_retracted', retracted_event_id: 'ev-404' }),
      JSON.stringify({ note: 'no type' }),
      JSON.stringify({ ...start, external_id: 'ev-7', event_type: 'subscription_updated', amount_in_cents: null }),
      '',
      JSON.stringify({ ...start, external_id: 'ev-1' }),
    ];
    const result = await readChartMogulFiles(await files({ 'events.ndjson': `${lines.join('\n')}\n` }));
    expect(result.rejects.map((row) => `${row.file}:${row.line}: ${row.column}: ${row.message}`)).toEqual([
      expect.stringMatching(/^events\.ndjson:2: : not valid JSON: /),
      'events.ndjson:3: event_type: "subscription_paused" is not one of subscription_start, subscription_start_scheduled, subscription_updated, subscription_update_scheduled, subscription_cancelled, subscription_cancellation_scheduled, scheduled_subscription_start_retracted, scheduled_subscription_update_retracted, scheduled_subscription_cancellation_retracted, subscription_event_retracted',
      'events.ndjson:4: : expected a JSON object, found a list',
      'events.ndjson:5: retracted_event_id: retracts event "ev-404", which is not among the subscription events read',
      'events.ndjson:6: event_type: a value is required',
      'events.ndjson:7: amount_in_cents: a value is required',
      'events.ndjson:9: external_id: duplicate subscription event id "ev-1" (first at events.ndjson:1)',
    ]);
    expect(result.dataset.subscriptionEvents.map((event) => event.eventId)).toEqual(['ev-1']);
  });

  it('reject a document that is not JSON, and an object that is no ChartMogul object, counting it', async () => {
    const result = await readChartMogulFiles(await files({ 'broken.json': '{"invoices": [', 'mystery.json': '{"foo": 1}', 'scalar.json': '42' }));
    expect(result.rejects).toEqual([
      { file: 'broken.json', line: 1, column: '', message: expect.stringMatching(/^not valid JSON: /) },
      { file: 'mystery.json', line: 1, column: '', message: expect.stringContaining('not a recognisable ChartMogul object') },
      { file: 'scalar.json', line: 1, column: '', message: 'expected a JSON object or list, not string' },
    ]);
    expect(result.summary.unknownTypes).toEqual({ '(unrecognised object)': 1 });
  });

  it('reject flat line items and transactions whose invoice is not in the import', async () => {
    const bulk = {
      invoices: [{ external_id: 'INV-1', date: at('2024-01-01'), currency: 'USD', customer_external_id: 'c1' }],
      line_items: [{ invoice_external_id: 'INV-404', ...ok('li-1') }, ok('li-2'), { invoice_external_id: 'INV-1', ...ok('li-3') }],
      transactions: [{ invoice_external_id: 'INV-404', date: at('2024-01-01'), type: 'payment', result: 'successful' }],
    };
    const result = await readChartMogulFiles(await files({ 'bulk.json': JSON.stringify(bulk) }));
    expect(result.rejects.map((row) => `${row.column}: ${row.message}`)).toEqual([
      'line_items[0].invoice_external_id: no invoice "INV-404" among the invoices read',
      'line_items[1].invoice_external_id: a value is required: a line item or transaction outside an invoice must name its invoice',
      'transactions[0].invoice_external_id: no invoice "INV-404" among the invoices read',
    ]);
    expect(result.dataset.invoiceLines.map((line) => line.lineId)).toEqual(['li-3']);
    expect(result.summary.objects).toEqual({ invoice: 1, line_item: 3, transaction: 1 });
  });

  it('warn when a plan uuid names no plan read, and take the uuid as the plan id', async () => {
    const document = { invoices: [invoice('INV-1', 'c1', '2024-01-01', 'USD', [subscriptionItem('li-1', 'sub-1', { plan_uuid: 'pl_missing' }, '2024-01-01', '2024-02-01', 5000)])] };
    const result = await readChartMogulFiles(await files({ 'invoices.json': JSON.stringify(document) }));
    expect(result.rejects).toEqual([]);
    expect(result.dataset.invoiceLines[0]?.planId).toBe('pl_missing');
    expect(result.warnings).toEqual([expect.stringContaining('plan_uuid pl_missing is not among the plans read')]);
  });

  it('excludes disabled invoices and line items, counting them', async () => {
    const document = {
      invoices: [
        { ...invoice('INV-1', 'c1', '2024-01-01', 'USD', [ok('li-1')]), disabled: true },
        invoice('INV-2', 'c1', '2024-02-01', 'USD', [{ ...ok('li-2'), disabled: true }, { ...ok('li-3'), service_period_start: at('2024-02-01'), service_period_end: at('2024-03-01') }]),
      ],
    };
    const result = await readChartMogulFiles(await files({ 'invoices.json': JSON.stringify(document) }));
    expect(result.rejects).toEqual([]);
    expect(result.dataset.invoiceLines.map((line) => line.lineId)).toEqual(['li-3']);
    expect(result.summary.excluded).toEqual({ 'disabled invoice': 1, 'line item of a disabled invoice': 1, 'disabled line item': 1 });
  });

  it('stop only when a file cannot be read at all', async () => {
    await expect(readChartMogulFiles([join(root, 'missing.json')])).rejects.toThrow(DatasetError);
    await expect(readChartMogulFiles(await files({ 'export.csv': 'a,b\n' }))).rejects.toThrow('not a ChartMogul export (expected a .json, .ndjson or .jsonl file)');
  });
});

describe('list responses', () => {
  it('take the kind of `entries` from the file name, else from each entry, counting the rest', async () => {
    const customer = { external_id: 'c1', name: 'One' };
    const result = await readChartMogulFiles(
      await files({
        'customers.json': JSON.stringify({ entries: [customer], has_more: false }),
        'export.json': JSON.stringify({ entries: [{ ...customer, external_id: 'c2' }, { id: 7 }], cursor: null }),
      }),
    );
    expect(result.rejects).toEqual([]);
    expect(result.dataset.customers.map((c) => c.customerId)).toEqual(['c1', 'c2']);
    expect(result.summary.unknownTypes).toEqual({ entries: 1 });
  });
});
