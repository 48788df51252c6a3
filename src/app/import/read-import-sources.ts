/**
 * What `runrate import PATH…` reads: canonical dataset folders and files, Stripe API objects and
 * Stripe tables, ChartMogul Import API files, and ECB or fx_rates rate files, recognised by name
 * and content, into one batch of canonical rows.
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, FxRate } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import { isChartMogulContent, isChartMogulText } from '../../ingest/chartmogul/is-chart-mogul-content.js';
import { readChartMogulFiles } from '../../ingest/chartmogul/read-chart-mogul-files.js';
import type { ConnectorResult, ConnectorSummary } from '../../ingest/connector-result.js';
import type { CsvBulkStager } from '../../ingest/csv-bulk-stager.js';
import { datasetFileKind, readDataset, readDatasetFile, CONFIG_FILE_NAME, type DatasetFileKind } from '../../ingest/read-dataset.js';
import type { DatasetRecordByKind } from '../../ingest/dataset-file-kind.js';
import { readRatesFile } from '../../ingest/rates/read-rates-file.js';
import { detectStripeContent, readStripeFiles } from '../../ingest/stripe/read-stripe-files.js';
import { readStripeTables } from '../../ingest/stripe/stripe-tables.js';
import { UsageError } from '../errors.js';

export type SourceFormat = 'canonical' | 'stripe' | 'stripe-tables' | 'chartmogul' | 'rates';

export interface ImportBatch {
  readonly dataset: Dataset;
  readonly rejects: readonly RejectedRow[];
  readonly warnings: readonly string[];
  /** Rows read from every file, accepted or rejected. */
  readonly rowsRead: number;
  /** Per format, the files read and the connector's counts of objects, unknown types, exclusions. */
  readonly sources: ReadonlyArray<{ readonly format: SourceFormat; readonly files: readonly string[]; readonly summary: ConnectorSummary | null }>;
  /** runrate.config.json files found in imported dataset folders. */
  readonly configs: ReadonlyArray<{ readonly json: unknown; readonly name: string }>;
}

const SNIFF_BYTES = 64 * 1024;

async function firstBytes(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The first JSON value of a file's beginning: the whole document, or the first NDJSON line. */
function firstJsonValue(head: string): unknown {
  const text = head.replace(/^\uFEFF/, '').trim();
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.split('\n', 1)[0] ?? '');
    } catch {
      return undefined;
    }
  }
}

/**
 * What a single file holds, by its content first: Stripe and ChartMogul exports reuse names such
 * as customers.ndjson or plans.json that a canonical dataset also uses. Then by name (canonical
 * files), then rates formats.
 */
export async function classifyFile(file: string): Promise<SourceFormat | null> {
  // The ECB publishes its history zipped; the rates reader opens the archive itself.
  if (/\.zip$/i.test(file)) return 'rates';
  const head = await firstBytes(file);
  const stripe = detectStripeContent(head);
  if (stripe) return stripe.kind === 'stripe-objects' ? 'stripe' : 'stripe-tables';
  if (/\.(json|ndjson|jsonl)$/i.test(file) && (isChartMogulText(head) || isChartMogulContent(firstJsonValue(head), path.basename(file)))) return 'chartmogul';
  if (datasetFileKind(path.basename(file)) !== null) return 'canonical';
  if (/^\uFEFF?\s*(Date,|date,base,quote,rate|KEY,FREQ|"?TIME_PERIOD)/i.test(head)) return 'rates';
  return null;
}

function emptyDataset(): { -readonly [K in keyof Dataset]: Dataset[K][number][] } {
  return { customers: [], plans: [], invoiceLines: [], subscriptionEvents: [], fxRates: [] };
}

/** Progress while reading: bytes of every file read so far out of their total, and rows read. */
export interface ReadProgress {
  readonly bytes: number;
  readonly totalBytes: number;
  readonly rows: number;
}

async function totalSize(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const given of paths) {
    const info = await stat(given).catch(() => null);
    if (!info) continue;
    if (info.isFile()) total += info.size;
    else if (info.isDirectory()) for (const name of await readdir(given)) total += (await stat(path.join(given, name)).catch(() => null))?.size ?? 0;
  }
  return total;
}

const DATASET_KEY = { customers: 'customers', plans: 'plans', invoice_lines: 'invoiceLines', subscription_events: 'subscriptionEvents', fx_rates: 'fxRates' } as const;

/** Records per segment handed to `onRows` while a large CSV file is read. */
export const SEGMENT_ROWS = 100_000;

export interface ReadImportOptions {
  readonly onProgress?: (progress: ReadProgress) => void;
  /**
   * Receives the rows in parts as they are read, in the order the batch would hold them, and the
   * batch's dataset stays empty: canonical CSV files arrive in segments of `segmentRows`, so that
   * an import never holds a large file whole.
   */
  readonly onRows?: (part: Dataset) => Promise<void>;
  readonly segmentRows?: number;
  /** With `onRows`: a store that loads plain CSV files itself (see `ReadDatasetFileOptions.bulk`). */
  readonly bulk?: CsvBulkStager;
}

/** Reads every path into one batch of canonical rows (or hands them to `onRows`). */
export async function readImportSources(paths: readonly string[], options: ReadImportOptions = {}): Promise<ImportBatch> {
  const { onProgress, onRows } = options;
  if (paths.length === 0) throw new UsageError('import: give at least one dataset folder or file');
  const dataset = emptyDataset();
  const rejects: RejectedRow[] = [];
  const warnings: string[] = [];
  const configs: Array<{ json: unknown; name: string }> = [];
  const sources: Array<{ format: SourceFormat; files: string[]; summary: ConnectorSummary | null }> = [];
  const byFormat: Record<Exclude<SourceFormat, 'canonical'>, string[]> = { stripe: [], 'stripe-tables': [], chartmogul: [], rates: [] };
  const canonicalFiles: string[] = [];
  let rowsRead = 0;

  const totalBytes = onProgress ? await totalSize(paths) : 0;
  let doneBytes = 0;
  let doneRows = 0;
  const progress = (file: { bytes: number; rows: number }) => onProgress?.({ bytes: doneBytes + file.bytes, totalBytes, rows: doneRows + file.rows });
  const fileDone = (bytes: number, rows: number) => {
    doneBytes += bytes;
    doneRows += rows;
    onProgress?.({ bytes: doneBytes, totalBytes, rows: doneRows });
  };

  const add = async (part: Dataset) => {
    if (onRows) await onRows(part);
    else for (const key of Object.keys(dataset) as Array<keyof Dataset>) for (const record of part[key]) (dataset[key] as unknown[]).push(record);
  };
  const segments = onRows && {
    rows: options.segmentRows ?? SEGMENT_ROWS,
    sink: async <K extends DatasetFileKind>(kind: K, records: readonly DatasetRecordByKind[K][]) => onRows({ ...emptyDataset(), [DATASET_KEY[kind]]: records }),
  };

  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch {
      throw new UsageError(`import: ${given} does not exist`);
    }
    if (info.isDirectory()) {
      const names = (await readdir(given)).sort();
      const formats = new Map<string, SourceFormat | null>();
      for (const name of names) {
        const file = path.join(given, name);
        if (name === 'sync-state.json' || name === CONFIG_FILE_NAME || !(await stat(file)).isFile()) continue;
        formats.set(name, await classifyFile(file));
      }
      const known = [...formats.values()].filter((format) => format !== null);
      if (known.length > 0 && known.every((format) => format === 'canonical')) {
        // A canonical dataset folder: read as `--data` reads it, file names prefixed with the folder.
        let last = { file: '', bytes: 0, rows: 0 };
        const before = { bytes: doneBytes, rows: doneRows };
        const read = await readDataset(given, {
          prefix: given,
          ...(segments ? { segments } : {}),
          ...(options.bulk ? { bulk: options.bulk } : {}),
          onProgress: (file) => {
            if (file.file !== last.file && last.file !== '') fileDone(last.bytes, last.rows);
            last = file;
            progress(file);
          },
        });
        doneBytes = before.bytes + (await totalSize([given]));
        doneRows = before.rows + read.rowsRead;
        onProgress?.({ bytes: doneBytes, totalBytes, rows: doneRows });
        await add(read.dataset);
        for (const reject of read.rejects) rejects.push(reject);
        for (const warning of read.warnings) warnings.push(warning);
        if (read.config !== null) configs.push({ json: read.config, name: path.join(given, CONFIG_FILE_NAME) });
        rowsRead += read.rowsRead;
        sources.push({ format: 'canonical', files: read.files, summary: null });
        continue;
      }
      for (const [name, format] of formats) {
        const file = path.join(given, name);
        if (format === null) warnings.push(`${file}: not a file Runrate can import; ignored`);
        else if (format === 'canonical') canonicalFiles.push(file);
        else byFormat[format].push(file);
      }
      continue;
    }
    const format = await classifyFile(given);
    if (format === null) {
      throw new UsageError(`import: ${given} is not a file Runrate recognises (a canonical dataset file, Stripe objects or tables, ChartMogul Import API JSON, or exchange rates)`);
    }
    if (format === 'canonical') canonicalFiles.push(given);
    else byFormat[format].push(given);
  }

  if (canonicalFiles.length > 0) {
    for (const file of canonicalFiles) {
      const kind = datasetFileKind(path.basename(file))!.kind;
      const result = await readDatasetFile(file, kind, {
        name: file,
        onProgress: progress,
        ...(segments ? { segments: { rows: segments.rows, sink: (records: readonly DatasetRecordByKind[typeof kind][]) => segments.sink(kind, records) } } : {}),
        ...(options.bulk ? { bulk: options.bulk } : {}),
      });
      fileDone((await stat(file)).size, result.rowsRead);
      await add({ ...emptyDataset(), [DATASET_KEY[kind]]: result.records });
      rejects.push(...result.rejects);
      warnings.push(...result.warnings);
      rowsRead += result.rowsRead;
    }
    sources.push({ format: 'canonical', files: canonicalFiles, summary: null });
  }

  const connector = async (format: SourceFormat, files: string[], read: (files: string[]) => Promise<ConnectorResult>) => {
    if (files.length === 0) return;
    const result = await read(files);
    await add(result.dataset);
    rejects.push(...result.rejects);
    warnings.push(...result.warnings);
    const objects = Object.values(result.summary.objects).reduce((sum, count) => sum + count, 0);
    rowsRead += objects;
    fileDone((await Promise.all(files.map((file) => stat(file)))).reduce((sum, info) => sum + info.size, 0), objects);
    sources.push({ format, files, summary: result.summary });
  };
  // Stripe objects refer to each other across files (invoices to prices): one call reads them all.
  await connector('stripe', byFormat.stripe, (files) => readStripeFiles(files));
  await connector('stripe-tables', byFormat['stripe-tables'], (files) => readStripeTables(files));
  await connector('chartmogul', byFormat.chartmogul, (files) => readChartMogulFiles(files));

  for (const file of byFormat.rates) {
    const result = await readRatesFile(file);
    const rates: FxRate[] = result.rates;
    await add({ ...emptyDataset(), fxRates: rates });
    rejects.push(...result.rejects);
    warnings.push(...result.warnings);
    rowsRead += rates.length + result.rejects.length;
    fileDone((await stat(file)).size, rates.length + result.rejects.length);
    sources.push({ format: 'rates', files: [file], summary: null });
  }

  return { dataset, rejects, warnings, rowsRead, sources, configs };
}
