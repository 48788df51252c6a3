/**
 * Exact rational numbers (BigInt numerator over a positive BigInt denominator), used for
 * unrounded MRR contributions, exchange rates and unit prices.
 */
import { assert } from '../assert.js';
import { divideRounded, type RoundingMode } from './rounding.js';

export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

export const ZERO: Ratio = { num: 0n, den: 1n };
export const ONE: Ratio = { num: 1n, den: 1n };

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function ratio(num: bigint, den: bigint = 1n): Ratio {
  // An integer is already in lowest terms: no GCD loop (the engine makes one per line amount).
  if (den === 1n) return { num, den };
  assert(den !== 0n, 'ratio with a zero denominator');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const divisor = gcd(num, den);
  return divisor > 1n ? { num: num / divisor, den: den / divisor } : { num, den };
}

/**
 * Sums are not reduced while denominators stay small: reducing takes a BigInt GCD loop per
 * addition, and equality (cross-multiplication) and rounding do not need reduced forms.
 */
const REDUCE_ABOVE = 1n << 62n;

function sum(num: bigint, den: bigint): Ratio {
  return den > REDUCE_ABOVE ? ratio(num, den) : { num, den };
}

export function add(a: Ratio, b: Ratio): Ratio {
  if (a.den === b.den) return sum(a.num + b.num, a.den);
  return sum(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function subtract(a: Ratio, b: Ratio): Ratio {
  return add(a, { num: -b.num, den: b.den });
}

export function multiply(a: Ratio, b: Ratio): Ratio {
  return sum(a.num * b.num, a.den * b.den);
}

export function divide(a: Ratio, b: Ratio): Ratio {
  assert(b.num !== 0n, 'division of a ratio by zero');
  return ratio(a.num * b.den, a.den * b.num);
}

export function equals(a: Ratio, b: Ratio): boolean {
  return a.num * b.den === b.num * a.den;
}

export function compareRatios(a: Ratio, b: Ratio): -1 | 0 | 1 {
  const difference = a.num * b.den - b.num * a.den;
  return difference > 0n ? 1 : difference < 0n ? -1 : 0;
}

export function sign(a: Ratio): -1 | 0 | 1 {
  return a.num > 0n ? 1 : a.num < 0n ? -1 : 0;
}

export function roundRatio(a: Ratio, mode: RoundingMode = 'half-away-from-zero'): bigint {
  return divideRounded(a.num, a.den, mode);
}

/** A plain fraction for output (rates are "unrounded fractions" in JSON). */
export function ratioToNumber(a: Ratio): number {
  return Number(a.num) / Number(a.den);
}

/** In lowest terms, as sums are kept unreduced. */
export function formatRatio(a: Ratio): string {
  const reduced = ratio(a.num, a.den);
  return reduced.den === 1n ? String(reduced.num) : `${reduced.num}/${reduced.den}`;
}
