/**
 * Resolves the configuration of inputs.md: defaults, then `runrate.config.json` (or --config),
 * then command-line flags. Every key is validated with a message naming it. A configuration file's
 * shape is read by config-from-file.ts, with zod; this module needs no library, so that a query
 * from the store, whose configuration is the store's own, does not load zod (docs/performance.md).
 */
import { formatIsoDate, parseIsoDate, type CalendarDate } from '../engine/calendar/calendar-date.js';
import { isValidTimeZone } from '../engine/calendar/instant.js';
import type { EngineConfig } from '../engine/config.js';
import { parseCurrency, type CurrencyCode } from '../engine/money/currency.js';
import { UsageError } from './errors.js';

/** Configuration as written by a user: every key optional, `fx` nested or dotted. */
export interface ConfigInput {
  currency?: string;
  timezone?: string;
  weekStartsOn?: string;
  churnRecognition?: string;
  renewalGraceDays?: number | string;
  reactivationWindowDays?: number | string | null;
  discounts?: string;
  fxRateDate?: string;
  fxFixedDate?: string | null;
  asOf?: string;
}

export const CONFIG_DEFAULTS = {
  timezone: 'UTC',
  weekStartsOn: 'monday',
  churnRecognition: 'cancel-effective',
  renewalGraceDays: 7,
  reactivationWindowDays: null,
  discounts: 'net',
  fxRateDate: 'period-start',
} as const;

/** A whole number of days ≥ 0, given as a number or as digits (flags are text); else null. */
function wholeNumber(value: number | string): number | null {
  const number = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(number) && number >= 0 ? number : null;
}

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${key}: "${value}" is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function date(key: string, value: string): CalendarDate {
  const parsed = parseIsoDate(value);
  if (parsed === null) throw new UsageError(`${key}: "${value}" is not a YYYY-MM-DD date`);
  return parsed;
}

export interface ResolveContext {
  /** The currencies the dataset bills in, to default the reporting currency. */
  readonly datasetCurrencies: readonly string[];
  /** Today's date in a given zone (read by the edge that owns the clock). */
  readonly today: (timezone: string) => CalendarDate;
}

/** Merges layers (later wins) and validates into the engine's configuration. */
export function resolveConfig(layers: readonly ConfigInput[], context: ResolveContext): EngineConfig {
  const merged: ConfigInput = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }

  const timezone = merged.timezone ?? CONFIG_DEFAULTS.timezone;
  if (!isValidTimeZone(timezone)) throw new UsageError(`timezone: "${timezone}" is not an IANA time zone`);

  let currency: CurrencyCode;
  if (merged.currency !== undefined) {
    const parsed = parseCurrency(merged.currency);
    if (!parsed) throw new UsageError(`currency: "${merged.currency}" is not an ISO 4217 currency`);
    currency = parsed;
  } else {
    const distinct = [...new Set(context.datasetCurrencies)].sort();
    if (distinct.length > 1) {
      throw new UsageError(`currency: the data bills in ${distinct.join(', ')}; choose the reporting currency with --currency or "currency" in runrate.config.json`);
    }
    currency = (distinct[0] ?? 'USD') as CurrencyCode;
  }

  const renewalGraceDays = wholeNumber(merged.renewalGraceDays ?? CONFIG_DEFAULTS.renewalGraceDays);
  if (renewalGraceDays === null) throw new UsageError(`renewalGraceDays: "${String(merged.renewalGraceDays)}" is not a whole number ≥ 0`);
  let reactivationWindowDays: number | null = null;
  const window = merged.reactivationWindowDays;
  if (window !== undefined && window !== null && window !== 'null' && window !== '') {
    reactivationWindowDays = wholeNumber(window);
    if (reactivationWindowDays === null) throw new UsageError(`reactivationWindowDays: "${String(window)}" is not a whole number ≥ 0 or null`);
  }

  const rateDate = oneOf('fx.rateDate', merged.fxRateDate ?? CONFIG_DEFAULTS.fxRateDate, ['period-start', 'daily', 'month-start', 'fixed'] as const);
  const fixedDate = merged.fxFixedDate ? date('fx.fixedDate', merged.fxFixedDate) : null;
  if (rateDate === 'fixed' && fixedDate === null) throw new UsageError('fx.fixedDate: required when fx.rateDate is fixed');

  return {
    currency,
    timezone,
    weekStartsOn: oneOf('weekStartsOn', merged.weekStartsOn ?? CONFIG_DEFAULTS.weekStartsOn, ['monday', 'sunday'] as const),
    churnRecognition: oneOf('churnRecognition', merged.churnRecognition ?? CONFIG_DEFAULTS.churnRecognition, ['cancel-requested', 'cancel-effective', 'period-end'] as const),
    renewalGraceDays,
    reactivationWindowDays,
    discounts: oneOf('discounts', merged.discounts ?? CONFIG_DEFAULTS.discounts, ['net', 'gross', 'forever-only'] as const),
    fx: { rateDate, fixedDate },
    asOf: merged.asOf !== undefined ? date('asOf', merged.asOf) : context.today(timezone),
  };
}

/** The configuration as JSON (for `--format json` headers, the store and reproducibility). */
export function configToJson(config: EngineConfig): ConfigJson {
  return {
    currency: config.currency,
    timezone: config.timezone,
    weekStartsOn: config.weekStartsOn,
    churnRecognition: config.churnRecognition,
    renewalGraceDays: config.renewalGraceDays,
    reactivationWindowDays: config.reactivationWindowDays,
    discounts: config.discounts,
    fx: { rateDate: config.fx.rateDate, fixedDate: config.fx.fixedDate === null ? null : formatIsoDate(config.fx.fixedDate) },
    asOf: formatIsoDate(config.asOf),
  };
}

/** What configToJson writes: the configuration file's keys, `fx` nested. */
export interface ConfigJson {
  readonly currency: string;
  readonly timezone: string;
  readonly weekStartsOn: string;
  readonly churnRecognition: string;
  readonly renewalGraceDays: number;
  readonly reactivationWindowDays: number | null;
  readonly discounts: string;
  readonly fx: { readonly rateDate: string; readonly fixedDate: string | null };
  readonly asOf: string;
}

/**
 * A configuration written by configToJson (the store's own) as a layer: its inverse.
 * resolveConfig checks every value again, so a damaged one still fails naming its key; a key this
 * version does not know (a newer version's option) fails too, rather than being ignored.
 */
export function configJsonLayer(json: unknown, source: string): ConfigInput {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${source}: not a configuration object`);
  const unknown = Object.keys(json).filter((key) => !CONFIG_JSON_KEYS.has(key));
  if (unknown.length > 0) throw new UsageError(`${source}: unrecognized key${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}`);
  const { fx, ...rest } = json as Partial<ConfigJson>;
  const layer: ConfigInput = { ...rest };
  if (fx?.rateDate !== undefined) layer.fxRateDate = fx.rateDate;
  if (fx?.fixedDate !== undefined) layer.fxFixedDate = fx.fixedDate;
  return layer;
}

const CONFIG_JSON_KEYS = new Set(['currency', 'timezone', 'weekStartsOn', 'churnRecognition', 'renewalGraceDays', 'reactivationWindowDays', 'discounts', 'fx', 'asOf']);
