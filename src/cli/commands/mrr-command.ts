import { Command, Option } from 'commander';
import { MRR_ENTRY_FIELDS, mrrEntryRecord } from '../../app/records/mrr-entry-record.js';
import { reportRange, viewsFor } from '../../app/report-views.js';
import { mrrReport } from '../../engine/report/mrr-report.js';
import { INTERVALS, type Interval } from '../../engine/report/period.js';
import { renderPeriodReport } from '../format/period-report.js';
import { addSourceOptions, addViewOptions, emit, loadSource, useColour, type RunState, type SourceFlags, type ViewFlags } from '../source-options.js';
import { dateFlag } from './movements-command.js';
import { storeMrr } from '../store-fast-path.js';

interface MrrFlags extends SourceFlags, ViewFlags {
  interval: Interval;
  from?: string;
  to?: string;
}

export function mrrCommand(run: RunState): Command {
  const command = new Command('mrr')
    .description('MRR per period with its movement breakdown (new, expansion, contraction, churn, reactivation, fx)')
    .addOption(new Option('--interval <interval>', 'period length').choices(INTERVALS).default('month'))
    .option('--from <date>', "first day, YYYY-MM-DD (default: the start of the first movement's period)")
    .option('--to <date>', 'last day, YYYY-MM-DD (default and at most: --as-of)')
    .addHelpText('after', '\nExamples:\n  runrate mrr --data demo-data --interval quarter --format json\n  runrate mrr --data demo-data --group-by plan --from 2025-01-01');
  return addSourceOptions(addViewOptions(command)).action(async (flags: MrrFlags) => {
    const from = dateFlag('--from', flags.from);
    const to = dateFlag('--to', flags.to);
    const fast = await storeMrr(flags, { interval: flags.interval, from, to });
    let config;
    let groups;
    if (fast) {
      config = fast.config;
      groups = [{ group: 'all', records: fast.entries.map(mrrEntryRecord) }];
    } else {
      const source = await loadSource(flags, run);
      config = source.config;
      const views = viewsFor(source, { segments: flags.segment, groupBy: flags.groupBy ?? null });
      const range = reportRange(source, flags.interval, from, to);
      groups = views.map((view) => ({ group: view.group, records: mrrReport(view.movements, range).map(mrrEntryRecord) }));
    }
    const text = renderPeriodReport({
      format: flags.format,
      fields: MRR_ENTRY_FIELDS,
      header: { currency: config.currency, interval: flags.interval },
      groupBy: flags.groupBy ?? null,
      groups,
      currency: config.currency,
      colour: useColour(flags),
      tableFields: ['period', 'mrr_start', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx', 'net_new', 'mrr', 'customers'],
      tableLayout: 'periods-as-rows',
    });
    await emit(text, flags);
  });
}
