/**
 * Reads one canonical file (CSV or NDJSON) of a known kind into records, rejected rows and
 * warnings. Row problems are data; only problems with the file as a whole throw `DatasetError`.
 */
import { stat } from 'node:fs/promises';
import Papa from 'papaparse';
import { assert } from '../engine/assert.js';
import type { SourceRef } from '../engine/model.js';
import type { RejectedRow } from '../engine/movement.js';
import { DatasetError } from './dataset-error.js';
import { ClaimedKeys } from './claimed-keys.js';
import { isBulkCsvKind, type BulkCsvKind, type CsvBulkStager } from './csv-bulk-stager.js';
import { datasetFileFormat, type DatasetFileFormat, type DatasetFileKind, type DatasetRecordByKind } from './dataset-file-kind.js';
import type { Cell } from './field-schemas.js';
import { customerRows } from './parse-customers.js';
import { fxRateRows } from './parse-fx-rates.js';
import { invoiceLineRows } from './parse-invoice-lines.js';
import { planRows } from './parse-plans.js';
import { subscriptionEventRows } from './parse-subscription-events.js';
import { readCsvRows } from './read-csv-rows.js';
import { readNdjsonRows } from './read-ndjson-rows.js';
import { plainCsvHeader } from './plain-csv-header.js';
import { parseRow, type RowKind } from './row-kind.js';
import { ownString, StringPool } from './string-pool.js';

export const ROW_KINDS: { readonly [K in DatasetFileKind]: RowKind<DatasetRecordByKind[K]> } = {
  customers: customerRows,
  plans: planRows,
  invoice_lines: invoiceLineRows,
  subscription_events: subscriptionEventRows,
  fx_rates: fxRateRows,
};

export interface DatasetFileResult<K extends DatasetFileKind> {
  readonly kind: K;
  /** The name used in `source.file` and in rejected rows. */
  readonly file: string;
  readonly records: DatasetRecordByKind[K][];
  readonly rejects: RejectedRow[];
  readonly warnings: string[];
  /** Rows found in the file (accepted + rejected); blank lines are not rows. */
  readonly rowsRead: number;
}

export interface ReadDatasetFileOptions<K extends DatasetFileKind = DatasetFileKind> {
  /** The name for `source.file`, rejected rows and warnings; default: the path as given. */
  readonly name?: string;
  /** Default: from the extension (`.csv`, `.ndjson`). */
  readonly format?: DatasetFileFormat;
  /**
   * Unique keys (ids) already taken, with where: pass the same registry to the files of one kind so
   * that a duplicate across them is found too. Filled with this file's keys.
   */
  readonly seen?: ClaimedKeys;
  /** Shares repeated strings (customer ids …) with other files of the same dataset. */
  readonly pool?: StringPool;
  /** Called as the file is read (about every megabyte): bytes of the file read, rows read. */
  readonly onProgress?: (progress: { readonly bytes: number; readonly rows: number }) => void;
  /**
   * CSV only: the accepted records are handed to `sink` in segments of at least `rows` records as
   * the file is read (and the rest at its end) instead of being returned, so that a large file
   * is never held whole. The next part of the file is read once the sink's promise settles.
   * NDJSON files are always returned whole: whether their `prorated` column exists is only known
   * after the last object.
   */
  readonly segments?: { readonly rows: number; readonly sink: (records: readonly DatasetRecordByKind[K][]) => Promise<void> };
  /**
   * With `segments`, for a plain CSV file of a kind it takes and a fresh `seen` registry: the store
   * loads the file itself, and only the rows it cannot vouch for are parsed here (see
   * csv-bulk-stager). The registry is left empty, so a later file of the kind must not share it.
   */
  readonly bulk?: CsvBulkStager;
}

type ColumnRole = 'known' | 'attribute' | 'ignored';

const NO_EXTRAS: ReadonlyArray<readonly [string, Cell]> = [];

/** The cell an NDJSON value stands for: numbers arrive as their text already (see read-ndjson-rows). */
function cellOf(value: unknown): Cell {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return value;
  return String(value);
}

class FileReader<T> {
  records: T[] = [];
  readonly rejects: RejectedRow[] = [];
  readonly warnings: string[] = [];
  rowsRead = 0;
  private objectsRead = 0;
  private readonly known: ReadonlySet<string>;
  private readonly columnsSeen = new Set<string>();
  private readonly roles = new Map<string, ColumnRole>();
  private readonly warned = new Set<string>();
  /** CSV only: the header, and where each known and each attribute column sits in it. */
  private header: readonly string[] | null = null;
  private knownAt: [string, number][] = [];
  private attributesAt: [string, number][] = [];

  constructor(
    private readonly kind: RowKind<T>,
    private readonly file: string,
    private readonly displayPath: string,
    private readonly seen: ClaimedKeys,
    private readonly pool: StringPool,
  ) {
    this.known = new Set(kind.columns);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push(`${this.file}: ${message}`);
  }

  /** The row being read, to keep its raw text when it is rejected (built only then). */
  private current: { fields: readonly string[] } | { object: Readonly<Record<string, unknown>> } | null = null;

  private reject(line: number, column: string, message: string): void {
    const current = this.current;
    const raw = current === null ? undefined : 'fields' in current ? Papa.unparse([current.fields as string[]], { newline: '\n' }) : JSON.stringify(current.object);
    this.rejects.push({ file: this.file, line, column, message, ...(raw === undefined ? {} : { raw }) });
  }

  private roleOf(column: string): ColumnRole {
    let role = this.roles.get(column);
    if (role === undefined) {
      if (this.known.has(column)) role = 'known';
      else if (this.kind.attributeKey?.(column) != null) role = 'attribute';
      else role = 'ignored';
      this.roles.set(column, role);
      if (role === 'ignored') this.warnOnce(`column ${column}`, `unknown column "${column}" ignored`);
      if (role === 'attribute') this.checkAttributeClash(column);
    }
    return role;
  }

  /** `x` and `attr.x` give one attribute; the explicit `attr.x` wins (see parse-customers). */
  private checkAttributeClash(column: string): void {
    const key = this.kind.attributeKey?.(column);
    if (key == null) return;
    for (const [other, role] of this.roles) {
      if (other === column || role !== 'attribute' || this.kind.attributeKey?.(other) !== key) continue;
      const winner = column.startsWith('attr.') ? column : other;
      const loser = winner === column ? other : column;
      this.warnOnce(`clash ${key}`, `columns "${loser}" and "${winner}" both give attribute "${key}"; "${winner}" is used`);
    }
  }

  private missingColumns(present: ReadonlySet<string>): void {
    const missing = this.kind.requiredColumns.filter((column) => !present.has(column));
    if (missing.length === 0) return;
    const names = missing.map((column) => `"${column}"`).join(', ');
    throw new DatasetError(`${this.displayPath}: missing required column${missing.length > 1 ? 's' : ''} ${names}`);
  }

  csvHeader(fields: readonly string[]): void {
    const header = fields.map((field) => field.trim());
    const seen = new Set<string>();
    header.forEach((column, index) => {
      if (column === '') {
        this.warnOnce(`unnamed ${index}`, `column ${index + 1} has no name; ignored`);
        return;
      }
      if (seen.has(column)) throw new DatasetError(`${this.displayPath}: column "${column}" appears more than once in the header`);
      seen.add(column);
      this.columnsSeen.add(column);
      const role = this.roleOf(column);
      if (role === 'attribute') this.attributesAt.push([column, index]);
    });
    this.missingColumns(seen);
    this.knownAt = this.kind.columns.map((column) => [column, header.indexOf(column)]);
    this.header = header;
  }

  csvRow(fields: readonly string[], line: number): void {
    this.current = { fields };
    const header = this.header;
    if (header === null) throw new DatasetError(`${this.displayPath}: a row came before the header`);
    this.rowsRead++;
    if (fields.length !== header.length) {
      const column = fields.length < header.length ? (header[fields.length] ?? '') : '';
      this.reject(line, column, `the row has ${fields.length} fields but the header has ${header.length} columns`);
      return;
    }
    const cells: Record<string, Cell> = {};
    for (const [column, index] of this.knownAt) cells[column] = index < 0 ? '' : (fields[index] ?? '');
    const extras = this.attributesAt.length === 0 ? NO_EXTRAS : this.attributesAt.map(([column, index]): [string, Cell] => [column, fields[index] ?? '']);
    this.consume(cells, extras, line);
  }

  csvMalformed(fields: readonly string[], line: number, message: string): void {
    this.current = { fields };
    this.rowsRead++;
    this.reject(line, this.header?.[fields.length - 1] ?? '', `malformed CSV: ${message}`);
  }

  ndjsonRow(object: Readonly<Record<string, unknown>>, line: number): void {
    this.current = { object };
    this.rowsRead++;
    this.objectsRead++;
    const extras: (readonly [string, Cell])[] = [];
    for (const key in object) {
      this.columnsSeen.add(key);
      if (this.roleOf(key) !== 'attribute') continue;
      const value = cellOf(object[key]);
      if (typeof value === 'string') extras.push([key, value]);
      else this.warnOnce(`nested ${key}`, `column "${key}" holds a JSON object or list, which cannot be an attribute; ignored`);
    }
    const cells: Record<string, Cell> = {};
    for (const column of this.kind.columns) cells[column] = cellOf(object[column]);
    this.consume(cells, extras, line);
  }

  ndjsonMalformed(line: number, message: string): void {
    this.current = null;
    this.rowsRead++;
    this.reject(line, '', message);
  }

  private consume(cells: Record<string, Cell>, extras: ReadonlyArray<readonly [string, Cell]>, line: number): void {
    const source: SourceRef = { file: this.file, line };
    const id = this.kind.id;
    const rawId = id === null ? undefined : cells[id.column];
    const claimedId = typeof rawId === 'string' && rawId.trim() !== '' ? rawId : null;
    if (id !== null && claimedId !== null && this.isDuplicate(claimedId, line, id.column, `${id.column} "${claimedId}"`)) return;
    const outcome = parseRow(this.kind, { cells, extras, source, pool: this.pool });
    if (!outcome.ok) {
      // The id is claimed even though the row is rejected: which of two rows with one id is kept
      // must not depend on whether the other one happens to be valid.
      if (claimedId !== null) this.seen.claim(ownString(claimedId), source);
      this.reject(line, outcome.column, outcome.message);
      return;
    }
    if (id !== null) {
      // The record's own copy of the id, so the registry holds no second one.
      this.seen.claim(id.of(outcome.record), source);
    } else if (this.kind.uniqueKey !== undefined) {
      const unique = this.kind.uniqueKey(outcome.record);
      if (this.isDuplicate(unique.key, line, unique.column, unique.label)) return;
      this.seen.claim(unique.key, source);
    }
    this.records.push(outcome.record);
  }

  private isDuplicate(key: string, line: number, column: string, label: string): boolean {
    const first = this.seen.firstClaim(key);
    if (first === undefined) return false;
    this.reject(line, column, `duplicate ${label} (first at ${first.file}:${first.line})`);
    return true;
  }

  /** Each column the kind knows and its position in the CSV header (-1: absent). */
  knownColumns(): ReadonlyArray<readonly [string, number]> {
    return this.knownAt;
  }

  /**
   * Each attribute column of the CSV header as its key in JSON text and its position, in the
   * order records list their attributes; null when no fixed order exists (see RowKind.attributeOrder).
   */
  attributeColumns(): Array<readonly [string, number]> | null {
    if (this.attributesAt.length === 0) return [];
    const { attributeKey, attributeOrder } = this.kind;
    const order = attributeKey && attributeOrder ? attributeOrder(this.attributesAt.map(([column]) => column)) : null;
    if (order === null) return null;
    const at = new Map(this.attributesAt);
    return order.map((column) => [JSON.stringify(attributeKey!(column)), at.get(column)!] as const);
  }

  /** The records accepted since the last segment, completed; a CSV file's columns are known from its header. */
  takeSegment(): T[] {
    const segment = this.records;
    this.records = [];
    this.kind.finish?.(segment, this.columnsSeen);
    return segment;
  }

  finish(): void {
    // An NDJSON file has no header: a column exists when any of its objects has the key.
    if (this.header === null && this.objectsRead > 0) this.missingColumns(this.columnsSeen);
    this.kind.finish?.(this.records, this.columnsSeen);
  }
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** A file that cannot be read is the dataset's problem (DatasetError); anything else is thrown as it is. */
function unreadable(path: string, error: unknown): never {
  if (isSystemError(error)) throw new DatasetError(`${path}: cannot be read (${error.code ?? error.message})`, { cause: error });
  throw error;
}

/**
 * Reads one file of `kind`. Throws `DatasetError` when the file cannot be read or lacks a required
 * column; every problem with a single row is returned in `rejects` instead.
 */
export async function readDatasetFile<K extends DatasetFileKind>(
  path: string,
  kind: K,
  options: ReadDatasetFileOptions<K> = {},
): Promise<DatasetFileResult<K>> {
  const name = options.name ?? path;
  const format = options.format ?? datasetFileFormat(path);
  if (format === null) throw new DatasetError(`${path}: not a .csv or .ndjson file`);
  const kindRows = ROW_KINDS[kind] as RowKind<DatasetRecordByKind[K]>;
  const segments = format === 'csv' ? options.segments : undefined;
  if (segments && options.bulk && isBulkCsvKind(kind)) {
    const bulk = await readInBulk(path, kind, kindRows, name, options, segments, options.bulk);
    if (bulk !== null) return { kind, file: name, records: [], ...bulk };
  }
  const reader = new FileReader(kindRows, name, path, options.seen ?? new ClaimedKeys(), options.pool ?? new StringPool());
  try {
    if (format === 'csv') {
      await readCsvRows(path, {
        header: (fields) => reader.csvHeader(fields),
        row: (fields, line) => reader.csvRow(fields, line),
        malformed: (fields, line, message) => reader.csvMalformed(fields, line, message),
      }, async (bytes) => {
        options.onProgress?.({ bytes, rows: reader.rowsRead });
        if (segments && reader.records.length >= segments.rows) await segments.sink(reader.takeSegment());
      });
    } else {
      await readNdjsonRows(path, {
        row: (object, line) => reader.ndjsonRow(object, line),
        malformed: (line, message) => reader.ndjsonMalformed(line, message),
      }, options.onProgress && ((bytes) => options.onProgress!({ bytes, rows: reader.rowsRead })));
    }
  } catch (error) {
    unreadable(path, error);
  }
  if (segments) {
    await segments.sink(reader.takeSegment());
    return { kind, file: name, records: [], rejects: reader.rejects, warnings: reader.warnings, rowsRead: reader.rowsRead };
  }
  reader.finish();
  return { kind, file: name, records: reader.records, rejects: reader.rejects, warnings: reader.warnings, rowsRead: reader.rowsRead };
}

/**
 * The store stages a plain CSV file itself; its doubtful rows are parsed here as any row is. Null
 * when the file is not plain or the store declines it: nothing was staged, and the caller reads the
 * file row by row.
 */
async function readInBulk<T>(
  path: string,
  bulkKind: BulkCsvKind,
  kind: RowKind<T>,
  name: string,
  options: Pick<ReadDatasetFileOptions, 'seen' | 'pool' | 'onProgress'>,
  segments: { readonly sink: (records: readonly T[]) => Promise<void> },
  stage: CsvBulkStager,
): Promise<Omit<DatasetFileResult<DatasetFileKind>, 'kind' | 'file' | 'records'> | null> {
  const plain = await plainCsvHeader(path).catch((error: unknown) => unreadable(path, error));
  if (plain === null) return null;
  const seen = options.seen ?? new ClaimedKeys();
  assert(seen.isEmpty(), 'a file loaded in bulk must be the first of its kind');
  const reader = new FileReader(kind, name, path, seen, options.pool ?? new StringPool());
  reader.csvHeader(plain.header);
  const attributes = reader.attributeColumns();
  if (attributes === null) return null;
  const outcome = await stage({ path, kind: bulkKind, file: name, rows: plain.rows, width: plain.header.length, quoted: plain.quoted, columns: reader.knownColumns(), attributes });
  if (outcome === null) return null;
  for (const row of outcome.doubtful) reader.csvRow(row.fields, row.line);
  await segments.sink(reader.takeSegment());
  const rowsRead = outcome.staged + reader.rowsRead;
  options.onProgress?.({ bytes: (await stat(path)).size, rows: rowsRead });
  return { rejects: reader.rejects, warnings: reader.warnings, rowsRead };
}
