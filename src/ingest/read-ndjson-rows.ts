/**
 * Streams an NDJSON file (one JSON object per line) object by object, with its line number.
 * JSON numbers are kept as their source text, so that `"amount": 19.99` is read as exactly the
 * decimal written, never through a binary float.
 */
import { createReadStream } from 'node:fs';

export interface NdjsonRowSink {
  row(fields: Readonly<Record<string, unknown>>, line: number): void;
  /** A line that is not a JSON object. */
  malformed(line: number, message: string): void;
}

function isNumberChar(code: number): boolean {
  // 0-9 . + - e E
  return (code >= 48 && code <= 57) || code === 46 || code === 43 || code === 45 || code === 101 || code === 69;
}

/**
 * Parses one JSON text with every number replaced by a string of its exact source text
 * (`19.99` → `"19.99"`, `1e3` → `"1e3"`), leaving the validation of its digits to the column.
 */
export function parseJsonWithNumberText(text: string): unknown {
  let rewritten = '';
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34) {
      // Skip the string, escapes included: digits inside it are text.
      for (i++; i < text.length; i++) {
        const inside = text.charCodeAt(i);
        if (inside === 92) i++;
        else if (inside === 34) break;
      }
    } else if (code === 45 || (code >= 48 && code <= 57)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      rewritten += `${text.slice(copiedUpTo, i)}"${text.slice(i, end)}"`;
      copiedUpTo = end;
      i = end - 1;
    }
  }
  if (copiedUpTo === 0) return JSON.parse(text);
  try {
    return JSON.parse(rewritten + text.slice(copiedUpTo));
  } catch {
    // Report the error against the text as written, not the rewritten one.
    return JSON.parse(text);
  }
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a single value' : `a ${typeof value}`;
}

function handleLine(text: string, line: number, sink: NdjsonRowSink): void {
  if (text.trim() === '') return;
  let value: unknown;
  try {
    value = parseJsonWithNumberText(text);
  } catch (error) {
    sink.malformed(line, `not valid JSON: ${(error as Error).message}`);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sink.malformed(line, `expected a JSON object, found ${describeJson(value)}`);
    return;
  }
  sink.row(value as Record<string, unknown>, line);
}

export async function readNdjsonRows(path: string, sink: NdjsonRowSink, onBytes?: (bytesRead: number) => void): Promise<void> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let pending = '';
  let line = 1;
  let first = true;
  // Lines end at `\n` only (a trailing `\r` is dropped): JSON text cannot hold a raw line break,
  // so this matches how any editor numbers the lines.
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = pending + (first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk);
    first = false;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      handleLine(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end), line, sink);
      line++;
      start = end + 1;
    }
    pending = text.slice(start);
    onBytes?.(stream.bytesRead);
  }
  if (pending !== '') handleLine(pending.endsWith('\r') ? pending.slice(0, -1) : pending, line, sink);
}
