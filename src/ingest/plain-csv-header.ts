/**
 * Whether a CSV file is "plain" and, if so, its header. A plain file has no quote character, no
 * carriage return, no byte-order mark and no blank line: every line is one row, and its fields are
 * the text between commas. Any CSV reader splits such a file the same way, so a store may load it
 * with its own reader (DuckDB's `read_csv`) and still name the very line and fields papaparse
 * would (see `CsvBulkStager`). Anything else is read row by row in JavaScript.
 */
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

export interface PlainCsv {
  /** The header's fields, untrimmed. */
  readonly header: string[];
  /** Lines after the header: the file's rows, since a plain file has no blank line. */
  readonly rows: number;
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
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      if (position === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) return null;
      if (chunk.indexOf(QUOTE) >= 0 || chunk.indexOf(CR) >= 0) return null;
      // A blank line: two line feeds in a row (also across chunks), or one at the very start.
      if (chunk.indexOf('\n\n') >= 0 || (chunk[0] === LF && (previous === LF || previous === -1))) return null;
      let from = 0;
      if (header === null) {
        const end = chunk.indexOf(LF);
        if (end < 0) headerBytes.push(Buffer.from(chunk));
        else {
          header = Buffer.concat([...headerBytes, chunk.subarray(0, end)]).toString('utf8');
          headerBytes = [];
          from = end + 1;
        }
      }
      if (header !== null) rows += countLineFeeds(chunk, from);
      previous = chunk[bytesRead - 1]!;
      position += bytesRead;
    }
    // The last row may lack its line feed.
    if (header !== null && previous !== LF) rows++;
    if (header === null || header === '' || rows === 0) return null;
    return { header: header.split(','), rows };
  } finally {
    await handle.close();
  }
}
