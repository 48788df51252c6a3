/**
 * Whether a CSV file is "plain" and, if so, its header. A plain file has no carriage return, no
 * byte-order mark and no blank line, and quotes only whole fields (a quote opens a field, the
 * field's quotes inside are doubled, and the closing quote ends it) with no line feed inside
 * them; its header has no quote. Then every line is one row, and its fields are the text between
 * commas, unquoted as RFC 4180 says. Any CSV reader splits such a file the same way, so a store
 * may load it with its own reader (DuckDB's `read_csv`) and still name the very line and fields
 * papaparse would (see `CsvBulkStager`). Anything else is read row by row in JavaScript.
 */
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const COMMA = 0x2c;

export interface PlainCsv {
  /** The header's fields, untrimmed. */
  readonly header: string[];
  /** Lines after the header: the file's rows, since a plain file has no blank line. */
  readonly rows: number;
  /** Whether any field is quoted. */
  readonly quoted: boolean;
}

/**
 * Follows a plain file's quotes chunk by chunk: outside a quoted field, a quote must open one
 * (right after a comma or a line feed); inside, a line feed is not plain, a doubled quote is one
 * quote, and a single one must close the field (before a comma, a line feed or the end).
 */
class QuoteState {
  quoted = false;
  private inside = false;
  /** The chunk ended on a quote inside a field: the next byte tells a closing quote from a doubled one. */
  private pending = false;

  /** False when the chunk (from `from`) shows the file is not plain; `before` is the byte before it. */
  scan(chunk: Buffer, from: number, before: number): boolean {
    let at = from;
    if (this.pending) {
      this.pending = false;
      if (at < chunk.length && chunk[at] === QUOTE) at++;
      else if (!this.close(chunk[at])) return false;
    }
    while (at < chunk.length) {
      if (!this.inside) {
        const open = chunk.indexOf(QUOTE, at);
        if (open < 0) return true;
        const previous = open === 0 ? before : chunk[open - 1];
        if (previous !== COMMA && previous !== LF) return false;
        this.inside = true;
        this.quoted = true;
        at = open + 1;
        continue;
      }
      const quote = chunk.indexOf(QUOTE, at);
      const lineFeed = chunk.indexOf(LF, at);
      if (lineFeed >= 0 && (quote < 0 || lineFeed < quote)) return false;
      if (quote < 0) return true;
      if (quote + 1 === chunk.length) {
        this.pending = true;
        return true;
      }
      if (chunk[quote + 1] === QUOTE) at = quote + 2;
      else if (this.close(chunk[quote + 1])) at = quote + 1;
      else return false;
    }
    return true;
  }

  private close(next: number | undefined): boolean {
    if (next !== COMMA && next !== LF) return false;
    this.inside = false;
    return true;
  }

  /** Whether the file ended outside a quoted field (a pending quote at the very end closes it). */
  end(): boolean {
    return !this.inside || this.pending;
  }
}

function countLineFeeds(chunk: Buffer, from: number): number {
  let count = 0;
  for (let at = chunk.indexOf(LF, from); at !== -1; at = chunk.indexOf(LF, at + 1)) count++;
  return count;
}

/** The header and row count of a plain file; null when the file is not plain or has no data row. */
export async function plainCsvHeader(path: string): Promise<PlainCsv | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let header: string | null = null;
    let headerBytes: Buffer[] = [];
    let previous = -1;
    let position = 0;
    let rows = 0;
    const quotes = new QuoteState();
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      if (position === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) return null;
      if (chunk.indexOf(CR) >= 0) return null;
      // A blank line: two line feeds in a row (also across chunks), or one at the very start.
      if (chunk.indexOf('\n\n') >= 0 || (chunk[0] === LF && (previous === LF || previous === -1))) return null;
      let from = 0;
      if (header === null) {
        const end = chunk.indexOf(LF);
        if (end < 0) headerBytes.push(Buffer.from(chunk));
        else {
          const bytes = Buffer.concat([...headerBytes, chunk.subarray(0, end)]);
          if (bytes.includes(QUOTE)) return null;
          header = bytes.toString('utf8');
          headerBytes = [];
          from = end + 1;
        }
      }
      if (header !== null) {
        rows += countLineFeeds(chunk, from);
        if (!quotes.scan(chunk, from, from === 0 ? previous : LF)) return null;
      }
      previous = chunk[bytesRead - 1]!;
      position += bytesRead;
    }
    // The last row may lack its line feed.
    if (header !== null && previous !== LF) rows++;
    if (header === null || header === '' || rows === 0 || !quotes.end()) return null;
    // With one column, a line `""` is one empty field: a blank line to the reader, which skips it.
    if (quotes.quoted && !header.includes(',')) return null;
    return { header: header.split(','), rows, quoted: quotes.quoted };
  } finally {
    await handle.close();
  }
}
