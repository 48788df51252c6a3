/**
 * A store that loads a plain CSV file (see `plainCsvHeader`) with its own reader and checks its
 * rows in SQL, instead of handing every row through JavaScript. Rows it can vouch for are staged
 * as the JavaScript reader would have staged them; the rest ("doubtful" rows) come back with their
 * fields and line, and the reader parses them as usual, so every rejection keeps one wording.
 */
import type { DatasetFileKind } from './dataset-file-kind.js';

/** The kinds a store may load in bulk: the large ones. */
export type BulkCsvKind = Extract<DatasetFileKind, 'invoice_lines' | 'customers' | 'subscription_events'>;

export interface CsvBulkRequest {
  readonly path: string;
  readonly kind: BulkCsvKind;
  /** `source.file` of the rows, and the name rejects carry. */
  readonly file: string;
  /** Rows after the header, each on its own line (line 2 onwards). */
  readonly rows: number;
  /** Fields per row (the header's). */
  readonly width: number;
  /** Whether some fields are quoted (only ever whole fields, with doubled quotes inside). */
  readonly quoted: boolean;
  /** Each column the kind knows, and its position in the header (-1 when the file lacks it). */
  readonly columns: ReadonlyArray<readonly [string, number]>;
  /**
   * Customers: each attribute column, in the order the record's attributes list them, as the
   * attribute's key written as JSON text (`"industry"`) and the column's position in the header.
   */
  readonly attributes: ReadonlyArray<readonly [string, number]>;
}

export interface CsvBulkOutcome {
  /** Rows read and staged by the store itself. */
  readonly staged: number;
  /** Rows the store could not vouch for, in file order, with their fields ('' for an empty one). */
  readonly doubtful: ReadonlyArray<{ readonly line: number; readonly fields: readonly string[] }>;
}

/**
 * Stages the file, or returns null having staged nothing: the store could not read it as plain
 * CSV, ids repeat within it (which of two rows is kept is the JavaScript reader's rule), or too
 * many rows are doubtful for the detour to pay.
 */
export type CsvBulkStager = (request: CsvBulkRequest) => Promise<CsvBulkOutcome | null>;

export function isBulkCsvKind(kind: DatasetFileKind): kind is BulkCsvKind {
  return kind === 'invoice_lines' || kind === 'customers' || kind === 'subscription_events';
}
