/**
 * `syncStripe` against a local fake Stripe server (no network): a first run fetches everything,
 * a second only what was created or changed since, a 429 is waited out, and the folder reads
 * back through `readStripeFiles` to the movements the data implies.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { importIntoStore } from '../../../src/app/store/import-into-store.js';
import { loadStoreSource } from '../../../src/app/store/load-store-source.js';
import { isoDate } from '../../../src/engine/calendar/calendar-date.js';
import { computeMovements } from '../../../src/engine/compute-movements.js';
import { openDuckDbStore } from '../../../src/store/duckdb/duckdb-store.js';
import { readStripeFiles } from '../../../src/ingest/stripe/read-stripe-files.js';
import { readSyncState, syncStripe, type SyncProgress } from '../../../src/ingest/stripe/sync-stripe.js';
import { customerObject, invoiceObject, priceObject, subscriptionObject, ts, type PriceSpec } from './stripe-builders.js';
import { startFakeStripe, type FakeStripe, type StripeJson } from './fake-stripe-server.js';
import { brief, engineConfig } from './stripe-test-support.js';

const price: PriceSpec = { id: 'price_team', product: 'prod_team', unitAmount: 4_000, nickname: 'Team' };
const json = (value: Record<string, unknown>) => value as StripeJson;

let stripe: FakeStripe;
let outDir: string;

beforeEach(async () => {
  stripe = await startFakeStripe();
  outDir = await mkdtemp(join(tmpdir(), 'runrate-sync-'));
  stripe.objects.set('customers', [json(customerObject({ id: 'cus_1', email: 'one@example.com', created: '2024-01-01' })), json(customerObject({ id: 'cus_2', created: '2024-01-02' }))]);
  stripe.objects.set('prices', [json(priceObject(price))]);
  stripe.objects.set('subscriptions', [
    json(subscriptionObject({ id: 'sub_1', customer: 'cus_1', status: 'active', created: '2024-01-01', currentPeriod: ['2024-02-01', '2024-03-01'], items: [{ id: 'si_1', price }] }, 'basil')),
    json(subscriptionObject({ id: 'sub_2', customer: 'cus_2', status: 'active', created: '2024-01-02', currentPeriod: ['2024-02-02', '2024-03-02'], items: [{ id: 'si_2', price, quantity: 2 }] }, 'basil')),
  ]);
  const line = (id: string, start: string, end: string, quantity = 1) => ({ id, price, start, end, amount: 4_000 * quantity, quantity });
  const partial = invoiceObject({ id: 'in_2', customer: 'cus_2', subscription: 'sub_2', created: '2024-01-02', lines: [line('il_2a', '2024-01-02', '2024-02-02', 2)] }, 'basil');
  (partial.lines as { has_more: boolean }).has_more = true;
  const full = invoiceObject(
    { id: 'in_2', customer: 'cus_2', subscription: 'sub_2', created: '2024-01-02', lines: [line('il_2a', '2024-01-02', '2024-02-02', 2), { ...line('il_2b', '2024-01-02', '2024-01-02'), subscription: null, amount: 1_500 }] },
    'basil',
  );
  stripe.objects.set('invoices', [
    json(invoiceObject({ id: 'in_1', customer: 'cus_1', subscription: 'sub_1', created: '2024-01-01', lines: [line('il_1', '2024-01-01', '2024-02-01')] }, 'basil')),
    json(partial),
    json(invoiceObject({ id: 'in_1b', customer: 'cus_1', subscription: 'sub_1', created: '2024-02-01', lines: [line('il_1b', '2024-02-01', '2024-03-01')] }, 'basil')),
    json(invoiceObject({ id: 'in_2b', customer: 'cus_2', subscription: 'sub_2', created: '2024-02-02', lines: [line('il_2c', '2024-02-02', '2024-03-02', 2)] }, 'basil')),
  ]);
  stripe.invoiceLines.set('in_2', (full.lines as { data: StripeJson[] }).data);
});

afterEach(async () => {
  await stripe.close();
});

const connect = () => ({ apiKey: 'sk_test_fake', outDir, host: '127.0.0.1', port: stripe.port, protocol: 'http' as const, rateLimitDelayMs: 1 });

describe('runrate sync stripe', () => {
  test('the folder sync writes imports into the store as it is (its customers.ndjson is Stripe, not canonical)', async () => {
    await syncStripe({ ...connect(), now: () => ts('2024-02-15') });
    const store = await openDuckDbStore(join(outDir, 'store.duckdb'));
    try {
      const outcome = await importIntoStore(store, [outDir], { explicit: [{ asOf: '2024-02-20' }], today: () => isoDate('2024-02-20'), startedAt: '2024-02-20T00:00:00Z' });
      expect(outcome.batch.sources.map((source) => source.format)).toEqual(['stripe']);
      expect(outcome.rejects).toEqual([]);
      const source = await loadStoreSource(store, { explicit: [], today: () => isoDate('2024-02-20') });
      expect(source.result.movements.map(brief)).toEqual(['2024-01-01 cus_1 sub_1 new 4000', '2024-01-02 cus_2 sub_2 new 8000']);
      expect([...source.customers.rows.keys()].sort()).toEqual(['cus_1', 'cus_2']);
    } finally {
      await store.close();
    }
  });

  test('a first run fetches everything (lines beyond the first page too) and reads back', async () => {
    const progress: SyncProgress[] = [];
    const result = await syncStripe({ ...connect(), now: () => ts('2024-02-15'), onProgress: (p) => progress.push(p) });
    expect(result.full).toBe(true);
    expect(result.written).toEqual({ customers: 2, prices: 1, subscriptions: 2, invoices: 4 });
    expect(stripe.requests).toContain('GET /v1/invoices/in_2/lines?limit=100');
    expect(progress.filter((p) => p.done).map((p) => `${p.resource} ${p.fetched}`)).toEqual([
      'customers 2',
      'products 0',
      'prices 1',
      'coupons 0',
      'subscriptions 2',
      'subscription_schedules 0',
      'invoices 4',
      'credit_notes 0',
      'events 0',
    ]);
    expect(await readSyncState(outDir)).toEqual({ version: 1, startedAt: ts('2024-02-15'), lastEventCreated: null, lastEventIds: [] });

    const read = await readStripeFiles([outDir]);
    expect(read.rejects).toEqual([]);
    expect(read.dataset.invoiceLines.map((line) => `${line.lineId} ${line.type}`)).toEqual(['il_1 subscription', 'il_1b subscription', 'il_2a subscription', 'il_2b one_time', 'il_2c subscription']);
    const movements = computeMovements(read.dataset, engineConfig('2024-02-20')).movements.map(brief);
    expect(movements).toEqual(['2024-01-01 cus_1 sub_1 new 4000', '2024-01-02 cus_2 sub_2 new 8000']);
  });

  test('a second run fetches only what was created or changed since the first', async () => {
    await syncStripe({ ...connect(), now: () => ts('2024-02-15') });
    const firstRequests = stripe.requests.length;

    // Since then: a new customer, a new invoice, cus_1 changed its email, sub_2 was cancelled.
    stripe.objects.get('customers')!.push(json(customerObject({ id: 'cus_3', created: '2024-02-20' })));
    const cus1 = stripe.objects.get('customers')!.find((c) => c.id === 'cus_1')!;
    cus1.email = 'new@example.com';
    stripe.objects.get('invoices')!.push(
      json(invoiceObject({ id: 'in_1c', customer: 'cus_1', subscription: 'sub_1', created: '2024-03-01', lines: [{ id: 'il_1c', price, start: '2024-03-01', end: '2024-04-01', amount: 4_000 }] }, 'basil')),
    );
    const subs = stripe.objects.get('subscriptions')!;
    const cancelled = json(
      subscriptionObject(
        { id: 'sub_2', customer: 'cus_2', status: 'canceled', created: '2024-01-02', currentPeriod: ['2024-02-02', '2024-03-02'], canceledAt: '2024-02-25', endedAt: '2024-02-25', items: [{ id: 'si_2', price, quantity: 2 }] },
        'basil',
      ),
    );
    subs.splice(subs.findIndex((s) => s.id === 'sub_2'), 1, cancelled);
    stripe.objects.set('events', [
      json({ id: 'evt_old', object: 'event', type: 'customer.created', created: ts('2024-01-01'), data: { object: { id: 'cus_1', object: 'customer' } } }),
      json({ id: 'evt_cus', object: 'event', type: 'customer.updated', created: ts('2024-02-16'), data: { object: { ...cus1 }, previous_attributes: { email: 'one@example.com' } } }),
      json({ id: 'evt_sub', object: 'event', type: 'customer.subscription.deleted', created: ts('2024-02-25'), data: { object: cancelled } }),
    ]);

    const result = await syncStripe({ ...connect(), now: () => ts('2024-03-05') });
    expect(result.full).toBe(false);
    expect(result.written).toEqual({ customers: 2, invoices: 1, subscriptions: 1, events: 2 });
    const second = stripe.requests.slice(firstRequests);
    expect(second.filter((r) => r.startsWith('GET /v1/customers?'))).toEqual([`GET /v1/customers?limit=100&created[gte]=${ts('2024-02-15')}`]);
    expect(second.filter((r) => /^GET \/v1\/\w+\/\w+(\?|$)/.test(r)).sort()).toEqual(['GET /v1/customers/cus_1', 'GET /v1/subscriptions/sub_2?expand[0]=discounts'].sort());
    expect(await readSyncState(outDir)).toEqual({ version: 1, startedAt: ts('2024-03-05'), lastEventCreated: ts('2024-02-25'), lastEventIds: ['evt_sub'] });

    const read = await readStripeFiles([outDir]);
    expect(read.rejects).toEqual([]);
    expect(read.dataset.customers.map((c) => `${c.customerId} ${c.email ?? ''}`)).toEqual(['cus_1 new@example.com', 'cus_2 ', 'cus_3 ']);
    const movements = computeMovements(read.dataset, engineConfig('2024-03-20')).movements.map(brief);
    expect(movements).toEqual(['2024-01-01 cus_1 sub_1 new 4000', '2024-01-02 cus_2 sub_2 new 8000', '2024-02-25 cus_2 sub_2 churn -8000']);

    // A third run with nothing new fetches no object and keeps the event cursor.
    const third = await syncStripe({ ...connect(), now: () => ts('2024-03-06') });
    expect(third.written).toEqual({});
    expect(third.state.lastEventIds).toEqual(['evt_sub']);
    const eventsFile = await readFile(join(outDir, 'events.ndjson'), 'utf8');
    expect(eventsFile.trim().split('\n').map((lineText) => (JSON.parse(lineText) as { id: string }).id)).toEqual(['evt_cus', 'evt_sub']);
  });

  test('rate limiting: a 429 is waited out and the run completes', async () => {
    stripe.rateLimitNext(2);
    const result = await syncStripe({ ...connect(), now: () => ts('2024-02-15') });
    expect(result.written).toEqual({ customers: 2, prices: 1, subscriptions: 2, invoices: 4 });
    expect(stripe.requests.slice(0, 3)).toEqual(['GET /v1/customers?limit=100', 'GET /v1/customers?limit=100', 'GET /v1/customers?limit=100']);
  });

  test('a rate limit that does not end is an error, not a partial success', async () => {
    stripe.rateLimitNext(1_000);
    await expect(syncStripe({ ...connect(), now: () => ts('2024-02-15'), rateLimitRetries: 2 })).rejects.toThrow(/Too many requests/);
    await expect(readSyncState(outDir)).resolves.toBeNull();
  });
});
