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
    expect(await plain('a,b\n1,2\n3,4\n')).toEqual({ header: ['a', 'b'], rows: 2, quoted: false });
    expect(await plain('a, b \n1,2\n3,4')).toEqual({ header: ['a', ' b '], rows: 2, quoted: false });
  });

  test('counts rows across chunks of the file', async () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => `row_${index},${index}`);
    expect(await plain(`id,n\n${rows.join('\n')}\n`)).toEqual({ header: ['id', 'n'], rows: 200_000, quoted: false });
  });

  test('takes whole quoted fields, with their quotes doubled inside and no line feed', async () => {
    const quoted = { header: ['a', 'b'], rows: 2, quoted: true };
    expect(await plain('a,b\n"1",2\n3,"4"\n')).toEqual(quoted);
    expect(await plain('a,b\n"Acme, Inc.","say ""hi"""\n"",""\n')).toEqual(quoted);
    expect(await plain('a,b\n1,2\n3,"4"')).toEqual(quoted);
    expect(await plain('a,b\n"""",2\n3,4\n')).toEqual(quoted);
    expect(await plain('a,b\n1,"2"""\n3,4\n')).toEqual(quoted);
  });

  test('declines what a CSV reader could split another way, or what holds no row', async () => {
    expect(await plain('"a",b\n1,2\n')).toBeNull();
    expect(await plain('a,b\n1"x",2\n')).toBeNull();
    expect(await plain('a,b\n "1",2\n')).toBeNull();
    expect(await plain('a,b\n"1"x,2\n')).toBeNull();
    expect(await plain('a,b\n"1\n2",3\n')).toBeNull();
    expect(await plain('a,b\n"1,2\n')).toBeNull();
    expect(await plain('a,b\n1,"2')).toBeNull();
    expect(await plain('a,b\n1,"2""\n3,4\n')).toBeNull();
    expect(await plain('a\n""\n1\n')).toBeNull();
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
    expect(await plain(`${first}y\n`)).toEqual({ header: ['i'], rows: 1 << 19, quoted: false });
  });

  test('follows a quoted field across the end of a chunk', async () => {
    // The first chunk ends inside a field, on a quote that closes it or on the first of a doubled pair.
    const first = `i,j\n${'x,y\n'.repeat((1 << 18) - 2)},"a"`;
    expect(Buffer.byteLength(first)).toBe(1 << 20);
    const rows = (1 << 18) - 1;
    const header = ['i', 'j'];
    expect(await plain(`${first}\ny,z\n`)).toEqual({ header, rows: rows + 1, quoted: true });
    expect(await plain(first)).toEqual({ header, rows, quoted: true });
    expect(await plain(`${first}"c"\n`)).toEqual({ header, rows, quoted: true });
    expect(await plain(`${first}x\n`)).toBeNull();
    expect(await plain(`${first}"c\n`)).toBeNull();
    // The next chunk opens a quoted field right after the line feed that ended the first.
    const whole = `i,j\n${'x,y\n'.repeat((1 << 18) - 1)}`;
    expect(Buffer.byteLength(whole)).toBe(1 << 20);
    expect(await plain(`${whole}"y",z\n`)).toEqual({ header, rows: 1 << 18, quoted: true });
    expect(await plain(`${whole.slice(0, -1)}"y",z\n`)).toBeNull();
  });
});
