/**
 * Reads a canonical dataset folder (inputs.md): every recognised file, CSV before NDJSON of the
 * same kind, kinds in a fixed order, so the result never depends on the order of directory entries.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../engine/model.js';
import type { RejectedRow } from '../engine/movement.js';
import { ClaimedKeys } from './claimed-keys.js';
import type { CsvBulkStager } from './csv-bulk-stager.js';
import { DatasetError } from './dataset-error.js';
import { DATASET_FILE_FORMATS, DATASET_FILE_KINDS, datasetFileKind, type DatasetFileKind, type DatasetRecordByKind } from './dataset-file-kind.js';
import { readDatasetFile } from './read-dataset-file.js';
import { StringPool } from './string-pool.js';

export { DatasetError } from './dataset-error.js';
export { datasetFileKind, type DatasetFileFormat, type DatasetFileKind, type DatasetFileName } from './dataset-file-kind.js';
export { readDatasetFile, type DatasetFileResult, type ReadDatasetFileOptions } from './read-dataset-file.js';

export const CONFIG_FILE_NAME = 'runrate.config.json';

export interface ReadDatasetResult {
  dataset: Dataset;
  rejects: RejectedRow[];
  /** Unknown columns ignored, unrecognised files … */
  warnings: string[];
  /** The parsed `runrate.config.json` of the folder, unvalidated; null when there is none. */
  config: unknown | null;
  /** The files read (with the prefix, if any), in the order they were read. */
  files: string[];
  /** Rows found in every file, accepted or rejected, handed over in segments or not. */
  rowsRead: number;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

async function readConfig(dir: string): Promise<unknown | null> {
  const path = join(dir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new DatasetError(`${path}: cannot be read (${errorCode(error) ?? String(error)})`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DatasetError(`${path}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile() || entry.isSymbolicLink()).map((entry) => entry.name);
  } catch (error) {
    const code = errorCode(error);
    const reason = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (code ?? String(error));
    throw new DatasetError(`${dir}: cannot read the dataset folder (${reason})`, { cause: error });
  }
}

export interface ReadDatasetOptions {
  readonly onProgress?: (progress: { file: string; bytes: number; rows: number }) => void;
  /** Prefixes the file names of source references, rejects and warnings (default: bare names). */
  readonly prefix?: string;
  /**
   * Hands the records of CSV files over in segments as they are read instead of returning them
   * (see `ReadDatasetFileOptions.segments`); NDJSON files' records are still returned.
   */
  readonly segments?: {
    readonly rows: number;
    readonly sink: <K extends DatasetFileKind>(kind: K, records: readonly DatasetRecordByKind[K][]) => Promise<void>;
  };
  /** With `segments`: a store that loads plain CSV files itself (see `ReadDatasetFileOptions.bulk`). */
  readonly bulk?: CsvBulkStager;
}

export async function readDataset(dir: string, options: ReadDatasetOptions = {}): Promise<ReadDatasetResult> {
  const named = (name: string) => (options.prefix === undefined ? name : join(options.prefix, name));
  const names = await listFiles(dir);
  const warnings: string[] = [];
  const present = new Set<string>();
  for (const name of [...names].sort()) {
    if (datasetFileKind(name) !== null) present.add(name);
    else if (/\.(csv|ndjson|jsonl|json)$/i.test(name) && name !== CONFIG_FILE_NAME) {
      warnings.push(`${named(name)}: not a dataset file (expected ${DATASET_FILE_KINDS.join(', ')} as .csv or .ndjson); ignored`);
    }
  }
  const has = (kind: DatasetFileKind): boolean => DATASET_FILE_FORMATS.some((format) => present.has(`${kind}.${format}`));
  if (!has('invoice_lines') && !has('subscription_events')) {
    throw new DatasetError(`${dir}: a dataset needs invoice_lines or subscription_events (.csv or .ndjson), and this folder has neither`);
  }

  const config = await readConfig(dir);
  const pool = new StringPool();
  const rejects: RejectedRow[] = [];
  const files: string[] = [];
  let rowsRead = 0;

  const readKind = async <K extends DatasetFileKind>(kind: K): Promise<DatasetRecordByKind[K][]> => {
    // One map per kind: ids must be unique across the CSV and the NDJSON file of a kind.
    const seen = new ClaimedKeys();
    let records: DatasetRecordByKind[K][] = [];
    for (const format of DATASET_FILE_FORMATS) {
      const name = `${kind}.${format}`;
      if (!present.has(name)) continue;
      const { onProgress, segments } = options;
      // Rows the store loads never enter the id registry: the kind's NDJSON file, read next, needs it.
      const bulk = format === 'csv' && !present.has(`${kind}.ndjson`) ? options.bulk : undefined;
      const result = await readDatasetFile(join(dir, name), kind, {
        name: named(name),
        format,
        seen,
        pool,
        ...(onProgress ? { onProgress: (progress: { bytes: number; rows: number }) => onProgress({ file: name, ...progress }) } : {}),
        ...(segments ? { segments: { rows: segments.rows, sink: (records: readonly DatasetRecordByKind[K][]) => segments.sink(kind, records) } } : {}),
        ...(bulk ? { bulk } : {}),
      });
      files.push(named(name));
      rowsRead += result.rowsRead;
      for (const reject of result.rejects) rejects.push(reject);
      for (const warning of result.warnings) warnings.push(warning);
      if (records.length === 0) records = result.records;
      // One at a time: push(...records) would overflow the call stack on a large file.
      else for (const record of result.records) records.push(record);
    }
    return records;
  };

  // Sequential, in DATASET_FILE_KINDS order, so that rejects and warnings come in a fixed order.
  const customers = await readKind('customers');
  const plans = await readKind('plans');
  const invoiceLines = await readKind('invoice_lines');
  const subscriptionEvents = await readKind('subscription_events');
  const fxRates = await readKind('fx_rates');
  return { dataset: { customers, plans, invoiceLines, subscriptionEvents, fxRates }, rejects, warnings, config, files, rowsRead };
}
