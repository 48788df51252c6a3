/**
 * Runs the peer, `mrr-playbook.sql`, on DuckDB: every model materialised as a table of the
 * database `--db` (a fresh file, like a warehouse schema that `dbt run` builds), then prints a
 * JSON summary on stdout. The benchmark measures this whole process, as it measures Runrate's.
 *
 *   node dist/bench/peer/run-peer.js --periods periods.csv --db peer.duckdb \
 *     --first-month 2023-01-01 --last-month 2025-12-01 [--explain plans.txt]
 *
 * With `--explain`, each model is first run under EXPLAIN ANALYZE, its plan written to the
 * file, and the run fails when a plan holds a nested-loop, blockwise or cross-product join:
 * those joins scale with the product of their inputs, and a peer that used one would be a
 * strawman.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDbSession, sqlString } from '../duckdb-session.js';

/** Join operators whose cost is the product of their inputs. */
export const FORBIDDEN_JOINS = ['NESTED_LOOP_JOIN', 'BLOCKWISE_NL_JOIN', 'CROSS_PRODUCT'] as const;

/** An operator box of DuckDB's plan rendering, `│   HASH_JOIN   │` (the query text above it is not boxed). */
const JOIN_OPERATOR = /│\s*([A-Z][A-Z_]*(?:_JOIN|CROSS_PRODUCT))\s*│/g;

export interface PeerSummary {
  readonly models: { readonly name: string; readonly seconds: number; readonly rows: number }[];
  readonly seconds: number;
  /** Join operators per model, from EXPLAIN ANALYZE (with --explain only). */
  readonly joins?: Record<string, string[]>;
}

/** The SQL file's statements, comments dropped (a comment may hold a semicolon). */
export function playbookStatements(sql: string): { name: string; sql: string }[] {
  const code = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return code
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0)
    .map((statement) => {
      const name = /^CREATE\s+OR\s+REPLACE\s+TABLE\s+(\w+)\s+AS\s/i.exec(statement)?.[1];
      if (!name) throw new Error(`every statement of the playbook creates a table: ${statement.slice(0, 80)}`);
      return { name, sql: statement };
    });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      periods: { type: 'string' },
      db: { type: 'string' },
      'first-month': { type: 'string' },
      'last-month': { type: 'string' },
      explain: { type: 'string' },
      sql: { type: 'string', default: fileURLToPath(new URL('../../../bench/peer/mrr-playbook.sql', import.meta.url)) },
    },
  });
  const { periods, db } = values;
  const firstMonth = values['first-month'];
  const lastMonth = values['last-month'];
  if (!periods || !db || !firstMonth || !lastMonth) throw new Error('usage: run-peer --periods FILE --db FILE --first-month YYYY-MM-01 --last-month YYYY-MM-01 [--explain FILE]');
  if (existsSync(db)) await rm(db);
  await rm(`${db}.wal`, { force: true });
  const statements = playbookStatements(await readFile(values.sql, 'utf8'));
  const started = performance.now();
  const session = await DuckDbSession.open(db);
  try {
    await session.run(`SET VARIABLE periods_csv = ${sqlString(periods)}`);
    await session.run(`SET VARIABLE first_month = DATE ${sqlString(firstMonth)}`);
    await session.run(`SET VARIABLE last_month = DATE ${sqlString(lastMonth)}`);
    const models: PeerSummary['models'] = [];
    const joins: Record<string, string[]> = {};
    const plans: string[] = [];
    for (const statement of statements) {
      if (values.explain) {
        const select = statement.sql.replace(/^CREATE\s+OR\s+REPLACE\s+TABLE\s+\w+\s+AS\s/i, '');
        const rows = await session.rows(`EXPLAIN ANALYZE ${select}`);
        const plan = rows.map((row) => String(row.explain_value ?? '')).join('\n');
        plans.push(`-- ${statement.name}\n${plan}`);
        joins[statement.name] = [...new Set([...plan.matchAll(JOIN_OPERATOR)].map((match) => match[1] ?? ''))].sort();
      }
      const modelStarted = performance.now();
      await session.run(statement.sql);
      const seconds = (performance.now() - modelStarted) / 1000;
      const [count] = await session.rows(`SELECT count(*) AS n FROM ${statement.name}`);
      models.push({ name: statement.name, seconds, rows: Number(count?.n ?? 0) });
    }
    await session.run('CHECKPOINT');
    const summary: PeerSummary = { models, seconds: (performance.now() - started) / 1000, ...(values.explain ? { joins } : {}) };
    if (values.explain) {
      await writeFile(values.explain, `${plans.join('\n\n')}\n`);
      const bad = Object.entries(joins).flatMap(([model, operators]) => operators.filter((op) => (FORBIDDEN_JOINS as readonly string[]).includes(op)).map((op) => `${model}: ${op}`));
      if (bad.length > 0) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        throw new Error(`the peer's plans hold joins that scale with the product of their inputs: ${bad.join(', ')} (see ${values.explain})`);
      }
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    session.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`run-peer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
