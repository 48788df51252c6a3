/**
 * Parquet through DuckDB: each report table is appended into an in-memory DuckDB table with
 * explicit types (money BIGINT, dates DATE, rates DOUBLE, lists VARCHAR[]) and copied out.
 * `--to reports.parquet` writes the movements there and each other report beside it
 * (`reports.metrics.parquet` …).
 */
import path from 'node:path';
import { DuckDBInstance, DuckDBDateValue, LIST, listValue, VARCHAR } from '@duckdb/node-api';

interface Table {
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: 'text' | 'date' | 'money' | 'count' | 'rate' | 'list' }>;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null | readonly string[]>>;
}

const SQL_TYPES = { text: 'VARCHAR', date: 'DATE', money: 'BIGINT', count: 'BIGINT', rate: 'DOUBLE', list: 'VARCHAR[]' } as const;

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function writeParquetTables(target: string, tables: readonly Table[]): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const base = target.slice(0, -path.extname(target).length);
  const written: string[] = [];
  try {
    for (const table of tables) {
      const name = quoteIdentifier(table.name);
      await connection.run(`CREATE TABLE ${name} (${table.columns.map((c) => `${quoteIdentifier(c.name)} ${SQL_TYPES[c.kind]}`).join(', ')})`);
      const appender = await connection.createAppender(table.name);
      for (const row of table.rows) {
        table.columns.forEach((column, i) => {
          const value = row[i] ?? null;
          if (value === null) appender.appendNull();
          else if (column.kind === 'date') appender.appendDate(DuckDBDateValue.fromParts(parseDateParts(String(value))));
          else if (column.kind === 'money' || column.kind === 'count') appender.appendBigInt(BigInt(value as number));
          else if (column.kind === 'rate') appender.appendDouble(value as number);
          // The list type is explicit: an empty list alone does not tell DuckDB its item type.
          else if (column.kind === 'list') appender.appendList(listValue([...(value as string[])]), LIST(VARCHAR));
          else appender.appendVarchar(String(value));
        });
        appender.endRow();
      }
      appender.flushSync();
      appender.closeSync();
      const file = table.name === 'movements' ? target : `${base}.${table.name}.parquet`;
      await connection.run(`COPY ${name} TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
      written.push(file);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return written;
}

function parseDateParts(text: string): { year: number; month: number; day: number } {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}
