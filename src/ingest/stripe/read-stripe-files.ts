/**
 * The Stripe connector's entry points: read Stripe API objects saved as JSON or NDJSON (or a
 * folder written by `runrate sync stripe`) into the canonical dataset, and recognise such files.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectorResult } from '../connector-result.js';
import { buildStripeDataset } from './build-stripe-dataset.js';
import { readStripeDocument } from './read-stripe-documents.js';
import { StripeCatalog } from './stripe-catalog.js';
import { detectStripeTable, type StripeTableName } from './stripe-tables.js';

export interface ReadStripeOptions {
  /** Called before each file is read (for progress). */
  readonly onFile?: (path: string) => void;
}

/** Files of a folder that may hold Stripe objects, by name (sync writes them in time order). */
const DOCUMENT = /\.(json|ndjson|jsonl)$/i;
const SYNC_STATE = 'sync-state.json';

/** The files to read, in path order, so the result never depends on the order paths were given in. */
async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((name) => DOCUMENT.test(name) && name !== SYNC_STATE);
      for (const name of names) files.push(join(path, name));
    } else files.push(path);
  }
  return [...new Set(files)].sort();
}

/**
 * Reads Stripe objects from files (or folders of them), in path order: when an object appears
 * twice, the copy read later wins (in a file written by `runrate sync stripe`, the newer one); a
 * webhook event's copy counts only when no copy was given directly, the latest event's winning.
 */
export async function readStripeFiles(paths: readonly string[], options: ReadStripeOptions = {}): Promise<ConnectorResult> {
  const catalog = new StripeCatalog();
  for (const path of await expand(paths)) {
    options.onFile?.(path);
    await readStripeDocument(path, {
      object: (found) => catalog.add(found),
      reject: (row) => catalog.rejects.push(row),
      warn: (message) => catalog.warnings.push(message),
    });
  }
  return buildStripeDataset(catalog);
}

export type StripeContent =
  | { readonly kind: 'stripe-objects' }
  | { readonly kind: 'stripe-table'; readonly table: StripeTableName };

const STRIPE_OBJECT = /"object"\s*:\s*"(list|event|customer|subscription|subscription_item|subscription_schedule|invoice|line_item|invoiceitem|price|plan|product|coupon|discount|credit_note|credit_note_line_item|promotion_code|tax_rate)"/;

/**
 * What the first bytes of a file say: Stripe API objects (JSON or NDJSON, recognised by their
 * `"object"` fields), a Stripe table as data pipelines land it (recognised by its CSV header), or
 * null for anything else (a canonical dataset file, say).
 */
export function detectStripeContent(firstBytes: string | Uint8Array): StripeContent | null {
  const text = (typeof firstBytes === 'string' ? firstBytes : new TextDecoder().decode(firstBytes)).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return STRIPE_OBJECT.test(text) ? { kind: 'stripe-objects' } : null;
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const table = detectStripeTable(header);
  return table === null ? null : { kind: 'stripe-table', table };
}

const SNIFF_BYTES = 64 * 1024;

export async function isStripeFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return detectStripeContent(buffer.subarray(0, bytesRead)) !== null;
  } finally {
    await handle.close();
  }
}
