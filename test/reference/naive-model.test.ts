/**
 * The reference model is itself checked against the worked examples of mrr-rules.md before it
 * is trusted to judge the engine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoDate, isoDate, type CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import { checkConservation, checkStateConsistency, type CheckedMovement } from '../properties/movement-checks.js';
import { arbitraryCase } from '../support/arbitrary-dataset.js';
import { config, dataset, event, fxRate, line, plan } from './dataset-builders.js';
import { naiveMovements, type NaiveMovement } from './naive-model.js';

function show(movements: readonly NaiveMovement[]): string[] {
  return movements.map((m) => [formatIsoDate(m.date), m.customerId, m.subscriptionId, m.type, m.amount, m.reason ?? '-'].join(' '));
}

function mrrOn(result: ReturnType<typeof naiveMovements>, subscriptionId: string, day: string): number | undefined {
  return result.dailyMrr.get(subscriptionId)?.get(isoDate(day));
}

describe('naive model: §2 normalisation', () => {
  it('turns each billing interval into a monthly amount, rounded once half away from zero', () => {
    const data = dataset({
      plans: [plan('yearly', 'year'), plan('quarterly', 'month', 3), plan('monthly', 'month')],
      invoiceLines: [
        line({ lineId: 'a', subscriptionId: 'year-1200', planId: 'yearly', start: '2024-01-01', end: '2025-01-01', amount: 120_000 }),
        line({ lineId: 'b', subscriptionId: 'quarter-90', planId: 'quarterly', start: '2024-01-01', end: '2024-04-01', amount: 9_000 }),
        line({ lineId: 'c', subscriptionId: 'month-45', planId: 'monthly', start: '2024-01-01', end: '2024-02-01', amount: 4_500 }),
        line({ lineId: 'd', subscriptionId: 'year-2000', planId: 'yearly', start: '2024-01-01', end: '2025-01-01', amount: 200_000 }),
      ],
    });
    const result = naiveMovements(data, config({ asOf: '2024-01-20' }));
    expect(mrrOn(result, 'year-1200', '2024-01-15')).toBe(10_000);
    expect(mrrOn(result, 'quarter-90', '2024-01-15')).toBe(3_000);
    expect(mrrOn(result, 'month-45', '2024-01-15')).toBe(4_500);
    expect(mrrOn(result, 'year-2000', '2024-01-15')).toBe(16_667);
  });

  it('infers month-end anchored months, weeks and days when lines name no plan', () => {
    const data = dataset({
      invoiceLines: [
        line({ lineId: 'm1', subscriptionId: 'month-end', start: '2024-01-31', end: '2024-02-29', amount: 3_000 }),
        line({ lineId: 'm2', subscriptionId: 'month-end', start: '2024-02-29', end: '2024-03-31', amount: 3_000 }),
        line({ lineId: 'w1', subscriptionId: 'weekly', start: '2024-02-05', end: '2024-02-12', amount: 1_000 }),
        line({ lineId: 'w2', subscriptionId: 'weekly', start: '2024-02-12', end: '2024-02-19', amount: 1_000 }),
        line({ lineId: 'd1', subscriptionId: 'ten-days', start: '2024-02-01', end: '2024-02-11', amount: 1_200 }),
      ],
    });
    const result = naiveMovements(data, config({ asOf: '2024-02-10', renewalGraceDays: 0 }));
    expect(mrrOn(result, 'month-end', '2024-02-10')).toBe(3_000);
    expect(mrrOn(result, 'weekly', '2024-02-10')).toBe(4_333); // 1000 × 52 / 12
    expect(mrrOn(result, 'ten-days', '2024-02-10')).toBe(3_650); // 1200 × 365 / 120
  });
});

describe('naive model: §3 prorations', () => {
  const bronzeToGold = (prorated: boolean | null) =>
    dataset({
      plans: [plan('bronze', 'month'), plan('gold', 'month')],
      invoiceLines: [
        line({ lineId: 'l1', planId: 'bronze', start: '2019-05-01', end: '2019-06-01', amount: 10_000, prorated: prorated === null ? null : false }),
        line({ lineId: 'l2', planId: 'bronze', start: '2019-06-01', end: '2019-07-01', amount: 10_000, prorated: prorated === null ? null : false }),
        line({ lineId: 'l3', planId: 'gold', start: '2019-06-16', end: '2019-07-01', amount: 12_500, prorated }),
        line({ lineId: 'l4', planId: 'bronze', start: '2019-06-16', end: '2019-07-01', amount: -5_000, prorated }),
        line({ lineId: 'l5', planId: 'gold', start: '2019-07-01', end: '2019-08-01', amount: 25_000, prorated: prorated === null ? null : false }),
      ],
    });

  it.each([true, null])('an upgrade with credit and charge lines (prorated = %s) is an expansion of +150.00 dated 2019-06-16', (prorated) => {
    const result = naiveMovements(bronzeToGold(prorated), config({ asOf: '2019-07-20' }));
    expect(show(result.movements)).toEqual(['2019-05-01 c1 s1 new 10000 -', '2019-06-16 c1 s1 expansion 15000 plan_change']);
    expect(mrrOn(result, 's1', '2019-06-20')).toBe(25_000);
  });

  it('a re-anchoring upgrade: the credit starting with the new cycle does not apply', () => {
    const data = dataset({
      plans: [plan('bronze', 'month'), plan('gold', 'month')],
      invoiceLines: [
        line({ lineId: 'l1', planId: 'bronze', start: '2019-06-01', end: '2019-07-01', amount: 10_000 }),
        line({ lineId: 'l2', planId: 'bronze', start: '2019-06-16', end: '2019-07-01', amount: -5_000, prorated: true }),
        line({ lineId: 'l3', planId: 'gold', start: '2019-06-16', end: '2019-07-16', amount: 25_000 }),
      ],
    });
    const result = naiveMovements(data, config({ asOf: '2019-07-10' }));
    expect(show(result.movements)).toEqual(['2019-06-01 c1 s1 new 10000 -', '2019-06-16 c1 s1 expansion 15000 plan_change']);
  });
});

describe('naive model: §5 reasons and the price / volume / mix split', () => {
  it('seats added mid-cycle with prorations rounded to the cent are a quantity change (proration-rounding scenario)', () => {
    const data = dataset({
      plans: [plan('team', 'month')],
      invoiceLines: [
        line({ lineId: 'jan', planId: 'team', quantity: 10, start: '2024-01-01', end: '2024-02-01', amount: 20_000 }),
        line({ lineId: 'credit', planId: 'team', quantity: 10, start: '2024-01-11', end: '2024-02-01', amount: -13_548, prorated: true }),
        line({ lineId: 'charge', planId: 'team', quantity: 15, start: '2024-01-11', end: '2024-02-01', amount: 20_323, prorated: true }),
        line({ lineId: 'feb', planId: 'team', quantity: 15, start: '2024-02-01', end: '2024-03-01', amount: 30_000 }),
      ],
    });
    const result = naiveMovements(data, config({ asOf: '2024-02-15' }));
    expect(result.movements.map((m) => [formatIsoDate(m.date), m.type, m.reason, m.amount, m.priceEffect, m.volumeEffect, m.mixEffect])).toEqual([
      ['2024-01-01', 'new', null, 20_000, null, null, null],
      ['2024-01-11', 'expansion', 'quantity', 10_001, 1, 10_000, 0],
      ['2024-02-01', 'contraction', 'other', -1, null, null, null],
    ]);
  });

  it('10 seats at $20 becoming 15 seats at $25 is price +50, volume +100, mix +25', () => {
    const data = dataset({
      subscriptionEvents: [
        event({ eventId: 'e1', type: 'start', at: '2024-01-01', unitAmount: 2_000, quantity: 10, planId: 'seat' }),
        event({ eventId: 'e2', type: 'change', at: '2024-02-01', unitAmount: 2_500, quantity: 15, planId: 'seat' }),
      ],
    });
    const result = naiveMovements(data, config({ asOf: '2024-02-10' }));
    const expansion = result.movements[1];
    expect(expansion).toMatchObject({ type: 'expansion', reason: 'price_volume_mix', amount: 17_500, priceEffect: 5_000, volumeEffect: 10_000, mixEffect: 2_500 });
  });

  it('nets the changes of one subscription within a day', () => {
    const data = dataset({
      subscriptionEvents: [
        event({ eventId: 'e1', type: 'start', at: '2024-01-01', amount: 5_000 }),
        event({ eventId: 'e2', type: 'change', at: '2024-01-01', amount: 7_000 }),
        event({ eventId: 'e3', type: 'cancel', at: '2024-02-01' }),
        event({ eventId: 'e4', type: 'start', at: '2024-02-01', amount: 7_000 }),
        event({ eventId: 'e5', type: 'pause', at: '2024-03-01' }),
        event({ eventId: 'e6', type: 'pause', at: '2024-03-05' }),
      ],
    });
    const result = naiveMovements(data, config({ asOf: '2024-03-10' }));
    expect(show(result.movements)).toEqual(['2024-01-01 c1 s1 new 7000 -', '2024-03-01 c1 s1 churn -7000 -']);
    expect(result.rejectedEvents).toEqual(['subscription_events.csv:7']);
  });
});

describe('naive model: §6 currencies', () => {
  it('a monthly USD subscription renewing in March after EUR/USD moved from 1.07 to 1.15 is an fx movement of −6.50', () => {
    const data = dataset({
      plans: [plan('monthly', 'month'), plan('yearly', 'year')],
      invoiceLines: [
        line({ lineId: 'jan', subscriptionId: 'monthly', planId: 'monthly', start: '2024-01-01', end: '2024-02-01', amount: 10_000 }),
        line({ lineId: 'feb', subscriptionId: 'monthly', planId: 'monthly', start: '2024-02-01', end: '2024-03-01', amount: 10_000 }),
        line({ lineId: 'mar', subscriptionId: 'monthly', planId: 'monthly', start: '2024-03-01', end: '2024-04-01', amount: 10_000 }),
        line({ lineId: 'year', subscriptionId: 'yearly', planId: 'yearly', start: '2024-01-01', end: '2025-01-01', amount: 120_000 }),
      ],
      fxRates: [fxRate('2024-01-01', 'EUR', 'USD', '1.07'), fxRate('2024-03-01', 'EUR', 'USD', '1.15')],
    });
    const result = naiveMovements(data, config({ asOf: '2024-03-20', currency: 'EUR' }));
    expect(show(result.movements)).toEqual(['2024-01-01 c1 monthly new 9346 -', '2024-01-01 c1 yearly new 9346 -', '2024-03-01 c1 monthly fx -650 -']);
    expect(mrrOn(result, 'monthly', '2024-01-31')).toBe(9_346);
    expect(mrrOn(result, 'monthly', '2024-03-01')).toBe(8_696);
  });

  it('daily rates carry forward over gaps, cross through a common base, and a churn carries no fx part', () => {
    const data = dataset({
      invoiceLines: [line({ lineId: 'a', start: '2024-01-01', end: '2024-02-01', amount: 10_000 })],
      fxRates: [fxRate('2024-01-01', 'EUR', 'USD', '1.25'), fxRate('2024-01-01', 'EUR', 'GBP', '0.8'), fxRate('2024-01-10', 'EUR', 'USD', '1.6')],
    });
    const result = naiveMovements(data, config({ asOf: '2024-03-01', currency: 'GBP', renewalGraceDays: 0, fx: { rateDate: 'daily' } }));
    // USD→GBP = 0.8 / 1.25 = 0.64, then 0.8 / 1.6 = 0.5.
    expect(show(result.movements)).toEqual(['2024-01-01 c1 s1 new 6400 -', '2024-01-10 c1 s1 fx -1400 -', '2024-02-01 c1 s1 churn -5000 -']);
  });
});

describe('naive model: §7 worked lifecycle', () => {
  it('gives exactly the five movements of the table', () => {
    const data = dataset({
      plans: [plan('gold-yearly', 'year'), plan('silver-monthly', 'month'), plan('gold-monthly', 'month')],
      invoiceLines: [
        line({ lineId: 'l1', subscriptionId: 'gold', planId: 'gold-yearly', quantity: 4, start: '2024-01-10', end: '2025-01-10', amount: 200_000 }),
        line({ lineId: 'l2', subscriptionId: 'silver', planId: 'silver-monthly', quantity: 2, start: '2024-01-14', end: '2024-02-14', amount: 6_000, cancelledAt: '2024-01-28' }),
        line({ lineId: 'l3', subscriptionId: 'gold', planId: 'gold-monthly', quantity: 3, start: '2025-02-01', end: '2025-03-01', amount: 15_000 }),
      ],
    });
    const result = naiveMovements(data, config({ asOf: '2025-03-01' }));
    expect(show(result.movements)).toEqual([
      '2024-01-10 c1 gold new 16667 -',
      '2024-01-14 c1 silver expansion 6000 cross_sell',
      '2024-01-28 c1 silver contraction -6000 partial_churn',
      '2025-01-10 c1 gold churn -16667 -',
      '2025-02-01 c1 gold reactivation 15000 -',
    ]);
    // Pending renewal: coverage ended on asOf itself, so the MRR holds through asOf.
    expect(mrrOn(result, 'gold', '2025-03-01')).toBe(15_000);
  });

  it('a return after a longer absence than reactivationWindowDays is new', () => {
    const data = dataset({
      invoiceLines: [
        line({ lineId: 'l1', start: '2024-01-01', end: '2024-02-01', amount: 1_000 }),
        line({ lineId: 'l2', start: '2024-03-01', end: '2024-04-01', amount: 1_000 }),
      ],
    });
    const types = (window: number | null) =>
      naiveMovements(data, config({ asOf: '2024-03-10', reactivationWindowDays: window })).movements.map((m) => m.type);
    expect(types(null)).toEqual(['new', 'churn', 'reactivation']);
    expect(types(29)).toEqual(['new', 'churn', 'reactivation']); // absence 2024-02-01 → 2024-03-01 = 29 days
    expect(types(28)).toEqual(['new', 'churn', 'new']);
  });
});

describe('naive model: cancellations and gaps', () => {
  const cancelled = dataset({
    invoiceLines: [
      line({ lineId: 'l1', start: '2024-01-01', end: '2024-02-01', amount: 1_000 }),
      line({ lineId: 'l2', start: '2024-02-01', end: '2024-03-01', amount: 1_000, cancelledAt: '2024-02-20', cancelRequestedAt: '2024-02-10' }),
    ],
  });
  it.each([
    ['cancel-effective', '2024-02-20'],
    ['cancel-requested', '2024-02-10'],
    ['period-end', '2024-03-01'],
  ] as const)('%s recognises the churn on %s', (policy, date) => {
    const result = naiveMovements(cancelled, config({ asOf: '2024-04-01', churnRecognition: policy }));
    expect(show(result.movements)).toEqual(['2024-01-01 c1 s1 new 1000 -', `${date} c1 s1 churn -1000 -`]);
  });

  it('bridges a gap no longer than renewalGraceDays and ends at coverage otherwise', () => {
    const data = dataset({
      invoiceLines: [
        line({ lineId: 'l1', start: '2024-01-01', end: '2024-02-01', amount: 1_000 }),
        line({ lineId: 'l2', start: '2024-02-06', end: '2024-03-06', amount: 1_000 }),
      ],
    });
    expect(show(naiveMovements(data, config({ asOf: '2024-03-01', renewalGraceDays: 5 })).movements)).toEqual(['2024-01-01 c1 s1 new 1000 -']);
    expect(show(naiveMovements(data, config({ asOf: '2024-03-01', renewalGraceDays: 4 })).movements)).toEqual([
      '2024-01-01 c1 s1 new 1000 -',
      '2024-02-01 c1 s1 churn -1000 -',
      '2024-02-06 c1 s1 reactivation 1000 -',
    ]);
  });
});

describe('naive model: self-checks on generated datasets', () => {
  it('conserves MRR and types every movement by the customer state', () => {
    fc.assert(
      fc.property(arbitraryCase(), (c) => {
        const result = naiveMovements(c.dataset, c.config, c.fallbackRates);
        if (result.firstDay === null) return;
        const entities = new Map<string, { mrrOn: (day: CalendarDate) => number; owns: (m: CheckedMovement) => boolean }>();
        for (const [id, byDay] of result.dailyMrr) entities.set(`subscription ${id}`, { mrrOn: (day) => byDay.get(day) ?? 0, owns: (m) => m.subscriptionId === id });
        for (const [id, byDay] of result.customerDailyMrr) entities.set(`customer ${id}`, { mrrOn: (day) => byDay.get(day) ?? 0, owns: (m) => m.customerId === id });
        entities.set('the business', { mrrOn: (day) => result.totalDailyMrr.get(day) ?? 0, owns: () => true });
        expect(checkConservation(result.movements, entities, result.firstDay, c.config.asOf)).toBeNull();
        const customerMrrOn = (id: string, day: CalendarDate): number => result.customerDailyMrr.get(id)?.get(day) ?? 0;
        expect(checkStateConsistency(result.movements, customerMrrOn, [...result.customerDailyMrr.keys()], result.firstDay, c.config)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });
});
