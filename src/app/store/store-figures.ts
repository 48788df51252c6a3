/**
 * The fast path of whole-business reports from the store: the backend computes each period's
 * figures itself (SQL), and the engine's formulas turn them into the report. Used when the
 * report asks for the store's own configuration and no segment; otherwise null, and the report
 * reads a snapshot instead.
 */
import type { CalendarDate } from '../../engine/calendar/calendar-date.js';
import type { EngineConfig } from '../../engine/config.js';
import type { FxRate } from '../../engine/model.js';
import { RateTable } from '../../engine/fx/rate-table.js';
import { currencyExponent, type CurrencyCode } from '../../engine/money/currency.js';
import { ratio } from '../../engine/money/ratio.js';
import { lookbackMonths, type PeriodFigures } from '../../engine/report/metrics-report.js';
import { reportPeriods } from '../../engine/report/mrr-report.js';
import type { Interval, Period } from '../../engine/report/period.js';
import { loadReferenceRates } from '../../ingest/reference-rates.js';
import type { MinorUnitRate, RunrateStore } from '../../store/store-port.js';
import { rangeFrom } from '../report-views.js';
import type { ConfigInput, ResolveContext } from '../resolve-config.js';
import { askedConfig } from './stored-config.js';

export interface StoreFigures {
  readonly config: EngineConfig;
  readonly firstMovement: CalendarDate | null;
  /** The figures of each period, and of LTV's look-back months. */
  figures(periods: readonly Period[], lookbackMonths: readonly Period[]): Promise<{ periods: PeriodFigures[]; lookbackMonths: PeriodFigures[] }>;
}

/**
 * The configuration the store's derived rows were computed with, when the command asks for that
 * very configuration (its explicit flags and files change nothing); else null, and the command
 * computes in memory with its own.
 */
export async function storedConfigAsAsked(store: RunrateStore, explicit: readonly ConfigInput[], today: ResolveContext['today']): Promise<EngineConfig | null> {
  const json = await store.configJson();
  if (json === null) return null;
  const { config, isStored } = askedConfig(json, explicit, today);
  return isStored ? config : null;
}

export async function storeFigures(store: RunrateStore, explicit: readonly ConfigInput[], today: ResolveContext['today']): Promise<StoreFigures | null> {
  const periodFigures = store.periodFigures?.bind(store);
  if (!periodFigures) return null;
  const config = await storedConfigAsAsked(store, explicit, today);
  if (config === null) return null;

  // The store passes its own rates, read only when it computes: a kept answer needs none, and
  // reading them (1,586 rows in the M demo) was a tenth of a `metrics` query's time.
  const rates = async (storedRates: readonly FxRate[]): Promise<MinorUnitRate> => {
    const table = new RateTable(storedRates.length > 0 ? storedRates : await loadReferenceRates());
    return (currency, day) => {
      const rate = table.rate(currency as CurrencyCode, config.currency, day);
      if (!rate) return null;
      // From the currency's minor units to the reporting currency's: one exact ratio.
      const shift = currencyExponent(config.currency) - currencyExponent(currency as CurrencyCode);
      const scale = 10n ** BigInt(Math.abs(shift));
      return ratio(rate.num * (shift > 0 ? scale : 1n), rate.den * (shift < 0 ? scale : 1n));
    };
  };
  return {
    config,
    firstMovement: await store.firstMovementDate(),
    figures: (periods, months) => periodFigures(periods, months, config.currency, rates),
  };
}

/**
 * The periods of a whole-business report and LTV's look-back months. `mrr` asks for the same as
 * `metrics`, so that one kept answer serves both.
 */
export function reportRequest(
  config: EngineConfig,
  firstMovement: CalendarDate | null,
  interval: Interval,
  from: CalendarDate | null,
  to: CalendarDate | null,
): { periods: Period[]; lookbackMonths: Period[] } {
  const periods = reportPeriods(firstMovement, rangeFrom(config, firstMovement, interval, from, to));
  return { periods, lookbackMonths: periods.length === 0 ? [] : lookbackMonths(periods) };
}

/**
 * After an import or a recompute: computes the default monthly report's figures once, so that
 * the store keeps them (DuckDB) and the first `metrics` or `mrr` after the import is as fast as
 * the next. A store without the fast path, or with nothing computed, does nothing.
 */
export async function keepMonthlyReportFigures(store: RunrateStore, today: ResolveContext['today']): Promise<void> {
  const figures = await storeFigures(store, [], today);
  if (figures === null) return;
  const request = reportRequest(figures.config, figures.firstMovement, 'month', null, null);
  if (request.periods.length > 0) await figures.figures(request.periods, request.lookbackMonths);
}
