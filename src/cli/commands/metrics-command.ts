import { Command, Option } from 'commander';
import { METRICS_ENTRY_FIELDS, metricsEntryRecord } from '../../app/records/metrics-entry-record.js';
import { reportRange, viewsFor } from '../../app/report-views.js';
import { constantCurrency } from '../../engine/report/constant-currency.js';
import { metricsReport } from '../../engine/report/metrics-report.js';
import { INTERVALS, type Interval } from '../../engine/report/period.js';
import { renderPeriodReport } from '../format/period-report.js';
import { addSourceOptions, addViewOptions, emit, loadSource, useColour, type RunState, type SourceFlags, type ViewFlags } from '../source-options.js';
import { dateFlag } from './movements-command.js';
import { storeMetrics } from '../store-fast-path.js';

interface MetricsFlags extends SourceFlags, ViewFlags {
  interval: Interval;
  from?: string;
  to?: string;
}

export function metricsCommand(run: RunState): Command {
  const command = new Command('metrics')
    .description('every metric per period: MRR and its movements, ARR, customers, ARPA, ASP, churn rates, NRR, GRR, quick ratio, LTV, growth')
    .addOption(new Option('--interval <interval>', 'period length').choices(INTERVALS).default('month'))
    .option('--from <date>', "first day, YYYY-MM-DD (default: the start of the first movement's period)")
    .option('--to <date>', 'last day, YYYY-MM-DD (default and at most: --as-of)')
    .addHelpText('after', '\nExamples:\n  runrate metrics --data demo-data --from 2025-01-01 --format json\n  runrate metrics --data demo-data --interval quarter --segment country=FR');
  return addSourceOptions(addViewOptions(command)).action(async (flags: MetricsFlags) => {
    const from = dateFlag('--from', flags.from);
    const to = dateFlag('--to', flags.to);
    const fast = await storeMetrics(flags, { interval: flags.interval, from, to });
    let config;
    let groups;
    if (fast) {
      config = fast.config;
      groups = [{ group: 'all', records: fast.entries.map(metricsEntryRecord) }];
    } else {
      const source = await loadSource(flags, run);
      config = source.config;
      const { result } = source;
      const views = viewsFor(source, { segments: flags.segment, groupBy: flags.groupBy ?? null });
      const range = reportRange(source, flags.interval, from, to);
      groups = views.map((view) => ({
        group: view.group,
        records: metricsReport(view.movements, range, constantCurrency(result.timelines, view, result.rates, source.config.currency)).map(metricsEntryRecord),
      }));
    }
    const text = renderPeriodReport({
      format: flags.format,
      fields: METRICS_ENTRY_FIELDS,
      header: { currency: config.currency, interval: flags.interval },
      groupBy: flags.groupBy ?? null,
      groups,
      currency: config.currency,
      colour: useColour(flags),
      tableFields: METRICS_ENTRY_FIELDS.filter((field) => field !== 'period' && field !== 'first' && field !== 'last'),
      tableLayout: 'periods-as-columns',
    });
    await emit(text, flags);
  });
}
