/**
 * `runrate demo`: writes a realistic synthetic dataset in the canonical format (inputs.md).
 * Customers are generated one at a time from the seed and streamed to buffered files, so memory
 * stays flat from 200 to a million customers, and the same options give byte-identical files on
 * any machine, in any time zone, on any day.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { customerStory, type DemoCustomer } from './customer-story.js';
import { CsvFileWriter, type RowSink } from './csv-file-writer.js';
import { demoContext, type DemoContext, type DemoOptions } from './demo-context.js';
import { DEMO_CURRENCIES, DEMO_PLANS, demoPlanId, demoPlanName } from './demo-plans.js';
import { DemoText } from './demo-text.js';
import { FX_RATE_COLUMNS, writeFxRates } from './write-fx-rates.js';
import { INVOICE_LINE_COLUMNS, writeInvoiceLines } from './write-invoice-lines.js';
import { monthGrid, monthPeriods, type MonthGrid } from './month-periods.js';
import { PERIOD_COLUMNS, PERIOD_LINE_COLUMNS, PERIOD_PLAN, writeMonthPeriods, writePeriodLines } from './write-month-periods.js';
import { SUBSCRIPTION_EVENT_COLUMNS, writeSubscriptionEvents } from './write-subscription-events.js';

export type { DemoOptions } from './demo-context.js';

export interface DemoSummary {
  /** The dataset folder, absolute. */
  dir: string;
  customers: number;
  invoiceLines: number;
  subscriptionEvents: number;
  fxRates: number;
  /** With `periods`: rows of `periods/periods.csv` and lines of `periods-dataset/invoice_lines.csv`. */
  periods?: number;
  periodLines?: number;
  /** First day of the generated window (`YYYY-MM-DD`). */
  firstDate: string;
  asOf: string;
  /** File names inside `dir`. */
  files: string[];
}

export const DEMO_DEFAULTS: DemoOptions = { customers: 200, months: 36, seed: 42 };

export const CUSTOMER_COLUMNS = ['customer_id', 'name', 'email', 'company', 'country', 'created_at', 'attr.industry', 'attr.team_size'] as const;
export const PLAN_COLUMNS = ['plan_id', 'name', 'interval_unit', 'interval_count', 'product'] as const;

const FILES = {
  customers: 'customers.csv',
  plans: 'plans.csv',
  invoiceLines: 'invoice_lines.csv',
  subscriptionEvents: 'subscription_events.csv',
  fxRates: 'fx_rates.csv',
  config: 'runrate.config.json',
} as const;

/**
 * The month-aligned periods go in subfolders: dataset readers look at the files of a folder
 * only, so the demo dataset reads the same with or without them.
 */
export const PERIOD_FILES = {
  periods: 'periods/periods.csv',
  plans: 'periods-dataset/plans.csv',
  invoiceLines: 'periods-dataset/invoice_lines.csv',
  config: 'periods-dataset/runrate.config.json',
} as const;

function writeCustomer(customer: DemoCustomer, out: RowSink, text: DemoText): void {
  out.row([customer.id, customer.name, customer.email, customer.company, customer.country, text.date(customer.createdAt), customer.industry, customer.teamSize]);
}

function writePlans(out: RowSink): void {
  for (const plan of DEMO_PLANS) {
    for (const currency of DEMO_CURRENCIES) {
      out.row([demoPlanId(plan.key, currency), demoPlanName(plan, currency), plan.intervalUnit, String(plan.intervalCount), plan.product]);
    }
  }
}

interface PeriodWriters {
  readonly grid: MonthGrid;
  readonly periods: CsvFileWriter;
  readonly lines: CsvFileWriter;
}

async function writeStreams(
  ctx: DemoContext,
  dir: string,
  text: DemoText,
  withPeriods: boolean,
): Promise<{ invoiceLines: number; subscriptionEvents: number; fxRates: number; periods?: number; periodLines?: number }> {
  const writers: CsvFileWriter[] = [];
  const create = async (name: string, columns: readonly string[]): Promise<CsvFileWriter> => {
    const writer = await CsvFileWriter.create(join(dir, name), columns);
    writers.push(writer);
    return writer;
  };
  try {
    const customers = await create(FILES.customers, CUSTOMER_COLUMNS);
    const plans = await create(FILES.plans, PLAN_COLUMNS);
    const lines = await create(FILES.invoiceLines, INVOICE_LINE_COLUMNS);
    const events = await create(FILES.subscriptionEvents, SUBSCRIPTION_EVENT_COLUMNS);
    const rates = await create(FILES.fxRates, FX_RATE_COLUMNS);
    writePlans(plans);
    let periodWriters: PeriodWriters | null = null;
    if (withPeriods) {
      const periodPlans = await create(PERIOD_FILES.plans, PLAN_COLUMNS);
      periodPlans.row([PERIOD_PLAN.planId, PERIOD_PLAN.name, PERIOD_PLAN.intervalUnit, String(PERIOD_PLAN.intervalCount), PERIOD_PLAN.product]);
      periodWriters = { grid: monthGrid(ctx), periods: await create(PERIOD_FILES.periods, PERIOD_COLUMNS), lines: await create(PERIOD_FILES.invoiceLines, PERIOD_LINE_COLUMNS) };
    }
    const streams = [customers, lines, events, ...(periodWriters ? [periodWriters.periods, periodWriters.lines] : [])];
    let invoiceLines = 0;
    let subscriptionEvents = 0;
    let periodLines = 0;
    for (let index = 0; index < ctx.customers; index++) {
      const story = customerStory(ctx, index);
      writeCustomer(story.customer, customers, text);
      if (story.billing === 'invoice_lines') invoiceLines += writeInvoiceLines(story, lines, text);
      else subscriptionEvents += writeSubscriptionEvents(story, events, text);
      if (periodWriters) {
        const periods = monthPeriods(story, periodWriters.grid);
        writeMonthPeriods(periods, periodWriters.periods, text);
        periodLines += writePeriodLines(periods, periodWriters.grid, periodWriters.lines, text);
      }
      if (streams.some((stream) => stream.full)) await Promise.all(streams.map((stream) => stream.flush()));
    }
    const fxRates = writeFxRates(ctx, rates, text);
    const periodCount = periodWriters?.periods.rows;
    const open = writers.splice(0);
    await Promise.all(open.map((writer) => writer.close()));
    return { invoiceLines, subscriptionEvents, fxRates, ...(periodCount === undefined ? {} : { periods: periodCount, periodLines }) };
  } finally {
    // Only reached with writers left open when something failed: release them, keep the error.
    await Promise.allSettled(writers.map((writer) => writer.abandon()));
  }
}

export async function writeDemoDataset(outDir: string, options: DemoOptions): Promise<DemoSummary> {
  const ctx = demoContext(options);
  const dir = resolve(outDir);
  const withPeriods = options.periods === true;
  await mkdir(dir, { recursive: true });
  if (withPeriods) for (const file of Object.values(PERIOD_FILES)) await mkdir(dirname(join(dir, file)), { recursive: true });
  const text = new DemoText();
  const counts = await writeStreams(ctx, dir, text, withPeriods);
  const asOf = text.date(ctx.asOf);
  await writeFile(join(dir, FILES.config), `${JSON.stringify({ currency: 'USD', timezone: 'UTC', asOf }, null, 2)}\n`);
  if (withPeriods) {
    // The policies the peer's definitions match, written out rather than left to defaults.
    const config = { currency: 'USD', timezone: 'UTC', asOf, renewalGraceDays: 7, reactivationWindowDays: null };
    await writeFile(join(dir, PERIOD_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  }
  return {
    dir,
    customers: ctx.customers,
    ...counts,
    firstDate: text.date(ctx.windowStart),
    asOf,
    files: [...Object.values(FILES), ...(withPeriods ? Object.values(PERIOD_FILES) : [])],
  };
}
