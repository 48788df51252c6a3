/**
 * The fixed frame of a demo dataset: its options and its window. The window ends on a fixed
 * `asOf`, never on today, so the same options give the same files on any day.
 */
import { addDays, addMonths, dateFromCivil, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import { UsageError } from '../errors.js';

export interface DemoOptions {
  customers: number;
  months: number;
  seed: number;
  /** Also write the business as month-aligned periods, and those as a dataset (the benchmark's equal input). */
  periods?: boolean;
}

export interface DemoContext {
  readonly customers: number;
  readonly months: number;
  readonly seed: number;
  /** First day of the window: `months` months before the day after `asOf`. */
  readonly windowStart: CalendarDate;
  readonly asOf: CalendarDate;
  /** Days in the window, both ends included. */
  readonly windowDays: number;
  /** Digits of customer numbers, so that ids sort in creation order. */
  readonly idWidth: number;
}

export const DEMO_AS_OF: CalendarDate = dateFromCivil(2025, 12, 31);
export const MAX_DEMO_CUSTOMERS = 10_000_000;
export const MAX_DEMO_MONTHS = 240;

/** Validates the options (a `UsageError` names the bad one) and fixes the window. */
export function demoContext(options: DemoOptions): DemoContext {
  const { customers, months, seed } = options;
  if (!Number.isInteger(customers) || customers < 1 || customers > MAX_DEMO_CUSTOMERS) {
    throw new UsageError(`customers must be an integer from 1 to ${MAX_DEMO_CUSTOMERS}, got ${customers}`);
  }
  if (!Number.isInteger(months) || months < 1 || months > MAX_DEMO_MONTHS) {
    throw new UsageError(`months must be an integer from 1 to ${MAX_DEMO_MONTHS}, got ${months}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`seed must be a non-negative integer, got ${seed}`);
  const asOf = DEMO_AS_OF;
  const windowStart = addMonths(addDays(asOf, 1), -months);
  return {
    customers,
    months,
    seed,
    windowStart,
    asOf,
    windowDays: asOf - windowStart + 1,
    idWidth: Math.max(6, String(customers - 1).length),
  };
}
