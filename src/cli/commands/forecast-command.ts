import { Command } from 'commander';
import { UsageError } from '../../app/errors.js';
import { forecastRecord } from '../../app/records/forecast-record.js';
import { viewsFor } from '../../app/report-views.js';
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import { ratioToNumber, roundRatio } from '../../engine/money/ratio.js';
import { forecast, scheduledChanges } from '../../engine/report/forecast.js';
import { formatMoney, formatPercent } from '../format/money-text.js';
import { renderCsv } from '../format/render-csv.js';
import { renderTable } from '../format/render-table.js';
import { addSourceOptions, addViewOptions, emit, loadSource, useColour, type RunState, type SourceFlags, type ViewFlags } from '../source-options.js';

interface ForecastFlags extends SourceFlags, ViewFlags {
  months: string;
}

export function forecastCommand(run: RunState): Command {
  const command = new Command('forecast')
    .description('committed MRR on --as-of (with changes already scheduled) and a month-by-month projection, stating its assumptions')
    .option('--months <n>', 'months to project', '12')
    .addHelpText('after', '\nExample:\n  runrate forecast --data demo-data --months 6 --format json');
  return addSourceOptions(addViewOptions(command, { groupBy: false })).action(async (flags: ForecastFlags) => {
    if (!/^\d+$/.test(flags.months) || Number(flags.months) < 1 || Number(flags.months) > 120) throw new UsageError(`--months: "${flags.months}" is not a whole number from 1 to 120`);
    const source = await loadSource(flags, run);
    const { config, result } = source;
    const [view] = viewsFor(source, { segments: flags.segment, groupBy: null });
    const scheduled = scheduledChanges(result.timelines, config.asOf, view!.includes);
    const projection = forecast(view!.movements, scheduled, config.asOf, Number(flags.months));
    const record = forecastRecord(projection, config.currency, formatIsoDate(config.asOf));
    const currency = config.currency;
    let text: string;
    switch (flags.format) {
      case 'json':
        text = `${JSON.stringify(record, null, 2)}\n`;
        break;
      case 'ndjson':
        text = record.entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
        break;
      case 'csv': {
        const fields = ['period', 'mrr_start', 'new_and_reactivation', 'expansion', 'contraction', 'churn', 'scheduled', 'mrr'] as const;
        text = renderCsv(fields, record.entries.map((entry) => fields.map((field) => entry[field])));
        break;
      }
      case 'table': {
        const { assumptions } = projection;
        const money = (value: number, signed = false) => formatMoney(value, currency, { signed });
        const lines = [
          `MRR on ${record.as_of}: ${money(projection.mrr)} ${currency}; committed MRR (with ${scheduled.length} scheduled change${scheduled.length === 1 ? '' : 's'}): ${money(projection.committedMrr)} ${currency}`,
          `Assumptions, from ${assumptions.trailingMonths.map((p) => p.label).join(', ') || 'no full month'}: new + reactivation ${money(Number(roundRatio(assumptions.newAndReactivationPerMonth)))} ${currency}/month, expansion ${formatPercent(ratioToNumber(assumptions.expansionRate))}, contraction ${formatPercent(ratioToNumber(assumptions.contractionRate))}, churn ${formatPercent(ratioToNumber(assumptions.churnRate))} of MRR a month; scheduled changes applied in their month.`,
        ];
        const table = renderTable(
          [
            { header: 'month' },
            { header: `MRR start (${currency})`, align: 'right' },
            { header: 'new + reactivation', align: 'right' },
            { header: 'expansion', align: 'right' },
            { header: 'contraction', align: 'right' },
            { header: 'churn', align: 'right' },
            { header: 'scheduled', align: 'right' },
            { header: `MRR (${currency})`, align: 'right' },
          ],
          projection.entries.map((e) => [e.period.label, money(e.mrrStart), money(e.newAndReactivation, true), money(e.expansion, true), money(e.contraction, true), money(e.churn, true), money(e.scheduled, true), money(e.mrr)]),
          useColour(flags),
        );
        text = `${lines.join('\n')}\n${table}\n`;
        break;
      }
    }
    await emit(text, flags);
  });
}
