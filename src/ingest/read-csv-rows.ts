/**
 * Streams an RFC 4180 CSV file row by row with papaparse, giving each row the physical line on
 * which it starts, so that messages point at the right line even after quoted fields that span
 * several lines.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';

export interface CsvRowSink {
  /** The first row. May throw to stop reading (a missing required column). */
  header(columns: readonly string[], line: number): void;
  /** Every later row, blank lines excepted. */
  row(fields: readonly string[], line: number): void;
  /** A row papaparse could not read cleanly (a stray or unterminated quote). */
  malformed(fields: readonly string[], line: number, message: string): void;
}

type Newline = '\n' | '\r\n' | '\r';

const CHUNK_BYTES = 1 << 20;

/**
 * The file's line ending, as the first one outside quotes; null while the text seen so far does
 * not tell (no line break yet, or a `\r` at its very end that a `\n` may follow).
 */
export function detectNewline(text: string, complete: boolean): Newline | null {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34) quoted = !quoted;
    else if (!quoted && code === 10) return '\n';
    else if (!quoted && code === 13) {
      if (i + 1 < text.length) return text.charCodeAt(i + 1) === 10 ? '\r\n' : '\r';
      return complete ? '\r' : null;
    }
  }
  return complete ? '\n' : null;
}

function countOf(text: string, char: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf(char, from); at !== -1 && at < to; at = text.indexOf(char, at + 1)) count++;
  return count;
}

interface StepResult {
  data: string[][];
  errors: { code: string; message: string }[];
  meta: { cursor: number };
}

/** `afterChunk` runs after each chunk of the file (about a megabyte) is parsed; reading waits for it. */
export async function readCsvRows(path: string, sink: CsvRowSink, afterChunk?: (bytesRead: number) => void | Promise<void>): Promise<void> {
  let pending = '';
  let newline: Newline | null = null;
  let parser: Papa.Parser | null = null;
  let headerSeen = false;
  // Physical line of the next row to start, and where that row starts in the text being parsed.
  let line = 1;
  let rowStart = 0;
  let text = '';

  const step = (result: StepResult): void => {
    const fields = result.data[0] ?? [];
    const end = result.meta.cursor;
    const rowLine = line;
    // Line breaks inside the row's quoted fields and the one that ends it; a file written with
    // bare `\r` counts those instead.
    line += countOf(text, newline === '\r' ? '\r' : '\n', rowStart, end);
    rowStart = end;
    if (!headerSeen) {
      headerSeen = true;
      sink.header(fields, rowLine);
      return;
    }
    const error = result.errors[0];
    if (error !== undefined) sink.malformed(fields, rowLine, `${error.message} (${error.code})`);
    else if (fields.length !== 1 || fields[0] !== '') sink.row(fields, rowLine);
  };

  const parse = (input: string, complete: boolean): void => {
    newline ??= detectNewline(input, complete);
    if (newline === null) {
      pending = input;
      return;
    }
    parser ??= new Papa.Parser({ delimiter: ',', newline, quoteChar: '"', step: step as unknown as Papa.ParseConfig['step'] });
    text = input;
    rowStart = 0;
    // Until the file is complete, the last row may continue in the next chunk: papaparse leaves it
    // out and reports where the complete rows end, and it is parsed again with what follows.
    const result = parser.parse(input, 0, !complete) as StepResult;
    pending = complete ? '' : input.slice(result.meta.cursor);
  };

  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    // A byte-order mark (as spreadsheet programs write) is not part of the first column's name.
    parse(first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : pending + chunk, false);
    first = false;
    await afterChunk?.(stream.bytesRead);
  }
  parse(pending, true);
}
