/** The file kinds of a canonical dataset (inputs.md) and how their file names are recognised. */
import type { Customer, FxRate, InvoiceLine, Plan, SubscriptionEvent } from '../engine/model.js';

/** In the order a dataset folder is read. */
export const DATASET_FILE_KINDS = ['customers', 'plans', 'invoice_lines', 'subscription_events', 'fx_rates'] as const;

export type DatasetFileKind = (typeof DATASET_FILE_KINDS)[number];

/** In the order the files of one kind are read when both exist. */
export const DATASET_FILE_FORMATS = ['csv', 'ndjson'] as const;

export type DatasetFileFormat = (typeof DATASET_FILE_FORMATS)[number];

export interface DatasetRecordByKind {
  customers: Customer;
  plans: Plan;
  invoice_lines: InvoiceLine;
  subscription_events: SubscriptionEvent;
  fx_rates: FxRate;
}

export interface DatasetFileName {
  readonly kind: DatasetFileKind;
  readonly format: DatasetFileFormat;
}

/**
 * Recognises `customers.csv`, `invoice_lines.ndjson` … (a bare file name, or the last segment of
 * a path). Names are matched exactly: a dataset folder is machine-written, and a near miss such
 * as `Invoice_Lines.CSV` is reported as an unrecognised file rather than guessed.
 */
export function datasetFileKind(fileName: string): DatasetFileName | null {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  const kind = DATASET_FILE_KINDS.find((candidate) => candidate === base.slice(0, dot));
  const format = datasetFileFormat(base);
  return kind !== undefined && format !== null ? { kind, format } : null;
}

/** The format given by a file name's extension, whatever the rest of the name. */
export function datasetFileFormat(fileName: string): DatasetFileFormat | null {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return null;
  const extension = fileName.slice(dot + 1);
  return DATASET_FILE_FORMATS.find((candidate) => candidate === extension) ?? null;
}
