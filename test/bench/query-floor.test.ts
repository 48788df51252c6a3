import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { readFromStore } from '../../bench/floor/query-floor.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'runrate-query-floor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function storeWithMovements(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE movements (customer_id VARCHAR, mrr BIGINT)`);
  await connection.run(`INSERT INTO movements VALUES ('cus_1', 100), ('cus_2', 250), ('cus_1', -40)`);
  connection.closeSync();
  instance.closeSync();
}

describe('the query floor of the benchmark', () => {
  it("reads one customer's rows from a store file, with a parameter", async () => {
    const file = path.join(root, 'read.duckdb');
    await storeWithMovements(file);
    const rows = await readFromStore(file, 'SELECT customer_id, mrr FROM movements WHERE customer_id = $1 ORDER BY mrr', ['cus_1']);
    // BIGINT arrives as text in DuckDB's JSON rows, so that no integer is rounded.
    expect(rows).toEqual([['cus_1', '-40'], ['cus_1', '100']]);
  });

  it('opens the store read-only, as a query needs no more', async () => {
    const file = path.join(root, 'read-only.duckdb');
    await storeWithMovements(file);
    await expect(readFromStore(file, `DELETE FROM movements`)).rejects.toThrow(/read-only/i);
    expect(await readFromStore(file, 'SELECT count(*)::INTEGER FROM movements')).toEqual([[3]]);
  });
});
