/**
 * Finds the Stripe objects in a saved file: a list response (`{"object": "list", "data": […]}`),
 * a JSON array, one object, one object per line (NDJSON), or a keyed collection of objects (as
 * Stripe's own OpenAPI fixtures are). Each object comes with its file, line and JSON path.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SourceRef } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import { parseJsonWithNumberText, readNdjsonRows } from '../read-ndjson-rows.js';
import { isJsonObject, joinPath, StripeObject } from './stripe-object.js';

export interface FoundObject {
  readonly object: StripeObject;
  readonly source: SourceRef;
}

export interface DocumentSink {
  object(found: FoundObject): void;
  reject(row: RejectedRow): void;
  warn(message: string): void;
}

/** True when the name says one object per line. */
export function isNdjsonName(path: string): boolean {
  return /\.(ndjson|jsonl)$/i.test(path);
}

/**
 * Walks one parsed JSON value. Objects with an `object` field are Stripe objects (a list is
 * unwrapped); arrays and keyed collections are searched; anything else is reported, never skipped.
 */
export function walkJson(value: unknown, path: string, source: SourceRef, sink: DocumentSink): void {
  const where = `${source.file}:${source.line}${path === '' ? '' : ` ${path}`}`;
  if (Array.isArray(value)) {
    value.forEach((element, index) => walkJson(element, joinPath(path, index), source, sink));
    return;
  }
  if (!isJsonObject(value)) {
    sink.reject({ file: source.file, line: source.line, column: path, message: 'expected a Stripe object (a JSON object with an "object" field)' });
    return;
  }
  const type = value.object;
  if (type === 'list' || type === 'search_result') {
    const data = value.data;
    if (!Array.isArray(data)) {
      sink.reject({ file: source.file, line: source.line, column: joinPath(path, 'data'), message: 'expected a list' });
      return;
    }
    if (value.has_more === true || value.has_more === 'true') {
      sink.warn(`${where}: the list says has_more: the file holds only its first page, later objects are missing`);
    }
    data.forEach((element, index) => walkJson(element, joinPath(joinPath(path, 'data'), index), source, sink));
    return;
  }
  if (typeof type === 'string') {
    sink.object({ object: new StripeObject(value, path), source });
    return;
  }
  // A keyed collection ({"customer": {…}, "invoice": {…}}): its members are searched; members that
  // hold no Stripe object at all (a provenance note) are named in a warning.
  for (const [key, member] of Object.entries(value)) {
    const memberPath = joinPath(path, key);
    if (holdsStripeObject(member)) walkJson(member, memberPath, source, sink);
    else sink.warn(`${source.file}:${source.line} ${memberPath}: holds no Stripe object; ignored`);
  }
}

function holdsStripeObject(value: unknown, depth = 0): boolean {
  if (depth > 3) return false;
  if (Array.isArray(value)) return value.some((element) => holdsStripeObject(element, depth + 1));
  if (!isJsonObject(value)) return false;
  if (typeof value.object === 'string') return true;
  return Object.values(value).some((member) => holdsStripeObject(member, depth + 1));
}

/** Reads one file of Stripe objects, JSON or NDJSON, into the sink. */
export async function readStripeDocument(path: string, sink: DocumentSink): Promise<void> {
  const file = basename(path);
  if (isNdjsonName(path)) {
    await readNdjsonLines(path, file, sink);
    return;
  }
  let text = await readFile(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = parseJsonWithNumberText(text);
  } catch (error) {
    // A `.json` file may still be one object per line (as some exports write them).
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    if (lines.length > 1 && lines[0]!.trim().startsWith('{') && lines[0]!.trim().endsWith('}')) {
      await readNdjsonLines(path, file, sink);
      return;
    }
    sink.reject({ file, line: 1, column: '', message: `not valid JSON: ${(error as Error).message}` });
    return;
  }
  walkJson(value, '', { file, line: 1 }, sink);
}

async function readNdjsonLines(path: string, file: string, sink: DocumentSink): Promise<void> {
  await readNdjsonRows(path, {
    row: (fields, line) => walkJson(fields, '', { file, line }, sink),
    malformed: (line, message) => sink.reject({ file, line, column: '', message }),
  });
}
