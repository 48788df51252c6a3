import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/app/errors.js';
import { configFromFile } from '../../src/app/config-from-file.js';
import { configJsonLayer, configToJson, resolveConfig } from '../../src/app/resolve-config.js';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';

const context = { datasetCurrencies: ['USD'], today: (zone: string) => isoDate(zone === 'Pacific/Kiritimati' ? '2026-11-23' : '2026-11-22') };

describe('configuration', () => {
  test('defaults: every key of inputs.md', () => {
    expect(configToJson(resolveConfig([], context))).toEqual({
      currency: 'USD',
      timezone: 'UTC',
      weekStartsOn: 'monday',
      churnRecognition: 'cancel-effective',
      renewalGraceDays: 7,
      reactivationWindowDays: null,
      discounts: 'net',
      fx: { rateDate: 'period-start', fixedDate: null },
      asOf: '2026-11-22',
    });
  });

  test('today is taken in the configured zone', () => {
    expect(configToJson(resolveConfig([{ timezone: 'Pacific/Kiritimati' }], context)).asOf).toBe('2026-11-23');
  });

  test('the file is overridden by flags; fx may be nested or dotted', () => {
    const nested = configFromFile({ currency: 'eur', fx: { rateDate: 'fixed', fixedDate: '2024-01-01' }, renewalGraceDays: 3 }, 'a.json');
    const dotted = configFromFile({ currency: 'EUR', 'fx.rateDate': 'fixed', 'fx.fixedDate': '2024-01-01', renewalGraceDays: 3 }, 'b.json');
    expect(resolveConfig([nested], context)).toEqual(resolveConfig([dotted], context));
    const resolved = configToJson(resolveConfig([nested, { renewalGraceDays: '0', churnRecognition: 'period-end', reactivationWindowDays: '30' }], context));
    expect(resolved).toMatchObject({ currency: 'EUR', renewalGraceDays: 0, churnRecognition: 'period-end', reactivationWindowDays: 30, fx: { rateDate: 'fixed', fixedDate: '2024-01-01' } });
    expect(configToJson(resolveConfig([{ reactivationWindowDays: 30 }, { reactivationWindowDays: 'null' }], context)).reactivationWindowDays).toBeNull();
  });

  test('bad values and unknown keys are usage errors naming the key', () => {
    const fails = (layers: Parameters<typeof resolveConfig>[0], message: string) => {
      expect(() => resolveConfig(layers, context)).toThrow(UsageError);
      expect(() => resolveConfig(layers, context)).toThrow(message);
    };
    fails([{ churnRecognition: 'sometimes' }], 'churnRecognition: "sometimes" is not one of');
    fails([{ renewalGraceDays: -1 }], 'renewalGraceDays');
    fails([{ renewalGraceDays: 'soon' }], 'renewalGraceDays');
    fails([{ renewalGraceDays: 1.5 }], 'renewalGraceDays: "1.5" is not a whole number ≥ 0');
    fails([{ renewalGraceDays: '-3' }], 'renewalGraceDays');
    fails([{ renewalGraceDays: '' }], 'renewalGraceDays');
    fails([{ renewalGraceDays: '99999999999999999999' }], 'renewalGraceDays');
    fails([{ reactivationWindowDays: '3 days' }], 'reactivationWindowDays: "3 days" is not a whole number ≥ 0 or null');
    fails([{ timezone: 'Mars/Base' }], 'timezone: "Mars/Base" is not an IANA time zone');
    fails([{ currency: 'EURO' }], 'currency: "EURO" is not an ISO 4217 currency');
    fails([{ fxRateDate: 'fixed' }], 'fx.fixedDate: required when fx.rateDate is fixed');
    fails([{ asOf: '2024-02-30' }], 'asOf: "2024-02-30" is not a YYYY-MM-DD date');
    expect(() => configFromFile({ curency: 'USD' }, 'runrate.config.json')).toThrow('runrate.config.json: curency');
  });

  test("the store's own JSON reads back as the configuration it was written from, and nothing else", () => {
    const config = resolveConfig([{ currency: 'EUR', timezone: 'Europe/Paris', churnRecognition: 'period-end', renewalGraceDays: 3, reactivationWindowDays: 30, fxRateDate: 'fixed', fxFixedDate: '2024-01-01', asOf: '2025-06-30' }], context);
    const json = JSON.parse(JSON.stringify(configToJson(config))) as unknown;
    expect(resolveConfig([configJsonLayer(json, 'the store configuration')], context)).toEqual(config);
    expect(resolveConfig([configJsonLayer(configToJson(resolveConfig([], context)), 'the store configuration')], context)).toEqual(resolveConfig([], context));
    expect(() => configJsonLayer({ ...configToJson(config), seats: 'per-user' }, 'the store configuration')).toThrow('the store configuration: unrecognized key seats');
    expect(() => configJsonLayer([], 'the store configuration')).toThrow(UsageError);
    // Values are checked as a file's are: a damaged one names its key.
    expect(() => resolveConfig([configJsonLayer({ ...configToJson(config), discounts: 'some' }, 'the store configuration')], context)).toThrow('discounts: "some" is not one of');
  });

  test('several currencies need a reporting currency', () => {
    expect(() => resolveConfig([], { ...context, datasetCurrencies: ['USD', 'EUR', 'USD'] })).toThrow('the data bills in EUR, USD');
    expect(resolveConfig([{ currency: 'GBP' }], { ...context, datasetCurrencies: ['USD', 'EUR'] }).currency).toBe('GBP');
  });
});
