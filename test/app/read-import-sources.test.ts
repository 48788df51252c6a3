/**
 * How `runrate import` routes files: by content first (Stripe and ChartMogul exports reuse names
 * like customers.ndjson and plans.json), then canonical file names, then rates formats; a folder
 * is a canonical dataset only when every file in it is canonical.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { classifyFile, readImportSources } from '../../src/app/import/read-import-sources.js';

const root = await mkdtemp(join(tmpdir(), 'runrate-routing-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function files(folder: string, contents: Record<string, string>): Promise<string> {
  const dir = join(root, folder);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(contents)) await writeFile(join(dir, name), text);
  return dir;
}

describe('routing files to their readers', () => {
  test('content decides before a canonical-looking name', async () => {
    const dir = await files('names', {
      'customers.ndjson': `${JSON.stringify({ id: 'cus_1', object: 'customer', name: 'Acme', email: null, address: null, metadata: {}, created: 1704067200 })}\n`,
      'subscription_events.ndjson': `${JSON.stringify({ event_type: 'subscription_start', subscription_external_id: 's1', customer_external_id: 'c1', effective_date: '2024-01-01', amount_in_cents: 1000, currency: 'USD', plan_external_id: 'p1', data_source_uuid: 'ds_1' })}\n`,
      'plans.json': JSON.stringify({ plans: [{ external_id: 'gold_annual', name: 'Gold annual', interval_unit: 'year', interval_count: 1 }] }),
      'invoice_lines.csv': 'line_id,invoice_id,customer_id,subscription_id,service_start,service_end,amount,currency\nl1,i1,c1,s1,2024-01-01,2024-02-01,10.00,USD\n',
      'eurofxref-hist.csv': 'Date,USD,JPY,\n2024-11-29,1.0575,158.08,\n',
    });
    expect(await classifyFile(join(dir, 'customers.ndjson'))).toBe('stripe');
    expect(await classifyFile(join(dir, 'subscription_events.ndjson'))).toBe('chartmogul');
    expect(await classifyFile(join(dir, 'plans.json'))).toBe('chartmogul');
    expect(await classifyFile(join(dir, 'invoice_lines.csv'))).toBe('canonical');
    expect(await classifyFile(join(dir, 'eurofxref-hist.csv'))).toBe('rates');
  });

  test('a mixed folder is read file by file; nothing is ignored silently', async () => {
    const dir = await files('mixed', {
      'plans.json': JSON.stringify({ plans: [{ external_id: 'gold_annual', name: 'Gold annual', interval_unit: 'year', interval_count: 1 }] }),
      'invoice_lines.csv': 'line_id,invoice_id,customer_id,subscription_id,service_start,service_end,amount,currency\nl1,i1,c1,s1,2024-01-01,2024-02-01,10.00,USD\n',
      'notes.txt': 'hello',
    });
    const batch = await readImportSources([dir]);
    expect(batch.sources.map((source) => source.format).sort()).toEqual(['canonical', 'chartmogul']);
    expect(batch.dataset.plans.map((plan) => [plan.planId, plan.interval.unit])).toEqual([['gold_annual', 'year']]);
    expect(batch.dataset.invoiceLines.map((line) => line.lineId)).toEqual(['l1']);
    expect(batch.warnings).toEqual([`${join(dir, 'notes.txt')}: not a file Runrate can import; ignored`]);
  });

  test('a canonical folder is read as a dataset, with its configuration', async () => {
    const dir = await files('canonical', {
      'invoice_lines.csv': 'line_id,invoice_id,customer_id,subscription_id,service_start,service_end,amount,currency\nl1,i1,c1,s1,2024-01-01,2024-02-01,10.00,USD\n',
      'runrate.config.json': '{"currency":"USD","asOf":"2024-01-31"}',
    });
    const batch = await readImportSources([dir]);
    expect(batch.sources.map((source) => source.format)).toEqual(['canonical']);
    expect(batch.configs).toEqual([{ json: { currency: 'USD', asOf: '2024-01-31' }, name: join(dir, 'runrate.config.json') }]);
    expect(batch.dataset.invoiceLines[0]!.source.file).toBe(join(dir, 'invoice_lines.csv'));
  });
});
