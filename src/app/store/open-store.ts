/**
 * Which store a command uses: PostgreSQL when a `postgres://` URL is given (DATABASE_URL), else
 * the DuckDB file of --db (default ./runrate.duckdb).
 */
import { existsSync } from 'node:fs';
import type { RunrateStore } from '../../store/store-port.js';
import { UsageError } from '../errors.js';

export const DEFAULT_STORE_PATH = './runrate.duckdb';

export interface StoreLocation {
  /** --db PATH */
  readonly db?: string;
  /** DATABASE_URL, read by the edge. */
  readonly databaseUrl?: string;
}

export async function openStore(location: StoreLocation, options: { create: boolean }): Promise<RunrateStore> {
  const url = location.databaseUrl;
  if (url !== undefined && url !== '' && location.db === undefined) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`DATABASE_URL: "${url.replace(/:[^:@/]*@/, ':…@')}" is not a postgres:// URL`);
    const { openPostgresStore } = await import('../../store/postgres/postgres-store.js');
    return openPostgresStore(url);
  }
  const path = location.db ?? DEFAULT_STORE_PATH;
  if (!options.create && !existsSync(path)) {
    throw new UsageError(`no store at ${path}: run \`runrate import DIR\` first, or read a dataset folder with --data DIR`);
  }
  // Loaded on use: the DuckDB binding takes a tenth of a second to load, which commands that
  // read a dataset folder should not pay.
  const { openDuckDbStore } = await import('../../store/duckdb/duckdb-store.js');
  return openDuckDbStore(path);
}
