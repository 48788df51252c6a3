/**
 * `runrate rates`: what the exchange rates cover (the bundled history, or a rates file), and the
 * two ways to bring newer ones: `rates import FILE` (an fx_rates file or the ECB's history) and
 * `rates sync` (the ECB's history over HTTPS). docs/exchange-rates.md is the user's guide.
 * The readers are loaded when a subcommand runs: every other command starts without them.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../../app/errors.js';
import { formatIsoDate, parseIsoDate, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import type { FxRate } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import { ratesCoverage, type RatesCoverage } from '../../ingest/rates/rates-coverage.js';
import { ECB_HISTORY_URL } from '../../ingest/rates/ecb-history-url.js';
import { groupDigits } from '../format/group-digits.js';
import { renderTable } from '../format/render-table.js';
import { openStore } from '../../app/store/open-store.js';
import { emit, storeLocation, today, useColour, type RunState } from '../source-options.js';

const FORMATS = ['table', 'json'] as const;

interface CoverageFlags {
  file?: string;
  db?: string;
  format: (typeof FORMATS)[number];
  maxGapDays: string;
  asOf?: string;
  output?: string;
}

function wholeNumber(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name}: "${value}" is not a whole number ≥ 0`);
  return Number(value);
}

function date(name: string, value: string): CalendarDate {
  const parsed = parseIsoDate(value);
  if (parsed === null) throw new UsageError(`${name}: "${value}" is not a YYYY-MM-DD date`);
  return parsed;
}

function reportRejects(rejects: readonly RejectedRow[], run: RunState | undefined): void {
  for (const row of rejects) process.stderr.write(`${row.file}:${row.line}: ${row.column}: ${row.message}\n`);
  if (run !== undefined) run.rejectedRows += rejects.length;
}

function reportWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
}

function optionalDate(value: CalendarDate | null): string | null {
  return value === null ? null : formatIsoDate(value);
}

function coverageJson(source: string, coverage: RatesCoverage): string {
  return `${JSON.stringify(
    {
      source,
      first: optionalDate(coverage.first),
      last: optionalDate(coverage.last),
      rows: coverage.rows,
      currencies: coverage.currencies,
      pairs: coverage.pairs.map((pair) => ({
        base: pair.base,
        quote: pair.quote,
        first: formatIsoDate(pair.first),
        last: formatIsoDate(pair.last),
        rows: pair.rows,
        gaps: pair.gaps.map((gap) => ({ after: formatIsoDate(gap.after), before: formatIsoDate(gap.before), business_days: gap.businessDays })),
      })),
      warnings: coverage.warnings,
    },
    null,
    2,
  )}\n`;
}

function coverageTable(source: string, coverage: RatesCoverage, colour: boolean): string {
  const table = renderTable(
    [{ header: 'pair' }, { header: 'first' }, { header: 'last' }, { header: 'rows', align: 'right' }, { header: 'gaps', align: 'right' }],
    coverage.pairs.map((pair) => [`${pair.base}/${pair.quote}`, formatIsoDate(pair.first), formatIsoDate(pair.last), groupDigits(pair.rows), String(pair.gaps.length)]),
    colour,
  );
  const span = coverage.first === null ? 'no rates' : `${formatIsoDate(coverage.first)} → ${formatIsoDate(coverage.last!)}`;
  return `${table}\n${source}: ${span}, ${groupDigits(coverage.rows)} rows, ${coverage.currencies.length} currencies (${coverage.currencies.join(' ')})\n`;
}

/** Loads a rates file into the store, as `runrate import FILE` does for any file. */
async function importIntoTheStore(file: string, flags: { db?: string }, run: RunState | undefined): Promise<void> {
  const { importBatch } = await import('../../app/store/import-into-store.js');
  const { readImportSources } = await import('../../app/import/read-import-sources.js');
  const store = await openStore(storeLocation(flags), { create: true });
  try {
    // Read whole (a rates file is small): the summary below describes its rates.
    const batch = await readImportSources([file]);
    const outcome = await importBatch(store, batch, [file], { explicit: [], today, startedAt: new Date().toISOString() });
    reportRejects(outcome.rejects, run);
    reportWarnings(outcome.batch.warnings);
    const rates = outcome.batch.dataset.fxRates;
    reportWarnings(ratesCoverage(rates).warnings);
    const { counts } = outcome;
    process.stderr.write(
      `imported into ${store.location}: ${summary(rates)}; ${groupDigits(counts.new)} new, ${groupDigits(counts.replaced)} replaced, ${groupDigits(counts.unchanged)} unchanged; ${outcome.recomputed === 'all' ? 'every customer' : `${groupDigits(outcome.recomputed)} customers`} recomputed\n`,
    );
  } finally {
    await store.close();
  }
}

function importCommand(run: RunState | undefined): Command {
  return new Command('import')
    .description('load a rates file (fx_rates CSV/NDJSON, the ECB history CSV or eurofxref-hist.zip) into the store, or with --out write it as a dataset\'s fx_rates.csv')
    .argument('<file>', 'the rates file')
    .option('--db <path>', 'the store (default ./runrate.duckdb, or PostgreSQL when DATABASE_URL is set)')
    .option('--out <dir>', 'instead of the store: the dataset folder to write fx_rates.csv to')
    .option('--force', 'with --out: replace an existing fx_rates.csv')
    .option('--debug', 'print stack traces of unexpected errors')
    .addHelpText('after', '\nExamples:\n  runrate rates import eurofxref-hist.zip\n  runrate rates import eurofxref-hist.zip --out my-dataset')
    .action(async (file: string, flags: { out?: string; force?: boolean; db?: string }, command: Command) => {
      if (flags.out === undefined) {
        // `rates` has a --db of its own: the value reaches whichever command it follows.
        await importIntoTheStore(file, command.optsWithGlobals<{ db?: string }>(), run);
        return;
      }
      const target = join(flags.out, 'fx_rates.csv');
      if (!flags.force && (await exists(target))) throw new UsageError(`${target} exists already: add --force to replace it`);
      const { readRatesFile } = await import('../../ingest/rates/read-rates-file.js');
      const { writeFxRatesCsv } = await import('../../ingest/rates/write-fx-rates-csv.js');
      const result = await readRatesFile(file);
      reportRejects(result.rejects, run);
      reportWarnings(result.warnings);
      if (result.rates.length === 0) throw new UsageError(`${file}: no rates to import`);
      await writeFxRatesCsv(target, result.rates);
      reportWarnings(ratesCoverage(result.rates).warnings);
      process.stderr.write(`wrote ${target}: ${summary(result.rates)} (read as ${result.format === 'ecb' ? 'ECB reference rates' : 'fx_rates'})\n`);
    });
}

function syncCommand(run: RunState | undefined): Command {
  return new Command('sync')
    .description("fetch the ECB's euro reference rates over HTTPS into the store, or with --out into a canonical fx_rates.csv")
    .option('--url <url>', "where to fetch them (the ECB's eurofxref-hist.zip, or an ECB Data Portal CSV URL)", ECB_HISTORY_URL)
    .option('--db <path>', 'the store (default ./runrate.duckdb, or PostgreSQL when DATABASE_URL is set)')
    .option('--out <file>', 'instead of the store: the fx_rates.csv to write, e.g. my-dataset/fx_rates.csv')
    .option('--debug', 'print stack traces of unexpected errors')
    .addHelpText('after', '\nExamples:\n  runrate rates sync\n  runrate rates sync --out my-dataset/fx_rates.csv')
    .action(async (flags: { url: string; out?: string; db?: string }, command: Command) => {
      const folder = flags.out === undefined ? await mkdtemp(join(tmpdir(), 'runrate-rates-')) : null;
      const outFile = flags.out ?? join(folder!, 'fx_rates.csv');
      try {
        const { syncEcbRates } = await import('../../ingest/rates/sync-ecb-rates.js');
        const result = await syncEcbRates({ url: flags.url, outFile });
        reportRejects(result.rejects, run);
        reportWarnings(result.warnings);
        process.stderr.write(`fetched ${groupDigits(result.rows)} rates, ${result.first} → ${result.last}, ${result.currencies.length} currencies, from ${result.url}\n`);
        if (flags.out === undefined) await importIntoTheStore(outFile, command.optsWithGlobals<{ db?: string }>(), run);
        else process.stderr.write(`wrote ${result.outFile}\n`);
      } finally {
        if (folder !== null) await rm(folder, { recursive: true, force: true });
      }
    });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function summary(rates: readonly FxRate[]): string {
  const coverage = ratesCoverage(rates);
  return `${groupDigits(rates.length)} rates, ${optionalDate(coverage.first)} → ${optionalDate(coverage.last)}, ${coverage.currencies.length} currencies`;
}

/**
 * `run` lets rejected rows of a rates file give exit code 3, as for any input (cli.md); without
 * it they are still printed.
 */
export function ratesCommand(run?: RunState): Command {
  const command = new Command('rates')
    .description('exchange rates: what the bundled history (or --file) covers per currency pair, with gap warnings; import and sync newer rates')
    .option('--file <file>', 'a rates file (fx_rates CSV/NDJSON, ECB history CSV or eurofxref-hist.zip) instead of the bundled history')
    .option('--db <path>', "the store's rates instead of the bundled history")
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--max-gap-days <n>', 'report stretches of more business days than this without a rate', '5')
    .option('--as-of <date>', 'also warn about pairs whose last rate is older than this day (YYYY-MM-DD)')
    .option('-o, --output <file>', 'write the output to a file instead of stdout')
    .option('--debug', 'print stack traces of unexpected errors')
    .addHelpText(
      'after',
      '\nExamples:\n  runrate rates\n  runrate rates --file eurofxref-hist.csv --format json\n  runrate rates import eurofxref-hist.zip\n  runrate rates sync',
    )
    .action(async (flags: CoverageFlags) => {
      const maxGapBusinessDays = wholeNumber('--max-gap-days', flags.maxGapDays);
      const asOf = flags.asOf === undefined ? undefined : date('--as-of', flags.asOf);
      let rates: FxRate[];
      let source: string;
      if (flags.file !== undefined) {
        const { readRatesFile } = await import('../../ingest/rates/read-rates-file.js');
        const result = await readRatesFile(flags.file);
        reportRejects(result.rejects, run);
        reportWarnings(result.warnings);
        rates = result.rates;
        source = flags.file;
      } else if (flags.db !== undefined) {
        const store = await openStore(storeLocation(flags), { create: false });
        try {
          rates = await store.fxRates();
        } finally {
          await store.close();
        }
        source = `the rates of ${flags.db}`;
      } else {
        const { loadReferenceRates, referenceRatesCoverage } = await import('../../ingest/reference-rates.js');
        rates = await loadReferenceRates();
        source = `bundled reference rates (${(await referenceRatesCoverage()).source})`;
      }
      const coverage = ratesCoverage(rates, { maxGapBusinessDays, ...(asOf === undefined ? {} : { asOf }) });
      reportWarnings(coverage.warnings);
      await emit(flags.format === 'json' ? coverageJson(source, coverage) : coverageTable(source, coverage, useColour(flags)), flags);
    });
  for (const subcommand of [importCommand(run), syncCommand(run)]) command.addCommand(subcommand.exitOverride());
  return command;
}
