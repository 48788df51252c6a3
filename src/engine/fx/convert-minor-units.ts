import type { CurrencyCode } from '../money/currency.js';
import { currencyExponent } from '../money/currency.js';
import type { Ratio } from '../money/ratio.js';
import { ratio } from '../money/ratio.js';
import { divideRounded } from '../money/rounding.js';

/**
 * `round(native × rate)` across minor units of different exponents (JPY 0 → USD 2): the one
 * conversion of mrr-rules.md §6, a single exact division rounded half away from zero.
 */
export function convertMinorUnits(native: number, rate: Ratio, from: CurrencyCode, to: CurrencyCode): number {
  // Most subscriptions bill in the reporting currency: nothing to convert, and no BigInt work.
  if (from === to && rate.num === rate.den) return native;
  const shift = currencyExponent(to) - currencyExponent(from);
  const scale = 10n ** BigInt(Math.abs(shift));
  const numerator = BigInt(native) * rate.num * (shift > 0 ? scale : 1n);
  const denominator = rate.den * (shift < 0 ? scale : 1n);
  return Number(divideRounded(numerator, denominator, 'half-away-from-zero'));
}

/** The exact (unrounded) value of a native amount in reporting minor units. */
export function convertExactly(native: Ratio, rate: Ratio, from: CurrencyCode, to: CurrencyCode): Ratio {
  const shift = currencyExponent(to) - currencyExponent(from);
  const scale = 10n ** BigInt(Math.abs(shift));
  return ratio(native.num * rate.num * (shift > 0 ? scale : 1n), native.den * rate.den * (shift < 0 ? scale : 1n));
}
