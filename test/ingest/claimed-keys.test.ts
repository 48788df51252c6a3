import { describe, expect, it } from 'vitest';
import { ClaimedKeys } from '../../src/ingest/claimed-keys.js';

describe('ClaimedKeys', () => {
  it('says where a key was first claimed, across the files of a kind, and nothing for a free key', () => {
    const keys = new ClaimedKeys();
    keys.claim('l1', { file: 'invoice_lines.csv', line: 2 });
    keys.claim('l2', { file: 'invoice_lines.ndjson', line: 7 });
    keys.claim('l3', { file: 'invoice_lines.csv', line: 123_456_789 });
    expect(keys.firstClaim('l1')).toEqual({ file: 'invoice_lines.csv', line: 2 });
    expect(keys.firstClaim('l2')).toEqual({ file: 'invoice_lines.ndjson', line: 7 });
    expect(keys.firstClaim('l3')).toEqual({ file: 'invoice_lines.csv', line: 123_456_789 });
    expect(keys.firstClaim('l4')).toBeUndefined();
  });

  it('keeps keys that differ only in case or by a character apart', () => {
    const keys = new ClaimedKeys();
    keys.claim('A', { file: 'f', line: 1 });
    keys.claim('a', { file: 'f', line: 2 });
    expect(keys.firstClaim('A')?.line).toBe(1);
    expect(keys.firstClaim('a')?.line).toBe(2);
    expect(keys.firstClaim('a ')).toBeUndefined();
  });
});
