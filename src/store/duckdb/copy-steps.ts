import { assert } from '../../engine/assert.js';

/** Rows `first` to `last` (rowids, both included) of a staged table. */
export interface RowidRange {
  readonly first: bigint;
  readonly last: bigint;
}

/**
 * The steps in which a first import copies a staged table into its stored table (the DuckDB
 * store's `continueMerge`): rowid ranges of about `stepRows` rows each, every one made of whole row
 * groups of the staged table. Why whole ones: DuckDB's insert of a range that cuts the staged
 * table's row groups leaves part-filled row groups in the stored table, and the next checkpoint
 * writes them again to merge them (0.5 s of the M periods' 9 s import, and 15 MB of the file
 * left free; docs/performance.md).
 *
 * `rowGroupRows`: the staged table's row groups in order, in rows (deleted ones included), from
 * the first rowid on. When they do not add up to the range (DuckDB shows no row groups for a table
 * the transaction has not committed), the range is cut every `stepRows` rows instead. A row group
 * larger than `stepRows` is cut too: only tests ask for steps that small.
 */
export function copySteps(first: bigint, last: bigint, rowGroupRows: readonly bigint[], stepRows: bigint): RowidRange[] {
  assert(last >= first, `empty copy range ${first}..${last}`);
  assert(stepRows > 0n, `copy step of ${stepRows} rows`);
  const total = last - first + 1n;
  const groups = rowGroupRows.filter((rows) => rows > 0n);
  const sum = groups.reduce((a, b) => a + b, 0n);
  const wholeGroups = sum === total ? groups : [total];

  const steps: RowidRange[] = [];
  let start = first;
  let pending = 0n;
  const take = (rows: bigint): void => {
    steps.push({ first: start, last: start + rows - 1n });
    start += rows;
  };
  for (const rows of wholeGroups) {
    if (pending > 0n && pending + rows > stepRows) {
      take(pending);
      pending = 0n;
    }
    if (rows <= stepRows) {
      pending += rows;
      continue;
    }
    for (let left = rows; left > 0n; left -= stepRows) take(left < stepRows ? left : stepRows);
  }
  if (pending > 0n) take(pending);
  assert(start === last + 1n, `copy steps end at ${start - 1n}, not ${last}`);
  return steps;
}
