/**
 * Finds the ChartMogul objects in the JSON values of the files given: whole documents as the
 * Import API takes them (`{"invoices": […]}`, the bulk `json_imports` body with `customers`,
 * `plans`, `invoices`, `line_items`, `transactions`, `subscription_events`), list responses
 * (`{"entries": […]}` in a file named after its kind), plain lists, and single objects (one per
 * NDJSON line). Each object keeps where it was found, for rejected rows. Collections Runrate does
 * not know are counted, never dropped silently.
 */
import { readFile } from 'node:fs/promises';
import type { RejectedRow } from '../../engine/movement.js';
import { DatasetError } from '../dataset-error.js';
import { parseJsonWithNumberText, readNdjsonRows } from '../read-ndjson-rows.js';
import { isJsonObject, itemPath, type JsonObject } from './chart-mogul-fields.js';

export const CHART_MOGUL_KINDS = ['data_source', 'customer', 'plan', 'invoice', 'line_item', 'transaction', 'subscription_event'] as const;

export type ChartMogulKind = (typeof CHART_MOGUL_KINDS)[number];

/** Where an object was found: the file, its line (1 for a JSON document), its JSON path. */
export interface Where {
  readonly file: string;
  readonly line: number;
  readonly path: string;
}

/** Values a document gives for all of its objects (`GET /import/customers/{uuid}/invoices`). */
export interface DocumentDefaults {
  readonly customerExternalId: string | null;
  readonly customerUuid: string | null;
}

export interface RawObject {
  readonly kind: ChartMogulKind;
  readonly value: JsonObject;
  readonly where: Where;
  readonly defaults: DocumentDefaults;
}

/** The collection key of each kind in a document. */
export const COLLECTION_KEYS: Readonly<Record<string, ChartMogulKind>> = {
  data_sources: 'data_source',
  customers: 'customer',
  plans: 'plan',
  invoices: 'invoice',
  line_items: 'line_item',
  transactions: 'transaction',
  subscription_events: 'subscription_event',
};

/** Document keys that describe the request or the page, not data. */
const METADATA_KEYS = new Set([
  'external_id',
  'data_source_uuid',
  'customer_uuid',
  'customer_external_id',
  'has_more',
  'cursor',
  'per_page',
  'page',
  'current_page',
  'total_pages',
  'meta',
]);

const FILE_KINDS: ReadonlyArray<[RegExp, ChartMogulKind]> = [
  [/^data[_-]?sources?(?![a-z])/, 'data_source'],
  [/^customers?(?![a-z])/, 'customer'],
  [/^plans?(?![a-z])/, 'plan'],
  [/^invoices?(?![a-z])/, 'invoice'],
  [/^line[_-]?items?(?![a-z])/, 'line_item'],
  [/^transactions?(?![a-z])/, 'transaction'],
  [/^(subscription[_-]?)?events?(?![a-z])/, 'subscription_event'],
];

/** The kind a file's name announces (`customers.json`, `invoices-2024.ndjson`), if any. */
export function kindFromFileName(fileName: string): ChartMogulKind | null {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1).toLowerCase();
  for (const [pattern, kind] of FILE_KINDS) if (pattern.test(base)) return kind;
  return null;
}

/** The kind a single object's own fields show, or null when they show none. */
export function detectObjectKind(object: JsonObject): ChartMogulKind | null {
  const has = (key: string) => object[key] !== undefined;
  if (has('event_type')) return 'subscription_event';
  if (Array.isArray(object.line_items) && (has('currency') || has('date'))) return 'invoice';
  if (has('interval_unit') && (has('external_id') || has('uuid'))) return 'plan';
  if (has('amount_in_cents') && (has('service_period_start') || has('subscription_external_id') || has('type'))) {
    return object.type === 'payment' || object.type === 'refund' ? 'transaction' : 'line_item';
  }
  if ((object.type === 'payment' || object.type === 'refund') && has('result')) return 'transaction';
  if (typeof object.uuid === 'string' && object.uuid.startsWith('ds_')) return 'data_source';
  if (has('external_id') && ['name', 'email', 'company', 'country', 'lead_created_at', 'free_trial_started_at', 'attributes', 'city'].some(has)) {
    return 'customer';
  }
  return null;
}

/** Whether an object is a document holding collections rather than one object. */
function isDocument(object: JsonObject): boolean {
  return Object.keys(object).some((key) => (key in COLLECTION_KEYS || key === 'entries') && Array.isArray(object[key]));
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export class ChartMogulCollector {
  readonly objects: RawObject[] = [];
  readonly rejects: RejectedRow[] = [];
  readonly warnings: string[] = [];
  readonly unknownTypes: Record<string, number> = {};
  private readonly warned = new Set<string>();

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push(message);
  }

  private countUnknown(type: string, count: number): void {
    this.unknownTypes[type] = (this.unknownTypes[type] ?? 0) + count;
  }

  /** One JSON value read from `file` at `line`: a document, a list or a single object. */
  collect(value: unknown, file: string, line: number, hint: ChartMogulKind | null): void {
    const none: DocumentDefaults = { customerExternalId: null, customerUuid: null };
    if (Array.isArray(value)) {
      value.forEach((item, index) => this.collectObject(item, { file, line, path: itemPath('', index) }, hint, none));
      return;
    }
    if (!isJsonObject(value)) {
      this.rejects.push({ file, line, column: '', message: `expected a JSON object or list, not ${value === null ? 'null' : typeof value}` });
      return;
    }
    if (detectObjectKind(value) === null && isDocument(value)) this.collectDocument(value, file, line, hint);
    else this.collectObject(value, { file, line, path: '' }, hint, none);
  }

  private collectDocument(document: JsonObject, file: string, line: number, hint: ChartMogulKind | null): void {
    const defaults: DocumentDefaults = { customerExternalId: text(document.customer_external_id), customerUuid: text(document.customer_uuid) };
    for (const [key, value] of Object.entries(document)) {
      const kind = COLLECTION_KEYS[key] ?? (key === 'entries' ? hint : undefined);
      if (kind !== undefined && kind !== null) {
        if (!Array.isArray(value)) {
          this.rejects.push({ file, line, column: key, message: `expected a list of ${kind.replace('_', ' ')} objects` });
          continue;
        }
        value.forEach((item, index) => this.collectObject(item, { file, line, path: itemPath(key, index) }, kind, defaults));
      } else if (key === 'entries' && Array.isArray(value)) {
        // A list response in a file whose name does not tell its kind: each entry shows its own.
        value.forEach((item, index) => {
          if (isJsonObject(item) && detectObjectKind(item) !== null) this.collectObject(item, { file, line, path: itemPath(key, index) }, null, defaults);
          else this.countUnknown(key, 1);
        });
      } else if (METADATA_KEYS.has(key)) {
        continue;
      } else if (Array.isArray(value)) {
        this.countUnknown(key, value.length);
      } else if (isJsonObject(value)) {
        this.countUnknown(key, 1);
      } else {
        this.warnOnce(`field ${key}`, `${file}: unknown document field "${key}" ignored`);
      }
    }
  }

  private collectObject(value: unknown, where: Where, hint: ChartMogulKind | null, defaults: DocumentDefaults): void {
    if (!isJsonObject(value)) {
      this.rejects.push({ file: where.file, line: where.line, column: where.path, message: `expected a JSON object, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}` });
      return;
    }
    const kind = detectObjectKind(value) ?? hint;
    if (kind === null) {
      this.countUnknown('(unrecognised object)', 1);
      this.rejects.push({
        file: where.file,
        line: where.line,
        column: where.path,
        message:
          'not a recognisable ChartMogul object (customer, plan, invoice, line item, transaction, subscription event or data source): wrap it in a document such as {"invoices": […]} or name the file after its kind (invoices.json)',
      });
      return;
    }
    this.objects.push({ kind, value, where, defaults });
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

export type ChartMogulFileFormat = 'json' | 'ndjson';

export function chartMogulFileFormat(path: string): ChartMogulFileFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  return null;
}

/**
 * Reads one file into the collector. A file that cannot be read or is not JSON at all throws
 * `DatasetError`; a document that does not parse is one rejected row at line 1.
 */
export async function collectChartMogulFile(path: string, name: string, collector: ChartMogulCollector): Promise<void> {
  const format = chartMogulFileFormat(path);
  if (format === null) throw new DatasetError(`${path}: not a ChartMogul export (expected a .json, .ndjson or .jsonl file)`);
  const hint = kindFromFileName(name);
  try {
    if (format === 'ndjson') {
      await readNdjsonRows(path, {
        row: (object, line) => collector.collect(object, name, line, hint),
        malformed: (line, message) => collector.rejects.push({ file: name, line, column: '', message }),
      });
      return;
    }
    let textContent = await readFile(path, 'utf8');
    if (textContent.charCodeAt(0) === 0xfeff) textContent = textContent.slice(1);
    let value: unknown;
    try {
      value = parseJsonWithNumberText(textContent);
    } catch (error) {
      collector.rejects.push({ file: name, line: 1, column: '', message: `not valid JSON: ${(error as Error).message}` });
      return;
    }
    collector.collect(value, name, 1, hint);
  } catch (error) {
    const code = errorCode(error);
    if (code !== undefined) throw new DatasetError(`${path}: cannot be read (${code})`, { cause: error });
    throw error;
  }
}

