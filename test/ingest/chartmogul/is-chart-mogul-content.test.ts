
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChartMogulContent, isChartMogulFile, isChartMogulText } from '../../../src/ingest/chartmogul/is-chart-mogul-content.js';
import { parseJsonWithNumberText } from '../../../src/ingest/read-ndjson-rows.js';
import * as stories from './chart-mogul-stories.js';

/** Real Stripe webhook payloads (test/fixtures), which must never pass for ChartMogul files. */
const STRIPE_SAMPLES = new URL('../../fixtures/stripe-samples/sync-engine-webhook-events', import.meta.url).pathname;
const STRIPE_EVENT = {
  id: 'evt_1',
  object: 'event',
  type: 'invoice.paid',
  data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_1', currency: 'usd', lines: { object: 'list', data: [{ id: 'il_1', object: 'line_item', amount: 5000 }] } } },
};

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-chartmogul-detect-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('isChartMogulContent', () => {
  it('recognises every shape of the stories: documents, bulk bodies, lists, list responses, single events', () => {
    for (const files of [stories.annual, stories.proratedUpgrade, stories.quantityChange, stories.cancellation, stories.couponEnds]) {
      for (const [name, content] of Object.entries(files)) expect(isChartMogulContent(content, name), name).toBe(true);
    }
    for (const event of stories.eventsOnly['subscription_events.ndjson'] as unknown[]) expect(isChartMogulContent(event)).toBe(true);
    expect(isChartMogulContent({ invoices: [] })).toBe(true);
  });

  it('tells Stripe objects and canonical rows apart', async () => {
    expect(isChartMogulContent(STRIPE_EVENT)).toBe(false);
    expect(isChartMogulText(JSON.stringify(STRIPE_EVENT))).toBe(false);
    const samples = (await readdir(STRIPE_SAMPLES)).filter((file) => file.endsWith('.json'));
    expect(samples.length).toBeGreaterThan(5);
    for (const name of samples) {
      const text = await readFile(join(STRIPE_SAMPLES, name), 'utf8');
      expect(isChartMogulContent(parseJsonWithNumberText(text), name), name).toBe(false);
      expect(isChartMogulText(text), name).toBe(false);
    }
    expect(isChartMogulContent({ object: 'list', data: [{ object: 'invoice', id: 'in_1' }] })).toBe(false);
    expect(isChartMogulContent({ line_id: 'l1', invoice_id: 'i1', customer_id: 'c1', amount: '10', currency: 'USD' })).toBe(false);
    expect(isChartMogulContent({ plan_id: 'p1', interval_unit: 'month' })).toBe(false);
    expect(isChartMogulContent({ event_id: 'e1', type: 'start', effective_at: '2024-01-01' })).toBe(false);
    expect(isChartMogulContent({ customers: [{ customer_id: 'c1' }] })).toBe(false);
    expect(isChartMogulContent('text')).toBe(false);
    expect(isChartMogulContent([])).toBe(false);
  });

  it('sniffs the start of a file', async () => {
    await writeFile(join(root, 'invoices.json'), JSON.stringify(stories.proratedUpgrade['invoices.json']));
    await writeFile(join(root, 'rows.ndjson'), '{"line_id":"l1","amount":"10"}\n');
    await writeFile(join(root, 'export.csv'), 'amount_in_cents\n1\n');
    expect(await isChartMogulFile(join(root, 'invoices.json'))).toBe(true);
    expect(await isChartMogulFile(join(root, 'rows.ndjson'))).toBe(false);
    expect(await isChartMogulFile(join(root, 'export.csv'))).toBe(false);
  });
});
