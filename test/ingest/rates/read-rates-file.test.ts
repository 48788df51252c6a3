import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIsoDate, isoDate } from '../../../src/engine/calendar/calendar-date.js';
import type { FxRate } from '../../../src/engine/model.js';
import { ratio } from '../../../src/engine/money/ratio.js';
import { DatasetError } from '../../../src/ingest/dataset-error.js';
import { readRatesFile } from '../../../src/ingest/rates/read-rates-file.js';
import { decimalText, fxRatesCsv, writeFxRatesCsv } from '../../../src/ingest/rates/write-fx-rates-csv.js';
import { makeZip } from './zip-fixture.js';

const root = await mkdtemp(join(tmpdir(), 'runrate-rates-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let files = 0;
async function file(name: string, content: string | Buffer): Promise<string> {
  const dir = join(root, `f${++files}`);
  await mkdir(dir);
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The ECB's history as published: newest day first, per euro, N/A, a trailing comma everywhere. */
const ECB_HISTORY = [
  'Date,USD,JPY,CYP,KWD,RUB,',
  '2024-11-29,1.0575,158.08,N/A,0.3252,N/A,',
  '2024-11-28,1.0556,160.6,N/A,0.3245,N/A,',
  '2008-01-02,1.4717,165.07,0.585274,N/A,35.9320,',
  '',
].join('\n');

function rows(rates: readonly FxRate[]): string[] {
  return rates.map((rate) => `${formatIsoDate(rate.date)} ${rate.base}/${rate.quote} ${decimalText(rate.rate)} @${rate.source.file}:${rate.source.line}`);
}

describe('readRatesFile: the ECB history CSV', () => {
  it('reads every rate per euro exactly, skips N/A and the trailing empty column, oldest day first', async () => {
    const path = await file('eurofxref-hist.csv', ECB_HISTORY);
    const result = await readRatesFile(path);
    expect(result.format).toBe('ecb');
    expect(result.rejects.map(({ raw: _raw, ...reject }) => reject)).toEqual([]);
    expect(rows(result.rates)).toEqual([
      '2008-01-02 EUR/JPY 165.07 @eurofxref-hist.csv:4',
      '2008-01-02 EUR/RUB 35.932 @eurofxref-hist.csv:4',
      '2008-01-02 EUR/USD 1.4717 @eurofxref-hist.csv:4',
      '2024-11-28 EUR/JPY 160.6 @eurofxref-hist.csv:3',
      '2024-11-28 EUR/KWD 0.3245 @eurofxref-hist.csv:3',
      '2024-11-28 EUR/USD 1.0556 @eurofxref-hist.csv:3',
      '2024-11-29 EUR/JPY 158.08 @eurofxref-hist.csv:2',
      '2024-11-29 EUR/KWD 0.3252 @eurofxref-hist.csv:2',
      '2024-11-29 EUR/USD 1.0575 @eurofxref-hist.csv:2',
    ]);
    // Exact fractions, never through a float: 1.0575 = 423/400.
    const usd = result.rates.find((rate) => rate.quote === 'USD' && rate.date === isoDate('2024-11-29'));
    expect(usd?.rate).toEqual(ratio(10575n, 10000n));
    expect(usd?.rate).toEqual({ num: 423n, den: 400n });
    // The Cyprus pound is no ISO 4217 code any more: its column is left out, and said so.
    expect(result.warnings).toEqual([expect.stringContaining('column CYP is not a current ISO 4217 currency')]);
  });

  it('rejects a bad value alone (its line and currency) and a row whose date does not read', async () => {
    const path = await file(
      'eurofxref-hist.csv',
      ['Date,USD,JPY,', '2024-11-29,1.0575,abc,', '29/11/2024,1.05,158,', '2024-11-27,0,157.5,', '2024-11-26,1.05', ''].join('\n'),
    );
    const result = await readRatesFile(path);
    expect(result.rejects.map(({ raw: _raw, ...reject }) => reject)).toEqual([
      { file: 'eurofxref-hist.csv', line: 2, column: 'JPY', message: '"abc" is not a rate (a decimal number, or N/A)' },
      { file: 'eurofxref-hist.csv', line: 3, column: 'Date', message: '"29/11/2024" is not a date (YYYY-MM-DD)' },
      { file: 'eurofxref-hist.csv', line: 4, column: 'USD', message: '0 is not a rate: it must be greater than 0' },
      { file: 'eurofxref-hist.csv', line: 5, column: '', message: 'the row has 2 fields but the header has 4 columns' },
    ]);
    expect(rows(result.rates)).toEqual(['2024-11-27 EUR/JPY 157.5 @eurofxref-hist.csv:4', '2024-11-29 EUR/USD 1.0575 @eurofxref-hist.csv:2']);
  });

  it('reads the daily file too: spaces after commas, a spelled-out date, CRLF', async () => {
    const path = await file('eurofxref.csv', 'Date, USD, JPY, \r\n29 November 2024, 1.0575, 158.08, \r\n');
    const result = await readRatesFile(path);
    expect(result.rejects.map(({ raw: _raw, ...reject }) => reject)).toEqual([]);
    expect(rows(result.rates)).toEqual(['2024-11-29 EUR/JPY 158.08 @eurofxref.csv:2', '2024-11-29 EUR/USD 1.0575 @eurofxref.csv:2']);
  });

  it('reads eurofxref-hist.zip as published (one deflated CSV), and a stored entry alike', async () => {
    const fromCsv = await readRatesFile(await file('eurofxref-hist.csv', ECB_HISTORY));
    for (const method of [8, 0] as const) {
      const zip = await file('eurofxref-hist.zip', makeZip([{ name: 'eurofxref-hist.csv', text: ECB_HISTORY, method }]));
      const fromZip = await readRatesFile(zip);
      expect(fromZip.format).toBe('ecb');
      expect(rows(fromZip.rates)).toEqual(rows(fromCsv.rates));
    }
  });

  it('refuses an archive that is not one CSV, and a file it does not know', async () => {
    const two = await file('two.zip', makeZip([{ name: 'a.csv', text: ECB_HISTORY }, { name: 'b.csv', text: ECB_HISTORY }]));
    await expect(readRatesFile(two)).rejects.toThrow('expected one .csv file in the archive, found 2');
    const broken = await file('broken.zip', Buffer.from('PK\u0003\u0004 not really'));
    await expect(readRatesFile(broken)).rejects.toThrow(DatasetError);
    const other = await file('prices.csv', 'sku,price\na,1\n');
    await expect(readRatesFile(other)).rejects.toThrow('not a rates file Runrate knows');
    await expect(readRatesFile(join(root, 'missing.csv'))).rejects.toThrow('cannot be read (ENOENT)');
  });
});

describe('readRatesFile: other shapes', () => {
  it('reads a canonical fx_rates file, CSV or NDJSON, with the canonical checks', async () => {
    const csv = await file('fx_rates.csv', 'date,base,quote,rate\n2024-01-02,EUR,USD,1.0950\n2024-01-02,EUR,USD,1.1\n');
    const result = await readRatesFile(csv);
    expect(result.format).toBe('fx_rates');
    expect(rows(result.rates)).toEqual(['2024-01-02 EUR/USD 1.095 @fx_rates.csv:2']);
    expect(result.rejects.map(({ raw: _raw, ...reject }) => reject)).toEqual([{ file: 'fx_rates.csv', line: 3, column: 'date', message: 'duplicate rate EUR/USD on 2024-01-02 (first at fx_rates.csv:2)' }]);
    const ndjson = await file('rates.ndjson', '{"date":"2024-01-02","base":"USD","quote":"JPY","rate":141.5}\n');
    const fromNdjson = await readRatesFile(ndjson);
    expect(fromNdjson.format).toBe('fx_rates');
    expect(rows(fromNdjson.rates)).toEqual(['2024-01-02 USD/JPY 141.5 @rates.ndjson:1']);
  });

  it('reads the ECB Data Portal CSV export (one observation per row)', async () => {
    const text = [
      'KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,TITLE',
      'EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-11-28,1.0556,A,"US dollar/Euro, daily"',
      'EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-11-29,1.0575,A,"US dollar/Euro, daily"',
      'EXR.D.JPY.EUR.SP00.A,D,JPY,EUR,SP00,A,2024-11-29,,M,"Japanese yen/Euro, daily"',
      'EXR.M.JPY.EUR.SP00.A,M,JPY,EUR,SP00,A,2024-11,160.1,A,"Japanese yen/Euro, monthly"',
      '',
    ].join('\n');
    const result = await readRatesFile(await file('EXR.csv', text));
    expect(result.format).toBe('ecb');
    expect(rows(result.rates)).toEqual(['2024-11-28 EUR/USD 1.0556 @EXR.csv:2', '2024-11-29 EUR/USD 1.0575 @EXR.csv:3']);
    expect(result.rejects.map(({ raw: _raw, ...reject }) => reject)).toEqual([
      { file: 'EXR.csv', line: 5, column: 'FREQ', message: '"M" is not a daily series (FREQ D): only daily reference rates are exchange rates of a day' },
    ]);
  });
});

describe('writing a canonical fx_rates.csv', () => {
  it('writes each rate as the exact decimal it was read from, and reads back the same rates', async () => {
    expect(decimalText(ratio(423n, 400n))).toBe('1.0575');
    expect(decimalText(ratio(15808n, 100n))).toBe('158.08');
    expect(decimalText(ratio(3n, 1n))).toBe('3');
    expect(decimalText(ratio(1n, 3125n))).toBe('0.00032');
    expect(() => decimalText(ratio(1n, 3n))).toThrow('no finite decimal form');

    const source = await readRatesFile(await file('eurofxref-hist.csv', ECB_HISTORY));
    const out = join(root, 'written', 'fx_rates.csv');
    await writeFxRatesCsv(out, source.rates);
    const text = fxRatesCsv(source.rates);
    expect(text.split('\n').slice(0, 3)).toEqual(['date,base,quote,rate', '2008-01-02,EUR,JPY,165.07', '2008-01-02,EUR,RUB,35.932']);
    const again = await readRatesFile(out);
    expect(again.format).toBe('fx_rates');
    expect(again.rates.map(({ source: _source, ...rest }) => rest)).toEqual(source.rates.map(({ source: _source, ...rest }) => rest));
  });
});
