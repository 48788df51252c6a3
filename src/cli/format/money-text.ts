/** Amounts for human eyes: major units with thousands separators, from exact minor units. */
import { currencyExponent, type CurrencyCode } from '../../engine/money/currency.js';
import { formatMinorUnits } from '../../engine/money/decimal.js';

export function formatMoney(minor: number, currency: CurrencyCode, options: { signed?: boolean } = {}): string {
  const text = formatMinorUnits(minor, currencyExponent(currency));
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = negative ? '-' : options.signed && minor > 0 ? '+' : '';
  return `${sign}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}

/** A rate as a percentage with one decimal ("12.3%"), or "–" when undefined. */
export function formatPercent(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)}%`;
}
