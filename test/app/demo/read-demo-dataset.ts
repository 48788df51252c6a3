/**
 * Reads a demo dataset back with papaparse, and checks what any valid dataset must satisfy,
 * independently of the generator's own constants.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { dateOfInstant, parseInstant } from '../../../src/engine/calendar/instant.js';
import { isoDate, type CalendarDate } from '../../../src/engine/calendar/calendar-date.js';

export type Row = Record<string, string>;

export interface CsvFile {
  readonly columns: string[];
  readonly rows: Row[];
}

/** The columns of inputs.md, written out here so that a drift in the generator shows. */
export const EXPECTED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'customers.csv': ['customer_id', 'name', 'email', 'company', 'country', 'created_at', 'attr.industry', 'attr.team_size'],
  'plans.csv': ['plan_id', 'name', 'interval_unit', 'interval_count', 'product'],
  'invoice_lines.csv': [
    'line_id', 'invoice_id', 'customer_id', 'subscription_id', 'plan_id', 'type', 'service_start', 'service_end', 'amount', 'currency',
    'quantity', 'discount', 'discount_duration', 'tax', 'prorated', 'cancelled_at', 'cancel_requested_at', 'issued_at', 'event_order',
  ],
  'subscription_events.csv': [
    'event_id', 'customer_id', 'subscription_id', 'type', 'effective_at', 'requested_at', 'plan_id', 'amount', 'unit_amount', 'quantity',
    'discount', 'discount_duration', 'currency', 'interval_unit', 'interval_count', 'paid_through',
  ],
  'fx_rates.csv': ['date', 'base', 'quote', 'rate'],
};

export async function readCsv(dir: string, name: string): Promise<CsvFile> {
  const text = await readFile(join(dir, name), 'utf8');
  const parsed = Papa.parse<Row>(text, { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`${name}: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  return { columns: parsed.meta.fields ?? [], rows: parsed.data };
}

export interface DemoDataset {
  readonly customers: CsvFile;
  readonly plans: CsvFile;
  readonly lines: CsvFile;
  readonly events: CsvFile;
  readonly rates: CsvFile;
}

export async function readDemoDataset(dir: string): Promise<DemoDataset> {
  return {
    customers: await readCsv(dir, 'customers.csv'),
    plans: await readCsv(dir, 'plans.csv'),
    lines: await readCsv(dir, 'invoice_lines.csv'),
    events: await readCsv(dir, 'subscription_events.csv'),
    rates: await readCsv(dir, 'fx_rates.csv'),
  };
}

export function field(row: Row, name: string): string {
  const value = row[name];
  if (value === undefined) throw new Error(`missing column ${name}`);
  return value;
}

/** The UTC date of a timestamp (ISO 8601 with an offset, or Unix seconds). */
export function timestampDate(text: string): CalendarDate {
  const instant = parseInstant(text);
  if (instant === null) throw new Error(`not a timestamp: ${text}`);
  return dateOfInstant(instant, 'UTC');
}

export function timestampMs(text: string): number {
  const instant = parseInstant(text);
  if (instant === null) throw new Error(`not a timestamp: ${text}`);
  return instant;
}

export function date(text: string): CalendarDate {
  return isoDate(text);
}

type EventState = 'none' | 'active' | 'paused' | 'cancelled';

const TRANSITIONS: Readonly<Record<string, Readonly<Partial<Record<EventState, EventState>>>>> = {
  start: { none: 'active', cancelled: 'active' },
  change: { active: 'active' },
  pause: { active: 'paused' },
  resume: { paused: 'active' },
  cancel: { active: 'cancelled', paused: 'cancelled' },
};

/**
 * Replays each subscription's events in the reader's order (effective_at, then event_id) and
 * returns a description of every invalid step (inputs.md: invalid sequences).
 */
export function invalidEventSteps(events: readonly Row[]): string[] {
  const bySubscription = new Map<string, Row[]>();
  for (const event of events) {
    const id = field(event, 'subscription_id');
    const list = bySubscription.get(id) ?? [];
    list.push(event);
    bySubscription.set(id, list);
  }
  const problems: string[] = [];
  for (const [id, list] of bySubscription) {
    list.sort((a, b) => {
      const byDate = timestampDate(field(a, 'effective_at')) - timestampDate(field(b, 'effective_at'));
      return byDate !== 0 ? byDate : field(a, 'event_id') < field(b, 'event_id') ? -1 : 1;
    });
    let state: EventState = 'none';
    let customer: string | null = null;
    for (const event of list) {
      const type = field(event, 'type');
      const next: EventState | undefined = TRANSITIONS[type]?.[state];
      if (next === undefined) problems.push(`${id}: ${type} (${field(event, 'event_id')}) while ${state}`);
      else state = next;
      if (customer !== null && customer !== field(event, 'customer_id')) problems.push(`${id}: two customers`);
      customer = field(event, 'customer_id');
    }
  }
  return problems;
}
