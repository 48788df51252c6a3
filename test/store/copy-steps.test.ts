/**
 * The steps of a first import's deferred copy (copy-steps.ts): whole row groups of the staged
 * table per step, so that DuckDB writes full row groups into the stored table and its checkpoint
 * has none to merge; fixed steps when the row groups are unknown.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { copySteps, type RowidRange } from '../../src/store/duckdb/copy-steps.js';
import { rowGroupRows } from '../../src/store/duckdb/row-group-rows.js';

const GROUP = 122_880n;
const STEP = 2n * GROUP;

const ranges = (steps: readonly RowidRange[]): string[] => steps.map(({ first, last }) => `${first}..${last}`);

describe('copySteps', () => {
  it('copies two full row groups per step, the last step what is left', () => {
    expect(ranges(copySteps(0n, 5n * GROUP - 1n, [GROUP, GROUP, GROUP, GROUP, GROUP], STEP))).toEqual([
      `0..${2n * GROUP - 1n}`,
      `${2n * GROUP}..${4n * GROUP - 1n}`,
      `${4n * GROUP}..${5n * GROUP - 1n}`,
    ]);
  });

  it('never cuts a part-filled row group, as DuckDB leaves them when it stages in parallel', () => {
    // The M periods' staged invoice lines: four full row groups, one of 88,265, four full, 115,073.
    const groups = [GROUP, GROUP, GROUP, GROUP, 88_265n, GROUP, GROUP, GROUP, GROUP, 115_073n];
    const total = groups.reduce((a, b) => a + b, 0n);
    const steps = copySteps(0n, total - 1n, groups, STEP);
    // Fixed steps of 245,760 rows would start a step inside the fifth row group.
    expect(steps.map(({ first, last }) => last - first + 1n)).toEqual([STEP, STEP, 88_265n + GROUP, STEP, GROUP + 115_073n]);
  });

  it('cuts every stepRows rows when the row groups do not cover the range (a table not committed yet)', () => {
    expect(ranges(copySteps(10n, 29n, [], 7n))).toEqual(['10..16', '17..23', '24..29']);
    expect(ranges(copySteps(10n, 29n, [5n, 5n], 7n))).toEqual(['10..16', '17..23', '24..29']);
  });

  it('cuts a row group larger than a step (only tests ask for steps that small)', () => {
    expect(ranges(copySteps(0n, 19n, [3n, 12n, 5n], 7n))).toEqual(['0..2', '3..9', '10..14', '15..19']);
  });

  it('starts at the first rowid of a table staged in a transaction (2^55 and up)', () => {
    const first = 2n ** 55n;
    expect(ranges(copySteps(first, first + 9n, [4n, 6n], 6n))).toEqual([`${first}..${first + 3n}`, `${first + 4n}..${first + 9n}`]);
  });

  it('covers the range once, in order, in whole row groups of at most stepRows rows', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 56n }),
        fc.array(fc.bigInt({ min: 0n, max: 40n }), { maxLength: 12 }),
        fc.bigInt({ min: 1n, max: 60n }),
        fc.boolean(),
        (first, groups, stepRows, layoutKnown) => {
          const total = groups.reduce((a, b) => a + b, 0n);
          fc.pre(total > 0n);
          const steps = copySteps(first, first + total - 1n, layoutKnown ? groups : [], stepRows);
          // In order, without a gap or an overlap, from the first rowid to the last.
          expect(steps[0]!.first).toBe(first);
          expect(steps.at(-1)!.last).toBe(first + total - 1n);
          steps.slice(1).forEach((step, index) => expect(step.first).toBe(steps[index]!.last + 1n));
          for (const step of steps) expect(step.last - step.first + 1n).toBeGreaterThan(0n);
          for (const step of steps) expect(step.last - step.first + 1n).toBeLessThanOrEqual(stepRows);
          if (!layoutKnown) return;
          // Every row group small enough for a step lies in one step.
          let start = first;
          for (const rows of groups) {
            if (rows > 0n && rows <= stepRows) {
              const end = start + rows - 1n;
              expect(steps.some((step) => step.first <= start && end <= step.last)).toBe(true);
            }
            start += rows;
          }
        },
      ),
    );
  });
});

describe('rowGroupRows', () => {
  it("reads a committed table's row groups from DuckDB, deleted rows included, and none of a table not committed", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`CREATE TEMP TABLE staged AS SELECT range AS id, range::VARCHAR AS text FROM range(300000)`);
      await connection.run(`DELETE FROM temp.staged WHERE id % 7 = 0`);
      expect(await rowGroupRows(connection, 'temp.staged')).toEqual([GROUP, GROUP, 300_000n - 2n * GROUP]);
      await connection.run('BEGIN');
      await connection.run(`CREATE TEMP TABLE uncommitted AS SELECT range AS id FROM range(1000)`);
      expect(await rowGroupRows(connection, 'temp.uncommitted')).toEqual([]);
      await connection.run('ROLLBACK');
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
