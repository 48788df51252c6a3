/**
 * Whole-business `mrr` and `metrics`, and one customer's movements, from the store without
 * loading a snapshot: the backend computes the figures of each period, or reads the customer's
 * rows alone (docs/performance.md). Null when the command reads a dataset folder, asks for a
 * segment, asks for another configuration than the store's, or the store cannot answer this way.
 */
import { openStore } from '../app/store/open-store.js';
import { reportRequest, storedConfigAsAsked, storeFigures } from '../app/store/store-figures.js';
import type { Movement } from '../engine/movement.js';
import type { CalendarDate } from '../engine/calendar/calendar-date.js';
import type { EngineConfig } from '../engine/config.js';
import { metricsFromFigures, type MetricsEntry } from '../engine/report/metrics-report.js';
import type { MrrEntry } from '../engine/report/mrr-report.js';
import { mrrEntryOfFigures } from '../engine/report/mrr-report.js';
import type { Interval } from '../engine/report/period.js';
import { explicitConfig, storeLocation, today, type SourceFlags, type ViewFlags } from './source-options.js';

interface Request {
  readonly interval: Interval;
  readonly from: CalendarDate | null;
  readonly to: CalendarDate | null;
}

async function withFigures<T>(flags: SourceFlags & ViewFlags, use: (store: NonNullable<Awaited<ReturnType<typeof storeFigures>>>) => Promise<T>): Promise<T | null> {
  if (flags.data !== undefined || flags.segment.length > 0 || flags.groupBy !== undefined) return null;
  const store = await openStore(storeLocation(flags), { create: false });
  try {
    const figures = await storeFigures(store, await explicitConfig(flags), today);
    return figures === null ? null : await use(figures);
  } finally {
    await store.close();
  }
}

export function storeMetrics(flags: SourceFlags & ViewFlags, request: Request): Promise<{ config: EngineConfig; entries: MetricsEntry[] } | null> {
  return withFigures(flags, async ({ config, firstMovement, figures }) => {
    const { periods, lookbackMonths } = reportRequest(config, firstMovement, request.interval, request.from, request.to);
    if (periods.length === 0) return { config, entries: [] };
    const result = await figures(periods, lookbackMonths);
    return { config, entries: metricsFromFigures(result.periods, result.lookbackMonths) };
  });
}

export function storeMrr(flags: SourceFlags & ViewFlags, request: Request): Promise<{ config: EngineConfig; entries: MrrEntry[] } | null> {
  return withFigures(flags, async ({ config, firstMovement, figures }) => {
    const { periods, lookbackMonths } = reportRequest(config, firstMovement, request.interval, request.from, request.to);
    return { config, entries: periods.length === 0 ? [] : (await figures(periods, lookbackMonths)).periods.map(mrrEntryOfFigures) };
  });
}

/** One customer's movements in the engine's order (drill-down reads one customer's rows). */
export async function storeCustomerMovements(flags: SourceFlags & ViewFlags, customerId: string): Promise<{ config: EngineConfig; movements: Movement[] } | null> {
  if (flags.data !== undefined || flags.segment.length > 0 || flags.groupBy !== undefined) return null;
  const store = await openStore(storeLocation(flags), { create: false });
  try {
    const config = await storedConfigAsAsked(store, await explicitConfig(flags), today);
    return config === null ? null : { config, movements: await store.customerMovements(customerId) };
  } finally {
    await store.close();
  }
}
