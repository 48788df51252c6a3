/**
 * The benchmark of performance.md, every measurement side by side in one run:
 *
 *   npm run bench -- --size S            (or --sizes S,M; --size L)
 *   npm run bench -- --size S --check-only   the cross-check alone: no timing, for CI
 *
 * Per size: generates the seeded demo dataset with its month-aligned periods, then measures
 * (1) Runrate cold, (2) an incremental batch, (3) query latency, (4) the peer on the periods,
 * (4b) Runrate on the same periods, (5) the floor; cross-checks Runrate against the peer on
 * the periods; prints one table and writes it to bench/results/<date>-<size>.json with the
 * machine it ran on. Every figure is a whole child process measured from outside (wall, CPU,
 * peak RSS), so Runrate and the peer pay the same process start-up. See docs/performance.md.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { crossCheck, type CrossCheckResult } from './cross-check.js';
import { DuckDbSession, sqlString } from './duckdb-session.js';
import { writeIncrementalBatch, type BatchSummary } from './incremental-batch.js';
import { CommandFailed, measure, removeTimeFiles, sequence, type Measurement } from './measure-process.js';
import { summariseProfile, type ProfileSummary } from './profile-summary.js';

// Compiled to dist/bench/ (ESLint and git already leave dist/ alone).
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNRATE = join(ROOT, 'bin', 'runrate');
const PEER = join(ROOT, 'dist', 'bench', 'peer', 'run-peer.js');
const FLOOR = join(ROOT, 'dist', 'bench', 'floor', 'run-floor.js');
/** bench/floor/query-floor.ts bundled, as the CLI is; next to the compiled file, so that Node finds DuckDB's binding. */
const QUERY_FLOOR = join(ROOT, 'dist', 'bench', 'floor', 'query-floor.bundle.mjs');
const FLOOR_NODE = 'floor: node -e 0 (Node starts, ends)';
const FLOOR_KEPT_FIGURES = 'floor: Node + DuckDB read the kept figures';
const FLOOR_CUSTOMER_MOVEMENTS = "floor: Node + DuckDB read a customer's movements";

const SIZES = { S: 10_000, M: 100_000, L: 1_000_000 } as const;
type Size = keyof typeof SIZES;

const MONTHS = 36;
const SEED = 42;
/** The demo's window for 36 months: its first month and the month of asOf. */
const FIRST_MONTH = '2023-01-01';
const LAST_MONTH = '2025-12-01';

/** The targets of issue 6, per size; null where none is set. */
const TARGETS = {
  periodsVsPeer: { S: null, M: 0.5, L: 0.5 },
  coldWall: { S: null, M: null, L: 60 },
  coldRss: { S: null, M: null, L: 6 * 1024 ** 3 },
  incremental: { S: null, M: 1, L: 3 },
  metricsP99: { S: null, M: 0.1, L: 0.5 },
  movementsP99: { S: null, M: null, L: 0.05 },
} as const satisfies Record<string, Record<Size, number | null>>;

interface Options {
  readonly sizes: Size[];
  readonly checkOnly: boolean;
  readonly runs: number;
  /** Seconds each latency series may take before it stops short of `runs` (at least 5 runs). */
  readonly queryBudget: number;
  readonly work: string;
  readonly profile: boolean;
  readonly keep: boolean;
  readonly writeResults: boolean;
}

function usage(message: string): never {
  process.stderr.write(
    `bench: ${message}\nusage: npm run bench -- --size S|M|L | --sizes S,M [--check-only] [--runs 50] [--query-budget 120] [--profile] [--work DIR] [--keep] [--no-results]\n`,
  );
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string' },
      sizes: { type: 'string' },
      'check-only': { type: 'boolean', default: false },
      runs: { type: 'string', default: '50' },
      'query-budget': { type: 'string', default: '120' },
      work: { type: 'string', default: join(ROOT, 'bench', '.work') },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'no-results': { type: 'boolean', default: false },
    },
  });
  const list = (values.sizes ?? values.size ?? '').split(',').map((size) => size.trim().toUpperCase()).filter((size) => size !== '');
  if (list.length === 0) usage('give --size or --sizes');
  for (const size of list) if (!(size in SIZES)) usage(`unknown size "${size}" (S, M or L)`);
  const runs = Number(values.runs);
  const queryBudget = Number(values['query-budget']);
  if (!Number.isInteger(runs) || runs < 1) usage('--runs must be a whole number ≥ 1');
  if (!(queryBudget > 0)) usage('--query-budget must be a number of seconds');
  return {
    sizes: list as Size[],
    checkOnly: values['check-only'],
    runs,
    queryBudget,
    work: values.work,
    profile: values.profile,
    keep: values.keep,
    writeResults: !values['no-results'],
  };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function runrate(args: string[], options: { okExitCodes?: number[] } = {}): Promise<Measurement> {
  return measure([RUNRATE, ...args], options);
}

async function node(script: string, args: string[]): Promise<Measurement> {
  return measure([process.execPath, script, ...args]);
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

interface Latency {
  readonly runs: number;
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly medianCpu: number | null;
  readonly maxRss: number | null;
}

/** `command`: the whole command line, program first. */
async function latency(command: string[], options: Options): Promise<Latency> {
  const walls: number[] = [];
  const cpus: number[] = [];
  let maxRss: number | null = null;
  const started = performance.now();
  while (walls.length < options.runs && (walls.length < 5 || (performance.now() - started) / 1000 < options.queryBudget)) {
    const run = await measure(command);
    walls.push(run.wall);
    if (run.cpu !== null) cpus.push(run.cpu);
    if (run.peakRss !== null) maxRss = Math.max(maxRss ?? 0, run.peakRss);
  }
  walls.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return {
    runs: walls.length,
    median: percentile(walls, 0.5),
    p99: percentile(walls, 0.99),
    min: walls[0] ?? Number.NaN,
    medianCpu: cpus.length > 0 ? percentile(cpus, 0.5) : null,
    maxRss,
  };
}

/** Movement count and the customer with the most movements, read from a store file. */
async function storeFacts(db: string): Promise<{ movements: number | null; busiestCustomer: string | null }> {
  try {
    const session = await DuckDbSession.open(':memory:');
    try {
      await session.run(`ATTACH ${sqlString(db)} AS store (READ_ONLY)`);
      const [count] = await session.rows(`SELECT count(*) AS n FROM store.movements`);
      const [busiest] = await session.rows(`SELECT customer_id FROM store.movements GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1`);
      return { movements: Number(count?.n ?? 0), busiestCustomer: busiest ? String(busiest.customer_id) : null };
    } finally {
      session.close();
    }
  } catch (error) {
    log(`could not read the store's movements (${error instanceof Error ? error.message : String(error)}); movements per second left out`);
    return { movements: null, busiestCustomer: null };
  }
}

async function fileBytes(paths: string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += (await stat(path)).size;
  return total;
}

async function removeStore(db: string): Promise<void> {
  await rm(db, { force: true });
  await rm(`${db}.wal`, { force: true });
}

interface Figure {
  readonly label: string;
  readonly wall: number;
  readonly cpu: number | null;
  readonly peakRss: number | null;
  /** Movements (or rows) per second, where it means something. */
  readonly rate?: { readonly value: number; readonly unit: string } | undefined;
  readonly note?: string | undefined;
  /** Why the command failed; its figures are what it cost until then. */
  readonly failed?: string | undefined;
}

function figure(label: string, run: Measurement, extra: { rate?: Figure['rate']; note?: string } = {}): Figure {
  return { label, wall: run.wall, cpu: run.cpu, peakRss: run.peakRss, rate: extra.rate, note: extra.note };
}

interface Target {
  readonly what: string;
  readonly limit: string;
  readonly measured: string;
  /** The same figure for the floor process, where one applies ('–' otherwise). */
  readonly floor: string;
  readonly met: boolean;
}

interface SizeResult {
  readonly size: Size;
  readonly customers: number;
  readonly dataset: Record<string, number>;
  readonly figures: Figure[];
  readonly queries: Record<string, Latency & { readonly args: string; readonly medianLessStartup: number | null }>;
  readonly ratios: Record<string, number | null>;
  readonly targets: Target[];
  readonly batch: BatchSummary | null;
  /** Null when it could not run (see `failures`). */
  readonly crossCheck: CrossCheckResult | null;
  /** Commands that failed and steps skipped because of them. */
  readonly failures: string[];
  readonly peerJoins: Record<string, string[]>;
  /** The peer's own account of its models: seconds and rows of each table it built. */
  readonly peerModels: { readonly name: string; readonly seconds: number; readonly rows: number }[];
  readonly profile: Record<string, ProfileSummary> | null;
}

function seconds(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function megabytes(bytes: number | null): string {
  return bytes === null ? '–' : (bytes / 1024 ** 2).toFixed(0);
}

function ratio(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;
}

function pad(cells: string[][]): string {
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length))) ?? [];
  return cells
    .map((row, index) => {
      const line = row
        .map((cell, column) => (column === 0 || column === row.length - 1 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join('  ')
        .trimEnd();
      return index === 0 ? `${line}\n${widths.map((width) => '-'.repeat(width)).join('  ')}` : line;
    })
    .join('\n');
}

export function renderResult(result: SizeResult): string {
  const rows = [['measurement', 'wall s', 'CPU s', 'peak MB', 'throughput', 'note']];
  for (const item of result.figures) {
    const note = item.failed === undefined ? (item.note ?? '') : `FAILED after this: ${item.failed}`;
    rows.push([item.label, seconds(item.wall), item.cpu === null ? '–' : seconds(item.cpu), megabytes(item.peakRss), item.rate ? `${Math.round(item.rate.value).toLocaleString('en-US')} ${item.rate.unit}` : '', note]);
  }
  const queries = [['query (whole process)', 'runs', 'median s', 'p99 s', 'min s', 'median − start-up s', 'median CPU s', 'max RSS MB']];
  for (const [name, query] of Object.entries(result.queries)) {
    queries.push([
      name, String(query.runs), seconds(query.median), seconds(query.p99), seconds(query.min),
      query.medianLessStartup === null ? '–' : seconds(query.medianLessStartup), query.medianCpu === null ? '–' : seconds(query.medianCpu), megabytes(query.maxRss),
    ]);
  }
  const ratios = [['ratio', 'value']];
  for (const [name, value] of Object.entries(result.ratios)) ratios.push([name, ratio(value)]);
  const targets = [['target', 'limit', 'measured', 'floor', 'met']];
  for (const target of result.targets) targets.push([target.what, target.limit, target.measured, target.floor, target.met ? 'yes' : 'NO']);
  const dataset = Object.entries(result.dataset)
    .map(([name, value]) => `${name} ${value.toLocaleString('en-US')}`)
    .join(', ');
  const check = result.crossCheck;
  return [
    `== size ${result.size}: ${result.customers.toLocaleString('en-US')} customers, ${MONTHS} months, seed ${SEED}`,
    `dataset: ${dataset}`,
    '',
    pad(rows),
    ...(queries.length > 1 ? ['', pad(queries)] : []),
    ...(ratios.length > 1 ? ['', pad(ratios)] : []),
    ...(targets.length > 1 ? ['', pad(targets)] : []),
    '',
    check === null
      ? 'cross-check: NOT RUN'
      : `cross-check: ${check.ok ? 'OK' : 'FAILED'}: ${check.customerMonths.toLocaleString('en-US')} customer-months of ${check.customers.toLocaleString('en-US')} customers, ${check.movements.toLocaleString('en-US')} Runrate movements, ${MONTHS} monthly reports`,
    ...(result.failures.length > 0 ? ['', 'failures:', ...result.failures.map((failure) => `  - ${failure}`)] : []),
    `peer models: ${result.peerModels.map((model) => `${model.name} ${seconds(model.seconds)} s (${model.rows.toLocaleString('en-US')} rows, joins: ${(result.peerJoins[model.name] ?? []).join('+') || 'none'})`).join(', ')}`,
  ].join('\n');
}

function renderCheckFailure(check: CrossCheckResult): string {
  const table = (rows: Record<string, unknown>[]): string => {
    const first = rows[0];
    if (!first) return '';
    const columns = Object.keys(first);
    return pad([columns, ...rows.map((row) => columns.map((column) => (row[column] === null || row[column] === undefined ? '∅' : String(row[column]))))]);
  };
  return [
    'CROSS-CHECK FAILED: Runrate and the peer disagree on the month-aligned periods.',
    ...check.problems.map((problem) => `  - ${problem}`),
    ...(check.customerMonthDiff.length > 0 ? ['', 'first differing customer-months (MRR in cents):', table(check.customerMonthDiff)] : []),
    ...(check.reportDiff.length > 0 ? ['', 'first differing figures of the monthly report (cents or counts):', table(check.reportDiff)] : []),
  ].join('\n');
}

let queryFloorBundle: Promise<unknown> | null = null;

/**
 * Bundles the query floor with the CLI bundle's settings (scripts/bundle-cli.mjs), once per run:
 * unbundled, Node would resolve and read DuckDB's JavaScript API file by file (about 80 ms here),
 * which the CLI does not pay, and the floor would not be one.
 */
async function bundleQueryFloor(): Promise<void> {
  queryFloorBundle ??= build({
    entryPoints: [join(ROOT, 'dist', 'bench', 'floor', 'query-floor.js')],
    outfile: QUERY_FLOOR,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['@duckdb/node-bindings'],
    banner: { js: "import { createRequire as __floorCreateRequire } from 'node:module'; const require = __floorCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  await queryFloorBundle;
}

/** Node flags of bin/runrate's shebang, so that a profiled run is the same program. */
async function runrateNodeFlags(): Promise<string[]> {
  const first = (await readFile(RUNRATE, 'utf8')).split('\n', 1)[0] ?? '';
  const match = /\bnode\b(.*)$/.exec(first);
  return match?.[1]?.trim().split(/\s+/).filter((flag) => flag.startsWith('--')) ?? [];
}

async function profiled(label: string, args: string[], dir: string): Promise<ProfileSummary> {
  const profileDir = join(dir, label);
  await rm(profileDir, { recursive: true, force: true });
  await mkdir(profileDir, { recursive: true });
  // The unbundled CLI (dist/cli/main.js, which bin/runrate's bundle is built from): the same code,
  // but the profile can name each function's file and layer.
  const entry = pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href;
  const run = `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(process.argv.slice(1));`;
  await measure([process.execPath, ...(await runrateNodeFlags()), '--cpu-prof', '--cpu-prof-dir', profileDir, '--input-type=module', '-e', run, ...args]);
  const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile written in ${profileDir}`);
  return summariseProfile(join(profileDir, file));
}

async function benchSize(size: Size, options: Options): Promise<SizeResult> {
  const customers = SIZES[size];
  const work = join(options.work, size);
  const data = join(work, 'data');
  const periodsCsv = join(data, 'periods', 'periods.csv');
  const periodsDataset = join(data, 'periods-dataset');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const figures: Figure[] = [];
  const queries: SizeResult['queries'] = {};
  const ratios: Record<string, number | null> = {};
  const targets: Target[] = [];
  const failures: string[] = [];

  /** Runs a step; a command that fails becomes a figure marked FAILED (with what it cost) and null. */
  const attempt = async (label: string, run: () => Promise<Measurement>): Promise<Measurement | null> => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof CommandFailed)) throw error;
      log(`${size}: ${label} FAILED: ${error.reason}`);
      failures.push(`${label}: ${error.reason}`);
      figures.push({ ...figure(label, error.measurement), failed: error.reason });
      return null;
    }
  };
  const skipped = (what: string, because: string): void => {
    failures.push(`${what}: not run (${because})`);
  };

  log(`${size}: generating ${customers.toLocaleString('en-US')} customers with their month-aligned periods`);
  const demo = await runrate(['demo', '--out', data, '--customers', String(customers), '--months', String(MONTHS), '--seed', String(SEED), '--periods']);
  // Data rows: line feeds less the header's (the demo writes no line feed inside a field of these files).
  const count = async (file: string): Promise<number> => {
    let lines = 0;
    for await (const chunk of createReadStream(file)) {
      const bytes = chunk as Buffer;
      for (let index = bytes.indexOf(10); index >= 0; index = bytes.indexOf(10, index + 1)) lines++;
    }
    return lines - 1;
  };
  const dataset: Record<string, number> = {
    'invoice lines': await count(join(data, 'invoice_lines.csv')),
    'subscription events': await count(join(data, 'subscription_events.csv')),
    'input MB': Math.round((await fileBytes(['customers.csv', 'plans.csv', 'invoice_lines.csv', 'subscription_events.csv', 'fx_rates.csv'].map((name) => join(data, name)))) / 1024 ** 2),
    periods: await count(periodsCsv),
    'period lines': await count(join(periodsDataset, 'invoice_lines.csv')),
  };
  figures.push(figure('demo generator (runrate demo --periods)', demo, { note: 'not compared: makes the input' }));

  let batch: BatchSummary | null = null;
  if (!options.checkOnly) {
    log(`${size}: floor on the demo dataset`);
    const coldFloor = await attempt('(5) floor: DuckDB scan of lines + events', () => node(FLOOR, ['--kind', 'demo', data]));
    log(`${size}: (1) Runrate cold: import + metrics`);
    const store = join(work, 'cold.duckdb');
    await removeStore(store);
    const coldImport = await attempt('(1) Runrate cold: import', () => runrate(['import', data, '--db', store, '--quiet']));
    const coldMetrics = coldImport && (await attempt('(1) Runrate cold: metrics --interval month', () => runrate(['metrics', '--interval', 'month', '--db', store, '--format', 'json', '--output', join(work, 'cold-metrics.json')])));
    const cold = coldImport && coldMetrics ? sequence([coldImport, coldMetrics]) : null;
    const facts = cold ? await storeFacts(store) : { movements: null, busiestCustomer: null };
    if (coldImport && coldMetrics && cold) {
      const movementRate = facts.movements === null ? undefined : { value: facts.movements / cold.wall, unit: 'movements/s' };
      figures.push(figure('(1) Runrate cold: import', coldImport, { rate: { value: ((dataset['invoice lines'] ?? 0) + (dataset['subscription events'] ?? 0)) / coldImport.wall, unit: 'lines+events/s' } }));
      figures.push(figure('(1) Runrate cold: metrics --interval month', coldMetrics));
      figures.push(figure('(1) Runrate cold: total', cold, { rate: movementRate, note: facts.movements === null ? '' : `${facts.movements.toLocaleString('en-US')} movements` }));
    }
    if (coldFloor) figures.push(figure('(5) floor: DuckDB scan of lines + events', coldFloor));
    if (cold && coldFloor) ratios['(1) Runrate cold / floor'] = cold.wall / coldFloor.wall;

    if (cold) {
      log(`${size}: (3) query latency, up to ${options.runs} runs each`);
      const customer = facts.busiestCustomer ?? 'cus_000001';
      await bundleQueryFloor();
      const node = [process.execPath, ...(await runrateNodeFlags())];
      // The floors: what any new process on Node, and on Node with DuckDB, pays on this machine
      // before it could answer (bench/floor/query-floor.ts). A query's latency target below its
      // floor cannot be met by a new CLI process, whatever the CLI does.
      const series: [string, string[], 'start-up' | 'query' | 'floor'][] = [
        ['runrate --version (start-up only)', [RUNRATE, '--version'], 'start-up'],
        ['metrics --interval month --db', [RUNRATE, 'metrics', '--interval', 'month', '--db', store, '--format', 'json'], 'query'],
        [`movements --customer ${customer} --db`, [RUNRATE, 'movements', '--customer', customer, '--db', store, '--format', 'json'], 'query'],
        [FLOOR_NODE, [...node, '-e', '0'], 'floor'],
        [FLOOR_KEPT_FIGURES, [...node, QUERY_FLOOR, store, 'SELECT request_key, figures_json FROM report_figures'], 'floor'],
        [FLOOR_CUSTOMER_MOVEMENTS, [...node, QUERY_FLOOR, store, 'SELECT * FROM movements WHERE customer_id = $1', customer], 'floor'],
      ];
      let startup: number | null = null;
      for (const [name, command, kind] of series) {
        let result: Latency;
        try {
          result = await latency(command, options);
        } catch (error) {
          if (!(error instanceof CommandFailed)) throw error;
          failures.push(`query ${name}: ${error.reason}`);
          continue;
        }
        // Node's start-up and the CLI's module loading are paid by every query; what is left
        // estimates the query's own time in the process.
        const medianLessStartup = kind !== 'query' || startup === null ? null : Math.max(0, result.median - startup);
        if (kind === 'start-up') startup = result.median;
        const shown = command.map((part) => (part === store ? relative(ROOT, store) : part === process.execPath ? 'node' : part === RUNRATE || part === QUERY_FLOOR ? relative(ROOT, part) : part));
        queries[name] = { ...result, args: shown.join(' '), medianLessStartup };
        log(`${size}:     ${name}: ${result.runs} runs, median ${seconds(result.median)} s`);
      }
      const metricsQuery = queries['metrics --interval month --db'];
      const movementsQuery = queries[`movements --customer ${customer} --db`];
      const metricsFloor = queries[FLOOR_KEPT_FIGURES];
      const movementsFloor = queries[FLOOR_CUSTOMER_MOVEMENTS];
      const nodeFloor = queries[FLOOR_NODE];
      if (metricsQuery && metricsFloor) ratios['metrics --interval month / its floor (medians)'] = metricsQuery.median / metricsFloor.median;
      if (movementsQuery && movementsFloor) ratios['movements --customer / its floor (medians)'] = movementsQuery.median / movementsFloor.median;
      if (nodeFloor && metricsFloor) ratios['Node + DuckDB floor / Node floor (medians)'] = metricsFloor.median / nodeFloor.median;

      log(`${size}: (2) incremental batch of 1,000 lines and events`);
      batch = await writeIncrementalBatch(data, join(work, 'batch'));
      // A copy of the config pins the same asOf; the store would refuse another configuration.
      await copyFile(join(data, 'runrate.config.json'), join(work, 'batch', 'runrate.config.json'));
      const batchImport = await attempt('(2) incremental: import of the batch', () => runrate(['import', join(work, 'batch'), '--db', store, '--quiet']));
      const batchMetrics = batchImport && (await attempt('(2) incremental: metrics --interval month', () => runrate(['metrics', '--interval', 'month', '--db', store, '--format', 'json', '--output', join(work, 'batch-metrics.json')])));
      const incremental = batchImport && batchMetrics ? sequence([batchImport, batchMetrics]) : null;
      if (batchImport && batchMetrics && incremental) {
        figures.push(figure('(2) incremental: import of the batch', batchImport, { note: `${batch.lines} lines + ${batch.events} events` }));
        figures.push(figure('(2) incremental: metrics --interval month', batchMetrics));
        figures.push(figure('(2) incremental: total', incremental));
      }

      const addTarget = (what: string, limit: number | null, measured: number, format: (value: number) => string, floor?: number): void => {
        if (limit !== null) targets.push({ what, limit: `≤ ${format(limit)}`, measured: format(measured), floor: floor === undefined ? '–' : format(floor), met: measured <= limit });
      };
      addTarget('full demo cold, wall', TARGETS.coldWall[size], cold.wall, (value) => `${seconds(value)} s`, coldFloor?.wall);
      if (cold.peakRss !== null) addTarget('full demo cold, peak RSS', TARGETS.coldRss[size], cold.peakRss, (value) => `${(value / 1024 ** 3).toFixed(2)} GB`);
      if (incremental) addTarget('incremental batch until metrics', TARGETS.incremental[size], incremental.wall, (value) => `${seconds(value)} s`);
      const milliseconds = (value: number): string => `${Math.round(value * 1000)} ms`;
      if (metricsQuery) addTarget('metrics --interval month p99', TARGETS.metricsP99[size], metricsQuery.p99, milliseconds, metricsFloor?.p99);
      if (movementsQuery) addTarget('movements --customer p99', TARGETS.movementsP99[size], movementsQuery.p99, milliseconds, movementsFloor?.p99);
    } else {
      skipped('(3) query latency and (2) incremental batch', 'no store from (1)');
    }
  }

  log(`${size}: (4) the peer on the periods`);
  const peerDb = join(work, 'peer.duckdb');
  const peerArgs = ['--periods', periodsCsv, '--first-month', FIRST_MONTH, '--last-month', LAST_MONTH];
  const peer = await attempt('(4) peer: dbt-style SQL on DuckDB', () => node(PEER, [...peerArgs, '--db', peerDb]));
  log(`${size}: (4b) Runrate on the same periods: import + metrics`);
  const periodsStore = join(work, 'periods.duckdb');
  await removeStore(periodsStore);
  const periodsImport = await attempt('(4b) Runrate on the periods: import', () => runrate(['import', periodsDataset, '--db', periodsStore, '--quiet']));
  if (peer) figures.push(figure('(4) peer: dbt-style SQL on DuckDB', peer, { note: 'reads periods.csv, builds 4 tables' }));
  if (!options.checkOnly) {
    const periodsMetrics = periodsImport && (await attempt('(4b) Runrate on the periods: metrics', () => runrate(['metrics', '--interval', 'month', '--db', periodsStore, '--format', 'json', '--output', join(work, 'periods-metrics.json')])));
    const periodsTotal = periodsImport && periodsMetrics ? sequence([periodsImport, periodsMetrics]) : null;
    const periodsFloor = await attempt('(5) floor: DuckDB scan of period lines', () => node(FLOOR, ['--kind', 'periods-dataset', periodsDataset]));
    const peerFloor = await attempt('(5) floor: DuckDB scan of periods.csv', () => node(FLOOR, ['--kind', 'periods', periodsCsv]));
    if (periodsImport && periodsMetrics && periodsTotal) {
      const facts = await storeFacts(periodsStore);
      const rate = facts.movements === null ? undefined : { value: facts.movements / periodsTotal.wall, unit: 'movements/s' };
      figures.push(figure('(4b) Runrate on the periods: import', periodsImport));
      figures.push(figure('(4b) Runrate on the periods: metrics', periodsMetrics));
      figures.push(figure('(4b) Runrate on the periods: total', periodsTotal, { rate }));
    }
    if (periodsFloor) figures.push(figure('(5) floor: DuckDB scan of period lines', periodsFloor));
    if (peerFloor) figures.push(figure('(5) floor: DuckDB scan of periods.csv', peerFloor));
    if (periodsTotal && peer) {
      ratios['(4b) Runrate on periods / (4) peer'] = periodsTotal.wall / peer.wall;
      ratios['(4b) Runrate on periods / (4) peer, CPU'] = periodsTotal.cpu !== null && peer.cpu !== null ? periodsTotal.cpu / peer.cpu : null;
    }
    if (periodsTotal && periodsFloor) ratios['(4b) Runrate on periods / floor of its input'] = periodsTotal.wall / periodsFloor.wall;
    if (peer && peerFloor) ratios['(4) peer / floor of its input'] = peer.wall / peerFloor.wall;
    const limit = TARGETS.periodsVsPeer[size];
    if (limit !== null && periodsTotal && peer) {
      const measured = periodsTotal.wall / peer.wall;
      // The floor: reading the period lines once, against the same peer.
      const floor = periodsFloor ? ratio(periodsFloor.wall / peer.wall) : '–';
      targets.unshift({ what: 'Runrate on periods / peer (wall)', limit: `≤ ${ratio(limit)}`, measured: ratio(measured), floor, met: measured <= limit });
    }
  } else if (periodsImport) {
    figures.push(figure('(4b) Runrate on the periods: import', periodsImport));
  }

  let check: CrossCheckResult | null = null;
  let peerJoins: Record<string, string[]> = {};
  if (peer && periodsImport) {
    log(`${size}: cross-check on the periods, and the peer's join plans`);
    const explained = await node(PEER, [...peerArgs, '--db', join(work, 'peer-explain.duckdb'), '--explain', join(work, 'peer-plans.txt')]).catch((error: unknown) => {
      if (error instanceof CommandFailed) throw new Error(`the peer's plans: ${error.stderr.trim()}`);
      throw error;
    });
    peerJoins = (JSON.parse(explained.stdout) as { joins: Record<string, string[]> }).joins;
    const exportFile = join(work, 'periods-export.parquet');
    const exported = await attempt('export of Runrate on the periods (for the cross-check)', () => runrate(['export', '--db', periodsStore, '--to', exportFile]));
    if (exported) check = await crossCheck({ peerDb, runrateExport: exportFile, firstMonth: FIRST_MONTH, lastMonth: LAST_MONTH });
    else skipped('cross-check', 'the export failed');
  } else {
    skipped('cross-check', peer ? 'Runrate could not import the periods' : 'the peer failed');
  }

  let profile: Record<string, ProfileSummary> | null = null;
  if (options.profile && !options.checkOnly) {
    log(`${size}: CPU profiles of the cold import and of a metrics query`);
    const profileStore = join(work, 'profile.duckdb');
    await removeStore(profileStore);
    try {
      profile = {
        'cold import': await profiled('import', ['import', data, '--db', profileStore, '--quiet'], join(work, 'profiles')),
        'metrics --interval month': await profiled('metrics', ['metrics', '--interval', 'month', '--db', profileStore, '--format', 'json', '--output', join(work, 'profile-metrics.json')], join(work, 'profiles')),
      };
    } catch (error) {
      if (!(error instanceof CommandFailed)) throw error;
      failures.push(`profile: ${error.reason}`);
    }
  }
  const peerModels = peer ? (JSON.parse(peer.stdout) as { models: SizeResult['peerModels'] }).models : [];
  if (!options.keep && check?.ok === true && failures.length === 0) await rm(work, { recursive: true, force: true });
  return { size, customers, dataset, figures, queries, ratios, targets, batch, crossCheck: check, failures, peerJoins, peerModels, profile };
}

function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

function renderProfile(profile: Record<string, ProfileSummary>): string {
  const parts: string[] = [];
  for (const [name, summary] of Object.entries(profile)) {
    parts.push(`-- profile: ${name} (${seconds(summary.seconds)} s sampled on the main thread)`);
    parts.push(pad([['self time by layer', 's', 'share'], ...summary.layers.map((entry) => [entry.name, seconds(entry.seconds), `${(entry.share * 100).toFixed(1)} %`])]));
    parts.push(pad([['self time by function', 's', 'share'], ...summary.functions.map((entry) => [entry.name, seconds(entry.seconds), `${(entry.share * 100).toFixed(1)} %`])]));
    parts.push(pad([['self time by file', 's', 'share'], ...summary.files.slice(0, 10).map((entry) => [entry.name, seconds(entry.seconds), `${(entry.share * 100).toFixed(1)} %`])]));
  }
  return parts.join('\n\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  let failed = false;
  try {
    for (const size of options.sizes) {
      const result = await benchSize(size, options);
      process.stdout.write(`${renderResult(result)}\n`);
      if (result.profile) process.stdout.write(`\n${renderProfile(result.profile)}\n`);
      if (result.crossCheck && !result.crossCheck.ok) process.stdout.write(`\n${renderCheckFailure(result.crossCheck)}\n`);
      if (!result.crossCheck?.ok || result.failures.length > 0) {
        failed = true;
        process.stdout.write(`(the work files are kept in ${join(options.work, size)})\n`);
      }
      if (options.writeResults && !options.checkOnly) {
        const file = join(ROOT, 'bench', 'results', `${today()}-${size}.json`);
        await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
        const machine = {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model ?? null,
          totalMemoryBytes: os.totalmem(),
          node: process.version,
          platform: `${os.platform()} ${os.release()}`,
          loadAverageAtEnd: os.loadavg(),
        };
        const table = renderResult(result);
        await writeFile(file, `${JSON.stringify({ date: today(), months: MONTHS, seed: SEED, machine, ...result, table: table.split('\n') }, null, 2)}\n`);
        log(`wrote ${relative(ROOT, file)}`);
      }
      process.stdout.write('\n');
    }
  } finally {
    await removeTimeFiles();
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
