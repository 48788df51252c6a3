/**
 * A database of its own for a test (or a test file) on the test server of postgres-cluster.ts,
 * so that test files run in parallel without seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { TEST_DATABASE_URL_VARIABLE } from './postgres-cluster.js';

export interface TestDatabase {
  /** postgres://…/runrate_<random> */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** The server URL: from the globalSetup inside vitest, else from the environment. */
export function testServerUrl(): string {
  let url: string | undefined;
  try {
    url = inject('runrateTestDatabaseUrl');
  } catch {
    // Outside a vitest worker (a script): the environment is all there is.
  }
  url ??= process.env[TEST_DATABASE_URL_VARIABLE];
  if (!url) throw new Error(`no test PostgreSQL server: run under vitest (test/support/postgres-cluster.ts starts one) or set ${TEST_DATABASE_URL_VARIABLE}`);
  return url;
}

async function asAdmin(server: string, work: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres(server, { max: 1, onnotice: () => undefined, fetch_types: false });
  try {
    await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const server = testServerUrl();
  const name = `runrate_${randomBytes(8).toString('hex')}`;
  await asAdmin(server, (sql) => sql`CREATE DATABASE ${sql(name)}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => asAdmin(server, (sql) => sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`),
  };
}
