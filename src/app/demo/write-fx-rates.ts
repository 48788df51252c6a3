/**
 * Daily EUR reference rates for USD and GBP over the window (and two weeks before it, so that
 * the first days convert), one row per weekday like a central bank's fixings. Each rate is a
 * seeded random walk pulled back towards a realistic level, kept in integer millionths and
 * written with four decimals.
 */
import { addDays, dayOfWeek, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import { formatMinorUnits } from '../../engine/money/decimal.js';
import type { DemoContext } from './demo-context.js';
import type { RowSink } from './csv-file-writer.js';
import type { DemoText } from './demo-text.js';
import { SeededRandom } from './seeded-random.js';

export const FX_RATE_COLUMNS = ['date', 'base', 'quote', 'rate'] as const;

const STREAM_FX = 2;
const DAYS_BEFORE_WINDOW = 14;
/** Share of the distance to the mean level that is closed each day. */
const REVERSION_DIVISOR = 40;

interface Walk {
  readonly quote: 'USD' | 'GBP';
  /** Rate in millionths (1.0842 = 1_084_200). */
  level: number;
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  /** Half-width of each of the four uniform draws summed into a day's move. */
  readonly step: number;
}

function advance(walk: Walk, rng: SeededRandom): void {
  let move = Math.trunc((walk.mean - walk.level) / REVERSION_DIVISOR);
  for (let draw = 0; draw < 4; draw++) move += rng.int(-walk.step, walk.step);
  let level = walk.level + move;
  // Reflect at the bounds so the series stays in its historical range.
  if (level > walk.high) level = 2 * walk.high - level;
  if (level < walk.low) level = 2 * walk.low - level;
  walk.level = level;
}

export interface DemoFxRate {
  readonly day: CalendarDate;
  readonly base: 'EUR';
  readonly quote: 'USD' | 'GBP';
  /** 1 EUR in `quote`, in ten-thousandths (1.0842 = 10_842). */
  readonly rate: number;
}

/** The rates in date order, for the CSV writer and for any writer that converts amounts. */
export function* demoFxRates(ctx: DemoContext): Generator<DemoFxRate> {
  const rng = SeededRandom.forStream(ctx.seed, STREAM_FX, 0);
  const walks: Walk[] = [
    { quote: 'USD', level: 1_070_000 + rng.int(-15_000, 15_000), mean: 1_100_000, low: 1_050_000, high: 1_150_000, step: 3_000 },
    { quote: 'GBP', level: 865_000 + rng.int(-10_000, 10_000), mean: 860_000, low: 830_000, high: 890_000, step: 1_600 },
  ];
  for (let day = addDays(ctx.windowStart, -DAYS_BEFORE_WINDOW); day <= ctx.asOf; day = addDays(day, 1)) {
    if (dayOfWeek(day) >= 5) continue;
    for (const walk of walks) {
      advance(walk, rng);
      yield { day, base: 'EUR', quote: walk.quote, rate: Math.floor((walk.level + 50) / 100) };
    }
  }
}

/** Writes the rates; returns how many rows. */
export function writeFxRates(ctx: DemoContext, out: RowSink, text: DemoText): number {
  let rows = 0;
  for (const rate of demoFxRates(ctx)) {
    out.row([text.date(rate.day), rate.base, rate.quote, formatMinorUnits(rate.rate, 4)]);
    rows++;
  }
  return rows;
}
