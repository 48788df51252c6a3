/**
 * `syncEcbRates` against a local HTTP server on 127.0.0.1: no test ever reaches the network.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRatesFile } from '../../../src/ingest/rates/read-rates-file.js';
import { ECB_HISTORY_URL } from '../../../src/ingest/rates/ecb-history-url.js';
import { RatesSyncError, syncEcbRates } from '../../../src/ingest/rates/sync-ecb-rates.js';
import { makeZip } from './zip-fixture.js';

const HISTORY = ['Date,USD,JPY,GBP,', '2024-11-29,1.0575,158.08,0.83025,', '2024-11-28,1.0556,160.6,N/A,', ''].join('\n');

let server: Server;
let base: string;
let root: string;
const requests: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'runrate-sync-'));
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/stats/eurofxref/eurofxref-hist.zip') {
      response.writeHead(200, { 'content-type': 'application/zip' });
      response.end(makeZip([{ name: 'eurofxref-hist.csv', text: HISTORY }]));
    } else if (request.url === '/eurofxref-hist.csv') {
      response.writeHead(200, { 'content-type': 'text/csv' });
      response.end(HISTORY);
    } else if (request.url === '/not-rates') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>maintenance</html>');
    } else {
      response.writeHead(404, 'Not Found');
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

describe('syncEcbRates', () => {
  it('fetches over HTTPS by default, from the ECB', () => {
    expect(ECB_HISTORY_URL).toBe('https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip');
  });

  it('downloads the zipped history and writes a canonical fx_rates.csv', async () => {
    const outFile = join(root, 'dataset', 'fx_rates.csv');
    const result = await syncEcbRates({ url: `${base}/stats/eurofxref/eurofxref-hist.zip`, outFile });
    expect(result).toMatchObject({ rows: 5, first: '2024-11-28', last: '2024-11-29', currencies: ['EUR', 'GBP', 'JPY', 'USD'], rejects: [], warnings: [] });
    expect(await readFile(outFile, 'utf8')).toBe(
      [
        'date,base,quote,rate',
        '2024-11-28,EUR,JPY,160.6',
        '2024-11-28,EUR,USD,1.0556',
        '2024-11-29,EUR,GBP,0.83025',
        '2024-11-29,EUR,JPY,158.08',
        '2024-11-29,EUR,USD,1.0575',
        '',
      ].join('\n'),
    );
    const back = await readRatesFile(outFile);
    expect(back.format).toBe('fx_rates');
    expect(back.rejects).toEqual([]);
    expect(back.rates).toHaveLength(5);
  });

  it('takes the CSV itself too', async () => {
    const outFile = join(root, 'plain', 'fx_rates.csv');
    const result = await syncEcbRates({ url: `${base}/eurofxref-hist.csv`, outFile });
    expect(result.rows).toBe(5);
  });

  it('fails with a message, and writes nothing, when the server or the network fails', async () => {
    const outFile = join(root, 'failed', 'fx_rates.csv');
    await expect(syncEcbRates({ url: `${base}/missing.zip`, outFile })).rejects.toThrow(RatesSyncError);
    await expect(syncEcbRates({ url: `${base}/missing.zip`, outFile })).rejects.toThrow('the server answered 404 Not Found');
    await expect(syncEcbRates({ url: `${base}/not-rates`, outFile })).rejects.toThrow('not a rates file Runrate knows');
    // Nothing listens on port 9 of 127.0.0.1 (discard): the connection is refused.
    await expect(syncEcbRates({ url: 'http://127.0.0.1:9/eurofxref-hist.zip', outFile })).rejects.toThrow(/cannot fetch .*the bundled reference rates still apply/);
    await expect(readFile(outFile)).rejects.toThrow('ENOENT');
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(HISTORY, { status: 200 });
    };
    const result = await syncEcbRates({ outFile: join(root, 'injected', 'fx_rates.csv'), fetchImpl });
    expect(calls).toEqual([ECB_HISTORY_URL]);
    expect(result.rows).toBe(5);
  });
});
