import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { groupDigits } from '../../src/cli/format/group-digits.js';

describe('groupDigits', () => {
  test('writes counts as en-US does, without loading ICU', () => {
    expect([0, 7, 999, 1000, 1300, 1234567, 1000000].map(groupDigits)).toEqual(['0', '7', '999', '1,000', '1,300', '1,234,567', '1,000,000']);
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (count) => groupDigits(count) === count.toLocaleString('en-US')));
  });
});
