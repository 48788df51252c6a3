/**
 * A DuckDB database for the benchmark's own SQL (peer, floor, cross-check, batch): statements,
 * rows as plain objects with BIGINTs and DECIMALs turned into numbers or exact strings.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export type Row = Record<string, unknown>;

export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** `path` ':memory:' for a throwaway database. */
  static async open(path: string, options: Record<string, string> = {}): Promise<DuckDbSession> {
    const instance = await DuckDBInstance.create(path, options);
    return new DuckDbSession(instance, await instance.connect());
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows as JSON-ready objects: integers as numbers, decimals and dates as strings. */
  async rows(sql: string): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Row[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
