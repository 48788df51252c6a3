import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Segment, SubscriptionStory, Terms } from '../../../src/app/demo/customer-story.js';
import { demoContext } from '../../../src/app/demo/demo-context.js';
import { monthEndMrr, monthGrid, type MonthGrid } from '../../../src/app/demo/month-periods.js';
import { PERIOD_FILES, writeDemoDataset, type DemoSummary } from '../../../src/app/demo/write-demo-dataset.js';
import { loadDatasetSource } from '../../../src/app/load-dataset-source.js';
import { addDays, addMonths, civilFromDate, isoDate, type CalendarDate } from '../../../src/engine/calendar/calendar-date.js';
import { readCsv, field } from './read-demo-dataset.js';

const OPTIONS = { customers: 400, months: 36, seed: 42, periods: true };
const WINDOW_START = isoDate('2023-01-01');
const AFTER_WINDOW = isoDate('2026-01-01');

let root: string;
let summary: DemoSummary;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-periods-'));
  summary = await writeDemoDataset(join(root, 'first'), OPTIONS);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function sha(dir: string, file: string): Promise<string> {
  return createHash('sha256').update(await readFile(join(dir, file))).digest('hex');
}

/** Minor units of a USD amount written with two decimals, exactly. */
function cents(text: string): number {
  expect(text).toMatch(/^\d+\.\d{2}$/);
  return Number(text.replace('.', ''));
}

function isFirstOfMonth(day: CalendarDate): boolean {
  return civilFromDate(day).day === 1;
}

interface Period {
  customer: string;
  subscription: string;
  start: CalendarDate;
  end: CalendarDate;
  amount: number;
}

async function readPeriods(dir: string): Promise<{ columns: string[]; periods: Period[] }> {
  const csv = await readCsv(dir, PERIOD_FILES.periods);
  const periods = csv.rows.map((row) => ({
    customer: field(row, 'customer_id'),
    subscription: field(row, 'subscription_id'),
    start: isoDate(field(row, 'start_date')),
    end: isoDate(field(row, 'end_date')),
    amount: cents(field(row, 'monthly_amount')),
  }));
  return { columns: csv.columns, periods };
}

/** Every month end of the window with each customer's MRR from the periods (absent = 0). */
function monthEndMrrByCustomer(periods: readonly Period[]): Map<string, number> {
  const mrr = new Map<string, number>();
  for (const period of periods) {
    for (let first = period.start; first < period.end; first = addMonths(first, 1)) {
      const key = `${period.customer}/${addDays(addMonths(first, 1), -1)}`;
      mrr.set(key, (mrr.get(key) ?? 0) + period.amount);
    }
  }
  return mrr;
}

describe('month-aligned periods', () => {
  it('are deterministic and leave the demo dataset as it is without them', async () => {
    const second = await writeDemoDataset(join(root, 'second'), OPTIONS);
    const without = await writeDemoDataset(join(root, 'without'), { ...OPTIONS, periods: false });
    const other = await writeDemoDataset(join(root, 'other'), { ...OPTIONS, seed: 43 });
    expect(summary.files).toEqual([...without.files, ...Object.values(PERIOD_FILES)]);
    for (const file of Object.values(PERIOD_FILES)) expect(await sha(second.dir, file), file).toBe(await sha(summary.dir, file));
    for (const file of without.files) expect(await sha(without.dir, file), file).toBe(await sha(summary.dir, file));
    expect(await sha(other.dir, PERIOD_FILES.periods)).not.toBe(await sha(summary.dir, PERIOD_FILES.periods));
    expect(without.periods).toBeUndefined();
  });

  it('are whole calendar months at a positive amount, one run per amount', async () => {
    const { columns, periods } = await readPeriods(summary.dir);
    expect(columns).toEqual(['customer_id', 'subscription_id', 'start_date', 'end_date', 'monthly_amount']);
    expect(periods).toHaveLength(summary.periods ?? -1);
    expect(periods.length).toBeGreaterThan(OPTIONS.customers);
    const last = new Map<string, Period>();
    for (const period of periods) {
      expect(isFirstOfMonth(period.start) && isFirstOfMonth(period.end)).toBe(true);
      expect(period.end).toBeGreaterThan(period.start);
      expect(period.start).toBeGreaterThanOrEqual(WINDOW_START);
      expect(period.end).toBeLessThanOrEqual(AFTER_WINDOW);
      expect(period.amount).toBeGreaterThan(0);
      expect(period.subscription.startsWith(`sub_${period.customer.slice(4)}_`)).toBe(true);
      const previous = last.get(period.subscription);
      if (previous) {
        expect(period.start).toBeGreaterThanOrEqual(previous.end);
        // Adjacent months at one amount are one period.
        if (period.start === previous.end) expect(period.amount).not.toBe(previous.amount);
      }
      last.set(period.subscription, period);
    }
  });

  it('are written as monthly invoice lines, one per subscription and month', async () => {
    const { periods } = await readPeriods(summary.dir);
    const lines = await readCsv(summary.dir, PERIOD_FILES.invoiceLines);
    expect(lines.rows).toHaveLength(summary.periodLines ?? -1);
    const months = periods.reduce((sum, period) => sum + (civilFromDate(period.end).year - civilFromDate(period.start).year) * 12 + civilFromDate(period.end).month - civilFromDate(period.start).month, 0);
    expect(lines.rows).toHaveLength(months);
    expect(new Set(lines.rows.map((row) => field(row, 'line_id'))).size).toBe(lines.rows.length);
    for (const row of lines.rows) {
      expect(field(row, 'plan_id')).toBe('monthly');
      expect(field(row, 'currency')).toBe('USD');
      expect(field(row, 'prorated')).toBe('false');
      expect(addMonths(isoDate(field(row, 'service_start')), 1)).toBe(isoDate(field(row, 'service_end')));
    }
    const plans = await readCsv(summary.dir, PERIOD_FILES.plans);
    expect(plans.rows).toEqual([{ plan_id: 'monthly', name: 'Monthly', interval_unit: 'month', interval_count: '1', product: 'core' }]);
  });

  it('give Runrate exactly their month-end MRR per customer, with movements on month starts only', async () => {
    const { periods } = await readPeriods(summary.dir);
    const expected = monthEndMrrByCustomer(periods);
    const source = await loadDatasetSource(join(summary.dir, 'periods-dataset'), { flags: {}, configFile: null, today: () => isoDate('2030-01-01') });
    expect(source.config.asOf).toBe(isoDate('2025-12-31'));
    expect(source.rejects).toEqual([]);
    expect(source.warnings).toEqual([]);
    expect(source.dataWarnings).toEqual([]);
    const movements = source.result.movements;
    for (const movement of movements) {
      expect(isFirstOfMonth(movement.date)).toBe(true);
      expect(movement.type).not.toBe('fx');
    }
    // Customer MRR after each customer's last movement on or before every month end.
    const actual = new Map<string, number>();
    const customers = new Set(periods.map((period) => period.customer));
    const byCustomer = new Map<string, (typeof movements)[number][]>();
    for (const movement of movements) byCustomer.set(movement.customerId, [...(byCustomer.get(movement.customerId) ?? []), movement]);
    expect(new Set(byCustomer.keys())).toEqual(customers);
    for (const [customer, list] of byCustomer) {
      let index = 0;
      let mrr = 0;
      for (let first = WINDOW_START; first < AFTER_WINDOW; first = addMonths(first, 1)) {
        const monthEnd = addDays(addMonths(first, 1), -1);
        while (index < list.length && (list[index]?.date ?? monthEnd) <= monthEnd) mrr = list[index++]?.customerMrr ?? mrr;
        if (mrr !== 0) actual.set(`${customer}/${monthEnd}`, mrr);
      }
    }
    expect(actual).toEqual(expected);
  });
});

describe('monthEndMrr', () => {
  const ctx = demoContext({ customers: 1, months: 36, seed: 42 });
  const grid: MonthGrid = monthGrid(ctx);
  const month = (text: string): number => grid.firsts.indexOf(isoDate(`${text}-01`));
  const terms = (amount: number): Terms => ({ planKey: 'pro-monthly', planId: 'pro-monthly', unitAmount: amount, quantity: 1, discount: 0, discountDuration: null });
  const segment = (kind: Segment['kind'], start: string, end: string, amount: number, cause: Segment['cause'] = 'renewal'): Segment => ({
    kind, start: isoDate(start), end: isoDate(end), cycleStart: isoDate(start), cycleEnd: isoDate(end), terms: terms(amount), cause,
    at: { day: isoDate(start), second: 0, format: 'utc', offsetMinutes: 0 }, invoicedDaysAhead: 0, pausedAt: null, goodwillCredit: null,
  });
  const subscription = (currency: SubscriptionStory['currency'], monthsPerCycle: number, segments: Segment[]): SubscriptionStory => ({
    id: 'sub_1', product: 'core', currency, intervalUnit: 'month', intervalCount: monthsPerCycle, monthsPerCycle, lives: [{ segments, end: { kind: 'active' } }], setupFee: 0,
  });

  it('takes the MRR on each month end: trials and pauses are 0, a late renewal is bridged', () => {
    const mrr = monthEndMrr(
      subscription('USD', 1, [
        segment('trial', '2024-01-20', '2024-02-03', 0, 'start'),
        segment('paid', '2024-02-03', '2024-03-03', 2900, 'conversion'),
        // Renewed on 2024-04-02, two days late: 2024-03-31 still counts at the old terms.
        segment('paid', '2024-03-03', '2024-03-30', 2900),
        segment('paid', '2024-04-02', '2024-05-02', 3200, 'late_renewal'),
        // Paused from 2024-05-02 to 2024-06-05: May is 0.
        segment('paid', '2024-06-05', '2024-07-05', 3200, 'resume'),
      ]),
      grid,
    );
    expect(mrr[month('2024-01')]).toBe(0);
    expect(mrr[month('2024-02')]).toBe(2900);
    expect(mrr[month('2024-03')]).toBe(2900);
    expect(mrr[month('2024-04')]).toBe(3200);
    expect(mrr[month('2024-05')]).toBe(0);
    expect(mrr[month('2024-06')]).toBe(3200);
    expect(mrr[month('2024-07')]).toBe(0);
  });

  it('rounds the native MRR once, then converts at the month-start rate and rounds again', async () => {
    // 1,000.01 EUR a quarter: 333.336… → 333.34 EUR a month.
    const mrr = monthEndMrr(subscription('EUR', 3, [segment('paid', '2024-03-15', '2024-06-15', 100_001, 'start')]), grid);
    const rates = await readCsv(join(summary.dir), 'fx_rates.csv');
    const rateOn = (day: CalendarDate, quote: string): number => {
      let rate = 0;
      for (const row of rates.rows) if (field(row, 'quote') === quote && isoDate(field(row, 'date')) <= day) rate = Number(field(row, 'rate').replace('.', ''));
      return rate;
    };
    for (const first of ['2024-04', '2024-05']) {
      const usdPerEur = rateOn(isoDate(`${first}-01`), 'USD');
      expect(mrr[month(first)]).toBe(Math.floor((2 * 33_334 * usdPerEur + 10_000) / 20_000));
    }
    const gbp = monthEndMrr({ ...subscription('GBP', 1, [segment('paid', '2024-03-15', '2024-04-15', 2_300, 'start')]) }, grid);
    const day = isoDate('2024-03-01');
    expect(gbp[month('2024-03')]).toBe(Math.floor((2 * 2_300 * rateOn(day, 'USD') + rateOn(day, 'GBP')) / (2 * rateOn(day, 'GBP'))));
  });
});
