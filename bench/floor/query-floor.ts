/**
 * The query floor: the least a new process can do to answer from a store. Node starts, loads
 * DuckDB's binding, opens the store read-only, runs one statement and writes its rows as JSON;
 * nothing of Runrate's. The benchmark times it beside `metrics` and `movements --customer`, so that
 * each query's latency reads against what any CLI process on Node and DuckDB pays on this machine
 * (docs/performance.md). It runs bundled, as the CLI does (run-bench.ts builds the bundle), so
 * that it does not pay for Node resolving DuckDB's JavaScript files one by one.
 *
 *   node query-floor.bundle.mjs STORE SQL [PARAMETER…]
 */
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

/** The statement's rows, as DuckDB's node API converts them to JSON. */
export async function readFromStore(store: string, sql: string, parameters: readonly DuckDBValue[] = []): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(store, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql, [...parameters]);
      return reader.getRowsJson();
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const [store, sql, ...parameters] = process.argv.slice(2);
  if (store === undefined || sql === undefined) {
    throw new Error('usage: query-floor STORE SQL [PARAMETER…]');
  }
  process.stdout.write(`${JSON.stringify(await readFromStore(store, sql, parameters))}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`query-floor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
