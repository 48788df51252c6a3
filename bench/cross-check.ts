/**
 * The cross-check of performance.md: on the month-aligned periods, Runrate's MRR per customer
 * at every month end and its customer-month change categories must equal the peer's, and so
 * must the monthly report. A fast wrong answer is not a result.
 *
 * Both sides at month grain:
 * - Runrate: the movements of its store (exported to Parquet); a customer's MRR at a month end
 *   is the sum of its movements dated up to it (conservation, ARCHITECTURE.md invariant 1). Its
 *   category in a month comes from the types of its movements that month: `new`,
 *   `reactivation` or `churn` when there is one (every movement of a customer on one day has
 *   the same of these types), else the sign of their sum: `expansion` or `contraction`.
 * - Peer: the `customer_months` table of the playbook: month-end MRR and the category of
 *   the change from the month before.
 *
 * One intended difference, which the check allows for: Runrate's expansion and contraction are
 * per subscription (one upgraded and one downgraded subscription of a customer in a month give
 * one of each), while the playbook nets them per customer. The customer's category is the net
 * change either way, and the report compares expansion + contraction, not each.
 */
import { DuckDbSession, sqlString, type Row } from './duckdb-session.js';

export interface CrossCheckInput {
  /** The peer's database, with `customer_months` and `mrr_report`. */
  readonly peerDb: string;
  /** `runrate export --to X.parquet` of the store built from the periods dataset. */
  readonly runrateExport: string;
  readonly firstMonth: string;
  readonly lastMonth: string;
}

export interface CrossCheckResult {
  readonly ok: boolean;
  readonly customerMonths: number;
  readonly customers: number;
  readonly movements: number;
  /** Problems, each a line; and the first differing rows as tables. */
  readonly problems: string[];
  readonly customerMonthDiff: Row[];
  readonly reportDiff: Row[];
}

const SAMPLE = 20;

/** The report figures both sides compute: name, Runrate's expression, the peer's (in minor units). */
const REPORT_FIGURES: readonly (readonly [string, string, string])[] = [
  ['mrr', 'metrics.mrr', 'CAST(report.mrr * 100 AS BIGINT)'],
  ['mrr_start', 'metrics.mrr_start', 'CAST(report.mrr_start * 100 AS BIGINT)'],
  ['customers', 'metrics.customers', 'report.customers'],
  ['new', 'metrics."new"', 'CAST(report.new_mrr * 100 AS BIGINT)'],
  ['reactivation', 'metrics.reactivation', 'CAST(report.reactivation_mrr * 100 AS BIGINT)'],
  ['churn', 'metrics.churn', 'CAST(report.churn_mrr * 100 AS BIGINT)'],
  ['expansion + contraction', 'metrics.expansion + metrics.contraction', 'CAST((report.expansion_mrr + report.contraction_mrr) * 100 AS BIGINT)'],
  ['new_customers', 'metrics.new_customers', 'report.new_customers'],
  ['reactivated_customers', 'metrics.reactivated_customers', 'report.reactivated_customers'],
  ['churned_customers', 'metrics.churned_customers', 'report.churned_customers'],
];

function withoutExtension(parquet: string): string {
  return parquet.replace(/\.parquet$/, '');
}

export async function crossCheck(input: CrossCheckInput): Promise<CrossCheckResult> {
  const session = await DuckDbSession.open(':memory:');
  const problems: string[] = [];
  try {
    const first = `DATE ${sqlString(input.firstMonth)}`;
    const last = `DATE ${sqlString(input.lastMonth)}`;
    await session.run(`ATTACH ${sqlString(input.peerDb)} AS peer (READ_ONLY)`);
    await session.run(`CREATE TEMP TABLE rr_movements AS SELECT * FROM read_parquet(${sqlString(input.runrateExport)})`);

    const [shape] = await session.rows(`
      SELECT count(*) AS movements,
             count(*) FILTER (WHERE type = 'fx') AS fx,
             count(*) FILTER (WHERE date <> date_trunc('month', date)) AS off_month_start,
             count(DISTINCT customer_id) AS customers
      FROM rr_movements`);
    const movements = Number(shape?.movements ?? 0);
    if (Number(shape?.fx ?? 0) > 0) problems.push(`Runrate has ${String(shape?.fx)} fx movements on a dataset in the reporting currency only`);
    if (Number(shape?.off_month_start ?? 0) > 0) problems.push(`Runrate has ${String(shape?.off_month_start)} movements not dated on the first of a month`);

    await session.run(`
      CREATE TEMP TABLE rr_changes AS
      SELECT customer_id, date_trunc('month', date)::DATE AS date_month, sum(amount) AS net,
             bool_or(type = 'new') AS has_new, bool_or(type = 'reactivation') AS has_reactivation, bool_or(type = 'churn') AS has_churn,
             count(DISTINCT CASE WHEN type IN ('new', 'reactivation', 'churn') THEN type END) AS state_types,
             bool_or(type IN ('expansion', 'contraction')) AS has_change
      FROM rr_movements
      WHERE type <> 'fx'
      GROUP BY ALL`);
    const [mixed] = await session.rows(`SELECT count(*) AS n FROM rr_changes WHERE state_types > 1 OR (state_types = 1 AND has_change)`);
    if (Number(mixed?.n ?? 0) > 0) problems.push(`${String(mixed?.n)} Runrate customer-months mix movement types that the customer's state on one day cannot give`);

    await session.run(`
      CREATE TEMP TABLE rr_customer_months AS
      WITH customers AS (SELECT customer_id, min(date_month) AS first_month FROM rr_changes GROUP BY customer_id),
      spine AS (
        SELECT customer_id, unnest(range(first_month, ${last} + INTERVAL 1 MONTH, INTERVAL 1 MONTH))::DATE AS date_month FROM customers
      )
      SELECT spine.customer_id, spine.date_month,
             sum(coalesce(changes.net, 0)) OVER (PARTITION BY spine.customer_id ORDER BY spine.date_month) AS mrr,
             CASE WHEN changes.has_new THEN 'new' WHEN changes.has_reactivation THEN 'reactivation' WHEN changes.has_churn THEN 'churn'
                  WHEN changes.net > 0 THEN 'expansion' WHEN changes.net < 0 THEN 'contraction' END AS category
      FROM spine LEFT JOIN rr_changes AS changes ON changes.customer_id = spine.customer_id AND changes.date_month = spine.date_month`);
    await session.run(`
      CREATE TEMP TABLE peer_customer_months AS
      SELECT customer_id, date_month, CAST(mrr * 100 AS BIGINT) AS mrr, change_category AS category
      FROM peer.customer_months`);

    const diffQuery = `
      SELECT coalesce(rr.customer_id, pe.customer_id) AS customer_id, coalesce(rr.date_month, pe.date_month) AS month,
             rr.mrr AS runrate_mrr, pe.mrr AS peer_mrr, rr.category AS runrate_category, pe.category AS peer_category
      FROM (SELECT * FROM rr_customer_months WHERE date_month BETWEEN ${first} AND ${last}) AS rr
      FULL OUTER JOIN (SELECT * FROM peer_customer_months WHERE date_month BETWEEN ${first} AND ${last}) AS pe
        ON pe.customer_id = rr.customer_id AND pe.date_month = rr.date_month
      WHERE coalesce(rr.mrr, 0) <> coalesce(pe.mrr, 0) OR coalesce(rr.category, '') <> coalesce(pe.category, '')`;
    const [diffCount] = await session.rows(`SELECT count(*) AS n FROM (${diffQuery})`);
    const customerMonthDiff = await session.rows(`${diffQuery} ORDER BY 1, 2 LIMIT ${SAMPLE}`);
    if (Number(diffCount?.n ?? 0) > 0) problems.push(`${String(diffCount?.n)} customer-months differ in month-end MRR or change category`);
    const [sizes] = await session.rows(`
      SELECT (SELECT count(*) FROM peer_customer_months WHERE mrr <> 0 OR category IS NOT NULL) AS customer_months,
             (SELECT count(DISTINCT customer_id) FROM peer_customer_months) AS customers`);

    // The monthly report: Runrate's metrics against the playbook's mrr_report.
    const base = withoutExtension(input.runrateExport);
    await session.run(`CREATE TEMP TABLE rr_metrics AS SELECT * FROM read_parquet(${sqlString(`${base}.metrics.parquet`)})`);
    const reportDiff: Row[] = [];
    for (const [name, runrate, peer] of REPORT_FIGURES) {
      const rows = await session.rows(`
        SELECT strftime(report.date_month, '%Y-%m') AS month, ${sqlString(name)} AS figure, ${runrate} AS runrate, ${peer} AS peer
        FROM peer.mrr_report AS report
        LEFT JOIN rr_metrics AS metrics ON metrics.first = report.date_month
        WHERE report.date_month BETWEEN ${first} AND ${last} AND (${runrate}) IS DISTINCT FROM (${peer})
        ORDER BY 1`);
      reportDiff.push(...rows);
    }
    const [months] = await session.rows(`SELECT count(*) AS n FROM rr_metrics WHERE first BETWEEN ${first} AND ${last}`);
    const expectedMonths = await session.rows(`SELECT count(*) AS n FROM peer.mrr_report`);
    if (Number(months?.n ?? 0) !== Number(expectedMonths[0]?.n ?? -1)) problems.push(`Runrate reports ${String(months?.n)} months, the peer ${String(expectedMonths[0]?.n)}`);
    if (reportDiff.length > 0) problems.push(`${reportDiff.length} figures of the monthly report differ`);

    // The customers report on asOf against the peer's last month.
    const [customersDiff] = await session.rows(`
      SELECT count(*) AS n FROM read_parquet(${sqlString(`${base}.customers.parquet`)}) AS rr
      FULL OUTER JOIN (SELECT * FROM peer_customer_months WHERE date_month = ${last} AND mrr <> 0) AS pe ON pe.customer_id = rr.customer_id
      WHERE coalesce(rr.mrr, 0) <> coalesce(pe.mrr, 0)`);
    if (Number(customersDiff?.n ?? 0) > 0) problems.push(`${String(customersDiff?.n)} customers differ between Runrate's customers report on asOf and the peer's last month`);

    return {
      ok: problems.length === 0,
      customerMonths: Number(sizes?.customer_months ?? 0),
      customers: Number(sizes?.customers ?? 0),
      movements,
      problems,
      customerMonthDiff: problems.length > 0 ? customerMonthDiff : [],
      reportDiff: reportDiff.slice(0, SAMPLE),
    };
  } finally {
    session.close();
  }
}
