/**
 * The one exact multiply-divide of Runrate. Every normalisation and conversion divides exactly
 * once, in BigInt, with a named rounding mode; nothing passes through a binary float.
 */
import { assert } from '../assert.js';

/** The only rounding mode the rules use (mrr-rules.md §2): halves go away from zero. */
export type RoundingMode = 'half-away-from-zero' | 'floor';

export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  assert(denominator !== 0n, 'division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator - quotient * denominator;
  if (remainder === 0n) return quotient;
  if (mode === 'floor') return numerator < 0n ? quotient - 1n : quotient;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice < denominator) return quotient;
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}

export function mulDiv(value: bigint, multiplier: bigint, divisor: bigint, mode: RoundingMode): bigint {
  return divideRounded(value * multiplier, divisor, mode);
}
