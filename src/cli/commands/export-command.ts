import { Command, Option } from 'commander';
import { reportRange } from '../../app/report-views.js';
import { configToJson } from '../../app/resolve-config.js';
import { INTERVALS, type Interval } from '../../engine/report/period.js';
import { addSourceOptions, addViewOptions, loadSource, type RunState, type SourceFlags, type ViewFlags } from '../source-options.js';
import { dateFlag } from './movements-command.js';

interface ExportFlags extends Omit<SourceFlags, 'format' | 'output'>, ViewFlags {
  to: string;
  interval: Interval;
  from?: string;
  until?: string;
}

export function exportCommand(run: RunState): Command {
  const command = new Command('export')
    .description('write the reports (metrics with the MRR breakdown, movements, customers, cohorts) to a file')
    .requiredOption('--to <file>', 'FILE.xlsx (a sheet per report), FILE.csv (a folder of CSV files), FILE.json or FILE.parquet')
    .addOption(new Option('--interval <interval>', 'period length of metrics and cohorts').choices(INTERVALS).default('month'))
    .option('--from <date>', 'first day of metrics and cohorts, YYYY-MM-DD')
    .option('--until <date>', 'last day of metrics and cohorts, YYYY-MM-DD (default and at most: --as-of)')
    .addHelpText('after', '\nExamples:\n  runrate export --data demo-data --to board-pack.xlsx\n  runrate export --data demo-data --to reports.csv --interval quarter');
  return addSourceOptions(addViewOptions(command)).action(async (flags: ExportFlags) => {
    // Loaded here: exceljs and DuckDB's writer cost startup time every other command would pay.
    const { reportTables } = await import('../../app/export/report-tables.js');
    const { exportFormat, writeExport } = await import('../../app/export/write-export.js');
    exportFormat(flags.to); // a bad target fails before any work
    const from = dateFlag('--from', flags.from);
    const to = dateFlag('--until', flags.until);
    const source = await loadSource({ ...flags, format: 'table' }, run);
    const { config } = source;
    const tables = reportTables(source, reportRange(source, flags.interval, from, to), { segments: flags.segment, groupBy: flags.groupBy ?? null });
    const files = await writeExport(flags.to, tables, { currency: config.currency, header: { currency: config.currency, interval: flags.interval, configuration: configToJson(config) } });
    process.stderr.write(`wrote ${files.join(', ')}: ${tables.map((t) => `${t.rows.length} ${t.name} rows`).join(', ')}\n`);
  });
}
