/**
 * Golden ChartMogul stories: ChartMogul-shaped JSON through `readChartMogulFiles` and the engine
 * to the exact movements, with the configuration a user would run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigInput } from '../../../src/app/resolve-config.js';
import { isoDate } from '../../../src/engine/calendar/calendar-date.js';
import { computeMovements } from '../../../src/engine/compute-movements.js';
import type { FxRate } from '../../../src/engine/model.js';
import type { ConnectorResult } from '../../../src/ingest/connector-result.js';
import { readChartMogulFiles } from '../../../src/ingest/chartmogul/read-chart-mogul-files.js';
import { readRatesFile } from '../../../src/ingest/rates/read-rates-file.js';
import * as stories from './chart-mogul-stories.js';

let root: string;
let ecbRates: FxRate[];
let written = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-chartmogul-'));
  await writeFile(join(root, 'eurofxref-hist.csv'), stories.ECB_RATES);
  ecbRates = (await readRatesFile(join(root, 'eurofxref-hist.csv'))).rates;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function read(files: stories.Files): Promise<ConnectorResult> {
  return readChartMogulFiles(await stories.writeStory(join(root, `story-${++written}`), files));
}

/** The movements of a ChartMogul import, checking that nothing was rejected on the way. */
async function movements(files: stories.Files, config: ConfigInput): Promise<string[]> {
  const imported = await read(files);
  expect(imported.rejects).toEqual([]);
  const engineConfig = resolveConfig([{ currency: 'USD', ...config }], { datasetCurrencies: [], today: () => isoDate('2030-01-01') });
  const result = computeMovements(imported.dataset, engineConfig, { fallbackRates: ecbRates });
  expect(result.rejects).toEqual([]);
  return stories.movementRows(result.movements);
}

describe('ChartMogul golden stories', () => {
  it('an annual plan: MRR is the yearly amount less tax over 12; it churns when not renewed, unless delinquent subscriptions stay as in ChartMogul', async () => {
    expect(await movements(stories.annual, { asOf: '2025-03-01' })).toEqual([
      '2024-01-10 c-annual sub-annual new - +100.00 100.00 gold_annual li-a1',
      '2025-01-10 c-annual sub-annual churn - -100.00 0.00 gold_annual li-a1',
    ]);
    // ChartMogul keeps a subscription without a renewal invoice until it is cancelled.
    expect(await movements(stories.annual, { asOf: '2025-03-01', renewalGraceDays: 36500 })).toEqual(['2024-01-10 c-annual sub-annual new - +100.00 100.00 gold_annual li-a1']);
  });

  it('the annual customer keeps its details, tags and custom attributes', async () => {
    const { dataset, summary } = await read(stories.annual);
    expect(dataset.customers).toEqual([
      {
        customerId: 'c-annual',
        name: 'Annual Co',
        email: 'billing@annual.example',
        company: 'Annual Co SAS',
        country: 'FR',
        createdAt: { kind: 'instant', instant: Date.UTC(2023, 11, 1) },
        attributes: { city: 'Lyon', data_source: 'In-house billing', tags: 'enterprise,eu', industry: 'Retail', seats: '40' },
        source: { file: 'customers.json', line: 1 },
      },
    ]);
    expect(dataset.plans.map((plan) => [plan.planId, plan.interval])).toEqual([['gold_annual', { unit: 'year', count: 1 }]]);
    expect(dataset.invoiceLines[0]).toMatchObject({ lineId: 'li-a1', invoiceId: 'INV-A1', subscriptionId: 'sub-annual', planId: 'gold_annual', amount: 120000, tax: 24000, prorated: false });
    expect(summary).toEqual({ objects: { data_source: 1, plan: 1, customer: 1, invoice: 1, line_item: 1, transaction: 1 }, unknownTypes: {}, excluded: {} });
  });

  it('a prorated upgrade (differential prorations, plans named by uuid): one expansion for the change of plan', async () => {
    expect(await movements(stories.proratedUpgrade, { asOf: '2019-07-20' })).toEqual([
      '2019-05-01 c-upgrade sub-upgrade new - +100.00 100.00 bronze b-may',
      '2019-06-16 c-upgrade sub-upgrade expansion plan_change +150.00 250.00 gold b-credit,g-up',
    ]);
  });

  it('a quantity change charged as a proration (bulk import body): an expansion for quantity, all volume', async () => {
    expect(await movements(stories.quantityChange, { asOf: '2024-02-20' })).toEqual([
      '2024-01-01 c-seats sub-seats new - +100.00 100.00 seat li-c1',
      '2024-01-16 c-seats sub-seats expansion quantity +60.00 160.00 seat li-c2 p=0 v=6000 m=0',
    ]);
  });

  it('a coupon that ends: a discount expansion when the full price is billed; none with gross MRR', async () => {
    expect(await movements(stories.couponEnds, { asOf: '2024-04-15' })).toEqual([
      '2024-01-01 c-coupon sub-coupon new - +25.00 25.00 pro li-d1',
      '2024-04-01 c-coupon sub-coupon expansion discount +25.00 50.00 pro li-d3,li-d4',
    ]);
    expect(await movements(stories.couponEnds, { asOf: '2024-04-15', discounts: 'gross' })).toEqual(['2024-01-01 c-coupon sub-coupon new - +50.00 50.00 pro li-d1']);
  });

  it('a trial that converts: new on the first paid day; the one-time setup fee carries no MRR', async () => {
    expect(await movements(stories.trialConversion, { asOf: '2024-04-01' })).toEqual(['2024-03-15 c-trial sub-trial new - +49.00 49.00 pro li-e0,li-e1']);
  });

  it('a cancellation before the period ends: churn on the cancellation, at the period end, or on the request', async () => {
    expect(await movements(stories.cancellation, { asOf: '2024-03-31' })).toEqual([
      '2024-01-05 c-cancel sub-cancel new - +30.00 30.00 basic li-f1',
      '2024-01-05 c-cancel-event sub-cancel-event new - +30.00 30.00 basic li-g1',
      '2024-01-20 c-cancel sub-cancel churn - -30.00 0.00 basic li-f1',
      '2024-01-20 c-cancel-event sub-cancel-event churn - -30.00 0.00 basic li-g1',
    ]);
    expect(await movements(stories.cancellation, { asOf: '2024-03-31', churnRecognition: 'period-end' })).toEqual([
      '2024-01-05 c-cancel sub-cancel new - +30.00 30.00 basic li-f1',
      '2024-01-05 c-cancel-event sub-cancel-event new - +30.00 30.00 basic li-g1',
      '2024-02-05 c-cancel sub-cancel churn - -30.00 0.00 basic li-f1',
      '2024-02-05 c-cancel-event sub-cancel-event churn - -30.00 0.00 basic li-g1',
    ]);
    expect(await movements(stories.cancellation, { asOf: '2024-03-31', churnRecognition: 'cancel-requested' })).toEqual([
      '2024-01-05 c-cancel sub-cancel new - +30.00 30.00 basic li-f1',
      '2024-01-05 c-cancel-event sub-cancel-event new - +30.00 30.00 basic li-g1',
      '2024-01-18 c-cancel-event sub-cancel-event churn - -30.00 0.00 basic li-g1',
      '2024-01-20 c-cancel sub-cancel churn - -30.00 0.00 basic li-f1',
    ]);
  });

  it('a metered item billed in arrears (usage_based line items): MRR follows the usage billed for each month', async () => {
    expect(await movements(stories.metered, { asOf: '2024-03-05' })).toEqual([
      '2024-01-01 c-metered sub-platform new - +100.00 137.50 platform li-h1',
      '2024-01-01 c-metered sub-usage new - +37.50 137.50 api_usage li-h3',
      '2024-02-01 c-metered sub-usage expansion price +12.50 150.00 api_usage li-h3,li-h5 p=1250 v=0 m=0',
    ]);
  });

  it('a second (and a zero-decimal) currency: converted at the period start, the rate change an FX movement', async () => {
    expect(await movements(stories.secondCurrency, { asOf: '2024-02-15' })).toEqual([
      '2024-01-01 c-eur sub-eur new - +99.00 99.00 eu_pro li-eur1 native=9000 EUR',
      '2024-01-01 c-jpy sub-jpy new - +10.00 10.00 jp_lite li-jpy1 native=1500 JPY',
      '2024-02-01 c-eur sub-eur fx - +9.00 108.00 eu_pro li-eur1,li-eur2 native=0 EUR',
    ]);
    const { dataset } = await read(stories.secondCurrency);
    // ¥1,500 is 1500 "cents": JPY has no minor unit, so the smallest unit is the yen.
    expect(dataset.invoiceLines.filter((line) => line.currency === 'JPY').map((line) => line.amount)).toEqual([1500, 1500]);
  });

  it('a subscription known only from events: a retracted update and a cancellation announced then made count once', async () => {
    expect(await movements(stories.eventsOnly, { asOf: '2024-04-30' })).toEqual([
      '2024-01-01 c-events sub-events new - +30.00 30.00 team ev-1',
      '2024-02-10 c-events sub-events expansion price +15.00 45.00 team ev-1,ev-2 p=1500 v=0 m=0',
      '2024-03-31 c-events sub-events churn - -45.00 0.00 team ev-2,ev-6',
    ]);
    const { summary, dataset } = await read(stories.eventsOnly);
    expect(summary.excluded).toEqual({ 'retracted subscription event': 1, 'scheduled event followed by the same change taking effect': 1 });
    expect(dataset.subscriptionEvents.map((event) => [event.eventId, event.type, event.amount, event.source.line])).toEqual([
      ['ev-1', 'start', 3000, 1],
      ['ev-2', 'change', 4500, 2],
      ['ev-6', 'cancel', null, 6],
    ]);
  });

  it('failed payments and a refund change nothing; they are counted and the unpaid invoice is named', async () => {
    expect(await movements(stories.failedAndRefunded, { asOf: '2024-03-15' })).toEqual(['2024-01-01 c-refund sub-refund new - +30.00 30.00 basic li-j1']);
    const { summary, warnings } = await read(stories.failedAndRefunded);
    expect(summary.excluded).toEqual({ 'failed payment (never changes MRR)': 2, 'refund (never changes MRR)': 1 });
    expect(summary.objects.transaction).toBe(5);
    expect(warnings).toEqual([expect.stringContaining('1 invoice with subscription line items has only failed payments')]);
  });
});
