/**
 * A small seeded pseudo-random generator for the demo dataset: sfc32 (Chris Doty-Humphrey's
 * Small Fast Counting generator, as in PractRand). It uses 32-bit integer operations only, so
 * every JavaScript engine on every machine draws the same numbers from the same seed, which
 * `Math.random` never promises.
 */

const UINT32 = 4_294_967_296;

/** The murmur3 finaliser: spreads every input bit over the whole 32-bit word. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes integers into one 32-bit word. Numbers beyond 32 bits are split into their high and
 * low words first, so large seeds do not collide on their low bits.
 */
export function hash32(...values: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const value of values) {
    const low = value >>> 0;
    const high = Math.floor(value / UINT32) >>> 0;
    h = fmix32((h ^ low) >>> 0);
    h = fmix32(Math.imul(h ^ high, 0x9e3779b1) >>> 0);
  }
  return h;
}

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = 1;
    // The reference seeding: a few rounds so that similar seeds diverge before the first draw.
    for (let round = 0; round < 15; round++) this.nextUint32();
  }

  /**
   * An independent generator for one stream (customers, exchange rates …) and one index in it,
   * so that any customer's story can be generated on its own, in any order.
   */
  static forStream(seed: number, stream: number, index: number): SeededRandom {
    return new SeededRandom(hash32(seed, stream, index, 1), hash32(seed, stream, index, 2), hash32(seed, stream, index, 3));
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1): a 32-bit integer over 2^32, exact in a double. */
  float(): number {
    return this.nextUint32() / UINT32;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Picks one value by integer weights: `[['a', 3], ['b', 1]]` gives `a` three times as often. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let draw = this.float() * total;
    for (const [value, weight] of entries) {
      if (draw < weight) return value;
      draw -= weight;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }
}
