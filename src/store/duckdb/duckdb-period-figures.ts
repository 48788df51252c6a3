/**
 * The figures of whole-business reports (metrics.md) computed by DuckDB over the stored
 * movements and timelines, instead of loading every movement into memory: the same integers the
 * in-memory path computes (a test compares them), in tens of milliseconds.
 *
 * Everything is exact: sums of BIGINT minor units, counts, and the constant-currency conversion
 * of nrr_12m as round(native × num / den) in HUGEINT, with the exact rate of each currency on
 * each earlier day computed by the engine's rate table and handed in as a numerator and
 * denominator.
 */
import { DuckDBDateValue, type DuckDBConnection } from '@duckdb/node-api';
import { assert } from '../../engine/assert.js';
import { addDays, addMonths } from '../../engine/calendar/calendar-date.js';
import type { PeriodFigures } from '../../engine/report/metrics-report.js';
import type { Period } from '../../engine/report/period.js';
import type { MinorUnitRate } from '../store-port.js';


type MovementTypeName = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation' | 'fx';

async function rows(connection: DuckDBConnection, sql: string, values: string[] = []): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql, values)).getRows();
}

const int = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** The rate of each foreign currency on each period's year-ago day (nrr_12m), as exact integers. */
export type RatesThen = ReadonlyArray<readonly [idx: number, currency: string, num: string, den: string]>;

export interface PeriodFiguresOptions {
  /**
   * Only some customers' share of every figure, from their rows in the SHARE_TABLES (filled by
   * copyShares, or by the caller from rows it holds). Every figure is a sum over customers (MRR,
   * counts of paying, new … customers, the retained base, nrr_12m's sums), so the shares of a
   * partition add up to the whole; kept figures are updated that way when a few customers change.
   */
  readonly shares?: boolean;
  /** The year-ago rates to use instead of asking `rates` (the ones kept with the figures). */
  readonly ratesThen?: RatesThen;
}

export interface ComputedFigures {
  readonly figures: PeriodFigures[];
  readonly ratesThen: RatesThen;
  /** The foreign currencies the rates were looked up for: the subscriptions' at the time. */
  readonly foreignCurrencies: readonly string[];
}

const NUMERIC_FIGURES = [
  'mrrStart', 'mrr', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx',
  'customers', 'customersStart', 'newCustomers', 'reactivatedCustomers', 'churnedCustomers',
  'retainedExpansion', 'retainedContraction', 'retainedChurn', 'yearAgoMrr', 'yearAgoCustomersMrrNow',
] as const satisfies ReadonlyArray<keyof PeriodFigures>;

/** `figures` with `sign` × `share` added, period by period. */
export function addShares(figures: readonly PeriodFigures[], share: readonly PeriodFigures[], sign: 1 | -1): PeriodFigures[] {
  return figures.map((entry, index) => {
    const part = share[index]!;
    const sum: Record<string, unknown> = { ...entry };
    for (const key of NUMERIC_FIGURES) sum[key] = entry[key] + sign * part[key];
    return sum as unknown as PeriodFigures;
  });
}

/** The subscriptions' foreign currencies, and the rate of each on each period's year-ago day. */
async function lookUpRatesThen(
  connection: DuckDBConnection,
  periods: readonly Period[],
  reportingCurrency: string,
  rates: (() => Promise<MinorUnitRate>) | null,
): Promise<{ ratesThen: RatesThen; foreign: string[] }> {
  const foreign = (await rows(connection, `SELECT DISTINCT currency FROM subscriptions WHERE currency <> $1 ORDER BY 1`, [reportingCurrency])).map(([c]) => String(c));
  // Rates are loaded only when some subscription needs converting.
  if (foreign.length === 0 || rates === null) return { ratesThen: [], foreign };
  const rateAt = await rates();
  const ratesThen: Array<readonly [number, string, string, string]> = [];
  periods.forEach((period, idx) => {
    for (const currency of foreign) {
      const rate = rateAt(currency, addMonths(period.last, -12));
      if (rate) ratesThen.push([idx, currency, String(rate.num), String(rate.den)]);
    }
  });
  return { ratesThen, foreign };
}

/** The derived tables a share of the figures reads, each copied to `share_<name>`, and the columns it reads of each. */
export const SHARE_TABLES: Readonly<Record<string, string>> = {
  movements: 'customer_id, date, type, amount',
  customer_states: 'customer_id, valid_from, valid_to, mrr',
  timeline_points: 'customer_id, subscription_id, scheduled, date, valid_to, native_mrr, mrr',
  subscriptions: 'customer_id, subscription_id, currency',
};

/**
 * The stored rows of the customers in `customersTable` (one customer_id column) copied to the
 * share tables: every later join is then over a few thousand rows rather than over every row
 * with the customers as a filter. Only the columns used: DuckDB reads no more of the large
 * tables than those.
 */
export async function copyShares(connection: DuckDBConnection, customersTable: string): Promise<void> {
  for (const [name, columns] of Object.entries(SHARE_TABLES)) {
    await connection.run(`CREATE OR REPLACE TEMP TABLE share_${name} AS SELECT ${columns} FROM ${name} WHERE customer_id IN (SELECT customer_id FROM ${customersTable})`);
  }
}

/**
 * `fullUntil`: periods from this index on only need their counts (LTV's look-back months), not
 * the retained base of NRR nor nrr_12m. Returns the figures and the year-ago rates used.
 */
export async function duckdbPeriodFigures(
  connection: DuckDBConnection,
  periods: readonly Period[],
  fullUntil: number,
  reportingCurrency: string,
  rates: (() => Promise<MinorUnitRate>) | null,
  options: PeriodFiguresOptions = {},
): Promise<ComputedFigures> {
  const table = options.shares
    ? { movements: 'share_movements', customerStates: 'share_customer_states', timelinePoints: 'share_timeline_points', subscriptions: 'share_subscriptions' }
    : { movements: 'movements', customerStates: 'customer_states', timelinePoints: 'timeline_points', subscriptions: 'subscriptions' };
  // The periods, with the two other days each one looks at.
  await connection.run(`CREATE OR REPLACE TEMP TABLE report_periods (idx INTEGER, first DATE, last DATE, day_before DATE, year_before DATE)`);
  const periodAppender = await connection.createAppender('report_periods', 'main', 'temp');
  periods.forEach((period, idx) => {
    periodAppender.appendInteger(idx);
    periodAppender.appendDate(new DuckDBDateValue(period.first));
    periodAppender.appendDate(new DuckDBDateValue(period.last));
    periodAppender.appendDate(new DuckDBDateValue(addDays(period.first, -1)));
    periodAppender.appendDate(new DuckDBDateValue(addMonths(period.last, -12)));
    periodAppender.endRow();
  });
  periodAppender.flushSync();
  periodAppender.closeSync();

  // Values that hold "from a day until the next change" are stored as spans [valid_from,
  // valid_to) (customer_states, timeline_points.valid_to), so that "the value on day X" is an
  // equality-plus-range join that DuckDB runs as a hash or IE join, never a nested loop. The
  // business's totals are spans too, built here from the customers' (a few thousand days).
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE total_spans AS
     SELECT date AS valid_from, coalesce(lead(date) OVER (ORDER BY date), DATE '9999-12-31') AS valid_to,
            sum(amount) OVER (ORDER BY date) AS mrr, sum(paying) OVER (ORDER BY date) AS customers
     FROM (
       SELECT date, sum(amount) AS amount, sum(paying) AS paying FROM (
         SELECT valid_from AS date, mrr - coalesce(lag(mrr) OVER w, 0) AS amount,
                (CASE WHEN mrr > 0 THEN 1 ELSE 0 END) - coalesce(lag(CASE WHEN mrr > 0 THEN 1 ELSE 0 END) OVER w, 0) AS paying
         FROM ${table.customerStates} WINDOW w AS (PARTITION BY customer_id ORDER BY valid_from))
       GROUP BY date)`,
  );

  const figures = periods.map((period) => ({
    period,
    mrrStart: 0, mrr: 0, new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0,
    customers: 0, customersStart: 0, newCustomers: 0, reactivatedCustomers: 0, churnedCustomers: 0,
    retainedExpansion: 0, retainedContraction: 0, retainedChurn: 0, yearAgoMrr: 0, yearAgoCustomersMrrNow: 0,
  }));

  for (const [idx, edge, mrr, customers] of await rows(
    connection,
    `SELECT p.idx, 'start', t.mrr, t.customers FROM report_periods p JOIN total_spans t ON t.valid_from <= p.day_before AND p.day_before < t.valid_to
     UNION ALL
     SELECT p.idx, 'end', t.mrr, t.customers FROM report_periods p JOIN total_spans t ON t.valid_from <= p.last AND p.last < t.valid_to`,
  )) {
    const entry = figures[int(idx)]!;
    if (edge === 'start') Object.assign(entry, { mrrStart: int(mrr), customersStart: int(customers) });
    else Object.assign(entry, { mrr: int(mrr), customers: int(customers) });
  }

  // Each movement's periods (they may overlap when look-back months are asked with them, hence
  // a row per period), through a row per day of each period: an equality join on the date,
  // where a range join against the periods grew with them (daily metrics at L: 4 s).
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE period_movements AS
     SELECT d.idx, d.day_before, m.customer_id, m.type, m.amount
     FROM ${table.movements} m
     JOIN (SELECT idx, day_before, unnest(generate_series(first, last, INTERVAL 1 DAY))::DATE AS day FROM report_periods) d ON d.day = m.date`,
  );
  for (const [idx, type, amount] of await rows(connection, `SELECT idx, type, sum(amount) FROM period_movements GROUP BY idx, type`)) {
    figures[int(idx)]![type as MovementTypeName] = int(amount);
  }
  // Customers are counted for three types only. A distinct count of every type's customers
  // took 1.6 s at L; these three's alone take a third of that, and the sums above 0.1 s.
  for (const [idx, type, customers] of await rows(
    connection,
    `SELECT idx, type, count(*) FROM (SELECT DISTINCT idx, type, customer_id FROM period_movements WHERE type IN ('new', 'reactivation', 'churn')) GROUP BY idx, type`,
  )) {
    const entry = figures[int(idx)]!;
    if (type === 'new') entry.newCustomers = int(customers);
    else if (type === 'reactivation') entry.reactivatedCustomers = int(customers);
    else entry.churnedCustomers = int(customers);
  }

  // NRR and GRR: the movements of customers who paid on the day before the period.
  for (const [idx, type, amount] of await rows(
    connection,
    `SELECT m.idx, m.type, sum(m.amount)
     FROM period_movements m
     JOIN ${table.customerStates} c ON c.customer_id = m.customer_id AND c.valid_from <= m.day_before AND m.day_before < c.valid_to
     WHERE m.type IN ('expansion', 'contraction', 'churn') AND c.mrr > 0 AND m.idx < ${fullUntil}
     GROUP BY m.idx, m.type`,
  )) {
    const entry = figures[int(idx)]!;
    if (type === 'expansion') entry.retainedExpansion = int(amount);
    else if (type === 'contraction') entry.retainedContraction = int(amount);
    else entry.retainedChurn = int(amount);
  }

  // nrr_12m: the customers paying 12 months before `last`, their MRR then, and now at the rates
  // of then. Subscriptions in the reporting currency need no rate.
  await connection.run(`CREATE OR REPLACE TEMP TABLE rates_then (idx INTEGER, currency VARCHAR, num HUGEINT, den HUGEINT)`);
  const { ratesThen, foreign } =
    options.ratesThen !== undefined ? { ratesThen: options.ratesThen, foreign: [] } : await lookUpRatesThen(connection, periods.slice(0, fullUntil), reportingCurrency, rates);
  if (ratesThen.length > 0) {
    const rateAppender = await connection.createAppender('rates_then', 'main', 'temp');
    for (const [idx, currency, num, den] of ratesThen) {
      rateAppender.appendInteger(idx);
      rateAppender.appendVarchar(currency);
      rateAppender.appendHugeInt(BigInt(num));
      rateAppender.appendHugeInt(BigInt(den));
      rateAppender.endRow();
    }
    rateAppender.flushSync();
    rateAppender.closeSync();
  }
  if (fullUntil > 0) {
    // Both ways give the same integers; which is cheaper depends on how many periods there are.
    const yearAgo =
      fullUntil <= ROW_PER_CUSTOMER_UP_TO
        ? await yearAgoFiguresByCustomer(connection, table, fullUntil, reportingCurrency)
        : await yearAgoFiguresByRuns(connection, table, periods.slice(0, fullUntil), reportingCurrency);
    yearAgo.forEach(({ mrr, customersMrrNow }, idx) => Object.assign(figures[idx]!, { yearAgoMrr: mrr, yearAgoCustomersMrrNow: customersMrrNow }));
  }
  return { figures, ratesThen, foreignCurrencies: foreign };
}

type DerivedTableNames = { readonly customerStates: string; readonly timelinePoints: string; readonly subscriptions: string };
type YearAgoSums = Array<{ mrr: number; customersMrrNow: number }>;

/**
 * Up to this many periods, nrr_12m's sums take a row per period and paying customer
 * (yearAgoFiguresByCustomer); beyond, runs of periods (yearAgoFiguresByRuns), whose rows do not
 * grow with the periods but which costs more to set up. Measured, alternated with each other: a
 * monthly report (36 periods) at M 0.66 s against 0.71 s, at L 3.4–3.6 s against 3.2–3.4 s; the
 * kept figures' shares of an incremental batch (900 customers) 13 ms against 70 ms; weekly at M
 * 1.2 s against 0.8 s, at L 8.7–10.2 s against 3.8–4.0 s; daily at M 5.5 s against 1.4 s.
 */
const ROW_PER_CUSTOMER_UP_TO = 48;

/**
 * nrr_12m's two sums for each of the first `count` periods of `report_periods`, from a row per
 * period and customer paying on its year-ago day (`year_ago_base`); see yearAgoFiguresByRuns.
 */
async function yearAgoFiguresByCustomer(connection: DuckDBConnection, table: DerivedTableNames, count: number, reportingCurrency: string): Promise<YearAgoSums> {
  const sums: YearAgoSums = Array.from({ length: count }, () => ({ mrr: 0, customersMrrNow: 0 }));
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE year_ago_base AS
     SELECT p.idx, p.last, c.customer_id, c.mrr
     FROM ${table.customerStates} c JOIN report_periods p ON c.valid_from <= p.year_before AND p.year_before < c.valid_to
     WHERE c.mrr > 0 AND p.idx < ${count}`,
  );
  for (const [idx, then] of await rows(connection, `SELECT idx, sum(mrr) FROM year_ago_base GROUP BY idx`)) sums[int(idx)]!.mrr = int(then);
  for (const [idx, now] of await rows(
    connection,
    // Driven from the base, joined on the customer with the span as a filter: three times
    // faster at M than a range join of every timeline point against every period first.
    `SELECT b.idx, sum(CASE
         WHEN s.currency = $1 OR r.num IS NULL THEN tp.mrr
         ELSE ((2 * tp.native_mrr::HUGEINT * r.num + r.den) // (2 * r.den))
       END)
     FROM year_ago_base b
     JOIN ${table.timelinePoints} tp ON tp.customer_id = b.customer_id AND tp.date <= b.last AND b.last < tp.valid_to
     JOIN ${table.subscriptions} s ON s.customer_id = tp.customer_id AND s.subscription_id = tp.subscription_id
     LEFT JOIN rates_then r ON r.idx = b.idx AND r.currency = s.currency
     WHERE NOT tp.scheduled AND tp.mrr > 0
     GROUP BY b.idx`,
    [reportingCurrency],
  )) {
    sums[int(idx)]!.customersMrrNow = int(now);
  }
  return sums;
}

/**
 * nrr_12m's two sums for each of `periods` (in order): the MRR of the customers paying on the
 * period's year-ago day, and their MRR on its last day at the year-ago rates (`rates_then`).
 *
 * Without a row per period and customer: each customer's span of MRR that covers a year-ago day
 * covers a run of consecutive periods, and each timeline point that covers a last day covers
 * another, since both days grow with the period. So a span, or a span and one of its customer's
 * points, adds its amount to the periods from one index to another: two changes at the ends of
 * the run, summed in index order. The points' amounts go by subscription currency and native
 * MRR, so that each period converts each native amount at its own rate and multiplies it by how
 * many points hold it, exactly as the conversion point by point would. Weekly metrics at L spent
 * 5.8 s on this with a row per period and customer (some 70 million rows), 1.1 s by runs.
 */
async function yearAgoFiguresByRuns(connection: DuckDBConnection, table: DerivedTableNames, periods: readonly Period[], reportingCurrency: string): Promise<YearAgoSums> {
  const thenDays = periods.map((period) => addMonths(period.last, -12));
  const nowDays = periods.map((period) => period.last);
  for (let idx = 1; idx < periods.length; idx++) {
    assert(thenDays[idx]! >= thenDays[idx - 1]! && nowDays[idx]! >= nowDays[idx - 1]!, `report periods out of order at ${idx}`);
  }
  // For each day, how many periods have their year-ago day, and their last day, before it: a
  // span [from, to) covers the periods from the count at `from` to the count at `to` less one.
  // Days outside [first, last] count as the nearest end (none before, all after).
  const first = Math.min(thenDays[0]!, nowDays[0]!);
  const last = Math.max(thenDays.at(-1)!, nowDays.at(-1)!) + 1;
  await connection.run(`CREATE OR REPLACE TEMP TABLE nrr_days (day DATE, then_below INTEGER, now_below INTEGER)`);
  const dayAppender = await connection.createAppender('nrr_days', 'main', 'temp');
  for (let day = first, thenBelow = 0, nowBelow = 0; day <= last; day++) {
    while (thenBelow < periods.length && thenDays[thenBelow]! < day) thenBelow++;
    while (nowBelow < periods.length && nowDays[nowBelow]! < day) nowBelow++;
    dayAppender.appendDate(new DuckDBDateValue(day));
    dayAppender.appendInteger(thenBelow);
    dayAppender.appendInteger(nowBelow);
    dayAppender.endRow();
  }
  dayAppender.flushSync();
  dayAppender.closeSync();
  const clamped = (column: string): string => `greatest(least(${column}, DATE '1970-01-01' + ${last}), DATE '1970-01-01' + ${first})`;

  // Each customer's spans of MRR above 0, as the run of periods whose year-ago day they cover.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE year_ago_spans AS
     SELECT c.customer_id, c.mrr, f.then_below AS lo, t.then_below - 1 AS hi
     FROM ${table.customerStates} c
     JOIN nrr_days f ON f.day = ${clamped('c.valid_from')}
     JOIN nrr_days t ON t.day = ${clamped('c.valid_to')}
     WHERE c.mrr > 0 AND f.then_below <= t.then_below - 1`,
  );
  const mrr = new Array<number>(periods.length + 1).fill(0);
  for (const [idx, change] of await rows(
    connection,
    `SELECT lo, sum(mrr) FROM year_ago_spans GROUP BY lo UNION ALL SELECT hi + 1, -sum(mrr) FROM year_ago_spans GROUP BY hi + 1`,
  )) {
    mrr[int(idx)]! += int(change);
  }

  // The "now" sum needs only when each customer was paying then, not how much: their spans
  // merged into runs of consecutive periods (a change of price splits a span, not a run), so
  // that each point meets one or two runs instead of every span (13.5 million pairs at L).
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE year_ago_runs AS
     SELECT customer_id, min(lo) AS lo, max(hi) AS hi FROM (
       SELECT customer_id, lo, hi, sum(CASE WHEN lo = previous_hi + 1 THEN 0 ELSE 1 END) OVER (PARTITION BY customer_id ORDER BY lo) AS run
       FROM (SELECT customer_id, lo, hi, lag(hi) OVER (PARTITION BY customer_id ORDER BY lo) AS previous_hi FROM year_ago_spans))
     GROUP BY customer_id, run`,
  );
  const customersMrrNow = new Array<number>(periods.length).fill(0);
  for (const [idx, now] of await rows(
    connection,
    // Only the subscriptions in another currency are looked up: the store writes a subscription
    // row for every timeline (derivedRecords), so a point without a foreign one is in the
    // reporting currency.
    `WITH now_points AS (
       SELECT tp.customer_id, coalesce(s.currency, $1) AS currency, tp.native_mrr, tp.mrr, f.now_below AS lo, t.now_below - 1 AS hi
       FROM ${table.timelinePoints} tp
       LEFT JOIN (SELECT customer_id, subscription_id, currency FROM ${table.subscriptions} WHERE currency <> $1) s
         ON s.customer_id = tp.customer_id AND s.subscription_id = tp.subscription_id
       JOIN nrr_days f ON f.day = ${clamped('tp.date')}
       JOIN nrr_days t ON t.day = ${clamped('tp.valid_to')}
       WHERE NOT tp.scheduled AND tp.mrr > 0 AND f.now_below <= t.now_below - 1
     ), runs AS (
       SELECT n.currency, n.native_mrr, n.mrr, greatest(y.lo, n.lo) AS lo, least(y.hi, n.hi) AS hi
       FROM year_ago_runs y JOIN now_points n ON n.customer_id = y.customer_id
       WHERE greatest(y.lo, n.lo) <= least(y.hi, n.hi)
     ), changes AS (
       -- A row for each end of each run: it starts adding at lo and stops at hi + 1.
       SELECT currency, native_mrr, idx, sum(points) AS points, sum(mrr) AS mrr FROM (
         SELECT currency, native_mrr, unnest([lo, hi + 1]) AS idx, unnest([1, -1]) AS points, unnest([mrr, -mrr]) AS mrr FROM runs)
       GROUP BY currency, native_mrr, idx
     ), held AS (
       SELECT currency, native_mrr, idx, lead(idx, 1, ${periods.length}) OVER w AS until,
              sum(points) OVER w AS points, sum(mrr) OVER w AS mrr
       FROM changes WINDOW w AS (PARTITION BY currency, native_mrr ORDER BY idx)
     )
     SELECT p.idx, sum(CASE
         WHEN h.currency = $1 OR r.num IS NULL THEN h.mrr
         ELSE h.points * ((2 * h.native_mrr::HUGEINT * r.num + r.den) // (2 * r.den))
       END)
     FROM held h
     JOIN report_periods p ON h.idx <= p.idx AND p.idx < h.until
     LEFT JOIN rates_then r ON r.idx = p.idx AND r.currency = h.currency
     WHERE h.points <> 0
     GROUP BY p.idx`,
    [reportingCurrency],
  )) {
    customersMrrNow[int(idx)] = int(now);
  }

  let running = 0;
  return customersMrrNow.map((customersMrrNow, idx) => {
    running += mrr[idx]!;
    return { mrr: running, customersMrrNow };
  });
}
