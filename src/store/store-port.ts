/**
 * The store port: what the import pipeline and the reports need from a store, whatever the
 * backend (DuckDB embedded, PostgreSQL shared). Backends implement it with their own SQL; the
 * logic of imports (what changed, who to recompute) lives once, in src/app.
 *
 * A store holds two kinds of rows: the source rows of the canonical model (keyed by their ids,
 * a re-imported id replacing its row) and the derived rows the engine computed from them with
 * one configuration (movements, timelines, the engine's rejects and warnings), per customer.
 */
import type { Dataset, Plan, Customer, FxRate } from '../engine/model.js';
import type { DataWarning, Movement, RejectedRow } from '../engine/movement.js';
import type { CalendarDate } from '../engine/calendar/calendar-date.js';
import type { SubscriptionTimeline } from '../engine/compute-movements.js';
import type { Ratio } from '../engine/money/ratio.js';
import type { PeriodFigures } from '../engine/report/metrics-report.js';
import type { Period } from '../engine/report/period.js';

/** The exact rate from a currency's minor units to the reporting currency's on a day, or null. */
export type MinorUnitRate = (currency: string, day: CalendarDate) => Ratio | null;

/** Infrastructure failures, typed so that edges map them to exit codes in one place. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/** Another process holds the store (DuckDB allows one writer). */
export class StoreBusyError extends StoreError {
  override readonly name = 'StoreBusyError';
  constructor(
    readonly location: string,
    readonly pid: number | null,
  ) {
    super(`the store ${location} is in use by ${pid === null ? 'another process' : `process ${pid}`}; try again when it has finished`);
  }
}

/** The store was computed with another configuration than the one asked for. */
export class ConfigurationMismatchError extends StoreError {
  override readonly name = 'ConfigurationMismatchError';
}

/** Counts of one import, per the issue: rows read, new, replaced, unchanged, rejected. */
export interface MergeCounts {
  readonly read: number;
  readonly new: number;
  readonly replaced: number;
  readonly unchanged: number;
}

export interface MergeResult {
  readonly counts: MergeCounts;
  /** Customers whose lines or events were added or replaced. */
  readonly customersWithChangedRows: readonly string[];
  /** Plans added or replaced (their interval changes the MRR of every customer on them). */
  readonly changedPlans: readonly string[];
  /** Whether any exchange rate was added or replaced. */
  readonly ratesChanged: boolean;
}

/** A rejected row as the store keeps it: where, why, and the raw row when there is one. */
export interface StoredReject {
  readonly importId: number;
  readonly file: string;
  readonly line: number;
  readonly column: string;
  readonly message: string;
  readonly raw: string | null;
}

export interface ImportRecord {
  readonly importId: number;
  readonly startedAt: string;
  readonly paths: readonly string[];
  readonly counts: MergeCounts;
  readonly rejected: number;
  /** Customers whose derived rows were recomputed ("all" for a full recompute). */
  readonly recomputed: number | 'all';
}

/** What the engine derived for some customers. */
export interface DerivedRows {
  readonly movements: readonly Movement[];
  readonly timelines: readonly SubscriptionTimeline[];
  /** Rejects raised by the engine (invalid event sequences …), per customer. */
  readonly rejects: ReadonlyArray<RejectedRow & { readonly customerId: string }>;
  readonly warnings: readonly DataWarning[];
}

/**
 * Rows as text, to cross to another thread: JSON documents, each an array of rows and each row an
 * array of cells in the table's column order (store-tables.ts, recordsFromDocuments).
 */
export interface SourceDocuments {
  readonly invoiceLines: readonly string[];
  readonly subscriptionEvents: readonly string[];
}

/**
 * A plain CSV file (no carriage return or blank line, quotes only around whole fields and never
 * around a line feed: one row per line) for the store to load and check itself; the reader has
 * checked it is plain (src/ingest/plain-csv-header.ts).
 */
export interface CsvStagingRequest {
  readonly path: string;
  readonly kind: 'invoice_lines' | 'customers' | 'subscription_events';
  /** `source.file` of the rows. */
  readonly file: string;
  /** Rows after the header (lines 2 to rows + 1). */
  readonly rows: number;
  /** Fields per row. */
  readonly width: number;
  /** Whether some fields are quoted (whole fields only, quotes inside doubled, no line feed inside). */
  readonly quoted: boolean;
  /** Each column of the kind and its position among the fields (-1: the file lacks it). */
  readonly columns: ReadonlyArray<readonly [string, number]>;
  /** Customers: each attribute's key as JSON text and its field's position, in the order `attributes` lists them. */
  readonly attributes: ReadonlyArray<readonly [string, number]>;
}

export interface CsvStagingOutcome {
  /** Rows the store checked and staged. */
  readonly staged: number;
  readonly currencies: readonly string[];
  /** The rows it could not vouch for, in file order, for the reader to parse ('' for an empty field). */
  readonly doubtful: ReadonlyArray<{ readonly line: number; readonly fields: readonly string[] }>;
}

/** Derived rows of one table as cells in the table's column order (TableDef.toRow). */
export interface DerivedCells {
  readonly table: string;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>;
}

/** Everything a report reads, from one consistent snapshot. */
export interface StoreSnapshot {
  /** JSON of the configuration the derived rows were computed with (null: never computed). */
  readonly configJson: string | null;
  readonly customers: readonly Customer[];
  /** Every customer id the data knows (rows, lines and events). */
  readonly customerIds: readonly string[];
  readonly plans: readonly Plan[];
  readonly fxRates: readonly FxRate[];
  readonly derived: DerivedRows;
}

/** The operations of one transaction: all of them land together, or none does. */
export interface StoreTransaction {
  /**
   * Serialises writers: held until the transaction ends. Imports read and stage their rows in
   * parallel, then merge and recompute one at a time, so each recompute sees every committed row.
   */
  lockForWrite(): Promise<void>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** Adds the source rows of a batch, replacing rows with the same ids, and says what changed. */
  mergeSourceRows(batch: Dataset): Promise<MergeResult>;
  /**
   * Stages one part of a batch for `mergeStagedRows`, so that a batch larger than memory arrives
   * in parts; the parts merge exactly as one batch of them all, in the order they were staged.
   */
  stageSourceRows(part: Dataset): Promise<void>;
  /**
   * Optional: stages a plain CSV file's rows that SQL can check, exactly as the reader would
   * have staged them, and returns the others; or stages nothing and returns null (the file is
   * then read row by row). See src/ingest/csv-bulk-stager.ts.
   */
  stageCsvFile?(request: CsvStagingRequest): Promise<CsvStagingOutcome | null>;
  /** Merges the parts staged in this transaction, as `mergeSourceRows` merges one batch. */
  mergeStagedRows(): Promise<MergeResult>;
  /** Customers with a line or event on one of these plans. */
  customersOnPlans(planIds: readonly string[]): Promise<string[]>;
  /** Customers with a line or event billed in another currency than `currency`. */
  customersBilledOutside(currency: string): Promise<string[]>;
  /** The given customers plus every customer sharing a subscription id with them. */
  withSharedSubscriptions(customerIds: readonly string[]): Promise<string[]>;
  /** Every customer with a line or an event. */
  customersWithRows(): Promise<string[]>;
  /**
   * Groups of two or more customers that share a subscription id (a data error the engine
   * resolves by rejecting rows): such customers must be computed together.
   */
  sharedSubscriptionGroups(): Promise<string[][]>;
  /** The lines and events of these customers (null: of everyone), with all plans and rates. */
  readSourceRows(customerIds: readonly string[] | null): Promise<Dataset>;
  /**
   * Optional, for computing in another thread: the lines and events of these customers as JSON
   * documents. A backend without it is computed on the main thread.
   */
  readSourceDocuments?(customerIds: readonly string[]): Promise<SourceDocuments>;
  /**
   * Optional: one step of merge work the store put off (a first import's copy of its staged rows
   * into its tables), for the caller to run while its computing thread is busy; false when none
   * is left. The store finishes what is left before anything that needs it, and before commit.
   */
  continueMerge?(): Promise<boolean>;
  /** Optional, with readSourceDocuments: appends derived rows given as cells. */
  appendDerivedCells?(tables: readonly DerivedCells[]): Promise<void>;
  /** Replaces the derived rows of these customers (null: of everyone). */
  replaceDerived(customerIds: readonly string[] | null, rows: DerivedRows): Promise<void>;
  /** Deletes the derived rows of these customers (null: of everyone), before appending chunks. */
  deleteDerived(customerIds: readonly string[] | null): Promise<void>;
  /** Appends derived rows (for customers whose rows were deleted first). */
  appendDerived(rows: DerivedRows): Promise<void>;
  nextImportId(): Promise<number>;
  recordImport(record: ImportRecord, rejects: readonly StoredReject[]): Promise<void>;
}

export interface RunrateStore {
  readonly backend: 'duckdb' | 'postgres';
  /** A path or a connection string without its password, for messages. */
  readonly location: string;
  /** Runs `work` in one transaction; a throw (or a killed process) leaves the store as it was. */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  snapshot(): Promise<StoreSnapshot>;
  /** All source rows, for computing with another configuration in memory. */
  readAllSource(): Promise<Dataset>;
  rejects(): Promise<StoredReject[]>;
  imports(): Promise<ImportRecord[]>;
  /** The schema version after migrations. */
  schemaVersion(): Promise<number>;
  /** JSON of the configuration the derived rows were computed with (null: never computed). */
  configJson(): Promise<string | null>;
  /** The stored exchange rates (small: read without a full snapshot). */
  fxRates(): Promise<FxRate[]>;
  /** The date of the first movement (null: none), where reports start by default. */
  firstMovementDate(): Promise<CalendarDate | null>;
  /** Movements of one customer, in the engine's order (drill-down without a full snapshot). */
  customerMovements(customerId: string): Promise<Movement[]>;
  /**
   * Whole-business report figures computed by the backend itself (fast path). Optional: without
   * it, reports load a snapshot and compute the figures in memory. `rates` builds the conversion
   * from the stored exchange rates; the backend reads them and calls it only when it computes
   * figures in other currencies (a kept answer needs neither).
   */
  periodFigures?(
    periods: readonly Period[],
    lookbackMonths: readonly Period[],
    reportingCurrency: string,
    rates: (storedRates: readonly FxRate[]) => Promise<MinorUnitRate>,
  ): Promise<{ periods: PeriodFigures[]; lookbackMonths: PeriodFigures[] }>;
  close(): Promise<void>;
}
