/**
 * Stripe amounts are integers in the currency's smallest unit, taken as they are, except for the
 * two currencies whose Stripe unit is not the ISO 4217 minor unit Runrate counts in: Stripe
 * writes ISK with two decimals (always 00) where ISO has none, and MGA with none where ISO has two.
 */
import type { CurrencyCode } from '../../engine/money/currency.js';
import type { StripeObject } from './stripe-object.js';

const HUNDRED = 100;

/** Minor units of `currency` from a Stripe amount; fails at `key` when it cannot be one. */
export function isoMinorUnits(amount: number, currency: CurrencyCode, object: StripeObject, key: string): number {
  if (currency === 'ISK') {
    if (amount % HUNDRED !== 0) object.fail(key, `${amount} is not a whole number of krónur (Stripe writes ISK with two decimals, always 00)`);
    return amount / HUNDRED;
  }
  if (currency === 'MGA') {
    const minor = amount * HUNDRED;
    if (!Number.isSafeInteger(minor)) object.fail(key, `${amount} is too large`);
    return minor;
  }
  return amount;
}

/** Shares `total` out in proportion to `weights` (largest remainder), so the parts add up exactly. */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((weight) => (BigInt(total) * BigInt(weight)));
  const parts = exact.map((value) => Number(value / BigInt(sum)));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: Number(value % BigInt(sum)) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left === 0) break;
    parts[index]! += Math.sign(left);
    left -= Math.sign(left);
  }
  return parts;
}
