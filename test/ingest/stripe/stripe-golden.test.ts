/**
 * Golden tests: Stripe-shaped businesses (written by the project) through `readStripeFiles` and
 * `computeMovements` to the exact movements, in both API shapes, which must agree.
 */
import { describe, expect, test } from 'vitest';
import { isoDate } from '../../../src/engine/calendar/calendar-date.js';
import { computeMovements } from '../../../src/engine/compute-movements.js';
import type { EngineConfig } from '../../../src/engine/config.js';
import type { Dataset, FxRate } from '../../../src/engine/model.js';
import type { CurrencyCode } from '../../../src/engine/money/currency.js';
import { ratio } from '../../../src/engine/money/ratio.js';
import type { ConnectorResult } from '../../../src/ingest/connector-result.js';
import { readStripeFiles } from '../../../src/ingest/stripe/read-stripe-files.js';
import { writeBusiness, type Business, type Shape } from './stripe-builders.js';
import { brief, engineConfig } from './stripe-test-support.js';
import {
  annualPlan,
  cancelAtPeriodEnd,
  cancelScheduled,
  couponEnds,
  meteredItem,
  paymentTrouble,
  proratedUpgrade,
  quantityChange,
  secondCurrency,
  trialConversion,
} from './stripe-stories.js';

async function read(business: Business, shape: Shape): Promise<ConnectorResult> {
  return readStripeFiles(await writeBusiness(business, shape));
}

function compute(result: ConnectorResult, config: EngineConfig, fxRates: readonly FxRate[] = []): ReturnType<typeof computeMovements> {
  const dataset: Dataset = { ...result.dataset, fxRates: [...result.dataset.fxRates, ...fxRates] };
  const computed = computeMovements(dataset, config);
  expect(computed.rejects).toEqual([]);
  return computed;
}

/** Both shapes of `business`: no rejects, identical movements; returns them briefly. */
async function movements(business: Business, config: EngineConfig, fxRates: readonly FxRate[] = []): Promise<string[]> {
  const legacy = await read(business, 'legacy');
  const basil = await read(business, 'basil');
  expect(legacy.rejects).toEqual([]);
  expect(basil.rejects).toEqual([]);
  const fromLegacy = compute(legacy, config, fxRates).movements;
  const fromBasil = compute(basil, config, fxRates).movements;
  expect(fromBasil).toEqual(fromLegacy);
  return fromLegacy.map(brief);
}

describe('golden stories, old and new API shapes alike', () => {
  test('an annual plan: $1,200 a year is $100 of MRR from its first day', async () => {
    expect(await movements(annualPlan, engineConfig('2025-06-30'))).toEqual(['2024-03-01 cus_annual sub_annual new 10000']);
    const result = await read(annualPlan, 'basil');
    expect(result.dataset.plans).toMatchObject([{ planId: 'price_annual', name: 'Suite yearly', interval: { unit: 'year', count: 1 }, product: 'prod_suite' }]);
    expect(result.dataset.customers).toMatchObject([{ customerId: 'cus_annual', name: 'Annual Co', email: 'billing@annual.example', country: 'DE', attributes: { industry: 'retail' } }]);
  });

  test('a prorated upgrade: Bronze $100 to Gold $250 mid-cycle is +$150 on the day of the change', async () => {
    expect(await movements(proratedUpgrade, engineConfig('2024-07-31'))).toEqual([
      '2024-06-01 cus_up sub_up new 10000',
      '2024-06-16 cus_up sub_up expansion plan_change 15000',
    ]);
  });

  test('a quantity change: 10 to 15 seats at $20 is +$100, all volume', async () => {
    expect(await movements(quantityChange, engineConfig('2024-05-31'))).toEqual([
      '2024-04-01 cus_seats sub_seats new 20000',
      '2024-04-16 cus_seats sub_seats expansion quantity 10000 p0 v10000 m0',
    ]);
  });

  test('a coupon that ends: 20% off for three months, then full price (discounts: net)', async () => {
    expect(await movements(couponEnds, engineConfig('2024-06-30'))).toEqual([
      '2024-01-01 cus_coupon sub_coupon new 8000',
      '2024-04-01 cus_coupon sub_coupon expansion discount 2000',
    ]);
  });

  test('a coupon that ends, under forever-only and gross: a repeating coupon never counted', async () => {
    const expected = ['2024-01-01 cus_coupon sub_coupon new 10000'];
    expect(await movements(couponEnds, engineConfig('2024-06-30', { discounts: 'forever-only' }))).toEqual(expected);
    expect(await movements(couponEnds, engineConfig('2024-06-30', { discounts: 'gross' }))).toEqual(expected);
    const lines = (await read(couponEnds, 'basil')).dataset.invoiceLines.filter((line) => line.discount !== 0);
    expect(lines.map((line) => [line.lineId, line.amount, line.discount, line.discountDuration])).toEqual([
      ['il_coupon1', 8000, 2000, 'repeating'],
      ['il_coupon2', 8000, 2000, 'repeating'],
      ['il_coupon3', 8000, 2000, 'repeating'],
    ]);
  });

  test('a trial conversion: the $0 trial is a trial line, the customer is new when paying', async () => {
    expect(await movements(trialConversion, engineConfig('2024-04-10'))).toEqual(['2024-02-15 cus_trial sub_trial new 5000']);
    for (const shape of ['legacy', 'basil'] as const) {
      const lines = (await read(trialConversion, shape)).dataset.invoiceLines;
      expect(lines.map((line) => [line.lineId, line.type])).toEqual([
        ['il_trial0', 'trial'],
        ['il_trial1', 'subscription'],
        ['il_trial2', 'subscription'],
      ]);
    }
  });

  test('a cancellation at period end, under each churnRecognition policy', async () => {
    const asOf = '2024-06-30';
    expect(await movements(cancelAtPeriodEnd, engineConfig(asOf))).toEqual([
      '2024-01-10 cus_cancel sub_cancel new 8000',
      '2024-04-10 cus_cancel sub_cancel churn -8000',
    ]);
    expect(await movements(cancelAtPeriodEnd, engineConfig(asOf, { churnRecognition: 'cancel-requested' }))).toEqual([
      '2024-01-10 cus_cancel sub_cancel new 8000',
      '2024-03-20 cus_cancel sub_cancel churn -8000',
    ]);
    expect(await movements(cancelAtPeriodEnd, engineConfig(asOf, { churnRecognition: 'period-end' }))).toEqual([
      '2024-01-10 cus_cancel sub_cancel new 8000',
      '2024-04-10 cus_cancel sub_cancel churn -8000',
    ]);
    const lines = (await read(cancelAtPeriodEnd, 'legacy')).dataset.invoiceLines;
    expect(lines.map((line) => [line.lineId, line.cancelRequestedAt, line.cancelledAt])).toEqual([
      ['il_cancel1', null, null],
      ['il_cancel2', null, null],
      ['il_cancel3', { kind: 'instant', instant: Date.parse('2024-03-20T15:30:00Z') }, { kind: 'instant', instant: Date.parse('2024-04-10T00:00:00Z') }],
    ]);
  });

  test('a cancellation still scheduled on asOf is no movement yet, and churns when its day comes', async () => {
    expect(await movements(cancelScheduled, engineConfig('2024-03-31'))).toEqual(['2024-01-10 cus_cancel sub_cancel new 8000']);
    expect(await movements(cancelScheduled, engineConfig('2024-03-31', { churnRecognition: 'cancel-requested' }))).toEqual([
      '2024-01-10 cus_cancel sub_cancel new 8000',
      '2024-03-20 cus_cancel sub_cancel churn -8000',
    ]);
    expect(await movements(cancelScheduled, engineConfig('2024-04-30'))).toEqual([
      '2024-01-10 cus_cancel sub_cancel new 8000',
      '2024-04-10 cus_cancel sub_cancel churn -8000',
    ]);
  });

  test('a metered item carries no MRR and is reported as excluded', async () => {
    expect(await movements(meteredItem, engineConfig('2024-03-31'))).toEqual(['2024-01-01 cus_metered sub_metered new 3000']);
    for (const shape of ['legacy', 'basil'] as const) {
      const result = await read(meteredItem, shape);
      expect(result.summary.excluded['metered price line']).toBe(2);
      expect(result.dataset.invoiceLines.filter((line) => line.planId === 'price_calls').map((line) => line.type)).toEqual(['one_time', 'one_time']);
    }
  });

  test('a second currency: EUR MRR reported in USD, with an fx movement at the renewal after a rate change', async () => {
    const rate = (date: string, text: bigint, den: bigint): FxRate => ({
      date: isoDate(date),
      base: 'EUR' as CurrencyCode,
      quote: 'USD' as CurrencyCode,
      rate: ratio(text, den),
      source: { file: 'test', line: 1 },
    });
    const rates = [rate('2024-01-01', 11n, 10n), rate('2024-02-15', 12n, 10n)];
    expect(await movements(secondCurrency, engineConfig('2024-03-31'), rates)).toEqual([
      '2024-01-01 cus_eur sub_eur new 9900 (9000 EUR)',
      '2024-01-01 cus_usd sub_usd new 5000',
      '2024-03-01 cus_eur sub_eur fx 900 (0 EUR)',
    ]);
  });

  test('past_due keeps its MRR; unpaid ends it on the day the event says it became unpaid', async () => {
    expect(await movements(paymentTrouble(true), engineConfig('2024-03-05'))).toEqual([
      '2024-01-01 cus_pastdue sub_pastdue new 4000',
      '2024-01-01 cus_unpaid sub_unpaid new 4000',
      '2024-02-22 cus_unpaid sub_unpaid churn -4000',
    ]);
    const summary = (await read(paymentTrouble(true), 'basil')).summary;
    expect(summary.excluded['draft invoice']).toBe(1);
  });

  test('unpaid without events: MRR ends where its first unpaid invoice after the last paid one starts', async () => {
    expect(await movements(paymentTrouble(false), engineConfig('2024-03-05'))).toEqual([
      '2024-01-01 cus_pastdue sub_pastdue new 4000',
      '2024-01-01 cus_unpaid sub_unpaid new 4000',
      '2024-02-01 cus_unpaid sub_unpaid churn -4000',
    ]);
  });
});
