/**
 * The command-line contract of cli.md, exercised through `./bin/runrate` in child processes, as
 * the acceptance checks do: formats and field names, exit codes, the stderr format of rejected
 * rows, and byte-identical output under different machine time zones.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin/runrate');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function runrate(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

let dir: string;
const dataset = (name: string) => path.join(dir, name);

function writeDataset(folder: string, files: Record<string, string>): void {
  mkdirSync(dataset(folder), { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dataset(folder), name), body);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runrate-cli-'));
  // mrr-rules.md §7, the worked lifecycle.
  writeDataset('lifecycle', {
    'runrate.config.json': JSON.stringify({ currency: 'USD', asOf: '2025-03-01' }),
    'invoice_lines.csv': [
      'line_id,invoice_id,customer_id,subscription_id,plan_id,service_start,service_end,amount,currency,quantity,cancelled_at',
      'line-1,inv-1,c1,s1,gold,2024-01-10,2025-01-10,2000.00,USD,4,',
      'line-7,inv-2,c1,s2,silver,2024-01-14,2024-02-14,60.00,USD,2,2024-01-28',
      'line-9,inv-3,c1,s3,gold-monthly,2025-02-01,2025-03-01,150.00,USD,3,',
    ].join('\n'),
    'customers.csv': 'customer_id,name,country\nc1,Acme Corp,FR\nc2,Never Paid Ltd,DE\n',
  });
  writeDataset('rejects', {
    'invoice_lines.csv': [
      'line_id,invoice_id,customer_id,subscription_id,service_start,service_end,amount,currency',
      'l1,i1,c1,s1,2024-01-01,2024-02-01,100.00,USD',
      'l2,i2,c1,s1,2024-02-01,2024-03-01,100.001,USD',
      'l3,i3,c2,s2,2024-02-30,2024-03-01,50.00,USD',
    ].join('\n'),
  });
  writeDataset('currencies', {
    'invoice_lines.csv': [
      'line_id,invoice_id,customer_id,subscription_id,service_start,service_end,amount,currency',
      'l1,i1,c1,s1,2024-01-01,2024-02-01,100.00,USD',
      'l2,i2,c2,s2,2024-01-01,2024-02-01,100.00,EUR',
    ].join('\n'),
    'fx_rates.csv': 'date,base,quote,rate\n2024-01-01,EUR,USD,1.10\n',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runrate CLI', () => {
  test('--help lists every command; a command help shows an example', async () => {
    const help = await runrate(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['movements', 'mrr', 'customers', 'customer', 'demo']) expect(help.stdout).toContain(command);
    const movementsHelp = await runrate(['movements', '--help']);
    expect(movementsHelp.code).toBe(0);
    expect(movementsHelp.stdout).toContain('--churn-recognition');
    expect(movementsHelp.stdout).toContain('Example:');
  });

  test('movements --format json follows cli.md field for field', async () => {
    const result = await runrate(['movements', '--data', dataset('lifecycle'), '--format', 'json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.currency).toBe('USD');
    expect(body.movements[1]).toEqual({
      date: '2024-01-14',
      customer_id: 'c1',
      subscription_id: 's2',
      type: 'expansion',
      reason: 'cross_sell',
      amount: 6000,
      currency: 'USD',
      native_amount: 6000,
      native_currency: 'USD',
      customer_mrr: 22667,
      plan_id: 'silver',
      price_effect: null,
      volume_effect: null,
      mix_effect: null,
      sources: ['line-7'],
    });
    expect(body.movements.map((m: { type: string }) => m.type)).toEqual(['new', 'expansion', 'contraction', 'churn', 'reactivation']);
  });

  test('movements --format ndjson is one object per line; filters by type and customer', async () => {
    const result = await runrate(['movements', '--data', dataset('lifecycle'), '--format', 'ndjson', '--type', 'churn,reactivation', '--customer', 'c1']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((m) => [m.date, m.type, m.amount])).toEqual([
      ['2025-01-10', 'churn', -16667],
      ['2025-02-01', 'reactivation', 15000],
    ]);
  });

  test('mrr --format json gives the example entry of cli.md', async () => {
    const result = await runrate(['mrr', '--data', dataset('lifecycle'), '--format', 'json', '--to', '2024-01-31']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      currency: 'USD',
      interval: 'month',
      entries: [
        {
          period: '2024-01',
          first: '2024-01-01',
          last: '2024-01-31',
          mrr_start: 0,
          mrr: 16667,
          new: 16667,
          expansion: 6000,
          contraction: -6000,
          churn: 0,
          reactivation: 0,
          fx: 0,
          net_new: 16667,
          customers: 1,
          customers_start: 0,
        },
      ],
    });
  });

  test('customers --format json on --as-of; csv output parses with the same fields', async () => {
    const json = await runrate(['customers', '--data', dataset('lifecycle'), '--format', 'json', '--as-of', '2025-01-20']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      currency: 'USD',
      as_of: '2025-01-20',
      customers: [
        { customer_id: 'c1', name: 'Acme Corp', mrr: 0, arr: 0, status: 'churned', first_paid: '2024-01-10', subscriptions: [] },
        { customer_id: 'c2', name: 'Never Paid Ltd', mrr: 0, arr: 0, status: 'never_paid', first_paid: null, subscriptions: [] },
      ],
    });
    const csv = await runrate(['customers', '--data', dataset('lifecycle'), '--format', 'csv']);
    const parsed = Papa.parse<Record<string, string>>(csv.stdout.trim(), { header: true });
    expect(parsed.meta.fields).toEqual(['customer_id', 'name', 'mrr', 'arr', 'status', 'first_paid', 'subscriptions']);
    expect(parsed.data[0]).toMatchObject({ customer_id: 'c1', mrr: '15000', arr: '180000', status: 'paying', subscriptions: 's3' });
  });

  test('customer ID shows its subscriptions, timeline and movements', async () => {
    const result = await runrate(['customer', 'c1', '--data', dataset('lifecycle'), '--format', 'json']);
    expect(result.code).toBe(0);
    const detail = JSON.parse(result.stdout);
    expect(detail.customer).toMatchObject({ customer_id: 'c1', name: 'Acme Corp', country: 'FR', mrr: 15000, status: 'paying' });
    expect(detail.subscriptions.map((s: { subscription_id: string; mrr: number }) => [s.subscription_id, s.mrr])).toEqual([
      ['s1', 0],
      ['s2', 0],
      ['s3', 15000],
    ]);
    expect(detail.timeline.at(-1)).toEqual({ date: '2025-02-01', mrr: 15000 });
    expect(detail.movements).toHaveLength(5);
    const table = await runrate(['customer', 'c1', '--data', dataset('lifecycle')]);
    expect(table.stdout).toContain('Acme Corp');
    expect(table.stdout).toContain('reactivation');
    const unknown = await runrate(['customer', 'nobody', '--data', dataset('lifecycle')]);
    expect(unknown.code).toBe(2);
  });

  test('tables are aligned and uncoloured when piped; --output writes a file', async () => {
    const result = await runrate(['mrr', '--data', dataset('lifecycle'), '--interval', 'quarter']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/\u001b\[/);
    expect(result.stdout).toContain('2024-Q1');
    expect(result.stdout).toContain('166.67');
    const out = path.join(dir, 'movements.csv');
    const written = await runrate(['movements', '--data', dataset('lifecycle'), '--format', 'csv', '--output', out]);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('date,customer_id,subscription_id,type,reason,amount,currency,native_amount,native_currency,customer_mrr,plan_id,price_effect,volume_effect,mix_effect,sources');
    expect(lines).toHaveLength(6);
  });

  test('a reader that closes the pipe early (`| head`) ends the command quietly, without a stack trace', async () => {
    // stdout: 'closed', a pipe whose read end closes before the child has started (so its first
    // write fails with EPIPE), or a file descriptor.
    const runWithStdout = (args: string[], stdout: 'closed' | number) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(bin, args, { cwd: root, stdio: ['ignore', stdout === 'closed' ? 'pipe' : stdout, 'pipe'] });
        if (stdout === 'closed') child.stdout!.destroy();
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const commands = [['--help'], ['movements', '--data', dataset('lifecycle'), '--format', 'csv']];
    for (const args of commands) {
      const result = await runWithStdout(args, 'closed');
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.code, args.join(' ')).toBe(0);
    }
    // Any other write error is a failure: one line, exit 1 (/dev/full: every write is ENOSPC).
    if (existsSync('/dev/full')) {
      for (const args of commands) {
        const full = openSync('/dev/full', 'w');
        const result = await runWithStdout(args, full);
        closeSync(full);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toMatch(/^runrate: .*ENOSPC.*\n$/);
      }
    }
    // Rejected rows still say so, and still exit 3.
    const rejects = await runWithStdout(['movements', '--data', dataset('rejects'), '--format', 'json', '--as-of', '2024-02-10'], 'closed');
    expect(rejects.code).toBe(3);
    expect(rejects.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });

  test('rejected rows: each on stderr as FILE:LINE: column: message, output from the rest, exit 3', async () => {
    const result = await runrate(['movements', '--data', dataset('rejects'), '--format', 'json', '--as-of', '2024-02-10']);
    expect(result.code).toBe(3);
    const rejectLines = result.stderr.split('\n').filter((line) => /^invoice_lines\.csv:\d+: /.test(line));
    expect(rejectLines).toHaveLength(2);
    expect(rejectLines[0]).toMatch(/^invoice_lines\.csv:3: amount: .*decimals/);
    expect(rejectLines[1]).toMatch(/^invoice_lines\.csv:4: service_start: /);
    const body = JSON.parse(result.stdout);
    expect(body.movements.map((m: { type: string; amount: number }) => [m.type, m.amount])).toEqual([
      ['new', 10000],
      ['churn', -10000],
    ]);
  });

  test('usage and configuration errors exit 2 with a one-line message', async () => {
    const unknownFlag = await runrate(['movements', '--data', dataset('lifecycle'), '--no-such-flag']);
    expect(unknownFlag.code).toBe(2);
    const badPolicy = await runrate(['movements', '--data', dataset('lifecycle'), '--churn-recognition', 'whenever']);
    expect(badPolicy.code).toBe(2);
    const badDate = await runrate(['mrr', '--data', dataset('lifecycle'), '--as-of', '2024-02-30']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr.trim()).toBe('runrate: asOf: "2024-02-30" is not a YYYY-MM-DD date');
    const noCurrency = await runrate(['mrr', '--data', dataset('currencies'), '--as-of', '2024-01-31']);
    expect(noCurrency.code).toBe(2);
    expect(noCurrency.stderr).toContain('EUR, USD');
    const noData = await runrate(['mrr', '--data', path.join(dir, 'missing')]);
    expect(noData.code).toBe(2);
    expect(noData.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('a missing exchange rate names the pair and the date', async () => {
    const result = await runrate(['mrr', '--data', dataset('currencies'), '--currency', 'GBP', '--as-of', '2024-01-31']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('runrate: no exchange rate USD→GBP on or before 2024-01-01: add an fx_rates row for USD/GBP (or a common base) dated on or before it');
  });

  test('several currencies convert with --currency', async () => {
    const result = await runrate(['mrr', '--data', dataset('currencies'), '--currency', 'USD', '--as-of', '2024-01-15', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).entries[0].mrr).toBe(10000 + 11000);
  });
});

describe('reports of issue 3 through the CLI', () => {
  test('metrics --format json: the mrr fields then every metric, in the order of cli.md', async () => {
    const result = await runrate(['metrics', '--data', dataset('lifecycle'), '--format', 'json', '--from', '2025-01-01']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.currency).toBe('USD');
    expect(body.interval).toBe('month');
    expect(Object.keys(body.entries[0])).toEqual([
      'period', 'first', 'last', 'mrr_start', 'mrr', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx', 'net_new',
      'customers', 'customers_start', 'arr', 'arpa', 'asp', 'new_customers', 'reactivated_customers', 'churned_customers',
      'customer_churn_rate', 'gross_mrr_churn_rate', 'net_mrr_churn_rate', 'nrr', 'grr', 'nrr_12m', 'quick_ratio', 'ltv',
      'mrr_growth_rate', 'expansion_rate',
    ]);
    expect(body.entries.map((e: { period: string }) => e.period)).toEqual(['2025-01', '2025-02', '2025-03']);
    expect(body.entries[0]).toMatchObject({ mrr_start: 16667, mrr: 0, churn: -16667, churned_customers: 1, customer_churn_rate: 1, gross_mrr_churn_rate: 1, nrr: 0, grr: 0, arpa: null, quick_ratio: 0 });
    expect(body.entries[2]).toMatchObject({ first: '2025-03-01', last: '2025-03-01', mrr: 15000 });
  });

  test('cohorts --format json: arrays indexed by age', async () => {
    const result = await runrate(['cohorts', '--data', dataset('lifecycle'), '--format', 'json', '--interval', 'year']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      currency: 'USD',
      interval: 'year',
      cohorts: [
        { cohort: '2024', customers: [1, 1], mrr: [16667, 15000] },
        { cohort: '2025', customers: [0], mrr: [0] },
      ],
    });
  });

  test('mrr --group-by and --segment; forecast states its assumptions; export writes the workbook', async () => {
    const grouped = await runrate(['mrr', '--data', dataset('lifecycle'), '--format', 'json', '--group-by', 'plan', '--interval', 'year']);
    expect(grouped.code).toBe(0);
    const body = JSON.parse(grouped.stdout);
    expect(body.group_by).toBe('plan');
    expect(body.entries.map((e: { group: string; period: string; mrr: number }) => [e.group, e.period, e.mrr])).toEqual([
      ['gold', '2024', 16667],
      ['gold', '2025', 0],
      ['gold-monthly', '2024', 0],
      ['gold-monthly', '2025', 15000],
      ['silver', '2024', 0],
      ['silver', '2025', 0],
    ]);
    const segment = await runrate(['mrr', '--data', dataset('lifecycle'), '--format', 'json', '--segment', 'country=DE']);
    // A segment without data still reports the business's periods, at zero.
    const empty = JSON.parse(segment.stdout).entries as Array<{ mrr: number; customers: number }>;
    expect(empty).toHaveLength(15);
    expect(empty.every((entry) => entry.mrr === 0 && entry.customers === 0)).toBe(true);
    const badSegment = await runrate(['mrr', '--data', dataset('lifecycle'), '--segment', 'colour=red']);
    expect(badSegment.code).toBe(2);
    const forecast = await runrate(['forecast', '--data', dataset('lifecycle'), '--format', 'json', '--months', '2']);
    expect(forecast.code).toBe(0);
    const projection = JSON.parse(forecast.stdout);
    expect(projection).toMatchObject({ mrr: 15000, committed_mrr: 15000 });
    expect(projection.assumptions.trailing_months).toEqual(['2024-12', '2025-01', '2025-02']);
    expect(projection.entries.map((e: { period: string }) => e.period)).toEqual(['2025-04', '2025-05']);
    const out = path.join(dir, 'pack.xlsx');
    const exported = await runrate(['export', '--data', dataset('lifecycle'), '--to', out]);
    expect(exported.code).toBe(0);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
  });
});

describe('the store through the CLI', () => {
  test('every report reads the same from --db as from --data', async () => {
    const data = path.join(dir, 'store-demo');
    expect((await runrate(['demo', '--out', data, '--customers', '80', '--months', '24', '--seed', '3'])).code).toBe(0);
    const db = path.join(dir, 'reports.duckdb');
    const imported = await runrate(['import', data, '--db', db, '--quiet']);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/imported into .*reports\.duckdb: [\d,]+ rows read, [\d,]+ accepted \([\d,]+ new, 0 replaced, 0 unchanged\), 0 rejected; every customer recomputed/);
    const reports = [
      ['movements', '--format', 'ndjson'],
      ['mrr', '--format', 'json', '--interval', 'quarter'],
      ['metrics', '--format', 'json'],
      ['metrics', '--format', 'csv', '--group-by', 'plan'],
      ['customers', '--format', 'json'],
      ['customer', 'cus_000019', '--format', 'json'],
      // One customer's movements: read from its rows alone.
      ['movements', '--customer', 'cus_000019', '--format', 'json'],
      ['movements', '--customer', 'cus_000019', '--format', 'csv', '--from', '2024-01-01', '--type', 'expansion,contraction,churn,reactivation'],
      ['movements', '--customer', 'nobody', '--format', 'json'],
      ['cohorts', '--format', 'json'],
      ['forecast', '--format', 'json', '--months', '3'],
    ];
    for (const report of reports) {
      const fromData = await runrate([...report, '--data', data]);
      const fromStore = await runrate([...report, '--db', db]);
      expect(fromData.code, report.join(' ')).toBe(0);
      expect(fromStore.code, report.join(' ')).toBe(0);
      expect(fromStore.stdout, report.join(' ')).toBe(fromData.stdout);
    }
    // Another configuration: computed in memory from the stored rows, still equal.
    const other = ['mrr', '--format', 'json', '--churn-recognition', 'period-end'];
    const inMemory = await runrate([...other, '--db', db]);
    expect(inMemory.stderr).toContain('computed in memory');
    expect(inMemory.stdout).toBe((await runrate([...other, '--data', data])).stdout);
    const oneCustomer = ['movements', '--customer', 'cus_000019', '--format', 'json', '--churn-recognition', 'period-end'];
    const oneInMemory = await runrate([...oneCustomer, '--db', db]);
    expect(oneInMemory.stderr).toContain('computed in memory');
    expect(oneInMemory.stdout).toBe((await runrate([...oneCustomer, '--data', data])).stdout);
    expect(JSON.parse(oneInMemory.stdout).movements.length).toBeGreaterThan(0);
  });

  test('an incremental import keeps every whole-business report equal to one computed from all the rows', async () => {
    // The second import recomputes the customers it touches, and updates the kept report figures
    // by their share (docs/store.md): the answer must be the one a computation over every row gives.
    const demo = path.join(dir, 'increment-demo');
    expect((await runrate(['demo', '--out', demo, '--customers', '80', '--months', '24', '--seed', '5'])).code).toBe(0);
    const [header, ...lines] = readFileSync(path.join(demo, 'invoice_lines.csv'), 'utf8').trim().split('\n');
    const amount = header!.split(',').indexOf('amount');
    const reprice = (line: string) => line.split(',').map((cell, i) => (i === amount ? '1.00' : cell)).join(',');
    const later = lines.slice(Math.floor(lines.length * 0.8));
    const repriced = lines.filter((_, i) => i % 25 === 0 && i < lines.length * 0.8);
    const earlier = lines.slice(0, Math.floor(lines.length * 0.8));
    const others = ['customers.csv', 'plans.csv', 'subscription_events.csv', 'fx_rates.csv', 'runrate.config.json'];
    const folder = (name: string, rows: string[], files: string[]) => {
      mkdirSync(path.join(dir, name), { recursive: true });
      writeFileSync(path.join(dir, name, 'invoice_lines.csv'), [header, ...rows].join('\n') + '\n');
      for (const file of files) writeFileSync(path.join(dir, name, file), readFileSync(path.join(demo, file)));
      return path.join(dir, name);
    };
    const first = folder('increment-first', earlier, others);
    const second = folder('increment-second', [...later, ...repriced.map(reprice)], ['runrate.config.json']);
    const whole = folder('increment-whole', [...earlier.map((line) => (repriced.includes(line) ? reprice(line) : line)), ...later], others);
    const db = path.join(dir, 'increment.duckdb');
    expect((await runrate(['import', first, '--db', db, '--quiet'])).code).toBe(0);
    // Reports before the second import, so that there are kept figures to update.
    expect((await runrate(['metrics', '--db', db, '--format', 'json'])).code).toBe(0);
    const increment = await runrate(['import', second, '--db', db, '--quiet']);
    expect(increment.code).toBe(0);
    expect(increment.stderr).toMatch(new RegExp(`\\(${later.length} new, ${repriced.length} replaced, 0 unchanged\\), 0 rejected; \\d+ customers recomputed`));
    for (const report of [['metrics', '--format', 'json'], ['mrr', '--format', 'json', '--interval', 'quarter'], ['movements', '--format', 'ndjson'], ['customers', '--format', 'json']]) {
      const fromStore = await runrate([...report, '--db', db]);
      expect(fromStore.code, report.join(' ')).toBe(0);
      expect(fromStore.stdout, report.join(' ')).toBe((await runrate([...report, '--data', whole])).stdout);
    }
  });

  test('import reports rejected rows, exits 3, and keeps them for `runrate rejects`', async () => {
    const db = path.join(dir, 'rejects.duckdb');
    const imported = await runrate(['import', dataset('rejects'), '--db', db, '--as-of', '2024-02-10']);
    expect(imported.code).toBe(3);
    expect(imported.stderr).toContain('invoice_lines.csv:3: amount:');
    const listed = await runrate(['rejects', '--db', db, '--format', 'json']);
    expect(listed.code).toBe(0);
    const rejects = JSON.parse(listed.stdout).rejects as Array<{ file: string; line: number; column: string; raw: string }>;
    expect(rejects.map((r) => [path.basename(r.file), r.line, r.column])).toEqual([
      ['invoice_lines.csv', 3, 'amount'],
      ['invoice_lines.csv', 4, 'service_start'],
    ]);
    expect(rejects[0]!.raw).toBe('l2,i2,c1,s1,2024-02-01,2024-03-01,100.001,USD');
    const mismatch = await runrate(['import', dataset('rejects'), '--db', db, '--discounts', 'gross']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('run `runrate recompute`');
    const missing = await runrate(['mrr', '--db', path.join(dir, 'nothing.duckdb')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no store at');
  });
});

describe('determinism across machine time zones', () => {
  test('the demo dataset gives byte-identical movements under UTC, Kiritimati and St. John’s', async () => {
    const out = path.join(dir, 'demo');
    const demo = await runrate(['demo', '--out', out, '--customers', '60', '--months', '18', '--seed', '7']);
    expect(demo.code).toBe(0);
    const outputs = await Promise.all(
      ['UTC', 'Pacific/Kiritimati', 'America/St_Johns'].map((zone) =>
        runrate(['movements', '--data', out, '--format', 'ndjson', '--timezone', 'America/New_York'], { TZ: zone }),
      ),
    );
    for (const output of outputs) expect(output.code).toBe(0);
    expect(outputs[0]!.stdout.length).toBeGreaterThan(1000);
    expect(outputs[1]!.stdout).toBe(outputs[0]!.stdout);
    expect(outputs[2]!.stdout).toBe(outputs[0]!.stdout);
  });
});
