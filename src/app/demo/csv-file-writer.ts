/**
 * Buffered CSV output (RFC 4180 quoting, LF line ends): rows accumulate in memory up to a
 * threshold and go to disk in large writes, so that millions of rows stream without holding
 * more than one buffer.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Where row producers put their rows; they never wait for the disk. */
export interface RowSink {
  row(fields: readonly string[]): void;
}

const FLUSH_THRESHOLD = 1 << 20;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export class CsvFileWriter implements RowSink {
  /** Lines waiting for the disk, each ending in a line feed; joined once per write. */
  private pending: string[] = [];
  private pendingChars = 0;
  private rowCount = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  static async create(path: string, columns: readonly string[]): Promise<CsvFileWriter> {
    const writer = new CsvFileWriter(await open(path, 'w'), path);
    writer.append(`${columns.map(csvField).join(',')}\n`);
    return writer;
  }

  /** Data rows written so far (the header excluded). */
  get rows(): number {
    return this.rowCount;
  }

  /** True when the buffer is large enough to be worth a write. */
  get full(): boolean {
    return this.pendingChars >= FLUSH_THRESHOLD;
  }

  private append(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length;
  }

  row(fields: readonly string[]): void {
    let quoted = false;
    for (const value of fields) if (NEEDS_QUOTES.test(value)) quoted = true;
    this.append(`${(quoted ? fields.map(csvField) : fields).join(',')}\n`);
    this.rowCount++;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }

  /** Closes without writing what is buffered (after a failure elsewhere). */
  async abandon(): Promise<void> {
    this.pending = [];
    this.pendingChars = 0;
    await this.handle.close();
  }
}
