import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * A table's row groups in order, as rows (deleted ones included), from DuckDB's storage info; for
 * copySteps. `table` is a SQL name as the caller writes it, `temp.staging_invoice_lines` for a
 * staging table. Empty for a table the transaction has not committed: DuckDB shows no row group
 * of it.
 */
export async function rowGroupRows(connection: DuckDBConnection, table: string): Promise<bigint[]> {
  // Column 0's data segments; its validity segments ('[0, 0]') count the same rows again.
  const reader = await connection.runAndReadAll(
    `SELECT sum(count)::BIGINT FROM pragma_storage_info($1) WHERE column_id = 0 AND column_path = '[0]' GROUP BY row_group_id ORDER BY row_group_id`,
    [table],
  );
  return reader.getRows().map(([rows]) => rows as bigint);
}
