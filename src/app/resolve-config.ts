/**
 * Resolves the configuration of inputs.md: defaults, then `runrate.config.json` (or --config),
 * then command-line flags. Every key is validated with a message naming it.
 */
import { z } from 'zod';
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

const integerText = z.union([z.number(), z.string().regex(/^\d+$/, 'expected a whole number').transform(Number)]).pipe(z.number().int().min(0));

const fileSchema = z
  .object({
    currency: z.string().optional(),
    timezone: z.string().optional(),
    weekStartsOn: z.string().optional(),
    churnRecognition: z.string().optional(),
    renewalGraceDays: z.union([z.number(), z.string()]).optional(),
    reactivationWindowDays: z.union([z.number(), z.string(), z.null()]).optional(),
    discounts: z.string().optional(),
    fx: z.object({ rateDate: z.string().optional(), fixedDate: z.string().nullable().optional() }).strict().optional(),
    'fx.rateDate': z.string().optional(),
    'fx.fixedDate': z.string().nullable().optional(),
    asOf: z.string().optional(),
  })
  .strict();

/** Reads the JSON of a configuration file; unknown keys are an error, so typos never pass. */
export function configFromFile(json: unknown, fileName: string): ConfigInput {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '');
    throw new UsageError(`${fileName}: ${key ? `${key}: ` : ''}${issue.message}`);
  }
  const { fx, 'fx.rateDate': dottedRateDate, 'fx.fixedDate': dottedFixedDate, ...rest } = parsed.data;
  const input: ConfigInput = { ...rest };
  const rateDate = dottedRateDate ?? fx?.rateDate;
  const fixedDate = dottedFixedDate !== undefined ? dottedFixedDate : fx?.fixedDate;
  if (rateDate !== undefined) input.fxRateDate = rateDate;
  if (fixedDate !== undefined) input.fxFixedDate = fixedDate;
  return input;
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

  const grace = integerText.safeParse(merged.renewalGraceDays ?? CONFIG_DEFAULTS.renewalGraceDays);
  if (!grace.success) throw new UsageError(`renewalGraceDays: "${String(merged.renewalGraceDays)}" is not a whole number ≥ 0`);
  let reactivationWindowDays: number | null = null;
  const window = merged.reactivationWindowDays;
  if (window !== undefined && window !== null && window !== 'null' && window !== '') {
    const parsed = integerText.safeParse(window);
    if (!parsed.success) throw new UsageError(`reactivationWindowDays: "${String(window)}" is not a whole number ≥ 0 or null`);
    reactivationWindowDays = parsed.data;
  }

  const rateDate = oneOf('fx.rateDate', merged.fxRateDate ?? CONFIG_DEFAULTS.fxRateDate, ['period-start', 'daily', 'month-start', 'fixed'] as const);
  const fixedDate = merged.fxFixedDate ? date('fx.fixedDate', merged.fxFixedDate) : null;
  if (rateDate === 'fixed' && fixedDate === null) throw new UsageError('fx.fixedDate: required when fx.rateDate is fixed');

  return {
    currency,
    timezone,
    weekStartsOn: oneOf('weekStartsOn', merged.weekStartsOn ?? CONFIG_DEFAULTS.weekStartsOn, ['monday', 'sunday'] as const),
    churnRecognition: oneOf('churnRecognition', merged.churnRecognition ?? CONFIG_DEFAULTS.churnRecognition, ['cancel-requested', 'cancel-effective', 'period-end'] as const),
    renewalGraceDays: grace.data,
    reactivationWindowDays,
    discounts: oneOf('discounts', merged.discounts ?? CONFIG_DEFAULTS.discounts, ['net', 'gross', 'forever-only'] as const),
    fx: { rateDate, fixedDate },
    asOf: merged.asOf !== undefined ? date('asOf', merged.asOf) : context.today(timezone),
  };
}

/** The configuration as JSON (for `--format json` headers, the store and reproducibility). */
export function configToJson(config: EngineConfig): Record<string, unknown> {
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
