/**
 * The bundled history of reference exchange rates, used when a dataset brings no fx_rates of
 * its own. `scripts/build-reference-rates.mjs` writes it at build time into `data/` at the
 * package root; see docs/reference-rates.md for its source and coverage.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIsoDate, type CalendarDate } from '../engine/calendar/calendar-date.js';
import type { FxRate } from '../engine/model.js';
import { parseCurrency, type CurrencyCode } from '../engine/money/currency.js';
import { parseDecimalRatio } from '../engine/money/decimal.js';
import type { Ratio } from '../engine/money/ratio.js';

const RATES_FILE = 'reference-rates.csv';
const META_FILE = 'reference-rates.meta.json';
const HEADER = 'date,base,quote,rate';

export interface ReferenceRatesCoverage {
  readonly first: string;
  readonly last: string;
  readonly currencies: string[];
  readonly source: string;
}

/** The package root is the nearest directory with a package.json: the same walk works from
 * `src/ingest/` (tests, tsx) and from the compiled `dist/ingest/`. */
function dataDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json'))) return join(directory, 'data');
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
}

async function readDataFile(name: string): Promise<string> {
  const path = join(dataDirectory(), name);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`the bundled reference rates are missing (${path}): run \`npm run build\` to generate them`);
    }
    throw error;
  }
}

/** The file is machine-written by our own script, so a plain split is a safe parser; a line it
 * does not understand means the file is damaged, which is a crash rather than a user error. */
function parseRates(text: string): FxRate[] {
  const lines = text.split('\n');
  if (lines[0] !== HEADER) throw new Error(`${RATES_FILE}:1: expected the header "${HEADER}"`);
  // Each date and currency repeats on thousands of rows and many rates recur (pegs, flat days):
  // sharing one parsed value per distinct text keeps the ~150k rows small in memory.
  const dates = new Map<string, CalendarDate>();
  const currencies = new Map<string, CurrencyCode>();
  const ratios = new Map<string, Ratio>();
  const rates: FxRate[] = [];
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index];
    if (line === undefined || line === '') continue;
    const lineNumber = index + 1;
    const [dateText, baseText, quoteText, rateText, extra] = line.split(',');
    if (dateText === undefined || baseText === undefined || quoteText === undefined || rateText === undefined || extra !== undefined) {
      return damaged(lineNumber, `expected 4 fields: "${line}"`);
    }

    let date = dates.get(dateText);
    if (date === undefined) {
      date = parseIsoDate(dateText) ?? damaged(lineNumber, `not a YYYY-MM-DD date: "${dateText}"`);
      dates.set(dateText, date);
    }
    const base = currencyOf(baseText, currencies) ?? damaged(lineNumber, `not a currency: "${baseText}"`);
    const quote = currencyOf(quoteText, currencies) ?? damaged(lineNumber, `not a currency: "${quoteText}"`);
    let rate = ratios.get(rateText);
    if (rate === undefined) {
      const parsed = parseDecimalRatio(rateText);
      if (!parsed.ok) return damaged(lineNumber, parsed.message);
      if (parsed.value.num <= 0n) return damaged(lineNumber, `rate must be positive: "${rateText}"`);
      rate = parsed.value;
      ratios.set(rateText, rate);
    }
    rates.push({ date, base, quote, rate, source: { file: RATES_FILE, line: lineNumber } });
  }
  return rates;
}

function damaged(line: number, message: string): never {
  throw new Error(`${RATES_FILE}:${line}: ${message}`);
}

function currencyOf(text: string, cache: Map<string, CurrencyCode>): CurrencyCode | null {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const code = parseCurrency(text);
  if (code !== null) cache.set(text, code);
  return code;
}

let loaded: Promise<FxRate[]> | null = null;

/** Every bundled rate, sorted by date. Parsed once per process; each call gets its own array. */
export async function loadReferenceRates(): Promise<FxRate[]> {
  loaded ??= readDataFile(RATES_FILE).then(parseRates);
  try {
    return (await loaded).slice();
  } catch (error) {
    // A failed load (file not built yet) must not be remembered: a later call may succeed.
    loaded = null;
    throw error;
  }
}

/** What the bundled history covers, from the meta file the build script writes beside it. */
export async function referenceRatesCoverage(): Promise<ReferenceRatesCoverage> {
  const meta = JSON.parse(await readDataFile(META_FILE)) as {
    source?: { package?: unknown; version?: unknown; publisher?: unknown };
    first?: unknown;
    last?: unknown;
    currencies?: unknown;
  };
  const { source, first, last, currencies } = meta;
  if (
    typeof first !== 'string' ||
    typeof last !== 'string' ||
    !Array.isArray(currencies) ||
    !currencies.every((code): code is string => typeof code === 'string') ||
    typeof source?.package !== 'string' ||
    typeof source.version !== 'string'
  ) {
    throw new Error(`${META_FILE}: unexpected content; rebuild it with \`npm run build\``);
  }
  const publisher = typeof source.publisher === 'string' ? ` (${source.publisher})` : '';
  return { first, last, currencies, source: `${source.package}@${source.version}${publisher}` };
}
