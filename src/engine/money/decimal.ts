/**
 * Exact parsing of decimal strings ("1200.00", "-50", "0.5", "1e3" is not accepted) into integer
 * minor units, or into exact ratios for exchange rates. Never through a binary float.
 */
import { ratio, type Ratio } from './ratio.js';

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$|^([+-])?\.(\d+)$/;

export type DecimalResult<T> = { ok: true; value: T } | { ok: false; message: string };

function splitDecimal(text: string): { negative: boolean; whole: string; fraction: string } | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  if (match[2] !== undefined) return { negative: match[1] === '-', whole: match[2], fraction: match[3] ?? '' };
  return { negative: match[4] === '-', whole: '0', fraction: match[5] ?? '' };
}

/** Parses an amount in major units into minor units of a currency with `exponent` decimals. */
export function parseMinorUnits(text: string, exponent: number): DecimalResult<number> {
  const parts = splitDecimal(text);
  if (!parts) return { ok: false, message: `not a decimal amount: "${text}"` };
  const fraction = parts.fraction.replace(/0+$/, '');
  if (fraction.length > exponent) {
    return { ok: false, message: `"${text}" has more decimals than the currency allows (${exponent})` };
  }
  const digits = BigInt(parts.whole + fraction.padEnd(exponent, '0'));
  const minor = parts.negative ? -digits : digits;
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || -minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, message: `"${text}" is too large` };
  }
  return { ok: true, value: Number(minor) };
}

/** Parses a decimal string exactly into a ratio (exchange rates, quantities with decimals). */
export function parseDecimalRatio(text: string): DecimalResult<Ratio> {
  const parts = splitDecimal(text);
  if (!parts) return { ok: false, message: `not a decimal number: "${text}"` };
  const digits = BigInt(parts.whole + parts.fraction);
  return { ok: true, value: ratio(parts.negative ? -digits : digits, 10n ** BigInt(parts.fraction.length)) };
}

/** Formats integer minor units as a major-unit decimal string ("1234.50"). */
export function formatMinorUnits(minor: number | bigint, exponent: number): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
