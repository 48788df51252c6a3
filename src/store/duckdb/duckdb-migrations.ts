/**
 * The DuckDB schema as numbered migrations, applied in order when a store is opened; a store
 * written by an older version upgrades itself. Never edit a released migration: add one.
 * Large source tables carry no index or key constraint: DuckDB scans columns fast, and the import
 * pipeline enforces keys itself (a re-imported id replaces its row).
 */
export const DUCKDB_MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly statements: readonly string[] }> = [
  {
    version: 1,
    statements: [
      `CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
      `CREATE TABLE customers (
        customer_id VARCHAR NOT NULL, name VARCHAR, email VARCHAR, company VARCHAR, country VARCHAR,
        created_at_date DATE, created_at_instant TIMESTAMPTZ, attributes VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE TABLE plans (
        plan_id VARCHAR NOT NULL, name VARCHAR, interval_unit VARCHAR NOT NULL, interval_count BIGINT NOT NULL, product VARCHAR,
        source_file VARCHAR NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE TABLE invoice_lines (
        line_id VARCHAR NOT NULL, invoice_id VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, subscription_id VARCHAR, plan_id VARCHAR,
        type VARCHAR NOT NULL, service_start_date DATE, service_start_instant TIMESTAMPTZ, service_end_date DATE,
        service_end_instant TIMESTAMPTZ, amount BIGINT NOT NULL, currency VARCHAR NOT NULL, quantity BIGINT NOT NULL,
        discount BIGINT NOT NULL, discount_duration VARCHAR, tax BIGINT NOT NULL, prorated BOOLEAN,
        cancelled_at_date DATE, cancelled_at_instant TIMESTAMPTZ, cancel_requested_at_date DATE,
        cancel_requested_at_instant TIMESTAMPTZ, issued_at_date DATE, issued_at_instant TIMESTAMPTZ, event_order BIGINT,
        source_file VARCHAR NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE TABLE subscription_events (
        event_id VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, type VARCHAR NOT NULL,
        effective_at_date DATE, effective_at_instant TIMESTAMPTZ, requested_at_date DATE, requested_at_instant TIMESTAMPTZ,
        plan_id VARCHAR, amount BIGINT, unit_amount BIGINT, quantity BIGINT NOT NULL, discount BIGINT NOT NULL,
        discount_duration VARCHAR, currency VARCHAR, interval_unit VARCHAR, interval_count BIGINT,
        paid_through_date DATE, paid_through_instant TIMESTAMPTZ, source_file VARCHAR NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE TABLE fx_rates (
        date DATE NOT NULL, base VARCHAR NOT NULL, quote VARCHAR NOT NULL, rate VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE TABLE movements (
        date DATE NOT NULL, customer_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, type VARCHAR NOT NULL, reason VARCHAR,
        amount BIGINT NOT NULL, currency VARCHAR NOT NULL, native_amount BIGINT NOT NULL, native_currency VARCHAR NOT NULL,
        customer_mrr BIGINT NOT NULL, plan_id VARCHAR, price_effect BIGINT, volume_effect BIGINT, mix_effect BIGINT,
        sources VARCHAR NOT NULL)`,
      `CREATE TABLE subscriptions (subscription_id VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, currency VARCHAR NOT NULL, plan_ids VARCHAR NOT NULL)`,
      `CREATE TABLE timeline_points (
        customer_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, scheduled BOOLEAN NOT NULL, date DATE NOT NULL,
        native_mrr BIGINT NOT NULL, mrr BIGINT NOT NULL, plan_id VARCHAR)`,
      `CREATE TABLE engine_rejects (customer_id VARCHAR NOT NULL, file VARCHAR NOT NULL, line BIGINT NOT NULL, column_name VARCHAR NOT NULL, message VARCHAR NOT NULL)`,
      `CREATE TABLE data_warnings (customer_id VARCHAR NOT NULL, code VARCHAR NOT NULL, message VARCHAR NOT NULL, subscription_id VARCHAR, date DATE)`,
    ],
  },
  {
    // The import ledger: every import's counts, and its rejected rows with their raw text.
    version: 2,
    statements: [
      `CREATE TABLE imports (
        import_id BIGINT NOT NULL, started_at VARCHAR NOT NULL, paths VARCHAR NOT NULL, rows_read BIGINT NOT NULL,
        rows_new BIGINT NOT NULL, rows_replaced BIGINT NOT NULL, rows_unchanged BIGINT NOT NULL, rows_rejected BIGINT NOT NULL,
        recomputed VARCHAR NOT NULL)`,
      `CREATE TABLE rejects (import_id BIGINT NOT NULL, file VARCHAR NOT NULL, line BIGINT NOT NULL, column_name VARCHAR NOT NULL, message VARCHAR NOT NULL, raw_row VARCHAR)`,
    ],
  },
  {
    // Spans of MRR by day, so whole-business reports join "the value on day X" by range instead of
    // recomputing it from every movement: a point holds until the next one, a customer's MRR
    // from one day with movements to the next.
    version: 3,
    statements: [
      `ALTER TABLE timeline_points ADD COLUMN valid_to DATE`,
      `UPDATE timeline_points AS t SET valid_to = n.valid_to
       FROM (SELECT rowid AS id, coalesce(lead(date) OVER (PARTITION BY subscription_id, scheduled ORDER BY date), DATE '9999-12-31') AS valid_to FROM timeline_points) n
       WHERE t.rowid = n.id`,
      `CREATE TABLE customer_states (customer_id VARCHAR NOT NULL, valid_from DATE NOT NULL, valid_to DATE NOT NULL, mrr BIGINT NOT NULL)`,
      `INSERT INTO customer_states
       SELECT customer_id, date, coalesce(lead(date) OVER (PARTITION BY customer_id ORDER BY date), DATE '9999-12-31'), mrr
       FROM (SELECT customer_id, date, max(customer_mrr) AS mrr FROM movements GROUP BY customer_id, date)`,
    ],
  },
  {
    // Whole-business report figures kept once computed (docs/store.md): a report asked again
    // reads them instead of joining every movement. Any change to the source or derived rows
    // empties it, in the same transaction.
    version: 4,
    statements: [`CREATE TABLE report_figures (request_key VARCHAR NOT NULL PRIMARY KEY, figures_json VARCHAR NOT NULL)`],
  },
];
