import fc from 'fast-check';
import { expect, test } from 'vitest';
import { withoutRepeats } from '../../src/engine/without-repeats.js';

test('withoutRepeats keeps each value of a sorted array once, in order, in the same array', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd')), (values) => {
      const sorted = [...values].sort();
      const result = withoutRepeats(sorted);
      expect(result).toBe(sorted);
      expect(result).toEqual([...new Set(values)].sort());
    }),
  );
  expect(withoutRepeats([])).toEqual([]);
});
