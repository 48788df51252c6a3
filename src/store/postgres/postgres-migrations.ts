/**
 * The PostgreSQL schema as numbered migrations, applied in order when a store is opened; a store
 * written by an older version upgrades itself. Never edit a released migration: add one.
 *
 * The tables and columns are those of duckdb-migrations.ts (same names, same order, same split
 * between versions), in PostgreSQL types. Unlike DuckDB, PostgreSQL looks rows up through
 * indexes: source keys are primary keys (the merge joins on them), and every table a recompute
 * deletes from per customer has an index on customer_id.
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly statements: readonly string[] }> = [
  {
    version: 1,
    statements: [
      `CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      `CREATE TABLE customers (
        customer_id TEXT NOT NULL PRIMARY KEY, name TEXT, email TEXT, company TEXT, country TEXT,
        created_at_date DATE, created_at_instant TIMESTAMPTZ, attributes TEXT NOT NULL,
        source_file TEXT NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE TABLE plans (
        plan_id TEXT NOT NULL PRIMARY KEY, name TEXT, interval_unit TEXT NOT NULL, interval_count BIGINT NOT NULL, product TEXT,
        source_file TEXT NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE TABLE invoice_lines (
        line_id TEXT NOT NULL PRIMARY KEY, invoice_id TEXT NOT NULL, customer_id TEXT NOT NULL, subscription_id TEXT, plan_id TEXT,
        type TEXT NOT NULL, service_start_date DATE, service_start_instant TIMESTAMPTZ, service_end_date DATE,
        service_end_instant TIMESTAMPTZ, amount BIGINT NOT NULL, currency TEXT NOT NULL, quantity BIGINT NOT NULL,
        discount BIGINT NOT NULL, discount_duration TEXT, tax BIGINT NOT NULL, prorated BOOLEAN,
        cancelled_at_date DATE, cancelled_at_instant TIMESTAMPTZ, cancel_requested_at_date DATE,
        cancel_requested_at_instant TIMESTAMPTZ, issued_at_date DATE, issued_at_instant TIMESTAMPTZ, event_order BIGINT,
        source_file TEXT NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE INDEX invoice_lines_customer_id ON invoice_lines (customer_id)`,
      `CREATE INDEX invoice_lines_subscription_id ON invoice_lines (subscription_id)`,
      `CREATE INDEX invoice_lines_plan_id ON invoice_lines (plan_id)`,
      `CREATE TABLE subscription_events (
        event_id TEXT NOT NULL PRIMARY KEY, customer_id TEXT NOT NULL, subscription_id TEXT NOT NULL, type TEXT NOT NULL,
        effective_at_date DATE, effective_at_instant TIMESTAMPTZ, requested_at_date DATE, requested_at_instant TIMESTAMPTZ,
        plan_id TEXT, amount BIGINT, unit_amount BIGINT, quantity BIGINT NOT NULL, discount BIGINT NOT NULL,
        discount_duration TEXT, currency TEXT, interval_unit TEXT, interval_count BIGINT,
        paid_through_date DATE, paid_through_instant TIMESTAMPTZ, source_file TEXT NOT NULL, source_line BIGINT NOT NULL)`,
      `CREATE INDEX subscription_events_customer_id ON subscription_events (customer_id)`,
      `CREATE INDEX subscription_events_subscription_id ON subscription_events (subscription_id)`,
      `CREATE INDEX subscription_events_plan_id ON subscription_events (plan_id)`,
      `CREATE TABLE fx_rates (
        date DATE NOT NULL, base TEXT NOT NULL, quote TEXT NOT NULL, rate TEXT NOT NULL,
        source_file TEXT NOT NULL, source_line BIGINT NOT NULL, PRIMARY KEY (date, base, quote))`,
      `CREATE TABLE movements (
        date DATE NOT NULL, customer_id TEXT NOT NULL, subscription_id TEXT NOT NULL, type TEXT NOT NULL, reason TEXT,
        amount BIGINT NOT NULL, currency TEXT NOT NULL, native_amount BIGINT NOT NULL, native_currency TEXT NOT NULL,
        customer_mrr BIGINT NOT NULL, plan_id TEXT, price_effect BIGINT, volume_effect BIGINT, mix_effect BIGINT,
        sources TEXT NOT NULL)`,
      `CREATE INDEX movements_customer_id ON movements (customer_id)`,
      `CREATE TABLE subscriptions (subscription_id TEXT NOT NULL, customer_id TEXT NOT NULL, currency TEXT NOT NULL, plan_ids TEXT NOT NULL)`,
      `CREATE INDEX subscriptions_customer_id ON subscriptions (customer_id)`,
      `CREATE TABLE timeline_points (
        customer_id TEXT NOT NULL, subscription_id TEXT NOT NULL, scheduled BOOLEAN NOT NULL, date DATE NOT NULL,
        native_mrr BIGINT NOT NULL, mrr BIGINT NOT NULL, plan_id TEXT)`,
      `CREATE INDEX timeline_points_customer_id ON timeline_points (customer_id)`,
      `CREATE TABLE engine_rejects (customer_id TEXT NOT NULL, file TEXT NOT NULL, line BIGINT NOT NULL, column_name TEXT NOT NULL, message TEXT NOT NULL)`,
      `CREATE INDEX engine_rejects_customer_id ON engine_rejects (customer_id)`,
      `CREATE TABLE data_warnings (customer_id TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, subscription_id TEXT, date DATE)`,
      `CREATE INDEX data_warnings_customer_id ON data_warnings (customer_id)`,
    ],
  },
  {
    // The import ledger: every import's counts, and its rejected rows with their raw text.
    version: 2,
    statements: [
      `CREATE TABLE imports (
        import_id BIGINT NOT NULL PRIMARY KEY, started_at TEXT NOT NULL, paths TEXT NOT NULL, rows_read BIGINT NOT NULL,
        rows_new BIGINT NOT NULL, rows_replaced BIGINT NOT NULL, rows_unchanged BIGINT NOT NULL, rows_rejected BIGINT NOT NULL,
        recomputed TEXT NOT NULL)`,
      `CREATE TABLE rejects (import_id BIGINT NOT NULL, file TEXT NOT NULL, line BIGINT NOT NULL, column_name TEXT NOT NULL, message TEXT NOT NULL, raw_row TEXT)`,
      `CREATE INDEX rejects_import_id ON rejects (import_id)`,
    ],
  },
  {
    // Spans of MRR by day (see the DuckDB migration 3): a point holds until the next one, a
    // customer's MRR from one day with movements to the next.
    version: 3,
    statements: [
      `ALTER TABLE timeline_points ADD COLUMN valid_to DATE`,
      `UPDATE timeline_points AS t SET valid_to = n.valid_to
       FROM (SELECT ctid AS id, coalesce(lead(date) OVER (PARTITION BY subscription_id, scheduled ORDER BY date), DATE '9999-12-31') AS valid_to FROM timeline_points) n
       WHERE t.ctid = n.id`,
      `CREATE TABLE customer_states (customer_id TEXT NOT NULL, valid_from DATE NOT NULL, valid_to DATE NOT NULL, mrr BIGINT NOT NULL)`,
      `INSERT INTO customer_states
       SELECT customer_id, date, coalesce(lead(date) OVER (PARTITION BY customer_id ORDER BY date), DATE '9999-12-31'), mrr
       FROM (SELECT customer_id, date, max(customer_mrr) AS mrr FROM movements GROUP BY customer_id, date) days`,
      `CREATE INDEX customer_states_customer_id ON customer_states (customer_id)`,
    ],
  },
  {
    // Kept whole-business report figures (see the DuckDB migration 4), for schema parity. The
    // PostgreSQL store has no SQL fast path yet, so nothing reads or writes them; a fast path
    // added later must empty the table on every change, as the DuckDB store does.
    version: 4,
    statements: [`CREATE TABLE report_figures (request_key TEXT NOT NULL PRIMARY KEY, figures_json TEXT NOT NULL)`],
  },
];
