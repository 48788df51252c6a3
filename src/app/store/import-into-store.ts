/**
 * `runrate import` and `runrate recompute`: source rows merged into the store and the derived
 * rows of every affected customer recomputed, all in one transaction.
 *
 * Configuration: the store remembers the configuration its movements were computed with. An
 * import that asks for another one (a flag, --config, a dataset's runrate.config.json) is refused:
 * mixing results computed under two configurations would be wrong silently. `recompute` changes
 * it. `asOf` is the exception: unless pinned, it follows today, and a new day recomputes everyone.
 */
import type { CalendarDate } from '../../engine/calendar/calendar-date.js';
import type { EngineConfig } from '../../engine/config.js';
import type { Dataset, InvoiceLine, SubscriptionEvent } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import { availableParallelism } from 'node:os';
import { compareStrings } from '../../engine/subscription/subscription-state.js';
import { ConfigurationMismatchError, type MergeCounts, type RunrateStore, type StoreTransaction } from '../../store/store-port.js';
import { datasetOfDocuments } from '../../store/store-tables.js';
import { UsageError } from '../errors.js';
import { fallbackRatesFor } from '../load-dataset-source.js';
import { configFromFile } from '../config-from-file.js';
import { configJsonLayer, configToJson, resolveConfig, type ConfigInput } from '../resolve-config.js';
import { readImportSources, type ImportBatch, type ReadProgress } from '../import/read-import-sources.js';
import { deriveWorkerScript, startDeriver, type DerivedChunk } from './derive-in-worker.js';
import { deriveRows } from './derive-rows.js';
import { storedLayer } from './stored-config.js';

export const CONFIG_KEY = 'config';
export const AS_OF_PINNED_KEY = 'asOfPinned';

export interface ImportOptions {
  /** --config file then flags; a dataset folder's runrate.config.json comes before them. */
  readonly explicit: readonly ConfigInput[];
  readonly today: (timezone: string) => CalendarDate;
  /** The clock, read by the edge: when the import started (ISO 8601). */
  readonly startedAt: string;
  readonly onPhase?: (phase: string) => void;
  readonly onReadProgress?: (progress: ReadProgress) => void;
  /** After each chunk of customers computed: how many so far, of how many. */
  readonly onComputeProgress?: (progress: ComputeProgress) => void;
  /** Rows per segment of a large CSV file staged while it is read (default SEGMENT_ROWS; tests use small ones). */
  readonly segmentRows?: number;
  /** Customers computed per chunk (default CHUNK_CUSTOMERS; tests use small ones). */
  readonly chunkCustomers?: number;
  /** Whether a recompute of several chunks may run the engine in a worker thread (default true). */
  readonly worker?: boolean;
  /** Whether the store may load plain CSV files itself (default true; tests compare both ways). */
  readonly bulkCsv?: boolean;
  /** Rows a plain CSV file needs for the store to load it itself (default BULK_CSV_MIN_ROWS; tests use 1). */
  readonly bulkCsvMinRows?: number;
}

export interface ComputeProgress {
  readonly customers: number;
  readonly total: number;
  /** Worker threads running the engine (0: this thread). */
  readonly workerThreads: number;
}

export interface ImportOutcome {
  readonly importId: number;
  readonly counts: MergeCounts;
  readonly batch: ImportBatch;
  /** Rows rejected while reading, and by the engine for the recomputed customers. */
  readonly rejects: readonly RejectedRow[];
  readonly recomputed: number | 'all';
  readonly config: EngineConfig;
}

export async function storedConfig(tx: StoreTransaction, today: ImportOptions['today']): Promise<{ config: EngineConfig; asOfPinned: boolean } | null> {
  const json = await tx.getMeta(CONFIG_KEY);
  if (json === null) return null;
  const config = resolveConfig([configJsonLayer(JSON.parse(json), 'the store configuration')], { datasetCurrencies: [], today });
  return { config, asOfPinned: (await tx.getMeta(AS_OF_PINNED_KEY)) === 'true' };
}

/** Keys on which two configurations differ, asOf aside, as `key=stored → wanted`. */
function differences(stored: EngineConfig, wanted: EngineConfig): string[] {
  const a: Record<string, unknown> = { ...configToJson(stored) };
  const b: Record<string, unknown> = { ...configToJson(wanted) };
  return Object.keys(a)
    .filter((key) => key !== 'asOf' && JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .map((key) => `${key}: ${JSON.stringify(a[key])} in the store, ${JSON.stringify(b[key])} asked`);
}

function hasAsOf(layers: readonly ConfigInput[]): boolean {
  return layers.some((layer) => layer.asOf !== undefined);
}

/** Customers computed per chunk: bounded memory, whatever the size of the store. */
const CHUNK_CUSTOMERS = 5000;
/**
 * Below this, a plain CSV file is read row by row: the store's load costs a dozen statements
 * whatever the size (about 40 ms a file), more than parsing a few thousand rows, and an
 * incremental batch is small files.
 */
const BULK_CSV_MIN_ROWS = 5000;

/** Where a recompute reads source rows: the store, or (for a first import) the batch itself. */
interface SourceRows {
  customersWithRows(): Promise<string[]>;
  sharedSubscriptionGroups(): Promise<string[][]>;
  readSourceRows(customerIds: readonly string[]): Promise<Dataset>;
}

/**
 * The rows of a first import, which are the whole store: recomputing from them saves reading
 * every row back out of it (the store holds exactly these rows; tests compare both ways).
 */
function batchRows(batch: Dataset): SourceRows {
  // As the store merges: of rows with one key, the last in the batch is kept.
  const last = <T>(rows: readonly T[], key: (row: T) => string): T[] => [...new Map(rows.map((row) => [key(row), row])).values()];
  const dataset: Dataset = {
    customers: [],
    plans: last(batch.plans, (plan) => plan.planId),
    invoiceLines: last(batch.invoiceLines, (line) => line.lineId),
    subscriptionEvents: last(batch.subscriptionEvents, (event) => event.eventId),
    fxRates: last(batch.fxRates, (rate) => `${rate.date} ${rate.base} ${rate.quote}`),
  };
  const lines = new Map<string, InvoiceLine[]>();
  const events = new Map<string, SubscriptionEvent[]>();
  const owners = new Map<string, Set<string>>();
  const index = <T extends { customerId: string }>(map: Map<string, T[]>, row: T, subscriptionId: string | null) => {
    let list = map.get(row.customerId);
    if (!list) map.set(row.customerId, (list = []));
    list.push(row);
    if (subscriptionId === null) return;
    let set = owners.get(subscriptionId);
    if (!set) owners.set(subscriptionId, (set = new Set()));
    set.add(row.customerId);
  };
  for (const line of dataset.invoiceLines) index(lines, line, line.subscriptionId);
  for (const event of dataset.subscriptionEvents) index(events, event, event.subscriptionId);
  return {
    customersWithRows: async () => [...new Set([...lines.keys(), ...events.keys()])],
    sharedSubscriptionGroups: async () => [...owners.values()].filter((set) => set.size > 1).map((set) => [...set].sort(compareStrings)),
    readSourceRows: async (customerIds) => ({
      customers: [],
      plans: dataset.plans,
      invoiceLines: customerIds.flatMap((id) => lines.get(id) ?? []),
      subscriptionEvents: customerIds.flatMap((id) => events.get(id) ?? []),
      fxRates: dataset.fxRates,
    }),
  };
}

interface RecomputeOptions {
  /** Where source rows are read: the store, or (a first import held in memory) the batch. */
  readonly rows?: SourceRows;
  readonly onProgress?: ((progress: ComputeProgress) => void) | undefined;
  readonly chunkCustomers?: number | undefined;
  /** Compute in a worker thread when there are several chunks and the store can (default true). */
  readonly worker?: boolean | undefined;
}

/**
 * Recomputes the derived rows of these customers (null: everyone), chunk by chunk, so that
 * memory holds a chunk or two whatever the size of the store. Customers sharing a subscription id
 * are computed in one chunk, as a whole-dataset computation would see them. With several chunks,
 * the engine runs in a worker thread while this one reads the next chunk and appends the previous
 * one: the same chunks, appended in the same order as on this thread alone.
 */
async function recompute(tx: StoreTransaction, config: EngineConfig, customers: readonly string[] | null, options: RecomputeOptions = {}): Promise<RejectedRow[]> {
  const rows = options.rows ?? tx;
  const chunkSize = options.chunkCustomers ?? CHUNK_CUSTOMERS;
  const ids = customers ?? (await rows.customersWithRows());
  const chunks: string[][] = [];
  if (ids.length <= chunkSize) {
    // One chunk holds everyone, those sharing a subscription included: no need to look for them.
    if (ids.length > 0) chunks.push([...ids].sort(compareStrings));
  } else {
    const wanted = new Set(ids);
    const together = new Set((await rows.sharedSubscriptionGroups()).flat().filter((id) => wanted.has(id)));
    const alone = ids.filter((id) => !together.has(id)).sort(compareStrings);
    for (let start = 0; start < alone.length; start += chunkSize) chunks.push(alone.slice(start, start + chunkSize));
    if (together.size > 0) chunks.push([...together].sort(compareStrings));
  }

  await tx.deleteDerived(customers);
  const rejects: RejectedRow[] = [];
  let done = 0;
  let workerThreads = 0;
  const landed = (chunk: readonly string[], chunkRejects: ReadonlyArray<RejectedRow & { customerId: string }>) => {
    for (const { customerId: _customerId, ...reject } of chunkRejects) rejects.push(reject);
    done += chunk.length;
    options.onProgress?.({ customers: done, total: ids.length, workerThreads });
  };
  const script = options.worker === false || chunks.length < 2 || rows !== tx ? null : deriveWorkerScript();
  if (script !== null && tx.readSourceDocuments && tx.appendDerivedCells) {
    // One computing thread per core beyond this one (which reads and appends, and shares its core
    // with DuckDB's), at most two: on 2 cores a second made no difference but memory.
    workerThreads = Math.min(2, Math.max(1, availableParallelism() - 1));
    await recomputeInWorker(tx, config, chunks, script, workerThreads, landed);
  } else {
    const readChunk = rows === tx && tx.readSourceDocuments ? unorderedRows(tx, tx.readSourceDocuments.bind(tx)) : rows.readSourceRows.bind(rows);
    for (const chunk of chunks) {
      const dataset = await readChunk(chunk);
      const derived = deriveRows(dataset, config, await fallbackRatesFor(dataset, config));
      await tx.appendDerived(derived);
      landed(chunk, derived.rejects);
    }
  }
  return rejects.sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line || compareStrings(a.column, b.column));
}

/**
 * The chunk's rows as the computing thread reads them: in no particular order, which the engine
 * does not depend on. Ordering each customer's rows, as `readSourceRows` does for every other
 * reader, was about half the time of reading an incremental batch's customers.
 */
function unorderedRows(tx: StoreTransaction, readDocuments: NonNullable<StoreTransaction['readSourceDocuments']>): (customerIds: readonly string[]) => Promise<Dataset> {
  let shared: Promise<Pick<Dataset, 'plans' | 'fxRates'>> | undefined;
  return async (customerIds) => {
    // Plans and rates once: every chunk uses all of them.
    const plansAndRates = await (shared ??= tx.readSourceRows([]));
    return datasetOfDocuments(await readDocuments(customerIds), plansAndRates);
  };
}

async function recomputeInWorker(
  tx: StoreTransaction,
  config: EngineConfig,
  chunks: readonly (readonly string[])[],
  script: URL,
  threads: number,
  landed: (chunk: readonly string[], rejects: DerivedChunk['rejects']) => void,
): Promise<void> {
  const readDocuments = tx.readSourceDocuments!.bind(tx);
  const appendCells = tx.appendDerivedCells!.bind(tx);
  const continueMerge = tx.continueMerge?.bind(tx);
  // Plans and rates once: every chunk uses all of them.
  const { plans, fxRates } = await tx.readSourceRows([]);
  const deriver = startDeriver(script, { config, plans, fxRates }, threads);
  try {
    // Up to `threads` chunks in the workers while this thread reads the next and appends the oldest.
    const pending: Array<{ chunk: readonly string[]; result: Promise<DerivedChunk> }> = [];
    const landOldest = async () => {
      const oldest = pending.shift()!;
      if (continueMerge) {
        // While the computing thread works, the store catches up on merge work it put off, a
        // step at a time (a first import's copy into its tables: one core's work beside it).
        let computed = false;
        void oldest.result.then(
          () => (computed = true),
          () => (computed = true),
        );
        while (!computed && (await continueMerge()));
      }
      const derived = await oldest.result;
      await appendCells(derived.tables);
      landed(oldest.chunk, derived.rejects);
    };
    for (const chunk of chunks) {
      const result = deriver.derive(await readDocuments(chunk));
      // Never leave a rejection unobserved while earlier chunks are appended.
      result.catch(() => undefined);
      pending.push({ chunk, result });
      if (pending.length > threads) await landOldest();
    }
    while (pending.length > 0) await landOldest();
  } finally {
    await deriver.close();
  }
}

/**
 * Reads the paths and lands their rows, in one transaction. Rows are staged in the store as they
 * are read (a large CSV file in segments), so the import never holds its input whole, and the
 * customers are then computed chunk by chunk from the store.
 */
export async function importIntoStore(store: RunrateStore, paths: readonly string[], options: ImportOptions): Promise<ImportOutcome> {
  return store.transaction(async (tx) => {
    options.onPhase?.('reading');
    const currencies = new Set<string>();
    const stageCsvFile = options.bulkCsv === false ? undefined : tx.stageCsvFile?.bind(tx);
    const batch = await readImportSources(paths, {
      ...(stageCsvFile
        ? {
            bulk: async (request) => {
              if (request.rows < (options.bulkCsvMinRows ?? BULK_CSV_MIN_ROWS)) return null;
              const outcome = await stageCsvFile(request);
              for (const currency of outcome?.currencies ?? []) currencies.add(currency);
              return outcome;
            },
          }
        : {}),
      ...(options.onReadProgress ? { onProgress: options.onReadProgress } : {}),
      ...(options.segmentRows ? { segmentRows: options.segmentRows } : {}),
      onRows: async (part) => {
        for (const line of part.invoiceLines) currencies.add(line.currency);
        for (const event of part.subscriptionEvents) if (event.currency) currencies.add(event.currency);
        await tx.stageSourceRows(part);
      },
    });
    return landStagedRows(tx, batch, [...currencies], null, paths, options);
  });
}

/** Lands one batch of canonical rows read from `paths`, in one transaction. */
export async function importBatch(store: RunrateStore, batch: ImportBatch, paths: readonly string[], options: ImportOptions): Promise<ImportOutcome> {
  const { invoiceLines, subscriptionEvents } = batch.dataset;
  const currencies = [...invoiceLines.map((line) => line.currency), ...subscriptionEvents.flatMap((event) => (event.currency ? [event.currency] : []))];
  return store.transaction(async (tx) => {
    await tx.stageSourceRows(batch.dataset);
    return landStagedRows(tx, batch, currencies, batch.dataset, paths, options);
  });
}

/**
 * Takes the write lock, checks the configuration, merges the staged rows and recomputes the
 * affected customers. Staging needs no lock (its tables are the transaction's own), so imports
 * read and stage side by side and queue only here.
 * `inMemory`: every staged row, when the caller holds them; a first import then computes from
 * them rather than reading them back.
 */
async function landStagedRows(
  tx: StoreTransaction,
  batch: ImportBatch,
  currencies: readonly string[],
  inMemory: Dataset | null,
  paths: readonly string[],
  options: ImportOptions,
): Promise<ImportOutcome> {
  await tx.lockForWrite();
  const explicit = [...batch.configs.map((config) => configFromFile(config.json, config.name)), ...options.explicit];
  const stored = await storedConfig(tx, options.today);
  const config = resolveConfig(stored ? [storedLayer(stored), ...explicit] : explicit, { datasetCurrencies: currencies, today: options.today });
  if (stored) {
    const differ = differences(stored.config, config);
    if (differ.length > 0) {
      throw new ConfigurationMismatchError(
        `the store's movements were computed with another configuration (${differ.join('; ')}); run \`runrate recompute\` with the new settings first, or import without them`,
      );
    }
  }
  options.onPhase?.('merging');
  const merge = await tx.mergeStagedRows();

  options.onPhase?.('computing');
  let touched: string[] | null = null;
  if (stored !== null && stored.config.asOf === config.asOf) {
    const affected = new Set(merge.customersWithChangedRows);
    for (const id of await tx.customersOnPlans(merge.changedPlans)) affected.add(id);
    if (merge.ratesChanged) for (const id of await tx.customersBilledOutside(config.currency)) affected.add(id);
    touched = affected.size === 0 ? [] : await tx.withSharedSubscriptions([...affected]);
  }
  const engineRejects =
    touched !== null && touched.length === 0
      ? []
      : await recompute(tx, config, touched, {
          rows: stored === null && inMemory !== null ? batchRows(inMemory) : tx,
          onProgress: options.onComputeProgress,
          chunkCustomers: options.chunkCustomers,
          worker: options.worker,
        });

  await tx.setMeta(CONFIG_KEY, JSON.stringify(configToJson(config)));
  await tx.setMeta(AS_OF_PINNED_KEY, String(hasAsOf(explicit) || (stored?.asOfPinned ?? false)));
  const importId = await tx.nextImportId();
  const recomputed = touched === null ? 'all' : touched.length;
  await tx.recordImport(
    { importId, startedAt: options.startedAt, paths, counts: merge.counts, rejected: batch.rejects.length, recomputed },
    batch.rejects.map((reject) => ({ importId, file: reject.file, line: reject.line, column: reject.column, message: reject.message, raw: reject.raw ?? null })),
  );
  return { importId, counts: merge.counts, batch, rejects: [...batch.rejects, ...engineRejects], recomputed, config };
}

/** Recomputes every customer, with the stored configuration overridden by `explicit`. */
export async function recomputeStore(
  store: RunrateStore,
  explicit: readonly ConfigInput[],
  today: ImportOptions['today'],
  options: Pick<ImportOptions, 'onComputeProgress' | 'chunkCustomers' | 'worker'> = {},
): Promise<{ config: EngineConfig; rejects: RejectedRow[]; customers: number }> {
  return store.transaction(async (tx) => {
    await tx.lockForWrite();
    const stored = await storedConfig(tx, today);
    if (stored === null) throw new UsageError(`the store ${store.location} holds no data yet: run \`runrate import PATH\` first`);
    const customers = await tx.customersWithRows();
    const config = resolveConfig([storedLayer(stored), ...explicit], { datasetCurrencies: [], today });
    const rejects = await recompute(tx, config, null, { onProgress: options.onComputeProgress, chunkCustomers: options.chunkCustomers, worker: options.worker });
    await tx.setMeta(CONFIG_KEY, JSON.stringify(configToJson(config)));
    await tx.setMeta(AS_OF_PINNED_KEY, String(hasAsOf(explicit) || (stored?.asOfPinned ?? false)));
    return { config, rejects, customers: customers.length };
  });
}
