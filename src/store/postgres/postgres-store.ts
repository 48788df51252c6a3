/**
 * The shared store: one PostgreSQL database, which several Runrate processes may use at once.
 * Bulk rows go in through COPY into temporary staging tables and are merged with set-based SQL,
 * the same statements as the DuckDB store's in PostgreSQL's dialect. Every import is one
 * transaction; writers serialise on an advisory lock held until their transaction ends, and
 * reports read in a REPEATABLE READ transaction, so they see the store before or after an
 * import, never halfway through one.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import type { CalendarDate } from '../../engine/calendar/calendar-date.js';
import { compareMovements } from '../../engine/compute-movements.js';
import type { Dataset, FxRate } from '../../engine/model.js';
import type { Movement } from '../../engine/movement.js';
import {
  CUSTOMERS,
  DATA_WARNINGS,
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
  assembleTimelines,
  DERIVED_TABLES,
  derivedRecords,
  type Cell,
  type ColumnDef,
  type TableDef,
} from '../store-tables.js';
import {
  StoreError,
  type DerivedRows,
  type ImportRecord,
  type MergeResult,
  type RunrateStore,
  type StoreSnapshot,
  type StoredReject,
  type StoreTransaction,
} from '../store-port.js';
import { noDelaySocket } from './no-delay-socket.js';
import { columnList, copyLine, quote, safeInteger, selectList, toCell } from './postgres-cells.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { SourceRowStaging, type StagedTableMerge } from '../merge-source-rows.js';

/** Advisory lock keys, scoped to the database by PostgreSQL: one for writers, one for migrations. */
const WRITE_LOCK_KEY = 0x52756e7261746501n;
const MIGRATION_LOCK_KEY = 0x52756e7261746502n;

/** Characters per COPY data message: large enough to amortise the protocol, small enough to stream. */
const COPY_CHUNK_CHARS = 1 << 16;

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;
type Queryable = Sql | Tx;

const ORDINAL: ColumnDef = { name: 'ordinal', type: 'bigint' };

async function readRows(sql: Queryable, columns: readonly ColumnDef[], query: string, parameters: readonly string[] = []): Promise<Cell[][]> {
  const rows = await sql.unsafe(query, [...parameters]).values();
  return rows.map((row) => columns.map((column, i) => toCell(column, row[i])));
}

async function readTable<R>(sql: Queryable, table: TableDef<R>, where = '', order = ''): Promise<R[]> {
  const rows = await readRows(sql, table.columns, `SELECT ${selectList(table.columns)} FROM ${quote(table.name)} ${where} ${order}`);
  return rows.map((row) => table.fromRow(row));
}

async function readIds(sql: Queryable, query: string, parameters: readonly string[] = []): Promise<string[]> {
  const rows = await sql.unsafe(query, [...parameters]).values();
  return rows.map(([id]) => id as string);
}

/** Streams rows into a table with COPY … FROM STDIN in the text format. */
async function copyRows(sql: Tx, tableName: string, columns: readonly ColumnDef[], rows: Iterable<readonly Cell[]>): Promise<void> {
  function* chunks(): Generator<Buffer> {
    let buffer = '';
    for (const cells of rows) {
      buffer += copyLine(columns, cells);
      if (buffer.length >= COPY_CHUNK_CHARS) {
        yield Buffer.from(buffer, 'utf8');
        buffer = '';
      }
    }
    if (buffer !== '') yield Buffer.from(buffer, 'utf8');
  }
  const copy = sql.unsafe(`COPY ${quote(tableName)} (${columnList(columns)}) FROM STDIN`);
  // postgres.js 3.4 never settles the stream when the server refuses the rows after the end of
  // the data (porsager/postgres#1173): the wait would hang with the write lock held. The
  // server's error still reaches the query's own reject, so listen there too.
  let refused!: (error: unknown) => void;
  const refusal = new Promise<never>((_resolve, reject) => (refused = reject));
  // Handled here too: when COPY itself fails, `writable()` rejects and the race never starts.
  refusal.catch(() => undefined);
  const query = copy as unknown as { reject: (error: unknown) => void };
  const reject = query.reject;
  query.reject = (error) => {
    refused(error);
    reject(error);
  };
  const writable = await copy.writable();
  await Promise.race([pipeline(Readable.from(chunks()), writable), refusal]);
}

function* recordRows<R>(table: TableDef<R>, records: readonly R[]): Generator<Cell[]> {
  for (const record of records) yield table.toRow(record);
}

async function copyRecords<R>(sql: Tx, table: TableDef<R>, records: readonly R[]): Promise<void> {
  if (records.length === 0) return;
  await copyRows(sql, table.name, table.columns, recordRows(table, records));
}

/** The operations of one `sql.begin` transaction, all on its connection. */
class PostgresTransaction implements StoreTransaction {
  /** The staged source rows, and the position of the next row staged per table. */
  private readonly staging = new SourceRowStaging({
    stageTable: (table, records, fresh) => this.stageTable(table, records, fresh),
    mergeStagedTable: (table) => this.mergeStagedTable(table),
    readIds: (sql) => readIds(this.sql, sql),
    applyChanges: (table, changed) => this.applyChanges(table, changed),
    quote,
  });
  private readonly nextOrdinal = new Map<string, number>();

  constructor(private readonly sql: Tx) {}

  async lockForWrite(): Promise<void> {
    await this.sql`SELECT pg_advisory_xact_lock(${String(WRITE_LOCK_KEY)}::bigint)`;
  }

  async getMeta(key: string): Promise<string | null> {
    const rows = await this.sql<Array<{ value: string }>>`SELECT value FROM store_meta WHERE key = ${key}`;
    return rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.sql`INSERT INTO store_meta (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  }

  /** A temp table dropped at the end of the transaction, emptied if an earlier call made it. */
  private async tempTable(name: string, definition: string): Promise<void> {
    await this.sql.unsafe(`DROP TABLE IF EXISTS pg_temp.${quote(name)}`);
    await this.sql.unsafe(`CREATE TEMP TABLE ${quote(name)} ${definition} ON COMMIT DROP`);
  }

  /** Fills the temp table `selected_customers` with ids, for joins instead of huge IN lists. */
  private async selectCustomers(customerIds: readonly string[]): Promise<void> {
    await this.tempTable('selected_customers', '(customer_id TEXT NOT NULL)');
    if (customerIds.length === 0) return;
    await copyRows(this.sql, 'selected_customers', [{ name: 'customer_id', type: 'text' }], customerIds.map((id) => [id]));
    await this.sql.unsafe(`ANALYZE selected_customers`);
  }

  /** Stages rows with their position across the parts of one merge. */
  private async stageTable<R>(table: TableDef<R>, records: readonly R[], fresh: boolean): Promise<void> {
    const name = quote(table.name);
    if (fresh) {
      await this.tempTable(`staging_${table.name}`, `(LIKE ${name}, ordinal BIGINT NOT NULL)`);
      this.nextOrdinal.set(table.name, 0);
    }
    let ordinal = this.nextOrdinal.get(table.name)!;
    const staged = (function* () {
      for (const record of records) yield [...table.toRow(record), ordinal++];
    })();
    await copyRows(this.sql, `staging_${table.name}`, [...table.columns, ORDINAL], staged);
    this.nextOrdinal.set(table.name, ordinal);
  }

  /** Keeps the last staged row of each key, and collects the rows that are new or differ from the stored ones in `changed_<table>`. */
  private async mergeStagedTable<R>(table: TableDef<R>): Promise<StagedTableMerge> {
    const name = quote(table.name);
    const staging = quote(`staging_${table.name}`);
    const changedName = `changed_${table.name}`;
    const changed = quote(changedName);
    const keys = SOURCE_KEYS[table.name]!;
    const keyList = keys.map(quote).join(', ');
    const keyMatch = keys.map((key) => `m.${quote(key)} = s.${quote(key)}`).join(' AND ');
    const sameRow = table.columns.map((column) => `m.${quote(column.name)} IS NOT DISTINCT FROM s.${quote(column.name)}`).join(' AND ');
    const columns = columnList(table.columns);

    // Temp tables are never auto-analysed; without statistics the planner guesses their size.
    await this.sql.unsafe(`ANALYZE ${staging}`);
    await this.sql.unsafe(`DROP TABLE IF EXISTS pg_temp.${changed}`);
    await this.sql.unsafe(
      `CREATE TEMP TABLE ${changed} ON COMMIT DROP AS
       SELECT ${columnList(table.columns, 's.')} FROM (
         SELECT DISTINCT ON (${keyList}) ${columns} FROM ${staging} ORDER BY ${keyList}, ordinal DESC
       ) s
       WHERE NOT EXISTS (SELECT 1 FROM ${name} m WHERE ${keyMatch} AND ${sameRow})`,
    );
    await this.sql.unsafe(`ANALYZE ${changed}`);
    const [counts] = await this.sql
      .unsafe(
        `SELECT
           (SELECT count(*) FROM ${staging}),
           (SELECT count(*) FROM (SELECT DISTINCT ${keyList} FROM ${staging}) d),
           (SELECT count(*) FROM ${changed} s WHERE NOT EXISTS (SELECT 1 FROM ${name} m WHERE ${keyMatch})),
           (SELECT count(*) FROM ${changed})`,
      )
      .values();
    const [read, distinct, added, changedCount] = counts!.map(safeInteger) as [number, number, number, number];
    return { counts: { read, new: added, replaced: changedCount - added, unchanged: distinct - changedCount }, changed: changedName, allNew: false };
  }

  private async applyChanges(table: TableDef<unknown>, { changed: changedName }: StagedTableMerge): Promise<void> {
    const keyMatch = SOURCE_KEYS[table.name]!.map((key) => `m.${quote(key)} = s.${quote(key)}`).join(' AND ');
    const changed = quote(changedName);
    await this.sql.unsafe(`DELETE FROM ${quote(table.name)} m USING ${changed} s WHERE ${keyMatch}`);
    await this.sql.unsafe(`INSERT INTO ${quote(table.name)} (${columnList(table.columns)}) SELECT ${columnList(table.columns)} FROM ${changed}`);
  }

  async mergeSourceRows(batch: Dataset): Promise<MergeResult> {
    await this.stageSourceRows(batch);
    return this.mergeStagedRows();
  }

  async stageSourceRows(part: Dataset): Promise<void> {
    await this.staging.stage(part);
  }

  mergeStagedRows(): Promise<MergeResult> {
    return this.staging.merge();
  }

  async customersOnPlans(planIds: readonly string[]): Promise<string[]> {
    if (planIds.length === 0) return [];
    const rows = await this.sql<Array<{ customer_id: string }>>`
      WITH selected_plans AS (SELECT jsonb_array_elements_text(${this.sql.json([...planIds])}) AS plan_id)
      SELECT customer_id FROM invoice_lines WHERE plan_id IN (SELECT plan_id FROM selected_plans)
      UNION SELECT customer_id FROM subscription_events WHERE plan_id IN (SELECT plan_id FROM selected_plans)`;
    return rows.map((row) => row.customer_id);
  }

  async customersBilledOutside(currency: string): Promise<string[]> {
    const rows = await this.sql<Array<{ customer_id: string }>>`
      SELECT customer_id FROM invoice_lines WHERE currency <> ${currency}
      UNION SELECT customer_id FROM subscription_events WHERE currency <> ${currency}`;
    return rows.map((row) => row.customer_id);
  }

  async withSharedSubscriptions(customerIds: readonly string[]): Promise<string[]> {
    await this.selectCustomers(customerIds);
    return readIds(
      this.sql,
      `WITH touched AS (
         SELECT subscription_id FROM invoice_lines WHERE customer_id IN (SELECT customer_id FROM selected_customers) AND subscription_id IS NOT NULL
         UNION SELECT subscription_id FROM subscription_events WHERE customer_id IN (SELECT customer_id FROM selected_customers))
       SELECT customer_id FROM selected_customers
       UNION SELECT customer_id FROM invoice_lines WHERE subscription_id IN (SELECT subscription_id FROM touched)
       UNION SELECT customer_id FROM subscription_events WHERE subscription_id IN (SELECT subscription_id FROM touched)`,
    );
  }

  async sharedSubscriptionGroups(): Promise<string[][]> {
    // JSON rather than an array: postgres.js would need the catalogue's array types to parse one.
    const rows = await this.sql<Array<{ owners: string }>>`
      WITH owners AS (
        SELECT subscription_id, customer_id FROM invoice_lines WHERE subscription_id IS NOT NULL
        UNION SELECT subscription_id, customer_id FROM subscription_events)
      SELECT json_agg(customer_id ORDER BY customer_id COLLATE "C")::text AS owners FROM owners GROUP BY subscription_id HAVING count(*) > 1`;
    return rows.map((row) => JSON.parse(row.owners) as string[]);
  }

  async customersWithRows(): Promise<string[]> {
    return readIds(this.sql, `SELECT customer_id FROM invoice_lines UNION SELECT customer_id FROM subscription_events`);
  }

  async readSourceRows(customerIds: readonly string[] | null): Promise<Dataset> {
    let where = '';
    if (customerIds !== null) {
      await this.selectCustomers(customerIds);
      where = 'WHERE customer_id IN (SELECT customer_id FROM selected_customers)';
    }
    return readSource(this.sql, where);
  }

  async replaceDerived(customerIds: readonly string[] | null, rows: DerivedRows): Promise<void> {
    await this.deleteDerived(customerIds);
    await this.appendDerived(rows);
  }

  async deleteDerived(customerIds: readonly string[] | null): Promise<void> {
    if (customerIds !== null) await this.selectCustomers(customerIds);
    for (const table of DERIVED_TABLES) {
      // DELETE, never TRUNCATE: TRUNCATE is not MVCC-safe, a report's snapshot would see empty tables.
      await this.sql.unsafe(
        customerIds === null ? `DELETE FROM ${quote(table.name)}` : `DELETE FROM ${quote(table.name)} WHERE customer_id IN (SELECT customer_id FROM selected_customers)`,
      );
    }
  }

  async appendDerived(rows: DerivedRows): Promise<void> {
    for (const [table, records] of derivedRecords(rows)) await copyRecords(this.sql, table, records);
  }

  async nextImportId(): Promise<number> {
    const [row] = await this.sql`SELECT coalesce(max(import_id), 0) + 1 AS next FROM imports`.values();
    return safeInteger(row![0]);
  }

  async recordImport(record: ImportRecord, rejects: readonly StoredReject[]): Promise<void> {
    const row = IMPORTS.toRow({
      importId: record.importId,
      startedAt: record.startedAt,
      paths: JSON.stringify(record.paths),
      read: record.counts.read,
      new: record.counts.new,
      replaced: record.counts.replaced,
      unchanged: record.counts.unchanged,
      rejected: record.rejected,
      recomputed: String(record.recomputed),
    });
    // Integers go as text so that none is rounded on its way to a BIGINT parameter.
    const parameters = row.map((cell) => (cell === null ? null : String(cell)));
    await this.sql.unsafe(
      `INSERT INTO ${quote(IMPORTS.name)} (${columnList(IMPORTS.columns)}) VALUES (${IMPORTS.columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      parameters,
    );
    await copyRecords(this.sql, REJECTS, rejects);
  }
}

async function readSource(sql: Queryable, where: string): Promise<Dataset> {
  return {
    customers: [],
    plans: await readTable(sql, PLANS),
    invoiceLines: await readTable(sql, INVOICE_LINES, where),
    subscriptionEvents: await readTable(sql, SUBSCRIPTION_EVENTS, where),
    fxRates: await readTable(sql, FX_RATES),
  };
}

/** The highest migration applied; 0 for a database Runrate has never opened. */
async function currentVersion(sql: Queryable): Promise<number> {
  // Two statements: a query naming a missing table fails when parsed, whatever its CASE says.
  const [table] = await sql`SELECT to_regclass('schema_migrations') IS NOT NULL`.values();
  if (table![0] !== true) return 0;
  const [row] = await sql`SELECT coalesce(max(version), 0) FROM schema_migrations`.values();
  return safeInteger(row![0]);
}

/** Connection-level failures (as opposed to bugs and data errors): unreachable, refused, gone. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOENT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'SASL_SIGNATURE_MISMATCH',
  'AUTH_TYPE_NOT_IMPLEMENTED',
]);

function isConnectionFailure(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || error instanceof StoreError) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  // SQLSTATE classes 08 (connection), 28 (authorisation), 3D000 (no such database), 53300 (too
  // many connections), 57P01–57P03 (server shutting down or starting).
  return CONNECTION_CODES.has(code) || /^(08|28)...$|^3D000$|^53300$|^57P0[1-3]$/.test(code);
}

interface ParsedUrl {
  /** The URL without its password, for messages. */
  readonly location: string;
  /** Spellings of the password that must never appear in a message. */
  readonly secrets: readonly string[];
}

function parseUrl(url: string): ParsedUrl {
  try {
    const parsed = new URL(url);
    const secrets = parsed.password === '' ? [] : [parsed.password, decodeURIComponent(parsed.password)];
    parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) {
      const value = parsed.searchParams.get(key);
      if (/pass/i.test(key) && value) {
        secrets.push(value);
        parsed.searchParams.delete(key);
      }
    }
    return { location: parsed.toString(), secrets };
  } catch {
    return { location: url.replace(/:[^:@/]*@/, '@'), secrets: [] };
  }
}

class PostgresStore implements RunrateStore {
  readonly backend = 'postgres';

  constructor(
    readonly location: string,
    private readonly sql: Sql,
    private readonly secrets: readonly string[],
  ) {}

  /** Connection failures become a one-line StoreError without the password; anything else passes. */
  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      let message = `${error.message} (${error.code})`.replace(/\s+/g, ' ');
      for (const secret of this.secrets) if (secret !== '') message = message.replaceAll(secret, '…');
      throw new StoreError(`cannot use the PostgreSQL store ${this.location}: ${message}`, { cause: error });
    }
  }

  async migrate(upTo = Infinity): Promise<void> {
    await this.guard(async () => {
      const [server] = await this.sql`SELECT current_setting('server_version_num')::int, current_setting('server_version')`.values();
      // Instants are read with extract(epoch …), exact (numeric) only since PostgreSQL 14.
      if (safeInteger(server![0]) < 140000) throw new StoreError(`the PostgreSQL store ${this.location} runs PostgreSQL ${String(server![1])}: Runrate needs 14 or later`);
      const target = Math.min(upTo, POSTGRES_MIGRATIONS.at(-1)!.version);
      // Up to date, the usual case: no lock and no DDL, so a role that may only read can open it.
      if ((await currentVersion(this.sql)) >= target) return;
      for (const migration of POSTGRES_MIGRATIONS) {
        if (migration.version > target) break;
        // Each migration in its own transaction, under a lock: concurrent openers wait, then
        // find it applied.
        await this.sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(${String(MIGRATION_LOCK_KEY)}::bigint)`;
          await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
          if (migration.version <= (await currentVersion(tx))) return;
          for (const statement of migration.statements) await tx.unsafe(statement);
          await tx`INSERT INTO schema_migrations (version) VALUES (${String(migration.version)}::bigint)`;
        });
      }
    });
  }

  schemaVersion(): Promise<number> {
    return this.guard(() => currentVersion(this.sql));
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.guard(() => this.sql.begin((sql) => work(new PostgresTransaction(sql))) as Promise<T>);
  }

  /** One REPEATABLE READ transaction: every read sees the same committed state. */
  private readConsistently<T>(read: (sql: Tx) => Promise<T>): Promise<T> {
    return this.guard(() => this.sql.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY', read) as Promise<T>);
  }

  snapshot(): Promise<StoreSnapshot> {
    return this.readConsistently(async (sql) => {
      const customers = await readTable(sql, CUSTOMERS);
      const customerIds = await readIds(sql, `SELECT customer_id FROM customers UNION SELECT customer_id FROM invoice_lines UNION SELECT customer_id FROM subscription_events`);
      const subscriptions = await readTable(sql, SUBSCRIPTIONS);
      // Binary order, as DuckDB sorts: points of one subscription stay grouped by customer the same way.
      const points = await readTable(sql, TIMELINE_POINTS, '', 'ORDER BY customer_id COLLATE "C", subscription_id COLLATE "C", date');
      const [config] = await sql<Array<{ value: string }>>`SELECT value FROM store_meta WHERE key = 'config'`;
      return {
        configJson: config?.value ?? null,
        customers,
        customerIds,
        plans: await readTable(sql, PLANS),
        fxRates: await readTable(sql, FX_RATES),
        derived: {
          movements: await readTable(sql, MOVEMENTS),
          timelines: assembleTimelines(subscriptions, points),
          rejects: await readTable(sql, ENGINE_REJECTS),
          warnings: await readTable(sql, DATA_WARNINGS),
        },
      };
    });
  }

  readAllSource(): Promise<Dataset> {
    return this.readConsistently(async (sql) => ({ ...(await readSource(sql, '')), customers: await readTable(sql, CUSTOMERS) }));
  }

  rejects(): Promise<StoredReject[]> {
    return this.guard(async () => {
      const rows = await readTable(this.sql, REJECTS, '', 'ORDER BY import_id, file COLLATE "C", line');
      return rows.map((row) => ({ ...row }));
    });
  }

  imports(): Promise<ImportRecord[]> {
    return this.guard(async () => {
      const rows = await readTable(this.sql, IMPORTS, '', 'ORDER BY import_id');
      return rows.map((row) => ({
        importId: row.importId,
        startedAt: row.startedAt,
        paths: JSON.parse(row.paths) as string[],
        counts: { read: row.read, new: row.new, replaced: row.replaced, unchanged: row.unchanged },
        rejected: row.rejected,
        recomputed: row.recomputed === 'all' ? 'all' : Number(row.recomputed),
      }));
    });
  }

  configJson(): Promise<string | null> {
    return this.guard(async () => {
      const [row] = await this.sql<Array<{ value: string }>>`SELECT value FROM store_meta WHERE key = 'config'`;
      return row?.value ?? null;
    });
  }

  fxRates(): Promise<FxRate[]> {
    return this.guard(() => readTable(this.sql, FX_RATES));
  }

  firstMovementDate(): Promise<CalendarDate | null> {
    return this.guard(async () => {
      const [row] = await this.sql`SELECT min(date) - DATE '1970-01-01' FROM movements`.values();
      return row?.[0] === null || row === undefined ? null : (safeInteger(row[0]) as CalendarDate);
    });
  }

  customerMovements(customerId: string): Promise<Movement[]> {
    return this.guard(async () => {
      const rows = await readRows(this.sql, MOVEMENTS.columns, `SELECT ${selectList(MOVEMENTS.columns)} FROM movements WHERE customer_id = $1`, [customerId]);
      return rows.map((row) => MOVEMENTS.fromRow(row)).sort(compareMovements);
    });
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

export interface OpenPostgresOptions {
  /** Apply migrations only up to this version (tests of upgrades). */
  readonly migrateUpTo?: number;
}

export async function openPostgresStore(url: string, options: OpenPostgresOptions = {}): Promise<RunrateStore> {
  const { location, secrets } = parseUrl(url);
  let sql: Sql;
  try {
    const options = {
      max: 6,
      connect_timeout: 10,
      // Notices ("relation already exists, skipping") are for people at a psql prompt.
      onnotice: () => undefined,
      // No array types are read: skip the catalogue query on every new connection.
      fetch_types: false,
      connection: { application_name: 'runrate' },
      // An option postgres.js supports but does not declare.
      socket: noDelaySocket(),
    };
    sql = postgres(url, options);
  } catch (error) {
    throw new StoreError(`cannot use the PostgreSQL store ${location}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const store = new PostgresStore(location, sql, secrets);
  try {
    await store.migrate(options.migrateUpTo);
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw error;
  }
  return store;
}
