import { Command } from 'commander';
import { openStore } from '../../app/store/open-store.js';
import { groupDigits } from '../format/group-digits.js';
import { importProgress } from '../import-progress.js';
import { addSourceOptions, explicitConfig, storeLocation, today, type RunState, type SourceFlags } from '../source-options.js';

interface ImportFlags extends SourceFlags {
  quiet?: boolean;
}

function storeOptions(command: Command): Command {
  // Reporting options make no sense here; the configuration flags and --db/--config do.
  return addSourceOptions(command);
}

export function importCommand(run: RunState): Command {
  const command = new Command('import')
    .description('load dataset folders or files (canonical CSV/NDJSON, Stripe objects or tables, ChartMogul JSON, exchange rates) into the store')
    .argument('<paths...>', 'dataset folders or files')
    .option('-q, --quiet', 'no progress output')
    .addHelpText('after', '\nExamples:\n  runrate import demo-data\n  runrate import stripe-export/ --db team.duckdb\n  DATABASE_URL=postgres://runrate@db/runrate runrate import demo-data');
  return storeOptions(command).action(async (paths: string[], flags: ImportFlags) => {
    // Loaded here: the readers of every format (zod, Stripe, ChartMogul) are for imports only.
    // Loaded while the store opens: compiling them overlaps with DuckDB opening the file.
    const loading = import('../../app/store/import-into-store.js');
    loading.catch(() => undefined);
    const store = await openStore(storeLocation(flags), { create: true });
    const progress = importProgress({ quiet: flags.quiet === true, terminal: process.stderr.isTTY === true });
    try {
      const { importIntoStore } = await loading;
      const outcome = await importIntoStore(store, paths, {
        explicit: await explicitConfig(flags),
        today,
        startedAt: new Date().toISOString(),
        onPhase: (phase) => progress.phase(phase),
        onReadProgress: (read) => progress.read(read),
        onComputeProgress: (computed) => progress.computed(computed),
      });
      const { keepMonthlyReportFigures } = await import('../../app/store/store-figures.js');
      await keepMonthlyReportFigures(store, today);
      progress.stop();
      for (const warning of outcome.batch.warnings) process.stderr.write(`warning: ${warning}\n`);
      for (const row of outcome.rejects) process.stderr.write(`${row.file}:${row.line}: ${row.column}: ${row.message}\n`);
      for (const source of outcome.batch.sources) {
        if (source.summary === null) continue;
        const list = (counts: Readonly<Record<string, number>>) => Object.entries(counts).map(([name, n]) => `${groupDigits(n)} ${name}`).join(', ');
        process.stderr.write(`${source.format}: ${list(source.summary.objects) || 'no objects'}`);
        if (Object.keys(source.summary.unknownTypes).length > 0) process.stderr.write(`; not used: ${list(source.summary.unknownTypes)}`);
        if (Object.keys(source.summary.excluded).length > 0) process.stderr.write(`; excluded from MRR: ${list(source.summary.excluded)}`);
        process.stderr.write('\n');
      }
      const { counts } = outcome;
      const accepted = counts.new + counts.replaced + counts.unchanged;
      process.stderr.write(
        `imported into ${store.location}: ${groupDigits(outcome.batch.rowsRead)} rows read, ${groupDigits(accepted)} accepted ` +
          `(${groupDigits(counts.new)} new, ${groupDigits(counts.replaced)} replaced, ${groupDigits(counts.unchanged)} unchanged), ` +
          `${groupDigits(outcome.rejects.length)} rejected; ${outcome.recomputed === 'all' ? 'every customer' : `${groupDigits(outcome.recomputed)} customers`} recomputed (import ${outcome.importId})\n`,
      );
      run.rejectedRows += outcome.rejects.length;
    } finally {
      progress.stop();
      await store.close();
    }
  });
}

export function recomputeCommand(run: RunState): Command {
  const command = new Command('recompute')
    .description('recompute every movement in the store, for example with a new configuration (the store then remembers it)')
    .option('-q, --quiet', 'no progress output')
    .addHelpText('after', '\nExample:\n  runrate recompute --churn-recognition period-end --renewal-grace-days 14');
  return storeOptions(command).action(async (flags: ImportFlags) => {
    const { recomputeStore } = await import('../../app/store/import-into-store.js');
    const store = await openStore(storeLocation(flags), { create: false });
    const progress = importProgress({ quiet: flags.quiet === true, terminal: process.stderr.isTTY === true });
    try {
      const outcome = await recomputeStore(store, await explicitConfig(flags), today, { onComputeProgress: (computed) => progress.computed(computed) });
      const { keepMonthlyReportFigures } = await import('../../app/store/store-figures.js');
      await keepMonthlyReportFigures(store, today);
      progress.stop();
      for (const row of outcome.rejects) process.stderr.write(`${row.file}:${row.line}: ${row.column}: ${row.message}\n`);
      process.stderr.write(`recomputed ${groupDigits(outcome.customers)} customers in ${store.location}\n`);
      run.rejectedRows += outcome.rejects.length;
    } finally {
      await store.close();
    }
  });
}
