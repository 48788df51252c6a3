-- The benchmark's peer (docs/performance.md): month-grain MRR movements the way the widely used
-- dbt MRR playbook computes them, written as a competent analyst would write them for DuckDB.
-- Each statement is one model, materialised as a table, like `dbt run` would.
--
-- Variables, set by the runner (bench/peer/run-peer.ts):
--   periods_csv   the month-aligned periods: customer_id, subscription_id, start_date,
--                 end_date (exclusive, first of a month), monthly_amount (reporting currency)
--   first_month   first month of the report, as DATE (the first of it)
--   last_month    last month of the report (the month of asOf)
--
-- Join shapes: every period is expanded into its months by unnest(range(...)) on its own row,
-- and the customer spine likewise from each customer's first and last month, so that every
-- join below is an equality join (hash join). The playbook's literal form, a join of a calendar
-- to the periods on `date_month >= start and date_month < end`, is a range join that DuckDB
-- plans as an IE join or, worse, a nested loop; it is not needed.
-- The runner checks the plans with EXPLAIN ANALYZE (--explain).

-- subscription_periods: the source, typed explicitly (no sniffing).
CREATE OR REPLACE TABLE subscription_periods AS
SELECT customer_id, subscription_id, start_date, end_date, monthly_amount
FROM read_csv(
  getvariable('periods_csv'),
  header = true, delim = ',', quote = '"', auto_detect = false,
  columns = {
    'customer_id': 'VARCHAR', 'subscription_id': 'VARCHAR',
    'start_date': 'DATE', 'end_date': 'DATE', 'monthly_amount': 'DECIMAL(18,2)'
  }
);

-- customer_revenue_by_month: MRR per customer and month, from each period's months.
CREATE OR REPLACE TABLE customer_revenue_by_month AS
WITH subscription_months AS (
  SELECT
    customer_id,
    monthly_amount,
    unnest(range(start_date, end_date, INTERVAL 1 MONTH))::DATE AS date_month
  FROM subscription_periods
)
SELECT customer_id, date_month, sum(monthly_amount) AS mrr
FROM subscription_months
WHERE date_month BETWEEN getvariable('first_month') AND getvariable('last_month')
GROUP BY customer_id, date_month;

-- customer_months: every customer from its first paying month to the month after its last
-- one (the churn month), capped at the report's last month; MRR 0 in the gaps; the previous
-- month's MRR by lag(); the playbook's change categories.
CREATE OR REPLACE TABLE customer_months AS
WITH customers AS (
  SELECT customer_id, min(date_month) AS first_month, max(date_month) AS last_month
  FROM customer_revenue_by_month
  GROUP BY customer_id
),
customer_spine AS (
  SELECT
    customer_id,
    first_month,
    unnest(range(
      first_month,
      least(last_month + INTERVAL 1 MONTH, getvariable('last_month')) + INTERVAL 1 MONTH,
      INTERVAL 1 MONTH
    ))::DATE AS date_month
  FROM customers
),
joined AS (
  SELECT
    spine.customer_id,
    spine.date_month,
    spine.date_month = spine.first_month AS is_first_month,
    coalesce(revenue.mrr, 0) AS mrr
  FROM customer_spine AS spine
  LEFT JOIN customer_revenue_by_month AS revenue
    ON revenue.customer_id = spine.customer_id AND revenue.date_month = spine.date_month
),
lagged AS (
  SELECT
    *,
    coalesce(lag(mrr) OVER (PARTITION BY customer_id ORDER BY date_month), 0) AS previous_mrr
  FROM joined
)
SELECT
  customer_id,
  date_month,
  mrr,
  previous_mrr,
  mrr - previous_mrr AS mrr_change,
  CASE
    WHEN is_first_month THEN 'new'
    WHEN mrr = 0 AND previous_mrr > 0 THEN 'churn'
    -- Paying again after a month at 0, having paid before.
    WHEN mrr > 0 AND previous_mrr = 0 THEN 'reactivation'
    WHEN mrr > previous_mrr THEN 'expansion'
    WHEN mrr < previous_mrr THEN 'contraction'
  END AS change_category
FROM lagged;

-- mrr_report: one row per month of the report.
CREATE OR REPLACE TABLE mrr_report AS
WITH months AS (
  SELECT unnest(range(getvariable('first_month'), getvariable('last_month') + INTERVAL 1 MONTH, INTERVAL 1 MONTH))::DATE AS date_month
),
by_month AS (
  SELECT
    date_month,
    sum(mrr) AS mrr,
    sum(previous_mrr) AS mrr_start,
    count(*) FILTER (WHERE mrr > 0) AS customers,
    sum(mrr_change) FILTER (WHERE change_category = 'new') AS new_mrr,
    sum(mrr_change) FILTER (WHERE change_category = 'expansion') AS expansion_mrr,
    sum(mrr_change) FILTER (WHERE change_category = 'contraction') AS contraction_mrr,
    sum(mrr_change) FILTER (WHERE change_category = 'churn') AS churn_mrr,
    sum(mrr_change) FILTER (WHERE change_category = 'reactivation') AS reactivation_mrr,
    count(*) FILTER (WHERE change_category = 'new') AS new_customers,
    count(*) FILTER (WHERE change_category = 'expansion') AS expansion_customers,
    count(*) FILTER (WHERE change_category = 'contraction') AS contraction_customers,
    count(*) FILTER (WHERE change_category = 'churn') AS churned_customers,
    count(*) FILTER (WHERE change_category = 'reactivation') AS reactivated_customers
  FROM customer_months
  GROUP BY date_month
)
SELECT
  months.date_month,
  coalesce(mrr, 0) AS mrr,
  coalesce(mrr_start, 0) AS mrr_start,
  coalesce(customers, 0) AS customers,
  coalesce(new_mrr, 0) AS new_mrr,
  coalesce(expansion_mrr, 0) AS expansion_mrr,
  coalesce(contraction_mrr, 0) AS contraction_mrr,
  coalesce(churn_mrr, 0) AS churn_mrr,
  coalesce(reactivation_mrr, 0) AS reactivation_mrr,
  coalesce(new_customers, 0) AS new_customers,
  coalesce(expansion_customers, 0) AS expansion_customers,
  coalesce(contraction_customers, 0) AS contraction_customers,
  coalesce(churned_customers, 0) AS churned_customers,
  coalesce(reactivated_customers, 0) AS reactivated_customers
FROM months
LEFT JOIN by_month ON by_month.date_month = months.date_month
ORDER BY months.date_month;
