import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { convertMinorUnits } from '../../src/engine/fx/convert-minor-units.js';
import { currencyExponent, parseCurrency, type CurrencyCode } from '../../src/engine/money/currency.js';
import { formatMinorUnits, parseDecimalRatio, parseMinorUnits } from '../../src/engine/money/decimal.js';
import { add, compareRatios, equals, formatRatio, multiply, ratio, roundRatio } from '../../src/engine/money/ratio.js';
import { divideRounded } from '../../src/engine/money/rounding.js';

const code = (text: string) => parseCurrency(text)!;

describe('money', () => {
  test('ISO 4217 exponents: JPY 0, USD 2, KWD 3; codes in any case', () => {
    expect(currencyExponent(code('jpy'))).toBe(0);
    expect(currencyExponent(code('USD'))).toBe(2);
    expect(currencyExponent(code('kwd'))).toBe(3);
    expect(parseCurrency('XYZ')).toBeNull();
    expect(parseCurrency('XAU')).toBeNull(); // gold has no minor unit: not a billing currency
    expect(parseCurrency('XXX')).toBeNull();
    expect(currencyExponent(code('XOF'))).toBe(0);
    expect(currencyExponent(code('CLF'))).toBe(4);
  });

  test('decimal strings parse exactly into minor units', () => {
    expect(parseMinorUnits('1200.00', 2)).toEqual({ ok: true, value: 120000 });
    expect(parseMinorUnits('-50', 2)).toEqual({ ok: true, value: -5000 });
    expect(parseMinorUnits('0.5', 2)).toEqual({ ok: true, value: 50 });
    expect(parseMinorUnits('.5', 2)).toEqual({ ok: true, value: 50 });
    expect(parseMinorUnits('1234', 0)).toEqual({ ok: true, value: 1234 });
    expect(parseMinorUnits('1.234', 3)).toEqual({ ok: true, value: 1234 });
    expect(parseMinorUnits('0.1', 2)).toEqual({ ok: true, value: 10 });
    expect(parseMinorUnits('10.000', 2)).toEqual({ ok: true, value: 1000 }); // trailing zeros are not extra precision
    expect(parseMinorUnits('10.001', 2).ok).toBe(false);
    expect(parseMinorUnits('1.5', 0).ok).toBe(false);
    expect(parseMinorUnits('1e3', 2).ok).toBe(false);
    expect(parseMinorUnits('1,000.00', 2).ok).toBe(false);
    expect(parseMinorUnits('', 2).ok).toBe(false);
  });

  test('formatting minor units round-trips through parsing', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 3 }), (minor, exponent) => {
        expect(parseMinorUnits(formatMinorUnits(minor, exponent), exponent)).toEqual({ ok: true, value: minor });
      }),
    );
  });

  test('rounding is half away from zero, exactly once', () => {
    expect(divideRounded(5n, 2n, 'half-away-from-zero')).toBe(3n);
    expect(divideRounded(-5n, 2n, 'half-away-from-zero')).toBe(-3n);
    expect(divideRounded(7n, 3n, 'half-away-from-zero')).toBe(2n);
    expect(divideRounded(-7n, 3n, 'half-away-from-zero')).toBe(-2n);
    expect(divideRounded(5n, -2n, 'half-away-from-zero')).toBe(-3n);
    expect(divideRounded(-7n, 2n, 'floor')).toBe(-4n);
    expect(roundRatio(ratio(200000n, 12n))).toBe(16667n); // $2,000 a year → $166.67
    expect(roundRatio(ratio(-200000n, 12n))).toBe(-16667n);
  });

  test('rounding agrees with exact arithmetic on every input', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (n, d) => {
        const q = divideRounded(n, d, 'half-away-from-zero');
        // |n/d − q| ≤ 1/2, and exactly 1/2 only when q is further from zero.
        const twiceError = 2n * (n - q * d);
        expect(twiceError <= d && twiceError >= -d).toBe(true);
        if (twiceError === d || twiceError === -d) expect(q < 0n ? q * d < n : q * d > n).toBe(true);
      }),
    );
  });

  test('exchange rates parse exactly and convert across exponents', () => {
    const rate = parseDecimalRatio('1.07');
    expect(rate).toEqual({ ok: true, value: { num: 107n, den: 100n } });
    const USD = code('USD') as CurrencyCode;
    const JPY = code('JPY') as CurrencyCode;
    const KWD = code('KWD') as CurrencyCode;
    // ¥15,000 at 0.0067 USD/JPY = $100.50
    expect(convertMinorUnits(15000, ratio(67n, 10000n), JPY, USD)).toBe(10050);
    // $100.00 at 150.5 JPY/USD = ¥15,050
    expect(convertMinorUnits(10000, ratio(1505n, 10n), USD, JPY)).toBe(15050);
    // $100.00 at 0.3071 KWD/USD = 30.710 KWD
    expect(convertMinorUnits(10000, ratio(3071n, 10000n), USD, KWD)).toBe(30710);
    // $100.00 / 1.07 = €93.4579… → 93.46
    expect(convertMinorUnits(10000, ratio(100n, 107n), USD, code('EUR'))).toBe(9346);
  });

  test('sums kept unreduced still compare, round and print as their lowest terms', () => {
    const arbitraryRatio = fc.tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 6n }));
    fc.assert(
      fc.property(arbitraryRatio, arbitraryRatio, ([an, ad], [bn, bd]) => {
        const a = ratio(an, ad);
        const b = ratio(bn, bd);
        const total = add(a, b);
        const reduced = ratio(an * bd + bn * ad, ad * bd);
        expect(equals(total, reduced)).toBe(true);
        expect(compareRatios(total, reduced)).toBe(0);
        expect(roundRatio(total)).toBe(roundRatio(reduced));
        expect(formatRatio(total)).toBe(reduced.den === 1n ? String(reduced.num) : `${reduced.num}/${reduced.den}`);
        expect(formatRatio(multiply(a, b))).toBe(formatRatio(ratio(an * bn, ad * bd)));
      }),
    );
    expect(formatRatio(add(ratio(1n, 2n), ratio(1n, 2n)))).toBe('1');
  });
});
