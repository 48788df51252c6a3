/**
 * Reads a file of exchange rates in any shape Runrate knows: a canonical `fx_rates` file (CSV or
 * NDJSON, inputs.md), the ECB's history CSV (`Date,USD,JPY,…`, per euro), the ECB Data Portal's
 * CSV export, or the ECB's `eurofxref-hist.zip` holding the history CSV. The shape is told from
 * the extension and the header, never from the file name.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FxRate } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import { DatasetError } from '../dataset-error.js';
import { readDatasetFile } from '../read-dataset-file.js';
import { parseEcbRates, type ParsedRates } from './parse-ecb-rates.js';
import { readZipEntries } from './read-zip-entries.js';

export type RatesFileFormat = 'fx_rates' | 'ecb';

export interface RatesFileResult {
  readonly rates: FxRate[];
  readonly rejects: RejectedRow[];
  readonly warnings: string[];
  readonly format: RatesFileFormat;
}

const UNRECOGNISED =
  'not a rates file Runrate knows: expected fx_rates (date,base,quote,rate), the ECB history (Date,USD,JPY,…), the ECB Data Portal CSV (TIME_PERIOD, OBS_VALUE) or eurofxref-hist.zip';

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new DatasetError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
}

/** The single CSV inside a ZIP archive, as the ECB publishes its history. */
export function csvFromZip(buffer: Buffer, label: string): { name: string; text: string } {
  const csvs = readZipEntries(buffer, label).filter((entry) => entry.name.toLowerCase().endsWith('.csv'));
  if (csvs.length !== 1) throw new DatasetError(`${label}: expected one .csv file in the archive, found ${csvs.length}`);
  const entry = csvs[0]!;
  return { name: basename(entry.name), text: entry.data.toString('utf8') };
}

/** ECB text (either shape) or a DatasetError naming the file. */
export function parseEcbText(text: string, file: string, label: string): ParsedRates {
  const parsed = parseEcbRates(text, file);
  if (parsed === null) throw new DatasetError(`${label}: ${UNRECOGNISED}`);
  return parsed;
}

export async function readRatesFile(path: string): Promise<RatesFileResult> {
  const name = basename(path);
  const lower = name.toLowerCase();
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) {
    const result = await readDatasetFile(path, 'fx_rates', { name, format: 'ndjson' });
    return { rates: result.records, rejects: result.rejects, warnings: result.warnings, format: 'fx_rates' };
  }
  const bytes = await readBytes(path);
  if (lower.endsWith('.zip')) {
    const csv = csvFromZip(bytes, path);
    return { ...parseEcbText(csv.text, csv.name, path), format: 'ecb' };
  }
  if (!lower.endsWith('.csv')) throw new DatasetError(`${path}: ${UNRECOGNISED}`);
  const text = bytes.toString('utf8');
  const ecb = parseEcbRates(text, name);
  if (ecb !== null) return { rates: ecb.rates, rejects: ecb.rejects, warnings: ecb.warnings, format: 'ecb' };
  const header = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/, 1)[0] ?? '';
  const columns = header.split(',').map((column) => column.trim());
  if (!columns.includes('base') || !columns.includes('quote')) throw new DatasetError(`${path}: ${UNRECOGNISED}`);
  const result = await readDatasetFile(path, 'fx_rates', { name, format: 'csv' });
  return { rates: result.records, rejects: result.rejects, warnings: result.warnings, format: 'fx_rates' };
}
