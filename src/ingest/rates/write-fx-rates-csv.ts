/**
 * Rates written back as a canonical `fx_rates.csv` (inputs.md): one row per day and pair, the
 * rate as the exact decimal it was read from, so that reading the file again gives the same
 * fractions.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import type { FxRate } from '../../engine/model.js';
import { ratio, type Ratio } from '../../engine/money/ratio.js';

export const FX_RATES_HEADER = 'date,base,quote,rate';

/**
 * The decimal text of a rate read from a decimal (its denominator divides a power of ten):
 * 423/400 → "1.0575". Throws for a fraction with no finite decimal form, which no rate read from
 * a file can be.
 */
export function decimalText(unreduced: Ratio): string {
  const rate = ratio(unreduced.num, unreduced.den);
  let twos = 0;
  let fives = 0;
  let rest = rate.den;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (rest !== 1n) throw new RangeError(`${rate.num}/${rate.den} has no finite decimal form`);
  const places = Math.max(twos, fives);
  const scaled = (rate.num * 10n ** BigInt(places)) / rate.den;
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

function compare(a: FxRate, b: FxRate): number {
  return a.date - b.date || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0) || (a.quote < b.quote ? -1 : a.quote > b.quote ? 1 : 0);
}

/** The CSV text, rows sorted by date, base and quote. */
export function fxRatesCsv(rates: readonly FxRate[]): string {
  const sorted = [...rates].sort(compare);
  const lines = [FX_RATES_HEADER];
  for (const rate of sorted) lines.push(`${formatIsoDate(rate.date)},${rate.base},${rate.quote},${decimalText(rate.rate)}`);
  return `${lines.join('\n')}\n`;
}

/** Writes the file whole or not at all: a reader never sees half of it. */
export async function writeFxRatesCsv(path: string, rates: readonly FxRate[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, fxRatesCsv(rates));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
