/**
 * The files of a ZIP archive, read with node:zlib alone: enough for the ECB's
 * `eurofxref-hist.zip` (one deflated CSV) without a dependency. Entries are found through the
 * central directory, which holds their sizes even when the local headers defer them to a data
 * descriptor. ZIP64 archives and encryption are not supported (the ECB uses neither).
 */
import { inflateRawSync } from 'node:zlib';
import { DatasetError } from '../dataset-error.js';

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const MAX_END_SEARCH = 22 + 0xffff;

export function isZip(buffer: Buffer): boolean {
  return buffer.length >= 4 && buffer.readUInt32LE(0) === LOCAL_FILE_HEADER;
}

export function readZipEntries(buffer: Buffer, label = 'archive'): ZipEntry[] {
  const damaged = (what: string): never => {
    throw new DatasetError(`${label}: not a readable ZIP archive (${what})`);
  };
  let end = -1;
  for (let at = buffer.length - 22; at >= Math.max(0, buffer.length - MAX_END_SEARCH); at--) {
    if (buffer.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return damaged('no end of central directory');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  if (at === 0xffffffff || count === 0xffff) return damaged('ZIP64 is not supported');

  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (at + 46 > buffer.length || buffer.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) return damaged(`central directory entry ${index + 1}`);
    const flags = buffer.readUInt16LE(at + 8);
    const method = buffer.readUInt16LE(at + 10);
    const compressedSize = buffer.readUInt32LE(at + 20);
    const size = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const localOffset = buffer.readUInt32LE(at + 42);
    const name = buffer.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if ((flags & 1) !== 0) return damaged(`${name} is encrypted`);
    if (localOffset + 30 > buffer.length || buffer.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) return damaged(`local header of ${name}`);
    const start = localOffset + 30 + buffer.readUInt16LE(localOffset + 26) + buffer.readUInt16LE(localOffset + 28);
    const stored = buffer.subarray(start, start + compressedSize);
    if (stored.length !== compressedSize) return damaged(`${name} is truncated`);
    let data: Buffer;
    if (method === 0) data = stored;
    else if (method === 8) {
      try {
        data = inflateRawSync(stored);
      } catch (error) {
        return damaged(`${name}: ${(error as Error).message}`);
      }
    } else return damaged(`${name} uses compression method ${method}`);
    if (data.length !== size) return damaged(`${name} has ${data.length} bytes, not ${size}`);
    entries.push({ name, data });
  }
  return entries;
}
