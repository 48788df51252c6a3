import { Command, Option } from 'commander';
import { cohortRecord } from '../../app/records/cohort-record.js';
import { reportRange, viewsFor } from '../../app/report-views.js';
import { cohortReport } from '../../engine/report/cohort-report.js';
import { INTERVALS, type Interval } from '../../engine/report/period.js';
import { formatMoney, formatPercent } from '../format/money-text.js';
import { renderCsv } from '../format/render-csv.js';
import { renderTable } from '../format/render-table.js';
import { addSourceOptions, addViewOptions, emit, loadSource, useColour, type RunState, type SourceFlags, type ViewFlags } from '../source-options.js';
import { dateFlag } from './movements-command.js';

interface CohortsFlags extends SourceFlags, ViewFlags {
  interval: Interval;
  from?: string;
  to?: string;
  share?: boolean;
}

export function cohortsCommand(run: RunState): Command {
  const command = new Command('cohorts')
    .description('cohort tables: customers by the period of their first payment, and how many of them (and how much MRR) remain at each age')
    .addOption(new Option('--interval <interval>', 'cohort period length').choices(INTERVALS).default('month'))
    .option('--from <date>', 'first cohort day, YYYY-MM-DD')
    .option('--to <date>', 'last day measured, YYYY-MM-DD (default and at most: --as-of)')
    .option('--share', 'retention: each value as a share of age 0 instead of absolute')
    .addHelpText('after', '\nExamples:\n  runrate cohorts --data demo-data --interval quarter\n  runrate cohorts --data demo-data --share --format json');
  return addSourceOptions(addViewOptions(command)).action(async (flags: CohortsFlags) => {
    const from = dateFlag('--from', flags.from);
    const to = dateFlag('--to', flags.to);
    const source = await loadSource(flags, run);
    const { config } = source;
    const range = reportRange(source, flags.interval, from, to);
    const groups = viewsFor(source, { segments: flags.segment, groupBy: flags.groupBy ?? null }).map((view) => ({
      group: view.group,
      cohorts: cohortReport(view.movements, range),
    }));
    const groupBy = flags.groupBy ?? null;
    const rows = groups.flatMap(({ group, cohorts }) => cohorts.map((cohort) => ({ ...(groupBy === null ? {} : { group }), ...cohortRecord(cohort, flags.share === true) })));
    let text: string;
    switch (flags.format) {
      case 'json':
        text = `${JSON.stringify({ currency: config.currency, interval: flags.interval, ...(groupBy === null ? {} : { group_by: groupBy }), ...(flags.share ? { share: true } : {}), cohorts: rows }, null, 2)}\n`;
        break;
      case 'ndjson':
        text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
        break;
      case 'csv': {
        // One row per cohort and age: tidy data that spreadsheets pivot easily.
        const fields = [...(groupBy === null ? [] : ['group']), 'cohort', 'age', 'customers', 'mrr'];
        text = renderCsv(
          fields,
          rows.flatMap((row) => row.customers.map((customers, age) => [...('group' in row ? [row.group] : []), row.cohort, age, customers, row.mrr[age]])),
        );
        break;
      }
      case 'table': {
        const cell = (value: number | null, money: boolean) => (value === null ? '–' : flags.share ? formatPercent(value) : money ? formatMoney(value, config.currency) : String(value));
        text = groups
          .map(({ group, cohorts }) => {
            const records = cohorts.map((cohort) => cohortRecord(cohort, flags.share === true));
            const ages = Math.max(0, ...records.map((record) => record.customers.length));
            const table = (title: string, pick: 'customers' | 'mrr') =>
              `${title}\n${renderTable(
                [{ header: 'cohort' }, ...Array.from({ length: ages }, (_, age) => ({ header: String(age), align: 'right' as const }))],
                // Younger cohorts have fewer ages: pad so every row has a cell per column.
                records.map((record) => [record.cohort, ...Array.from({ length: ages }, (_, age) => (age < record[pick].length ? cell(record[pick][age]!, pick === 'mrr') : ''))]),
                useColour(flags),
              )}`;
            const heading = groupBy === null ? '' : `${groupBy} = ${group}\n`;
            return `${heading}${table(`Customers paying at the end of each age${flags.share ? ' (share of age 0)' : ''}`, 'customers')}\n\n${table(`Their MRR (${config.currency})${flags.share ? ' (share of age 0)' : ''}`, 'mrr')}\n`;
          })
          .join('\n');
        break;
      }
    }
    await emit(text, flags);
  });
}
