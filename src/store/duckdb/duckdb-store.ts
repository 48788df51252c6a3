/**
 * The embedded store: one DuckDB file. Bulk rows go in through the appender into staging tables
 * and are merged with set-based SQL; every import is one transaction, so a killed process leaves
 * the file as it was. DuckDB allows one writing process: a second gets StoreBusyError.
 */
import { totalmem } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBDateValue, DuckDBInstance, DuckDBTimestampTZValue, type DuckDBAppender } from '@duckdb/node-api';
import type { CalendarDate } from '../../engine/calendar/calendar-date.js';
import { compareMovements } from '../../engine/compute-movements.js';
import { compareStrings } from '../../engine/subscription/subscription-state.js';
import type { Dataset, FxRate } from '../../engine/model.js';
import type { Movement } from '../../engine/movement.js';
import type { PeriodFigures } from '../../engine/report/metrics-report.js';
import type { Period } from '../../engine/report/period.js';
import { addShares, copyShares, duckdbPeriodFigures, SHARE_TABLES, type ComputedFigures } from './duckdb-period-figures.js';
import { assert } from '../../engine/assert.js';
import {
  assembleTimelines,
  CUSTOMERS,
  DATA_WARNINGS,
  DERIVED_TABLES,
  derivedRecords,
  recordsFromDocuments,
  ENGINE_REJECTS,
  FX_RATES,
  IMPORTS,
  INVOICE_LINES,
  MOVEMENTS,
  PLANS,
  REJECTS,
  SOURCE_KEYS,
  SUBSCRIPTION_EVENTS,
  SUBSCRIPTIONS,
  TIMELINE_POINTS,
  type Cell,
  type ColumnDef,
  type TableDef,
} from '../store-tables.js';
import {
  StoreBusyError,
  StoreError,
  type CsvStagingOutcome,
  type CsvStagingRequest,
  type DerivedCells,
  type DerivedRows,
  type ImportRecord,
  type MinorUnitRate,
  type MergeResult,
  type RunrateStore,
  type SourceDocuments,
  type StoreSnapshot,
  type StoredReject,
  type StoreTransaction,
} from '../store-port.js';
import { DUCKDB_MIGRATIONS } from './duckdb-migrations.js';
import { SourceRowStaging, type StagedTableMerge } from '../merge-source-rows.js';
import { quote, sqlString } from './duckdb-sql-text.js';
import { csvStagingTable, stageCsvFile } from './stage-csv-file.js';
import { copySteps, type RowidRange } from './copy-steps.js';
import { rowGroupRows } from './row-group-rows.js';


/** What a kept answer is for (its key), and what is kept: the figures and the rates they used. */
interface KeptRequest {
  readonly reportingCurrency: string;
  readonly periods: readonly Period[];
  readonly lookbackMonths: readonly Period[];
}
type KeptValue = ComputedFigures;

/** The figures of a kept answer; versions before the rates were kept stored the list alone. */
function keptFigures(json: string): PeriodFigures[] {
  const value = JSON.parse(json) as KeptValue | PeriodFigures[];
  return Array.isArray(value) ? value : value.figures;
}
/**
 * A customer's lines and events are read in key order, not in the order they were stored: a
 * plain CSV file's doubtful rows are staged after the rest (stage-csv-file.ts), and what a store
 * holds must not depend on how its rows travelled.
 */
const BY_KEY = { invoice_lines: 'line_id', subscription_events: 'event_id' } as const;


/** The SELECT expression that reads a column as a plain JS cell (days, epoch ms, integers). */
function readExpression(column: ColumnDef, alias = ''): string {
  const name = `${alias}${quote(column.name)}`;
  switch (column.type) {
    case 'date':
      return `(${name} - DATE '1970-01-01')::BIGINT`;
    case 'instant':
      return `epoch_ms(${name})`;
    default:
      return name;
  }
}

function selectList(table: TableDef<unknown>, alias = ''): string {
  return table.columns.map((column) => readExpression(column, alias)).join(', ');
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    assert(value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER), `stored integer out of range: ${value}`);
    return Number(value);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new StoreError(`unexpected value read from DuckDB: ${String(value)}`);
}

function append(appender: DuckDBAppender, column: ColumnDef, cell: Cell): void {
  if (cell === null) {
    appender.appendNull();
    return;
  }
  switch (column.type) {
    case 'text':
      appender.appendVarchar(cell as string);
      break;
    case 'bigint':
      appender.appendBigInt(BigInt(cell as number));
      break;
    case 'date':
      appender.appendDate(new DuckDBDateValue(cell as number));
      break;
    case 'instant':
      appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(cell as number) * 1000n));
      break;
    case 'boolean':
      appender.appendBoolean(cell as boolean);
      break;
  }
}

/** A first import's copy from its staging table into the stored table, owed until done (continueMerge). */
interface DeferredCopy {
  readonly table: string;
  readonly staging: string;
  /** The rowid ranges not copied yet, in order (copySteps). */
  readonly steps: RowidRange[];
}

/** The tables whose copy may wait: the large ones. */
const DEFERRABLE_COPIES = new Set(['customers', 'invoice_lines', 'subscription_events']);
/** About two of DuckDB's row groups per step: short enough not to keep a computed chunk waiting long. */
const COPY_STEP_ROWS = 2n * 122_880n;

/** "Conflicting lock is held in /usr/bin/node (PID 1234)" → 1234. */
function lockHolder(message: string): number | null | undefined {
  if (!/Could not set lock on file|Conflicting lock/i.test(message)) return undefined;
  const pid = /PID (\d+)/.exec(message);
  return pid ? Number(pid[1]) : null;
}

class DuckDbStore implements RunrateStore, StoreTransaction {
  readonly backend = 'duckdb';
  /** One connection, one transaction at a time: later callers wait their turn. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Whether the schema has the table of kept figures (tests open stores short of the last migration). */
  private keepsReportFigures = false;
  /** The source rows staged in the current transaction. */
  private staging = this.newStaging();
  /** Copies into stored tables put off until the computing thread is busy (continueMerge). */
  private deferredCopies: DeferredCopy[] = [];
  /**
   * The current transaction's state, in an object so that a caller's wrapper of the transaction
   * (Object.create) writes it here. `wroteStoredTables`: whether it has written to the store file
   * (see commitStaging). `distinctStagingKeys`: the staging tables whose keys are known distinct
   * (a CSV file's checked rows alone), which the merge need not count. `withoutDerivedRows`: the
   * customers whose derived rows it deleted and has not appended since.
   */
  private readonly current = { wroteStoredTables: false, distinctStagingKeys: new Set<string>(), withoutDerivedRows: new Set<string>() };

  constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly copyStepRows: bigint = COPY_STEP_ROWS,
  ) {}

  private async rows(sql: string): Promise<Cell[][]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRows().map((row) => row.map(toCell));
  }

  private async readTable<R>(table: TableDef<R>, where = '', order = ''): Promise<R[]> {
    const rows = await this.rows(`SELECT ${selectList(table as TableDef<unknown>)} FROM ${quote(table.name)} ${where} ${order}`);
    return rows.map((row) => table.fromRow(row));
  }

  /**
   * A table with a customer_id column as one JSON document per customer (see
   * recordsFromDocuments): DuckDB's node API converts values one at a time, which made reading a
   * large table back six times slower than letting DuckDB write JSON and V8 parse it. Rows come
   * in customer order, and within a customer in `orderWithin` (default: as stored), so that a
   * read never depends on DuckDB's threads. `orderWithin` null is for the engine alone, whose
   * output does not depend on the order of its input (a property test shuffles rows): the rows
   * come in any order, as one document for the whole selection. Sorting every customer's list
   * was a third of the query, and grouping the rows per customer another 30 % at L.
   */
  private async customerDocuments(table: TableDef<unknown>, where = '', orderWithin: string | null = 'rowid'): Promise<string[]> {
    assert(table.columns.some((column) => column.name === 'customer_id'), `${table.name} has no customer_id`);
    if (where === '') return this.tableDocuments(table, orderWithin);
    if (orderWithin === null) {
      const [row] = await this.rows(`SELECT coalesce('[' || string_agg(json_array(${selectList(table)})::VARCHAR, ',') || ']', '[]') FROM ${this.sourceTable(table.name)} ${where}`);
      return [row![0] as string];
    }
    const reader = await this.connection.runAndReadAll(
      `SELECT to_json(list(json_array(${selectList(table)}) ORDER BY ${orderWithin}))::VARCHAR
       FROM ${this.sourceTable(table.name)} ${where} GROUP BY customer_id ORDER BY customer_id`,
    );
    return reader.getRows().map(([document]) => document as string);
  }

  /**
   * A whole table in the same order and form, streamed a data chunk at a time: grouping every
   * customer's rows into lists at once held them all in DuckDB's memory, past its limit at a
   * million customers, where a sorted stream spills.
   */
  private async tableDocuments(table: TableDef<unknown>, orderWithin: string | null): Promise<string[]> {
    const result = await this.connection.stream(
      `SELECT json_array(${selectList(table)})::VARCHAR FROM ${this.sourceTable(table.name)} ORDER BY customer_id${orderWithin === null ? '' : `, ${orderWithin}`}`,
    );
    const documents: string[] = [];
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      documents.push(`[${(chunk.getColumnValues(0) as string[]).join(',')}]`);
    }
    return documents;
  }

  private async readCustomerRows<R>(table: TableDef<R>, where = '', orderWithin = 'rowid'): Promise<R[]> {
    return recordsFromDocuments(table, await this.customerDocuments(table as TableDef<unknown>, where, orderWithin));
  }

  /** `temp`: the table is a temporary one (staging), which DuckDB keeps in the `temp` catalog. */
  private async appendRows<R>(tableName: string, table: TableDef<R>, records: readonly R[], temp = false): Promise<void> {
    await this.appendEach(tableName, table as TableDef<unknown>, records.length, (index) => table.toRow(records[index]!), temp);
  }

  private async appendCells(tableName: string, table: TableDef<unknown>, rows: ReadonlyArray<ReadonlyArray<Cell>>): Promise<void> {
    await this.appendEach(tableName, table, rows.length, (index) => rows[index]!);
  }

  private async appendEach(tableName: string, table: TableDef<unknown>, count: number, cellsOf: (index: number) => ReadonlyArray<Cell>, temp = false): Promise<void> {
    if (count === 0) return;
    const appender = temp ? await this.connection.createAppender(tableName, 'main', 'temp') : await this.connection.createAppender(tableName);
    try {
      for (let index = 0; index < count; index++) {
        const cells = cellsOf(index);
        for (let i = 0; i < table.columns.length; i++) append(appender, table.columns[i]!, cells[i] ?? null);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Fills the temp table `selected_customers` with ids, for joins instead of huge IN lists. */
  private async selectCustomers(customerIds: readonly string[]): Promise<void> {
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE selected_customers (customer_id VARCHAR)`);
    if (customerIds.length === 0) return;
    const appender = await this.connection.createAppender('selected_customers', 'main', 'temp');
    try {
      for (const id of customerIds) {
        appender.appendVarchar(id);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async migrate(upTo = Infinity): Promise<void> {
    await this.connection.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL, applied_at VARCHAR NOT NULL)`);
    const current = await this.schemaVersion();
    for (const migration of DUCKDB_MIGRATIONS) {
      if (migration.version <= current || migration.version > upTo) continue;
      await this.connection.run('BEGIN TRANSACTION');
      try {
        for (const statement of migration.statements) await this.connection.run(statement);
        await this.connection.run(`INSERT INTO schema_migrations VALUES ($1, $2)`, [migration.version, new Date().toISOString()]);
        await this.connection.run('COMMIT');
      } catch (error) {
        await this.connection.run('ROLLBACK');
        throw error;
      }
    }
    this.keepsReportFigures = (await this.schemaVersion()) >= 4;
  }

  async schemaVersion(): Promise<number> {
    const rows = await this.rows(`SELECT coalesce(max(version), 0) FROM schema_migrations`);
    return Number(rows[0]![0]);
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const run = async () => {
      this.staging = this.newStaging();
      this.deferredCopies = [];
      this.current.wroteStoredTables = false;
      this.current.distinctStagingKeys.clear();
      this.current.withoutDerivedRows.clear();
      await this.connection.run('BEGIN TRANSACTION');
      try {
        const result = await work(this);
        await this.finishDeferredCopies();
        await this.connection.run('COMMIT');
        // A write leaves its working tables (selected customers, currencies, shares): a process
        // that lives on (the API) would otherwise hold them until it ends.
        if (this.current.wroteStoredTables) await this.dropTemporaryTables();
        return result;
      } catch (error) {
        this.deferredCopies = [];
        await this.connection.run('ROLLBACK');
        // Staging committed on the way (commitStaging) is not rolled back: free it.
        await this.dropTemporaryTables();
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private newStaging(): SourceRowStaging {
    return new SourceRowStaging({
      stageTable: (table, records, fresh) => this.stageTable(table, records, fresh),
      mergeStagedTable: (table) => this.mergeStagedTable(table),
      readIds: async (sql) => (await this.rows(sql)).map(([id]) => id as string),
      applyChanges: (table, changed) => this.applyChanges(table, changed),
      quote,
    });
  }

  // StoreTransaction ---------------------------------------------------------------------------

  /**
   * DuckDB admits one writing process, and this store runs one transaction at a time: no lock to
   * take. The staged rows are committed here (commitStaging), before the merge reads them.
   */
  async lockForWrite(): Promise<void> {
    await this.commitStaging();
  }

  /**
   * Commits the transaction so far, and begins the next, while it has only staged rows in
   * temporary tables, which live in the connection and never in the store file: the store file
   * still changes in one transaction. Why: DuckDB reads a table created in the running
   * transaction on one thread, and a committed one on all of them; the check pass of a large CSV
   * file (13 s at L) and the merge read what staging wrote. Once the transaction has written to
   * the store file, it never commits half way.
   */
  private async commitStaging(): Promise<void> {
    if (this.current.wroteStoredTables) return;
    await this.connection.run('COMMIT');
    await this.connection.run('BEGIN TRANSACTION');
  }

  private async dropTemporaryTables(): Promise<void> {
    const tables = (await this.connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE temporary`)).getRows();
    for (const [name] of tables) await this.connection.run(`DROP TABLE IF EXISTS temp.${quote(String(name))}`);
  }

  async getMeta(key: string): Promise<string | null> {
    const reader = await this.connection.runAndReadAll(`SELECT value FROM store_meta WHERE key = $1`, [key]);
    const row = reader.getRows()[0];
    return row ? String(row[0]) : null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.current.wroteStoredTables = true;
    await this.connection.run(`DELETE FROM store_meta WHERE key = $1`, [key]);
    await this.connection.run(`INSERT INTO store_meta VALUES ($1, $2)`, [key, value]);
  }

  private async stageTable<R>(table: TableDef<R>, records: readonly R[], fresh: boolean): Promise<void> {
    const staging = `staging_${table.name}`;
    this.current.distinctStagingKeys.delete(staging);
    if (fresh) await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${staging} AS SELECT * FROM ${quote(table.name)} LIMIT 0`);
    await this.appendRows(staging, table, records, true);
  }

  /**
   * Keeps the last staged row of each key (appended rows keep their order in rowid) and collects
   * what changed. The common cases skip work that grows with the data: without repeated keys no
   * window ranks the rows, and into an empty table every staged row is new, so the staging table
   * is the change itself (at a million customers the general query spilled to disk for minutes).
   */
  private async mergeStagedTable<R>(table: TableDef<R>): Promise<StagedTableMerge> {
    const name = quote(table.name);
    const staging = `staging_${table.name}`;
    const keys = SOURCE_KEYS[table.name]!;
    const keyList = keys.map(quote).join(', ');
    const keyMatch = keys.map((key) => `m.${quote(key)} = s.${quote(key)}`).join(' AND ');
    const sameRow = table.columns.map((column) => `m.${quote(column.name)} IS NOT DISTINCT FROM s.${quote(column.name)}`).join(' AND ');
    const known = this.current.distinctStagingKeys.has(staging);
    const [staged] = await this.rows(`SELECT count(*), ${known ? 'count(*)' : `count(DISTINCT (${keyList}))`}, NOT EXISTS (SELECT 1 FROM ${name}) FROM ${staging}`);
    const read = Number(staged![0]);
    const distinct = Number(staged![1]);
    const intoEmpty = staged![2] === true;
    if (read === distinct && intoEmpty) return { counts: { read, new: read, replaced: 0, unchanged: 0 }, changed: staging, allNew: true };

    const changed = `changed_${table.name}`;
    const latest =
      read === distinct
        ? staging
        : `(SELECT * EXCLUDE (row_order) FROM (SELECT *, row_number() OVER (PARTITION BY ${keyList} ORDER BY rowid DESC) AS row_order FROM ${staging}) WHERE row_order = 1)`;
    // The stored rows with a staged key first, found by the key columns alone: comparing every
    // column against the whole table read all of it (0.56 s of a 1,000-line import at L).
    const stored = `stored_${table.name}`;
    await this.connection.run(
      keys.length === 1
        ? `CREATE OR REPLACE TEMP TABLE ${stored} AS SELECT * FROM ${name} WHERE ${keyList} IN (SELECT ${keyList} FROM ${staging})`
        : `CREATE OR REPLACE TEMP TABLE ${stored} AS SELECT m.* FROM ${name} m JOIN (SELECT DISTINCT ${keyList} FROM ${staging}) s ON ${keyMatch}`,
    );
    await this.connection.run(
      `CREATE OR REPLACE TEMP TABLE ${changed} AS
       SELECT * FROM ${latest} s
       WHERE NOT EXISTS (SELECT 1 FROM ${stored} m WHERE ${keyMatch} AND ${sameRow})`,
    );
    const [counts] = await this.rows(
      `SELECT
         (SELECT count(*) FROM ${changed} s WHERE NOT EXISTS (SELECT 1 FROM ${stored} m WHERE ${keyMatch})),
         (SELECT count(*) FROM ${changed})`,
    );
    await this.connection.run(`DROP TABLE IF EXISTS temp.${stored}`);
    const [added, changedCount] = counts!.map(Number) as [number, number];
    return { counts: { read, new: added, replaced: changedCount - added, unchanged: distinct - changedCount }, changed, allNew: false };
  }

  private async applyChanges(table: TableDef<unknown>, { changed, allNew }: StagedTableMerge): Promise<void> {
    if (allNew && DEFERRABLE_COPIES.has(table.name)) {
      // Every staged row is new to an empty table: the copy can wait.
      // Read as BigInt: rows staged in a transaction are numbered from 2^55, past a JS number.
      const [first, last] = (await this.connection.runAndReadAll(`SELECT min(rowid), max(rowid) FROM temp.${changed}`)).getRows()[0]!;
      if (typeof first === 'bigint' && typeof last === 'bigint') {
        // Steps of whole row groups of the staged table (copySteps).
        const steps = copySteps(first, last, await rowGroupRows(this.connection, `temp.${changed}`), this.copyStepRows);
        this.deferredCopies.push({ table: table.name, staging: changed, steps });
      } else await this.connection.run(`DROP TABLE IF EXISTS temp.${changed}`);
      return;
    }
    const keys = SOURCE_KEYS[table.name]!;
    const keyMatch = keys.map((key) => `m.${quote(key)} = s.${quote(key)}`).join(' AND ');
    await this.connection.run(`DELETE FROM ${quote(table.name)} m WHERE EXISTS (SELECT 1 FROM ${changed} s WHERE ${keyMatch})`);
    await this.connection.run(`INSERT INTO ${quote(table.name)} SELECT * FROM ${changed}`);
    // Staged rows hold memory (or spill) until dropped: a large import needs it for computing.
    await this.connection.run(`DROP TABLE IF EXISTS temp.${changed}`);
    await this.connection.run(`DROP TABLE IF EXISTS temp.staging_${table.name}`);
  }

  async mergeSourceRows(batch: Dataset): Promise<MergeResult> {
    await this.stageSourceRows(batch);
    return this.mergeStagedRows();
  }

  async stageSourceRows(part: Dataset): Promise<void> {
    // A new staging table must not replace one whose copy is still owed.
    await this.finishDeferredCopies();
    await this.staging.stage(part);
  }

  async stageCsvFile(request: CsvStagingRequest): Promise<CsvStagingOutcome | null> {
    await this.finishDeferredCopies();
    const table = csvStagingTable(request.kind);
    await this.staging.prepare(table);
    const staging = `staging_${table.name}`;
    const staged = await stageCsvFile(this.connection, request, staging, () => this.commitStaging());
    if (staged === null) return null;
    const { stagingKeysDistinct, ...outcome } = staged;
    if (stagingKeysDistinct) this.current.distinctStagingKeys.add(staging);
    else this.current.distinctStagingKeys.delete(staging);
    return outcome;
  }

  async mergeStagedRows(): Promise<MergeResult> {
    this.current.wroteStoredTables = true;
    await this.finishDeferredCopies();
    const result = await this.staging.merge();
    // Kept figures depend on the source rows through the derived rows (whose changes update
    // them) and, for nrr_12m, on the exchange rates.
    if (result.ratesChanged) await this.forgetReportFigures();
    return result;
  }

  private async customerQuery(sql: string): Promise<string[]> {
    return (await this.rows(sql)).map(([id]) => id as string);
  }

  /**
   * One step of a copy put off by applyChanges: a first import's staged rows go into the stored
   * table a couple of row groups at a time, while the caller waits for its computing thread. The
   * copy is most of a first import's merge (1.5 s of 12 s for the M periods, on one core); put
   * off, it runs beside the engine instead of before it. False when no copy is left.
   */
  async continueMerge(): Promise<boolean> {
    const copy = this.deferredCopies[0];
    if (!copy) return false;
    const step = copy.steps.shift();
    assert(step !== undefined, `no step left in the copy of ${copy.table}`);
    await this.connection.run(`INSERT INTO ${quote(copy.table)} SELECT * FROM temp.${copy.staging} WHERE rowid BETWEEN ${step.first} AND ${step.last}`);
    if (copy.steps.length === 0) {
      await this.connection.run(`DROP TABLE IF EXISTS temp.${copy.staging}`);
      this.deferredCopies.shift();
    }
    return true;
  }

  /** Whatever copy is still owed, before anything that reads the stored tables whole. */
  private async finishDeferredCopies(): Promise<void> {
    while (await this.continueMerge());
  }

  /**
   * Where a source table's rows are while its copy is owed: all in the staging table, some in the
   * stored one. The queries of a recompute read from here.
   */
  private sourceTable(name: string): string {
    const copy = this.deferredCopies.find((deferred) => deferred.table === name);
    return copy ? `temp.${copy.staging}` : quote(name);
  }

  async customersOnPlans(planIds: readonly string[]): Promise<string[]> {
    if (planIds.length === 0) return [];
    await this.finishDeferredCopies();
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE selected_plans AS SELECT unnest(from_json($1, '["VARCHAR"]')) AS plan_id`, [JSON.stringify(planIds)]);
    return this.customerQuery(
      `SELECT customer_id FROM invoice_lines WHERE plan_id IN (SELECT plan_id FROM selected_plans)
       UNION SELECT customer_id FROM subscription_events WHERE plan_id IN (SELECT plan_id FROM selected_plans)`,
    );
  }

  async customersBilledOutside(currency: string): Promise<string[]> {
    await this.finishDeferredCopies();
    const reader = await this.connection.runAndReadAll(
      `SELECT customer_id FROM invoice_lines WHERE currency <> $1 UNION SELECT customer_id FROM subscription_events WHERE currency <> $1`,
      [currency],
    );
    return reader.getRows().map(([id]) => String(id));
  }

  async withSharedSubscriptions(customerIds: readonly string[]): Promise<string[]> {
    await this.finishDeferredCopies();
    await this.selectCustomers(customerIds);
    return this.customerQuery(
      `WITH touched AS (
         SELECT subscription_id FROM invoice_lines WHERE customer_id IN (SELECT customer_id FROM selected_customers) AND subscription_id IS NOT NULL
         UNION SELECT subscription_id FROM subscription_events WHERE customer_id IN (SELECT customer_id FROM selected_customers))
       SELECT customer_id FROM selected_customers
       UNION SELECT customer_id FROM invoice_lines WHERE subscription_id IN (SELECT subscription_id FROM touched)
       UNION SELECT customer_id FROM subscription_events WHERE subscription_id IN (SELECT subscription_id FROM touched)`,
    );
  }

  async sharedSubscriptionGroups(): Promise<string[][]> {
    // Pairs, grouped here: DuckDB lists do not come back as plain cells.
    const rows = await this.rows(
      `WITH owners AS (
         SELECT DISTINCT subscription_id, customer_id FROM ${this.sourceTable('invoice_lines')} WHERE subscription_id IS NOT NULL
         UNION SELECT DISTINCT subscription_id, customer_id FROM ${this.sourceTable('subscription_events')}),
       shared AS (SELECT subscription_id FROM owners GROUP BY subscription_id HAVING count(*) > 1)
       SELECT subscription_id, customer_id FROM owners WHERE subscription_id IN (SELECT subscription_id FROM shared)`,
    );
    const groups = new Map<string, string[]>();
    for (const [subscription, customer] of rows) {
      let group = groups.get(subscription as string);
      if (!group) groups.set(subscription as string, (group = []));
      group.push(customer as string);
    }
    return [...groups.values()].map((group) => group.sort(compareStrings));
  }

  async customersWithRows(): Promise<string[]> {
    return this.customerQuery(`SELECT customer_id FROM ${this.sourceTable('invoice_lines')} UNION SELECT customer_id FROM ${this.sourceTable('subscription_events')}`);
  }

  /** The condition selecting these customers' rows (null: everyone), after filling selected_customers. */
  private async customersWhere(customerIds: readonly string[] | null): Promise<string> {
    if (customerIds === null) return '';
    // No one (a recompute asking for plans and rates alone): no scan of the tables at all.
    if (customerIds.length === 0) return 'WHERE false';
    await this.selectCustomers(customerIds);
    // The range as constants, besides the join: DuckDB then skips the row groups outside it by
    // their min/max, which matters when a recompute reads a large table chunk by chunk.
    const [range] = await this.rows(`SELECT min(customer_id), max(customer_id) FROM selected_customers`);
    const [low, high] = range ?? [null, null];
    const between = typeof low === 'string' && typeof high === 'string' ? ` AND customer_id BETWEEN ${sqlString(low)} AND ${sqlString(high)}` : '';
    return `WHERE customer_id IN (SELECT customer_id FROM selected_customers)${between}`;
  }

  async readSourceRows(customerIds: readonly string[] | null): Promise<Dataset> {
    const where = await this.customersWhere(customerIds);
    return {
      customers: [],
      plans: await this.readTable(PLANS),
      invoiceLines: await this.readCustomerRows(INVOICE_LINES, where, BY_KEY.invoice_lines),
      subscriptionEvents: await this.readCustomerRows(SUBSCRIPTION_EVENTS, where, BY_KEY.subscription_events),
      fxRates: await this.readTable(FX_RATES),
    };
  }

  async readSourceDocuments(customerIds: readonly string[]): Promise<SourceDocuments> {
    const where = await this.customersWhere(customerIds);
    return {
      // For the engine only (in a worker thread): in any order within a customer.
      invoiceLines: await this.customerDocuments(INVOICE_LINES as TableDef<unknown>, where, null),
      subscriptionEvents: await this.customerDocuments(SUBSCRIPTION_EVENTS as TableDef<unknown>, where, null),
    };
  }

  async appendDerivedCells(tables: readonly DerivedCells[]): Promise<void> {
    this.current.wroteStoredTables = true;
    // Whose rows these are is in the cells: forget every customer's "none left" instead.
    this.current.withoutDerivedRows.clear();
    await this.forgetReportFigures();
    for (const { table, rows } of tables) {
      const definition = DERIVED_TABLES.find((derived) => derived.name === table);
      assert(definition !== undefined, `not a derived table: ${table}`);
      await this.appendCells(table, definition as TableDef<unknown>, rows);
    }
  }

  async replaceDerived(customerIds: readonly string[] | null, rows: DerivedRows): Promise<void> {
    this.current.wroteStoredTables = true;
    await this.deleteDerived(customerIds);
    await this.appendDerived(rows);
  }

  /** Kept figures are only true of the rows they were computed from. */
  private async forgetReportFigures(): Promise<void> {
    if (this.keepsReportFigures) await this.connection.run(`DELETE FROM report_figures`);
  }

  /**
   * Adds (sign 1) or takes away (sign -1) the share of the customers in `selected_customers` in
   * every kept answer: each figure is a sum over customers, so removing the changed customers'
   * old share and adding their new one gives what a computation over every row would (a test
   * compares). A kept answer that cannot be updated so (kept by an older version, or the
   * customers bring a currency its year-ago rates were not looked up for) is dropped instead.
   * `stored`: the customers' stored derived rows, when the caller holds exactly those (it just
   * appended them and none were left); otherwise they are copied out of the stored tables.
   */
  private async adjustKeptFigures(sign: 1 | -1, stored: ReturnType<typeof derivedRecords> | null = null): Promise<void> {
    if (!this.keepsReportFigures) return;
    const kept = (await this.connection.runAndReadAll(`SELECT request_key, figures_json FROM report_figures`)).getRows();
    if (kept.length === 0) return;
    if (stored === null) await copyShares(this.connection, 'selected_customers');
    else {
      // Rows in hand need no scan of the large tables (four of them, 0.2 s at L).
      for (const [table, records] of stored) {
        if (!(table.name in SHARE_TABLES)) continue;
        const share = `share_${table.name}`;
        await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${share} AS SELECT * FROM ${quote(table.name)} LIMIT 0`);
        await this.appendRows(share, table, records, true);
      }
    }
    for (const [keyJson, valueJson] of kept) {
      const request = JSON.parse(keyJson as string) as KeptRequest;
      const value = JSON.parse(valueJson as string) as KeptValue | PeriodFigures[];
      const currencies = Array.isArray(value)
        ? null
        : (await this.connection.runAndReadAll(`SELECT DISTINCT currency FROM share_subscriptions WHERE currency <> $1`, [request.reportingCurrency]))
            .getRows()
            .map(([currency]) => String(currency));
      if (Array.isArray(value) || currencies === null || currencies.some((currency) => !value.foreignCurrencies.includes(currency))) {
        await this.connection.run(`DELETE FROM report_figures WHERE request_key = $1`, [keyJson as string]);
        continue;
      }
      const all = [...request.periods, ...request.lookbackMonths];
      const share = await duckdbPeriodFigures(this.connection, all, request.periods.length, request.reportingCurrency, null, { shares: true, ratesThen: value.ratesThen });
      const updated: KeptValue = { ...value, figures: addShares(value.figures, share.figures, sign) };
      await this.connection.run(`UPDATE report_figures SET figures_json = $2 WHERE request_key = $1`, [keyJson as string, JSON.stringify(updated)]);
    }
  }

  async deleteDerived(customerIds: readonly string[] | null): Promise<void> {
    this.current.wroteStoredTables = true;
    if (customerIds === null) {
      await this.forgetReportFigures();
      for (const table of DERIVED_TABLES) await this.connection.run(`DELETE FROM ${quote(table.name)}`);
      return;
    }
    await this.selectCustomers(customerIds);
    // Their share leaves the kept answers with their rows.
    if (customerIds.length > 0) await this.adjustKeptFigures(-1);
    for (const table of DERIVED_TABLES) {
      await this.connection.run(`DELETE FROM ${quote(table.name)} WHERE customer_id IN (SELECT customer_id FROM selected_customers)`);
    }
    for (const id of customerIds) this.current.withoutDerivedRows.add(id);
  }

  async appendDerived(rows: DerivedRows): Promise<void> {
    this.current.wroteStoredTables = true;
    // The customers' share after the append goes into the kept answers. Before it, their share
    // is none when deleteDerived removed their rows (as every recompute does); if some are left,
    // that share comes out first.
    const customers = [...new Set([...rows.movements.map((m) => m.customerId), ...rows.timelines.map((t) => t.customerId)])];
    const adjust = customers.length > 0 && this.keepsReportFigures && Number((await this.rows(`SELECT count(*) FROM report_figures`))[0]![0]) > 0;
    let noneLeft = customers.every((id) => this.current.withoutDerivedRows.has(id));
    if (adjust && !noneLeft) {
      await this.selectCustomers(customers);
      const [left] = await this.rows(`SELECT count(*) FROM customer_states WHERE customer_id IN (SELECT customer_id FROM selected_customers)`);
      noneLeft = Number(left![0]) === 0;
      if (!noneLeft) await this.adjustKeptFigures(-1);
    }
    const records = derivedRecords(rows);
    for (const [table, tableRecords] of records) await this.appendRows(table.name, table, tableRecords);
    for (const id of customers) this.current.withoutDerivedRows.delete(id);
    // With none left before, the customers' stored rows are exactly the ones just appended.
    if (adjust) await this.adjustKeptFigures(1, noneLeft ? records : null);
  }

  async nextImportId(): Promise<number> {
    const rows = await this.rows(`SELECT coalesce(max(import_id), 0) + 1 FROM imports`);
    return Number(rows[0]![0]);
  }

  async recordImport(record: ImportRecord, rejects: readonly StoredReject[]): Promise<void> {
    this.current.wroteStoredTables = true;
    await this.appendRows('imports', IMPORTS, [
      {
        importId: record.importId,
        startedAt: record.startedAt,
        paths: JSON.stringify(record.paths),
        read: record.counts.read,
        new: record.counts.new,
        replaced: record.counts.replaced,
        unchanged: record.counts.unchanged,
        rejected: record.rejected,
        recomputed: String(record.recomputed),
      },
    ]);
    await this.appendRows('rejects', REJECTS, rejects);
  }

  // Reads ----------------------------------------------------------------------------------------

  async snapshot(): Promise<StoreSnapshot> {
    return this.transaction(async () => {
      const customers = await this.readCustomerRows(CUSTOMERS);
      const customerIds = await this.customerQuery(`SELECT customer_id FROM customers UNION SELECT customer_id FROM invoice_lines UNION SELECT customer_id FROM subscription_events ORDER BY customer_id`);
      const subscriptions = await this.readCustomerRows(SUBSCRIPTIONS);
      const points = await this.readCustomerRows(TIMELINE_POINTS, '', 'subscription_id, date');
      return {
        configJson: await this.getMeta('config'),
        customers,
        customerIds,
        plans: await this.readTable(PLANS),
        fxRates: await this.readTable(FX_RATES),
        derived: {
          movements: await this.readCustomerRows(MOVEMENTS),
          timelines: assembleTimelines(subscriptions, points),
          rejects: await this.readCustomerRows(ENGINE_REJECTS),
          warnings: await this.readCustomerRows(DATA_WARNINGS),
        },
      };
    });
  }

  async readAllSource(): Promise<Dataset> {
    return this.transaction(async () => ({ ...(await this.readSourceRows(null)), customers: await this.readCustomerRows(CUSTOMERS) }));
  }

  async rejects(): Promise<StoredReject[]> {
    const rows = await this.readTable(REJECTS, '', 'ORDER BY import_id, file, line');
    return rows.map((row) => ({ ...row }));
  }

  async imports(): Promise<ImportRecord[]> {
    const rows = await this.readTable(IMPORTS, '', 'ORDER BY import_id');
    return rows.map((row) => ({
      importId: row.importId,
      startedAt: row.startedAt,
      paths: JSON.parse(row.paths) as string[],
      counts: { read: row.read, new: row.new, replaced: row.replaced, unchanged: row.unchanged },
      rejected: row.rejected,
      recomputed: row.recomputed === 'all' ? 'all' : Number(row.recomputed),
    }));
  }

  async configJson(): Promise<string | null> {
    return this.transaction(() => this.getMeta('config'));
  }

  async fxRates(): Promise<FxRate[]> {
    return this.transaction(() => this.readTable(FX_RATES));
  }

  async firstMovementDate(): Promise<CalendarDate | null> {
    return this.transaction(async () => {
      const [row] = await this.rows(`SELECT (min(date) - DATE '1970-01-01')::BIGINT FROM movements`);
      return row?.[0] === null || row === undefined ? null : (row[0] as CalendarDate);
    });
  }

  async customerMovements(customerId: string): Promise<Movement[]> {
    return this.transaction(async () => {
      const reader = await this.connection.runAndReadAll(`SELECT ${selectList(MOVEMENTS as TableDef<unknown>)} FROM movements WHERE customer_id = $1`, [customerId]);
      return reader.getRows().map((row) => MOVEMENTS.fromRow(row.map(toCell))).sort(compareMovements);
    });
  }

  periodFigures(
    periods: readonly Period[],
    lookbackMonths: readonly Period[],
    reportingCurrency: string,
    rates: (storedRates: readonly FxRate[]) => Promise<MinorUnitRate>,
  ): Promise<{ periods: PeriodFigures[]; lookbackMonths: PeriodFigures[] }> {
    return this.transaction(async () => {
      // The figures are a function of the request and the stored rows; every change to the rows
      // updates or empties them in its transaction, so a kept answer is always current.
      const requestKey = JSON.stringify({ reportingCurrency, periods, lookbackMonths } satisfies KeptRequest);
      const kept = this.keepsReportFigures ? await this.connection.runAndReadAll(`SELECT figures_json FROM report_figures WHERE request_key = $1`, [requestKey]) : null;
      const keptJson = kept?.getRows()[0]?.[0];
      let all: PeriodFigures[];
      if (typeof keptJson === 'string') {
        all = keptFigures(keptJson);
      } else {
        // One run for both lists: the spans are built once.
        const computed = await duckdbPeriodFigures(this.connection, [...periods, ...lookbackMonths], periods.length, reportingCurrency, async () => rates(await this.readTable(FX_RATES)));
        all = computed.figures;
        if (this.keepsReportFigures) await this.connection.run(`INSERT OR REPLACE INTO report_figures VALUES ($1, $2)`, [requestKey, JSON.stringify(computed satisfies KeptValue)]);
        // Its working tables hold a row per movement and period (hundreds of MB at L).
        await this.dropTemporaryTables();
      }
      return { periods: all.slice(0, periods.length), lookbackMonths: all.slice(periods.length) };
    });
  }


  async close(): Promise<void> {
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export interface OpenOptions {
  /** Apply migrations only up to this version (tests of upgrades). */
  readonly migrateUpTo?: number;
  /** Rows per step of a first import's copy into its tables (continueMerge; tests use a few). */
  readonly copyStepRows?: number;
}

/**
 * DuckDB's own memory: by default it may take 80 % of the machine, on top of the JavaScript heap
 * that computes the customers. Capped, it spills large staging and merges to `<store>.tmp/`.
 */
export function duckDbMemoryLimit(totalMemoryBytes: number): string {
  const megabytes = Math.floor(Math.min(2048, (totalMemoryBytes / 2 ** 20) * 0.4));
  return `${Math.max(256, megabytes)}MB`;
}

export async function openDuckDbStore(path: string, options: OpenOptions = {}): Promise<RunrateStore> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { memory_limit: duckDbMemoryLimit(totalmem()) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const holder = lockHolder(message);
    if (holder !== undefined) throw new StoreBusyError(path, holder);
    throw new StoreError(`cannot open the store ${path}: ${message}`);
  }
  const connection = await instance.connect();
  const store = new DuckDbStore(path, instance, connection, options.copyStepRows === undefined ? COPY_STEP_ROWS : BigInt(options.copyStepRows));
  await store.migrate(options.migrateUpTo);
  return store;
}
