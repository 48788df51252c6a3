/**
 * Options every reporting command shares (cli.md "Sources of data"), and loading the source
 * they name, with rejected rows and warnings printed to stderr as cli.md requires.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { UsageError } from '../app/errors.js';
import type { ComputedSource } from '../app/load-dataset-source.js';
import type { ConfigInput } from '../app/resolve-config.js';
import { openStore, type StoreLocation } from '../app/store/open-store.js';
import { isoDate, formatIsoDate } from '../engine/calendar/calendar-date.js';

export const FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

export interface SourceFlags {
  data?: string;
  db?: string;
  config?: string;
  currency?: string;
  timezone?: string;
  weekStartsOn?: string;
  churnRecognition?: string;
  renewalGraceDays?: string;
  reactivationWindowDays?: string;
  discounts?: string;
  fxRateDate?: string;
  fxFixedDate?: string;
  asOf?: string;
  format: Format;
  output?: string;
  debug?: boolean;
}

export function addSourceOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'a dataset folder (CSV or NDJSON files), computed in memory')
    .option('--db <path>', 'the store filled by `runrate import` (default ./runrate.duckdb, or PostgreSQL when DATABASE_URL is set)')
    .option('--config <file>', 'a configuration file (instead of the dataset\'s runrate.config.json)')
    .option('--currency <code>', 'reporting currency, e.g. USD (default: the data\'s only currency)')
    .option('--timezone <zone>', 'IANA time zone in which timestamps become dates (default UTC)')
    .addOption(new Option('--week-starts-on <day>', 'first day of a reporting week').choices(['monday', 'sunday']))
    .addOption(
      new Option('--churn-recognition <policy>', 'which date a cancellation removes MRR on').choices([
        'cancel-requested',
        'cancel-effective',
        'period-end',
      ]),
    )
    .option('--renewal-grace-days <n>', 'how late a renewal may start and still continue a subscription (default 7)')
    .option('--reactivation-window-days <n>', 'a customer returning after a longer absence is new (default unlimited)')
    .addOption(new Option('--discounts <policy>', 'MRR after all discounts, before any, or after permanent ones only').choices(['net', 'gross', 'forever-only']))
    .addOption(new Option('--fx-rate-date <mode>', 'which day\'s rate converts a subscription\'s MRR').choices(['period-start', 'daily', 'month-start', 'fixed']))
    .option('--fx-fixed-date <date>', 'with --fx-rate-date fixed: the date whose rates apply everywhere')
    .option('--as-of <date>', 'the last day reported, YYYY-MM-DD (default today)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write the output to a file instead of stdout')
    .option('--debug', 'print stack traces of unexpected errors');
}

export function configFlags(flags: SourceFlags): ConfigInput {
  const input: ConfigInput = {};
  if (flags.currency !== undefined) input.currency = flags.currency;
  if (flags.timezone !== undefined) input.timezone = flags.timezone;
  if (flags.weekStartsOn !== undefined) input.weekStartsOn = flags.weekStartsOn;
  if (flags.churnRecognition !== undefined) input.churnRecognition = flags.churnRecognition;
  if (flags.renewalGraceDays !== undefined) input.renewalGraceDays = flags.renewalGraceDays;
  if (flags.reactivationWindowDays !== undefined) input.reactivationWindowDays = flags.reactivationWindowDays;
  if (flags.discounts !== undefined) input.discounts = flags.discounts;
  if (flags.fxRateDate !== undefined) input.fxRateDate = flags.fxRateDate;
  if (flags.fxFixedDate !== undefined) input.fxFixedDate = flags.fxFixedDate;
  if (flags.asOf !== undefined) input.asOf = flags.asOf;
  return input;
}

/** The edge owns the clock: "today" in the reporting time zone (en-CA formats as YYYY-MM-DD). */
export function today(timezone: string) {
  return isoDate(new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date()));
}

/** What a run learned that decides its exit code after the output is written. */
export interface RunState {
  rejectedRows: number;
}

/** The --config file, read and parsed (null without the flag). */
export async function readConfigFile(flags: Pick<SourceFlags, 'config'>): Promise<{ json: unknown; name: string } | null> {
  if (flags.config === undefined) return null;
  let text: string;
  try {
    text = await readFile(flags.config, 'utf8');
  } catch {
    throw new UsageError(`--config: cannot read ${flags.config}`);
  }
  try {
    return { json: JSON.parse(text), name: flags.config };
  } catch (error) {
    throw new UsageError(`${flags.config}: not valid JSON (${(error as Error).message})`);
  }
}

/** Configuration given explicitly: the --config file, then flags. */
export async function explicitConfig(flags: SourceFlags): Promise<ConfigInput[]> {
  const file = await readConfigFile(flags);
  if (file === null) return [configFlags(flags)];
  // Loaded here: zod, which reads the file's shape, is a tenth of a store query's start.
  const { configFromFile } = await import('../app/config-from-file.js');
  return [configFromFile(file.json, file.name), configFlags(flags)];
}

/** Where the store is: --db, else DATABASE_URL, else ./runrate.duckdb. The edge reads the environment. */
export function storeLocation(flags: Pick<SourceFlags, 'db'>): StoreLocation {
  return { ...(flags.db === undefined ? {} : { db: flags.db }), ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}) };
}

export async function loadSource(flags: SourceFlags, run: RunState): Promise<ComputedSource> {
  if (flags.data === undefined) {
    if (flags.db !== undefined && process.env.DATABASE_URL) process.stderr.write('warning: --db is given: DATABASE_URL is not used\n');
    const { loadStoreSource } = await import('../app/store/load-store-source.js');
    const store = await openStore(storeLocation(flags), { create: false });
    try {
      const source = await loadStoreSource(store, { explicit: await explicitConfig(flags), today });
      if (source.computedInMemory) {
        process.stderr.write('note: the configuration asked for differs from the store\'s; computed in memory from the stored rows (`runrate recompute` stores it)\n');
      }
      return source;
    } finally {
      await store.close();
    }
  }
  const configFile = await readConfigFile(flags);
  // Loaded here: reading a dataset folder needs the ingest stack, reading the store does not.
  const { loadDatasetSource } = await import('../app/load-dataset-source.js');
  const source = await loadDatasetSource(flags.data, { flags: configFlags(flags), configFile, today });
  for (const warning of source.warnings) process.stderr.write(`warning: ${warning}\n`);
  for (const warning of source.dataWarnings) {
    process.stderr.write(`warning: ${warning.message}${warning.date !== undefined && !warning.message.includes(formatIsoDate(warning.date)) ? ` (${formatIsoDate(warning.date)})` : ''}\n`);
  }
  for (const row of source.rejects) process.stderr.write(`${row.file}:${row.line}: ${row.column}: ${row.message}\n`);
  run.rejectedRows += source.rejects.length;
  return source;
}

export async function emit(text: string, flags: Pick<SourceFlags, 'output'>): Promise<void> {
  if (flags.output !== undefined) await writeFile(flags.output, text);
  else
    await new Promise<void>((resolve, reject) => {
      // A reader that stops early (`| head`) closes the pipe: it has what it wanted, which is not
      // a failure of the command (main.ts keeps the stream's own error event quiet too).
      process.stdout.write(text, (error) => {
        if (!error || isClosedPipe(error)) return resolve();
        // The stream emits the same error next; main.ts leaves it to this rejection.
        reportedWriteErrors.add(error);
        reject(error);
      });
    });
}

/** Errors of `emit`'s writes, which the command reports itself (main.ts skips them). */
export const reportedWriteErrors = new WeakSet<Error>();

/** The reader of stdout went away (EPIPE), as `runrate … | head` does. */
export function isClosedPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

export function useColour(flags: Pick<SourceFlags, 'output'>): boolean {
  return flags.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
}

export interface ViewFlags {
  segment: string[];
  groupBy?: string;
}

/** `--segment key=value` (repeatable, combined with AND) and `--group-by DIM`. */
export function addViewOptions(command: Command, options: { groupBy?: boolean } = {}): Command {
  command.option(
    '--segment <key=value>',
    'only this segment; repeat to combine (country=FR, plan=gold, product=analytics, currency=EUR, mrr_band=1000-5000, attr.industry=health)',
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  );
  if (options.groupBy !== false) command.option('--group-by <dimension>', 'one report per value: country, plan, product, currency, mrr_band or attr.KEY');
  return command;
}
