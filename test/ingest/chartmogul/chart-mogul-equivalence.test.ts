/**
 * The same business given as canonical files and as ChartMogul JSON gives identical movements,
 * to the sources, under every configuration that reads the data differently.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigInput } from '../../../src/app/resolve-config.js';
import { isoDate } from '../../../src/engine/calendar/calendar-date.js';
import { computeMovements } from '../../../src/engine/compute-movements.js';
import type { Dataset, FxRate } from '../../../src/engine/model.js';
import { readChartMogulFiles } from '../../../src/ingest/chartmogul/read-chart-mogul-files.js';
import { readRatesFile } from '../../../src/ingest/rates/read-rates-file.js';
import { readDataset } from '../../../src/ingest/read-dataset.js';
import * as stories from './chart-mogul-stories.js';

const t = (date: string, time = '00:00:00') => `${date}T${time}Z`;

/** Every story of chart-mogul-stories.ts, written by hand as canonical rows (amounts without tax). */
const CANONICAL = {
  'plans.csv': [
    'plan_id,name,interval_unit,interval_count',
    'gold_annual,Gold annual,year,1',
    ...['bronze', 'gold', 'seat', 'pro', 'basic', 'platform', 'api_usage', 'eu_pro', 'jp_lite', 'team'].map((id) => `${id},${id},month,1`),
  ],
  'invoice_lines.csv': [
    'line_id,invoice_id,customer_id,subscription_id,plan_id,type,service_start,service_end,amount,currency,quantity,discount,tax,prorated,cancelled_at,cancel_requested_at,issued_at',
    `li-a1,INV-A1,c-annual,sub-annual,gold_annual,subscription,${t('2024-01-10')},${t('2025-01-10')},1200.00,USD,1,0,240.00,false,,,${t('2024-01-10')}`,
    `b-may,INV-B1,c-upgrade,sub-upgrade,bronze,subscription,${t('2019-05-01')},${t('2019-06-01')},100.00,USD,1,0,0,false,,,${t('2019-05-01')}`,
    `b-jun,INV-B2,c-upgrade,sub-upgrade,bronze,subscription,${t('2019-06-01')},${t('2019-07-01')},100.00,USD,1,0,0,false,,,${t('2019-06-01')}`,
    `g-up,INV-B3,c-upgrade,sub-upgrade,gold,subscription,${t('2019-06-16')},${t('2019-07-01')},125.00,USD,1,0,0,true,,,${t('2019-06-16')}`,
    `b-credit,INV-B3,c-upgrade,sub-upgrade,bronze,subscription,${t('2019-06-16')},${t('2019-07-01')},-50.00,USD,1,0,0,true,,,${t('2019-06-16')}`,
    `g-jul,INV-B4,c-upgrade,sub-upgrade,gold,subscription,${t('2019-07-01')},${t('2019-08-01')},250.00,USD,1,0,0,false,,,${t('2019-07-01')}`,
    `li-c1,INV-C1,c-seats,sub-seats,seat,subscription,${t('2024-01-01')},${t('2024-02-01')},100.00,USD,5,0,0,false,,,${t('2024-01-01')}`,
    `li-c2,INV-C2,c-seats,sub-seats,seat,subscription,${t('2024-01-16')},${t('2024-02-01')},30.97,USD,3,0,0,true,,,${t('2024-01-16')}`,
    `li-c3,INV-C3,c-seats,sub-seats,seat,subscription,${t('2024-02-01')},${t('2024-03-01')},160.00,USD,8,0,0,false,,,${t('2024-02-01')}`,
    ...['01', '02', '03'].map(
      (month, i) =>
        `li-d${i + 1},INV-D${i + 1},c-coupon,sub-coupon,pro,subscription,${t(`2024-${month}-01`)},${t(`2024-0${i + 2}-01`)},25.00,USD,1,25.00,0,false,,,${t(`2024-${month}-01`)}`,
    ),
    `li-d4,INV-D4,c-coupon,sub-coupon,pro,subscription,${t('2024-04-01')},${t('2024-05-01')},50.00,USD,1,0,0,false,,,${t('2024-04-01')}`,
    `li-e0,INV-E0,c-trial,sub-trial,pro,trial,${t('2024-03-01')},${t('2024-03-15')},0,USD,1,0,0,false,,,${t('2024-03-01')}`,
    `li-e1,INV-E1,c-trial,sub-trial,pro,subscription,${t('2024-03-15')},${t('2024-04-15')},49.00,USD,1,0,0,false,,,${t('2024-03-15')}`,
    `li-e-setup,INV-E1,c-trial,,,one_time,,,200.00,USD,1,0,0,false,,,${t('2024-03-15')}`,
    `li-f1,INV-F1,c-cancel,sub-cancel,basic,subscription,${t('2024-01-05')},${t('2024-02-05')},30.00,USD,1,0,0,false,${t('2024-01-20', '15:00:00')},,${t('2024-01-05')}`,
    `li-g1,INV-G1,c-cancel-event,sub-cancel-event,basic,subscription,${t('2024-01-05')},${t('2024-02-05')},30.00,USD,1,0,0,false,2024-01-20,2024-01-18,${t('2024-01-05')}`,
    `li-h1,INV-H1,c-metered,sub-platform,platform,subscription,${t('2024-01-01')},${t('2024-02-01')},100.00,USD,1,0,0,false,,,${t('2024-01-01')}`,
    `li-h2,INV-H2,c-metered,sub-platform,platform,subscription,${t('2024-02-01')},${t('2024-03-01')},100.00,USD,1,0,0,false,,,${t('2024-02-01')}`,
    `li-h3,INV-H2,c-metered,sub-usage,api_usage,subscription,${t('2024-01-01')},${t('2024-02-01')},37.50,USD,1,0,0,false,,,${t('2024-02-01')}`,
    `li-h4,INV-H3,c-metered,sub-platform,platform,subscription,${t('2024-03-01')},${t('2024-04-01')},100.00,USD,1,0,0,false,,,${t('2024-03-01')}`,
    `li-h5,INV-H3,c-metered,sub-usage,api_usage,subscription,${t('2024-02-01')},${t('2024-03-01')},50.00,USD,1,0,0,false,,,${t('2024-03-01')}`,
    `li-eur1,INV-EUR1,c-eur,sub-eur,eu_pro,subscription,${t('2024-01-01')},${t('2024-02-01')},90.00,EUR,1,0,17.10,false,,,${t('2024-01-01')}`,
    `li-eur2,INV-EUR2,c-eur,sub-eur,eu_pro,subscription,${t('2024-02-01')},${t('2024-03-01')},90.00,EUR,1,0,17.10,false,,,${t('2024-02-01')}`,
    `li-jpy1,INV-JPY1,c-jpy,sub-jpy,jp_lite,subscription,${t('2024-01-01')},${t('2024-02-01')},1500,JPY,1,0,0,false,,,${t('2024-01-01')}`,
    `li-jpy2,INV-JPY2,c-jpy,sub-jpy,jp_lite,subscription,${t('2024-02-01')},${t('2024-03-01')},1500,JPY,1,0,0,false,,,${t('2024-02-01')}`,
    ...[1, 2, 3].map((n) => `li-j${n},INV-J${n},c-refund,sub-refund,basic,subscription,${t(`2024-0${n}-01`)},${t(`2024-0${n + 1}-01`)},30.00,USD,1,0,0,false,,,${t(`2024-0${n}-01`)}`),
  ],
  'subscription_events.csv': [
    'event_id,customer_id,subscription_id,type,effective_at,requested_at,plan_id,amount,quantity,currency',
    'ev-1,c-events,sub-events,start,2024-01-01,2024-01-01,team,30.00,1,USD',
    'ev-2,c-events,sub-events,change,2024-02-10,2024-02-10,team,45.00,1,USD',
    'ev-6,c-events,sub-events,cancel,2024-03-31,2024-03-31,,,1,',
  ],
};

const STORIES: Record<string, stories.Files> = {
  annual: stories.annual,
  proratedUpgrade: stories.proratedUpgrade,
  quantityChange: stories.quantityChange,
  couponEnds: stories.couponEnds,
  trialConversion: stories.trialConversion,
  cancellation: stories.cancellation,
  metered: stories.metered,
  secondCurrency: stories.secondCurrency,
  eventsOnly: stories.eventsOnly,
  failedAndRefunded: stories.failedAndRefunded,
};

const CONFIGS: ConfigInput[] = [
  { asOf: '2025-03-01' },
  { asOf: '2024-04-30', churnRecognition: 'period-end', discounts: 'gross' },
  { asOf: '2024-03-05', churnRecognition: 'cancel-requested', renewalGraceDays: 0, fxRateDate: 'daily' },
  { asOf: '2025-03-01', renewalGraceDays: 36500, timezone: 'America/New_York' },
];

let root: string;
let canonical: Dataset;
let rates: FxRate[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-equivalence-'));
  const folder = join(root, 'canonical');
  await mkdir(folder);
  for (const [name, lines] of Object.entries(CANONICAL)) await writeFile(join(folder, name), `${lines.join('\n')}\n`);
  const read = await readDataset(folder);
  expect(read.rejects).toEqual([]);
  canonical = read.dataset;
  await writeFile(join(root, 'eurofxref-hist.csv'), stories.ECB_RATES);
  rates = (await readRatesFile(join(root, 'eurofxref-hist.csv'))).rates;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('canonical lines and ChartMogul invoices give identical movements', () => {
  for (const [name, files] of Object.entries(STORIES)) {
    it(name, async () => {
      const imported = await readChartMogulFiles(await stories.writeStory(join(root, name), files));
      expect(imported.rejects).toEqual([]);
      const customers = new Set([...imported.dataset.invoiceLines.map((line) => line.customerId), ...imported.dataset.subscriptionEvents.map((event) => event.customerId)]);
      const fromCanonical: Dataset = {
        ...canonical,
        invoiceLines: canonical.invoiceLines.filter((line) => customers.has(line.customerId)),
        subscriptionEvents: canonical.subscriptionEvents.filter((event) => customers.has(event.customerId)),
      };
      let compared = 0;
      for (const input of CONFIGS) {
        const config = resolveConfig([{ currency: 'USD', ...input }], { datasetCurrencies: [], today: () => isoDate('2030-01-01') });
        const expected = computeMovements(fromCanonical, config, { fallbackRates: rates });
        const actual = computeMovements(imported.dataset, config, { fallbackRates: rates });
        expect(actual.rejects).toEqual([]);
        expect(actual.movements).toEqual(expected.movements);
        expect(actual.timelines.map((timeline) => timeline.points)).toEqual(expected.timelines.map((timeline) => timeline.points));
        compared += actual.movements.length;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});
