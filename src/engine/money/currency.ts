/**
 * ISO 4217 currencies and their minor-unit exponents (USD 2, JPY 0, KWD 3), from the ISO list
 * as packaged by `currency-codes`.
 */
import currencyCodes from 'currency-codes';

export type CurrencyCode = string & { readonly __currency: unique symbol };

/**
 * ISO 4217 lists these with minor unit "N.A." (metals, SDR, bond units, testing, "no currency");
 * `currency-codes` reports them as 0 digits, but nobody is billed in them.
 */
const NOT_BILLING_CURRENCIES = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);

const exponents = new Map<string, number>();
for (const entry of currencyCodes.data) {
  if (!NOT_BILLING_CURRENCIES.has(entry.code) && Number.isInteger(entry.digits)) exponents.set(entry.code, entry.digits);
}

/** Upper-cases and checks a code; null when it is not an ISO 4217 currency with a minor unit. */
export function parseCurrency(text: string): CurrencyCode | null {
  const code = text.trim().toUpperCase();
  return exponents.has(code) ? (code as CurrencyCode) : null;
}

export function currencyExponent(currency: CurrencyCode): number {
  const exponent = exponents.get(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  return exponent;
}

/** Every billing currency with its exponent, for stores that check amounts in SQL. */
export function billingCurrencies(): Array<[CurrencyCode, number]> {
  return [...exponents].map(([code, exponent]) => [code as CurrencyCode, exponent]);
}
