/**
 * The floor (performance.md): DuckDB reading the raw input files once, `count(*)` and
 * `sum(amount)` over `read_csv` with explicit column types. No engine can answer faster than it
 * reads its input, so every time of the benchmark is also reported as a multiple of this one.
 *
 *   node dist/bench/floor/run-floor.js --kind demo|periods-dataset|periods PATH
 *
 * `demo` scans a demo dataset's invoice lines and subscription events (the files that hold the
 * amounts; customers, plans and rates are a few percent of the bytes), `periods-dataset` the
 * invoice lines of the periods, `periods` the peer's `periods.csv`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDbSession, sqlString } from '../duckdb-session.js';

/** Every column typed by hand: timestamps in three formats stay text, amounts are exact. */
const INVOICE_LINE_TYPES: Record<string, string> = {
  line_id: 'VARCHAR', invoice_id: 'VARCHAR', customer_id: 'VARCHAR', subscription_id: 'VARCHAR', plan_id: 'VARCHAR', type: 'VARCHAR',
  service_start: 'DATE', service_end: 'DATE', amount: 'DECIMAL(18,2)', currency: 'VARCHAR', quantity: 'INTEGER', discount: 'DECIMAL(18,2)',
  discount_duration: 'VARCHAR', tax: 'DECIMAL(18,2)', prorated: 'BOOLEAN', cancelled_at: 'VARCHAR', cancel_requested_at: 'VARCHAR',
  issued_at: 'VARCHAR', event_order: 'INTEGER',
};

const SUBSCRIPTION_EVENT_TYPES: Record<string, string> = {
  event_id: 'VARCHAR', customer_id: 'VARCHAR', subscription_id: 'VARCHAR', type: 'VARCHAR', effective_at: 'VARCHAR', requested_at: 'VARCHAR',
  plan_id: 'VARCHAR', amount: 'DECIMAL(18,2)', unit_amount: 'DECIMAL(18,2)', quantity: 'INTEGER', discount: 'DECIMAL(18,2)',
  discount_duration: 'VARCHAR', currency: 'VARCHAR', interval_unit: 'VARCHAR', interval_count: 'INTEGER', paid_through: 'DATE',
};

const PERIOD_LINE_TYPES: Record<string, string> = {
  line_id: 'VARCHAR', invoice_id: 'VARCHAR', customer_id: 'VARCHAR', subscription_id: 'VARCHAR', plan_id: 'VARCHAR', type: 'VARCHAR',
  service_start: 'DATE', service_end: 'DATE', amount: 'DECIMAL(18,2)', currency: 'VARCHAR', prorated: 'BOOLEAN',
};

const PERIOD_TYPES: Record<string, string> = {
  customer_id: 'VARCHAR', subscription_id: 'VARCHAR', start_date: 'DATE', end_date: 'DATE', monthly_amount: 'DECIMAL(18,2)',
};

function scan(file: string, types: Record<string, string>, amount: string): string {
  const columns = Object.entries(types)
    .map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`)
    .join(', ');
  return `SELECT count(*) AS rows, sum(${amount}) AS amount FROM read_csv(${sqlString(file)}, header = true, delim = ',', quote = '"', auto_detect = false, columns = {${columns}})`;
}

export type FloorKind = 'demo' | 'periods-dataset' | 'periods';

export function floorQueries(kind: FloorKind, path: string): string[] {
  switch (kind) {
    case 'demo':
      return [scan(join(path, 'invoice_lines.csv'), INVOICE_LINE_TYPES, 'amount'), scan(join(path, 'subscription_events.csv'), SUBSCRIPTION_EVENT_TYPES, 'amount')];
    case 'periods-dataset':
      return [scan(join(path, 'invoice_lines.csv'), PERIOD_LINE_TYPES, 'amount')];
    case 'periods':
      return [scan(path, PERIOD_TYPES, 'monthly_amount')];
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { kind: { type: 'string' } }, allowPositionals: true });
  const kind = values.kind as FloorKind | undefined;
  const [path] = positionals;
  if (!path || (kind !== 'demo' && kind !== 'periods-dataset' && kind !== 'periods')) throw new Error('usage: run-floor --kind demo|periods-dataset|periods PATH');
  const session = await DuckDbSession.open(':memory:');
  try {
    const started = performance.now();
    const results = [];
    for (const sql of floorQueries(kind, path)) results.push(...(await session.rows(sql)));
    process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, results })}\n`);
  } finally {
    session.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`run-floor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
