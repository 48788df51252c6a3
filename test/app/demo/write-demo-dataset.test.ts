import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoDataset, type DemoSummary } from '../../../src/app/demo/write-demo-dataset.js';
import { UsageError } from '../../../src/app/errors.js';
import { addMonths, dayOfWeek, formatIsoDate, isoDate, type CalendarDate } from '../../../src/engine/calendar/calendar-date.js';
import { currencyExponent, parseCurrency } from '../../../src/engine/money/currency.js';
import { date, EXPECTED_COLUMNS, field, invalidEventSteps, readDemoDataset, timestampDate, timestampMs, type DemoDataset, type Row } from './read-demo-dataset.js';

const AS_OF = isoDate('2025-12-31');
const OPTIONS = { customers: 500, months: 36, seed: 42 };

let root: string;

async function hashes(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    result[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  }
  return result;
}

async function generate(name: string, options = OPTIONS): Promise<DemoSummary> {
  return writeDemoDataset(join(root, name), options);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-demo-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeDemoDataset determinism', () => {
  it('writes byte-identical files for the same options and different ones for another seed', async () => {
    const first = await generate('first');
    const second = await generate('second');
    const other = await generate('other', { ...OPTIONS, seed: 43 });
    const firstHashes = await hashes(first.dir);
    expect(Object.keys(firstHashes)).toEqual([...first.files].sort());
    expect(await hashes(second.dir)).toEqual(firstHashes);
    const otherHashes = await hashes(other.dir);
    for (const name of ['customers.csv', 'invoice_lines.csv', 'subscription_events.csv', 'fx_rates.csv']) {
      expect(otherHashes[name], name).not.toBe(firstHashes[name]);
    }
  });

  it('does not depend on the machine time zone', async () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Pacific/Kiritimati';
      // Node applies a TZ change at once; this shows the test really runs in another zone.
      expect(new Date(Date.UTC(2024, 0, 1)).getTimezoneOffset()).toBe(-14 * 60);
      const kiritimati = await generate('kiritimati');
      process.env.TZ = 'UTC';
      expect(new Date(Date.UTC(2024, 0, 1)).getTimezoneOffset()).toBe(0);
      const utc = await generate('utc');
      expect(await hashes(kiritimati.dir)).toEqual(await hashes(utc.dir));
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('never reads the clock, Math.random, the environment or locale data', async () => {
    const dir = join(import.meta.dirname, '../../../src/app/demo');
    for (const name of await readdir(dir)) {
      // Comments may name what the code avoids; only code counts.
      const source = (await readFile(join(dir, name), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(source, name).not.toMatch(/\bDate\s*[.(]|new\s+Date\b|Math\.random|toLocale|\bIntl\.|process\.env|performance\.now|hrtime|Temporal/);
    }
  });
});

describe('writeDemoDataset output', () => {
  let summary: DemoSummary;
  let data: DemoDataset;

  beforeAll(async () => {
    summary = await generate('dataset');
    data = await readDemoDataset(summary.dir);
  });

  it('reports what it wrote', async () => {
    expect(summary).toMatchObject({ customers: 500, firstDate: '2023-01-01', asOf: '2025-12-31' });
    expect(summary.files).toEqual(['customers.csv', 'plans.csv', 'invoice_lines.csv', 'subscription_events.csv', 'fx_rates.csv', 'runrate.config.json']);
    expect(data.customers.rows).toHaveLength(500);
    expect(data.lines.rows).toHaveLength(summary.invoiceLines);
    expect(data.events.rows).toHaveLength(summary.subscriptionEvents);
    expect(data.rates.rows).toHaveLength(summary.fxRates);
    const config: unknown = JSON.parse(await readFile(join(summary.dir, 'runrate.config.json'), 'utf8'));
    expect(config).toEqual({ currency: 'USD', timezone: 'UTC', asOf: '2025-12-31' });
  });

  it('uses exactly the columns of inputs.md', () => {
    expect(data.customers.columns).toEqual(EXPECTED_COLUMNS['customers.csv']);
    expect(data.plans.columns).toEqual(EXPECTED_COLUMNS['plans.csv']);
    expect(data.lines.columns).toEqual(EXPECTED_COLUMNS['invoice_lines.csv']);
    expect(data.events.columns).toEqual(EXPECTED_COLUMNS['subscription_events.csv']);
    expect(data.rates.columns).toEqual(EXPECTED_COLUMNS['fx_rates.csv']);
  });

  it('writes amounts with the decimals of their currency', () => {
    const check = (row: Row, columns: readonly string[]): void => {
      const code = parseCurrency(field(row, 'currency'));
      if (code === null) {
        for (const column of columns) expect(field(row, column), column).toBe('');
        return;
      }
      const exponent = currencyExponent(code);
      const pattern = new RegExp(`^-?\\d+\\.\\d{${exponent}}$`);
      for (const column of columns) {
        const value = field(row, column);
        if (value !== '') expect(value, `${column} of ${JSON.stringify(row)}`).toMatch(pattern);
      }
    };
    for (const row of data.lines.rows) {
      check(row, ['amount', 'discount', 'tax']);
      expect(field(row, 'amount')).not.toBe('');
    }
    for (const row of data.events.rows) check(row, ['amount', 'unit_amount', 'discount']);
  });

  it('writes valid periods, unique ids and known references', () => {
    const customers = new Set(data.customers.rows.map((row) => field(row, 'customer_id')));
    const plans = new Set(data.plans.rows.map((row) => field(row, 'plan_id')));
    expect(customers.size).toBe(data.customers.rows.length);
    expect(plans.size).toBe(data.plans.rows.length);
    expect(new Set(data.lines.rows.map((row) => field(row, 'line_id'))).size).toBe(data.lines.rows.length);
    expect(new Set(data.events.rows.map((row) => field(row, 'event_id'))).size).toBe(data.events.rows.length);
    const lineCustomers = new Set<string>();
    const eventCustomers = new Set<string>();
    const subscriptionOwner = new Map<string, string>();
    for (const row of data.lines.rows) {
      expect(customers.has(field(row, 'customer_id'))).toBe(true);
      lineCustomers.add(field(row, 'customer_id'));
      if (field(row, 'plan_id') !== '') expect(plans.has(field(row, 'plan_id')), field(row, 'plan_id')).toBe(true);
      const type = field(row, 'type');
      expect(['subscription', 'trial', 'one_time', 'credit_note']).toContain(type);
      if (type === 'subscription' || type === 'trial') {
        expect(date(field(row, 'service_end'))).toBeGreaterThan(date(field(row, 'service_start')));
        expect(field(row, 'subscription_id')).not.toBe('');
      }
      if (field(row, 'service_start') !== '') expect(date(field(row, 'service_end'))).toBeGreaterThan(date(field(row, 'service_start')));
      // One subscription, one customer and one currency.
      const owner = `${field(row, 'customer_id')}/${field(row, 'currency')}`;
      expect(subscriptionOwner.get(field(row, 'subscription_id')) ?? owner).toBe(owner);
      subscriptionOwner.set(field(row, 'subscription_id'), owner);
    }
    for (const row of data.events.rows) {
      expect(customers.has(field(row, 'customer_id'))).toBe(true);
      eventCustomers.add(field(row, 'customer_id'));
      if (field(row, 'plan_id') !== '') expect(plans.has(field(row, 'plan_id'))).toBe(true);
    }
    // Invoice-line and event customers are separate sets.
    for (const customer of eventCustomers) expect(lineCustomers.has(customer)).toBe(false);
  });

  it('writes valid event sequences', () => {
    expect(invalidEventSteps(data.events.rows)).toEqual([]);
    // No two events of a subscription on one day, so the order never rests on ids.
    const seen = new Set<string>();
    for (const row of data.events.rows) {
      const key = `${field(row, 'subscription_id')}/${timestampDate(field(row, 'effective_at'))}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    for (const row of data.events.rows) {
      const type = field(row, 'type');
      if (type === 'start' || type === 'change') {
        expect(field(row, 'currency')).not.toBe('');
        expect(field(row, 'amount') !== '' || field(row, 'unit_amount') !== '').toBe(true);
      }
      if (type === 'cancel') expect(timestampMs(field(row, 'requested_at'))).toBeLessThanOrEqual(timestampMs(field(row, 'effective_at')));
    }
  });

  it('dates nothing after asOf but scheduled cancellations and annual renewals invoiced ahead', () => {
    const annualPlans = new Set(data.plans.rows.filter((row) => field(row, 'interval_unit') === 'year').map((row) => field(row, 'plan_id')));
    for (const row of data.lines.rows) {
      expect(timestampDate(field(row, 'issued_at'))).toBeLessThanOrEqual(AS_OF);
      if (field(row, 'service_start') !== '' && date(field(row, 'service_start')) > AS_OF) {
        expect(annualPlans.has(field(row, 'plan_id'))).toBe(true);
        expect(date(field(row, 'service_start')) - AS_OF).toBeLessThanOrEqual(7);
      }
      if (field(row, 'cancel_requested_at') !== '') {
        expect(timestampDate(field(row, 'cancel_requested_at'))).toBeLessThanOrEqual(AS_OF);
        expect(timestampMs(field(row, 'cancel_requested_at'))).toBeLessThanOrEqual(timestampMs(field(row, 'cancelled_at')));
      }
    }
    for (const row of data.events.rows) {
      if (timestampDate(field(row, 'effective_at')) > AS_OF) {
        expect(field(row, 'type')).toBe('cancel');
        expect(timestampDate(field(row, 'requested_at'))).toBeLessThanOrEqual(AS_OF);
      }
    }
  });

  it('writes prorations that restate the new monthly amount', () => {
    // A cycle's amount, by subscription and period, to compare the unused-time credits with.
    const cycles = new Map<string, number>();
    for (const row of data.lines.rows) {
      if (field(row, 'type') === 'subscription' && field(row, 'prorated') === 'false') {
        cycles.set(`${field(row, 'subscription_id')}/${field(row, 'service_end')}`, Number(field(row, 'amount')));
      }
    }
    const intervals = new Map(data.plans.rows.map((row) => [field(row, 'plan_id'), (field(row, 'interval_unit') === 'year' ? 12 : 1) * Number(field(row, 'interval_count'))]));
    let credits = 0;
    for (const row of data.lines.rows) {
      if (field(row, 'prorated') !== 'true' || !field(row, 'amount').startsWith('-')) continue;
      credits++;
      const end = date(field(row, 'service_end'));
      const fullDays = end - addMonths(end, -(intervals.get(field(row, 'plan_id')) ?? 1));
      const days = end - date(field(row, 'service_start'));
      const cycleAmount = cycles.get(`${field(row, 'subscription_id')}/${field(row, 'service_end')}`);
      expect(cycleAmount, JSON.stringify(row)).toBeDefined();
      // The credit undoes the cycle in force: the engine restates it as amount × full / prorated days.
      const restated = (-Number(field(row, 'amount')) * fullDays) / days;
      expect(Math.abs(restated - (cycleAmount ?? Number.NaN)), JSON.stringify(row)).toBeLessThanOrEqual((0.005 * fullDays) / days + 1e-9);
    }
    expect(credits).toBeGreaterThan(0);
  });

  it('writes weekday EUR rates for USD and GBP over the whole window', () => {
    const days = new Set<CalendarDate>();
    for (const row of data.rates.rows) {
      const day = date(field(row, 'date'));
      days.add(day);
      expect(dayOfWeek(day)).toBeLessThan(5);
      expect(field(row, 'base')).toBe('EUR');
      expect(field(row, 'rate')).toMatch(/^\d\.\d{4}$/);
      const rate = Number(field(row, 'rate'));
      if (field(row, 'quote') === 'USD') expect(rate >= 1.05 && rate <= 1.15, String(rate)).toBe(true);
      else {
        expect(field(row, 'quote')).toBe('GBP');
        expect(rate >= 0.83 && rate <= 0.89, String(rate)).toBe(true);
      }
    }
    expect(data.rates.rows).toHaveLength(days.size * 2);
    expect(Math.min(...days)).toBeLessThan(isoDate('2023-01-01'));
    expect(formatIsoDate(Math.max(...days) as CalendarDate)).toBe('2025-12-31');
  });

  it('has the mix of a real SaaS business', () => {
    const lines = data.lines.rows;
    const events = data.events.rows;
    const is = (column: string, value: string) => (row: Row) => field(row, column) === value;
    expect(lines.filter(is('type', 'trial')).length).toBeGreaterThan(20);
    expect(lines.filter(is('type', 'one_time')).length).toBeGreaterThan(0);
    expect(lines.filter(is('type', 'credit_note')).length).toBeGreaterThan(0);
    const prorated = lines.filter(is('prorated', 'true'));
    expect(prorated.filter((row) => field(row, 'amount').startsWith('-')).length).toBeGreaterThan(10);
    expect(prorated.filter((row) => !field(row, 'amount').startsWith('-')).length).toBeGreaterThan(10);
    for (const plan of ['pro-annual', 'business-annual', 'pro-quarterly', 'starter-monthly', 'analytics-monthly']) {
      expect(lines.some((row) => field(row, 'plan_id').startsWith(plan)), plan).toBe(true);
    }
    for (const duration of ['once', 'repeating', 'forever']) {
      expect(lines.some(is('discount_duration', duration)), duration).toBe(true);
      expect(events.some(is('discount_duration', duration)), duration).toBe(true);
    }
    expect(lines.filter((row) => field(row, 'cancelled_at') !== '').length).toBeGreaterThan(20);
    expect(lines.some((row) => field(row, 'tax') !== '' && field(row, 'tax') !== '0.00')).toBe(true);
    // Timestamps in all three forms.
    const issued = lines.map((row) => field(row, 'issued_at'));
    expect(issued.some((text) => text.endsWith('Z'))).toBe(true);
    expect(issued.some((text) => /[+-]\d{2}:\d{2}$/.test(text))).toBe(true);
    expect(issued.some((text) => /^\d+$/.test(text))).toBe(true);
    for (const type of ['start', 'change', 'pause', 'resume', 'cancel']) expect(events.some(is('type', type)), type).toBe(true);
    expect(events.some((row) => field(row, 'type') === 'start' && field(row, 'amount') === '0.00')).toBe(true);
    expect(events.some((row) => field(row, 'type') === 'change' && field(row, 'amount') === '' && field(row, 'unit_amount') !== '')).toBe(true);
  });

  it('bills about a fifth of the customers in EUR or GBP', () => {
    const currencyOf = new Map<string, string>();
    for (const row of [...data.lines.rows, ...data.events.rows]) {
      if (field(row, 'currency') !== '') currencyOf.set(field(row, 'customer_id'), field(row, 'currency'));
    }
    const billed = [...currencyOf.values()];
    const share = (currency: string): number => billed.filter((value) => value === currency).length / billed.length;
    expect(share('EUR')).toBeGreaterThan(0.06);
    expect(share('GBP')).toBeGreaterThan(0.04);
    expect(share('EUR') + share('GBP')).toBeGreaterThan(0.14);
    expect(share('EUR') + share('GBP')).toBeLessThan(0.28);
    expect(data.customers.rows.filter((row) => field(row, 'company').includes('"')).length + data.customers.rows.filter((row) => field(row, 'company').includes(',')).length).toBeGreaterThan(0);
  });

  it('has churned customers coming back, seat changes and late renewals', () => {
    // Coverage of each subscription (paid lines), merged per customer.
    const coverage = new Map<string, [CalendarDate, CalendarDate][]>();
    const seatsBySubscription = new Map<string, Set<string>>();
    const cyclesBySubscription = new Map<string, [CalendarDate, CalendarDate][]>();
    for (const row of data.lines.rows) {
      if (field(row, 'type') !== 'subscription') continue;
      const period: [CalendarDate, CalendarDate] = [date(field(row, 'service_start')), date(field(row, 'service_end'))];
      const list = coverage.get(field(row, 'customer_id')) ?? [];
      list.push(period);
      coverage.set(field(row, 'customer_id'), list);
      const seats = seatsBySubscription.get(field(row, 'subscription_id')) ?? new Set();
      seats.add(field(row, 'quantity'));
      seatsBySubscription.set(field(row, 'subscription_id'), seats);
      if (field(row, 'prorated') === 'false') {
        const cycles = cyclesBySubscription.get(field(row, 'subscription_id')) ?? [];
        cycles.push(period);
        cyclesBySubscription.set(field(row, 'subscription_id'), cycles);
      }
    }
    let returning = 0;
    for (const periods of coverage.values()) {
      periods.sort((a, b) => a[0] - b[0]);
      let coveredUntil = periods[0]![1];
      for (const [start, end] of periods.slice(1)) {
        if (start - coveredUntil > 30) returning++;
        coveredUntil = Math.max(coveredUntil, end) as CalendarDate;
      }
    }
    expect(returning).toBeGreaterThan(3);
    expect([...seatsBySubscription.values()].filter((seats) => seats.size > 1).length).toBeGreaterThan(10);
    let late = 0;
    for (const cycles of cyclesBySubscription.values()) {
      cycles.sort((a, b) => a[0] - b[0]);
      for (let index = 1; index < cycles.length; index++) {
        const gap = cycles[index]![0] - cycles[index - 1]![1];
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(gap).toBeLessThanOrEqual(5);
        if (gap > 0) late++;
      }
    }
    expect(late).toBeGreaterThan(0);
  });
});

describe('writeDemoDataset options', () => {
  it('moves the window start with --months and keeps asOf', async () => {
    const summary = await generate('twelve', { customers: 50, months: 12, seed: 7 });
    expect(summary).toMatchObject({ firstDate: '2025-01-01', asOf: '2025-12-31' });
    const data = await readDemoDataset(summary.dir);
    for (const row of data.customers.rows) expect(field(row, 'created_at') >= '2025-01-01').toBe(true);
    for (const row of data.lines.rows) if (field(row, 'service_start') !== '') expect(field(row, 'service_start') >= '2025-01-01').toBe(true);
  });

  it('rejects options it cannot honour', async () => {
    await expect(writeDemoDataset(join(root, 'bad'), { customers: 0, months: 36, seed: 1 })).rejects.toThrow(UsageError);
    await expect(writeDemoDataset(join(root, 'bad'), { customers: 0, months: 36, seed: 1 })).rejects.toThrow(/customers/);
    await expect(writeDemoDataset(join(root, 'bad'), { customers: 10, months: 0, seed: 1 })).rejects.toThrow(/months/);
    await expect(writeDemoDataset(join(root, 'bad'), { customers: 10, months: 36, seed: -1 })).rejects.toThrow(/seed/);
    await expect(writeDemoDataset(join(root, 'bad'), { customers: 1.5, months: 36, seed: 1 })).rejects.toThrow(/customers/);
  });
});
