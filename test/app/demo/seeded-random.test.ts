import { describe, expect, it } from 'vitest';
import { SeededRandom, hash32 } from '../../../src/app/demo/seeded-random.js';

/** sfc32 as published with PractRand, written independently of the code under test. */
function referenceSfc32(a0: number, b0: number, c0: number): () => number {
  let a = a0 | 0;
  let b = b0 | 0;
  let c = c0 | 0;
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let round = 0; round < 15; round++) next();
  return next;
}

describe('SeededRandom', () => {
  it('is sfc32: the same words give the reference sequence', () => {
    const reference = referenceSfc32(0xdeadbeef, 12345, -7);
    const random = new SeededRandom(0xdeadbeef, 12345, -7);
    for (let draw = 0; draw < 1000; draw++) expect(random.nextUint32()).toBe(reference());
  });

  it('gives the same stream for the same (seed, stream, index) and different ones otherwise', () => {
    const draws = (random: SeededRandom): number[] => Array.from({ length: 8 }, () => random.nextUint32());
    expect(draws(SeededRandom.forStream(42, 1, 7))).toEqual(draws(SeededRandom.forStream(42, 1, 7)));
    expect(draws(SeededRandom.forStream(42, 1, 7))).not.toEqual(draws(SeededRandom.forStream(42, 1, 8)));
    expect(draws(SeededRandom.forStream(42, 1, 7))).not.toEqual(draws(SeededRandom.forStream(43, 1, 7)));
    expect(draws(SeededRandom.forStream(42, 1, 7))).not.toEqual(draws(SeededRandom.forStream(42, 2, 7)));
    // Seeds that differ only above 32 bits still differ.
    expect(hash32(2 ** 32 + 5)).not.toBe(hash32(5));
  });

  it('draws integers in range, roughly uniformly', () => {
    const random = SeededRandom.forStream(1, 1, 1);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let draw = 0; draw < 60_000; draw++) {
      const value = random.int(-2, 3);
      expect(value).toBeGreaterThanOrEqual(-2);
      expect(value).toBeLessThanOrEqual(3);
      counts[value + 2]!++;
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('picks by weight', () => {
    const random = SeededRandom.forStream(9, 9, 9);
    let heavy = 0;
    for (let draw = 0; draw < 10_000; draw++) if (random.weighted([['heavy', 3], ['light', 1]] as const) === 'heavy') heavy++;
    expect(heavy / 10_000).toBeGreaterThan(0.72);
    expect(heavy / 10_000).toBeLessThan(0.78);
  });
});
