/**
 * One business given twice, as canonical files written by hand and as Stripe objects: the
 * movements must be identical, sources included.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { computeMovements } from '../../../src/engine/compute-movements.js';
import { readDataset } from '../../../src/ingest/read-dataset.js';
import { readStripeFiles } from '../../../src/ingest/stripe/read-stripe-files.js';
import { writeBusiness, type Business } from './stripe-builders.js';
import { brief, engineConfig } from './stripe-test-support.js';
import { cancelAtPeriodEnd, couponEnds, proratedUpgrade } from './stripe-stories.js';

const business: Business = {
  prices: [...proratedUpgrade.prices, ...couponEnds.prices, ...cancelAtPeriodEnd.prices],
  coupons: couponEnds.coupons,
  subscriptions: [...proratedUpgrade.subscriptions, ...couponEnds.subscriptions, ...cancelAtPeriodEnd.subscriptions],
  invoices: [...proratedUpgrade.invoices, ...couponEnds.invoices, ...cancelAtPeriodEnd.invoices],
};

const PLANS = `plan_id,name,interval_unit,interval_count,product
price_basic,Basic,month,1,prod_basic
price_bronze,Bronze,month,1,prod_bronze
price_gold,Gold,month,1,prod_gold
price_pro,Pro,month,1,prod_pro
`;

const LINES = `line_id,invoice_id,customer_id,subscription_id,plan_id,type,service_start,service_end,amount,currency,quantity,discount,discount_duration,prorated,cancelled_at,cancel_requested_at,issued_at
il_up1,in_up1,cus_up,sub_up,price_bronze,subscription,2024-06-01,2024-07-01,100.00,USD,1,0,,false,,,2024-06-01T00:00:00Z
il_up2a,in_up2,cus_up,sub_up,price_gold,subscription,2024-06-16,2024-07-01,125.00,USD,1,0,,true,,,2024-06-16T00:00:00Z
il_up2b,in_up2,cus_up,sub_up,price_bronze,subscription,2024-06-16,2024-07-01,-50.00,USD,1,0,,true,,,2024-06-16T00:00:00Z
il_up3,in_up3,cus_up,sub_up,price_gold,subscription,2024-07-01,2024-08-01,250.00,USD,1,0,,false,,,2024-07-01T00:00:00Z
il_coupon1,in_coupon1,cus_coupon,sub_coupon,price_pro,subscription,2024-01-01,2024-02-01,80.00,USD,1,20.00,repeating,false,,,2024-01-01T00:00:00Z
il_coupon2,in_coupon2,cus_coupon,sub_coupon,price_pro,subscription,2024-02-01,2024-03-01,80.00,USD,1,20.00,repeating,false,,,2024-02-01T00:00:00Z
il_coupon3,in_coupon3,cus_coupon,sub_coupon,price_pro,subscription,2024-03-01,2024-04-01,80.00,USD,1,20.00,repeating,false,,,2024-03-01T00:00:00Z
il_couponfull1,in_couponfull1,cus_coupon,sub_coupon,price_pro,subscription,2024-04-01,2024-05-01,100.00,USD,1,0,,false,,,2024-04-01T00:00:00Z
il_couponfull2,in_couponfull2,cus_coupon,sub_coupon,price_pro,subscription,2024-05-01,2024-06-01,100.00,USD,1,0,,false,,,2024-05-01T00:00:00Z
il_couponfull3,in_couponfull3,cus_coupon,sub_coupon,price_pro,subscription,2024-06-01,2024-07-01,100.00,USD,1,0,,false,,,2024-06-01T00:00:00Z
il_cancel1,in_cancel1,cus_cancel,sub_cancel,price_basic,subscription,2024-01-10,2024-02-10,80.00,USD,1,0,,false,,,2024-01-10T00:00:00Z
il_cancel2,in_cancel2,cus_cancel,sub_cancel,price_basic,subscription,2024-02-10,2024-03-10,80.00,USD,1,0,,false,,,2024-02-10T00:00:00Z
il_cancel3,in_cancel3,cus_cancel,sub_cancel,price_basic,subscription,2024-03-10,2024-04-10,80.00,USD,1,0,,false,2024-04-10T00:00:00Z,2024-03-20T15:30:00Z,2024-03-10T00:00:00Z
`;

test('the same business as canonical lines and as Stripe objects (both shapes) gives identical movements', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runrate-canonical-'));
  await writeFile(join(dir, 'plans.csv'), PLANS);
  await writeFile(join(dir, 'invoice_lines.csv'), LINES);
  const canonical = await readDataset(dir);
  expect(canonical.rejects).toEqual([]);

  for (const churnRecognition of ['cancel-effective', 'cancel-requested', 'period-end'] as const) {
    for (const discounts of ['net', 'forever-only'] as const) {
      const config = engineConfig('2024-07-31', { churnRecognition, discounts });
      const expected = computeMovements(canonical.dataset, config);
      expect(expected.movements.length).toBeGreaterThan(4);
      for (const shape of ['legacy', 'basil'] as const) {
        const stripe = await readStripeFiles(await writeBusiness(business, shape));
        expect(stripe.rejects).toEqual([]);
        const actual = computeMovements(stripe.dataset, config);
        expect(actual.movements.map(brief)).toEqual(expected.movements.map(brief));
        expect(actual.movements).toEqual(expected.movements);
      }
    }
  }
});
