/**
 * Tells ChartMogul exports from other JSON (Stripe objects, canonical NDJSON rows), so that an
 * import of a folder can route each file to its connector. Stripe objects always name their type
 * in `object`; ChartMogul objects never do, and use fields no other input has.
 */
import { open } from 'node:fs/promises';
import { isJsonObject, type JsonObject } from './chart-mogul-fields.js';
import { chartMogulFileFormat, COLLECTION_KEYS, detectObjectKind, kindFromFileName } from './collect-chart-mogul-objects.js';

/** Fields only ChartMogul's Import API uses. */
const HALLMARKS = [
  'amount_in_cents',
  'data_source_uuid',
  'subscription_external_id',
  'customer_external_id',
  'plan_external_id',
  'service_period_start',
  'event_type',
  'lead_created_at',
] as const;

const SNIFF_BYTES = 64 * 1024;

function hasHallmark(object: JsonObject): boolean {
  return HALLMARKS.some((key) => object[key] !== undefined);
}

function isStripeLike(object: JsonObject): boolean {
  return typeof object.object === 'string';
}

function isChartMogulObject(value: unknown): boolean {
  if (!isJsonObject(value) || isStripeLike(value)) return false;
  return hasHallmark(value) || detectObjectKind(value) !== null;
}

/**
 * Whether a parsed JSON value (a whole document, or the first object of an NDJSON file) is
 * ChartMogul content. `fileName` lets a list response (`{"entries": […]}`) count when the file
 * is named after its kind (customers.json).
 */
export function isChartMogulContent(value: unknown, fileName?: string): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.slice(0, 10).every((item) => isChartMogulObject(item));
  if (!isJsonObject(value) || isStripeLike(value)) return false;
  if (isChartMogulObject(value)) return true;
  let collections = 0;
  for (const [key, item] of Object.entries(value)) {
    const known = key in COLLECTION_KEYS || (key === 'entries' && fileName !== undefined && kindFromFileName(fileName) !== null);
    if (!known || !Array.isArray(item)) continue;
    collections++;
    if (item.slice(0, 10).some((element) => isChartMogulObject(element))) return true;
  }
  // Collections that only ChartMogul documents have, even when empty.
  return collections > 0 && ['invoices', 'line_items', 'subscription_events', 'data_sources'].some((key) => Array.isArray(value[key]));
}

/**
 * Whether the text at the start of a file looks like a ChartMogul export: for a file too large to
 * parse whole just to route it. Looks for ChartMogul's field names and no Stripe `"object"`.
 */
export function isChartMogulText(text: string): boolean {
  if (/"object"\s*:\s*"/.test(text)) return false;
  return HALLMARKS.some((key) => text.includes(`"${key}"`)) || /"(invoices|line_items|subscription_events|data_sources)"\s*:\s*\[/.test(text);
}

/** Reads the start of a `.json`, `.ndjson` or `.jsonl` file and tells whether it is ChartMogul's. */
export async function isChartMogulFile(path: string): Promise<boolean> {
  if (chartMogulFileFormat(path) === null) return false;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return isChartMogulText(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}
