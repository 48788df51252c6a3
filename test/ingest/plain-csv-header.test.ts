import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { plainCsvHeader } from '../../src/ingest/plain-csv-header.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'runrate-plain-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let files = 0;
async function plain(text: string | Buffer) {
  const file = path.join(root, `f${files++}.csv`);
  writeFileSync(file, text);
  return plainCsvHeader(file);
}

describe('plainCsvHeader', () => {
  test('gives the header and counts the rows of a plain file, the last one with or without its line feed', async () => {
    expect(await plain('a,b\n1,2\n3,4\n')).toEqual({ header: ['a', 'b'], rows: 2 });
    expect(await plain('a, b \n1,2\n3,4')).toEqual({ header: ['a', ' b '], rows: 2 });
  });

  test('counts rows across chunks of the file', async () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => `row_${index},${index}`);
    expect(await plain(`id,n\n${rows.join('\n')}\n`)).toEqual({ header: ['id', 'n'], rows: 200_000 });
  });

  test('declines what a CSV reader could split another way, or what holds no row', async () => {
    expect(await plain('a,b\n"1",2\n')).toBeNull();
    expect(await plain('a,b\r\n1,2\r\n')).toBeNull();
    expect(await plain('a,b\n1,2\n\n3,4\n')).toBeNull();
    expect(await plain('\na,b\n1,2\n')).toBeNull();
    expect(await plain(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\n')]))).toBeNull();
    expect(await plain('a,b\n')).toBeNull();
    expect(await plain('a,b')).toBeNull();
    expect(await plain('')).toBeNull();
  });

  test('finds a blank line where one chunk ends and the next begins', async () => {
    const first = `i\n${'x\n'.repeat((1 << 19) - 1)}`;
    expect(Buffer.byteLength(first)).toBe(1 << 20);
    expect(await plain(`${first}\ny\n`)).toBeNull();
    expect(await plain(`${first}y\n`)).toEqual({ header: ['i'], rows: 1 << 19 });
  });
});
