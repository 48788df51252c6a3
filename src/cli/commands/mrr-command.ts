import { Command, Option } from 'commander';
import { MRR_ENTRY_FIELDS, mrrEntryRecord } from '../../app/records/mrr-entry-record.js';
import { mrrReport } from '../../engine/report/mrr-report.js';
import { INTERVALS, type Interval } from '../../engine/report/period.js';
import { formatMoney } from '../format/money-text.js';
import { renderCsv } from '../format/render-csv.js';
import { renderTable } from '../format/render-table.js';
import { addSourceOptions, emit, loadSource, useColour, type RunState, type SourceFlags } from '../source-options.js';
import { dateFlag } from './movements-command.js';

interface MrrFlags extends SourceFlags {
  interval: Interval;
  from?: string;
  to?: string;
}

export function mrrCommand(run: RunState): Command {
  const command = new Command('mrr')
    .description('MRR per period with its movement breakdown (new, expansion, contraction, churn, reactivation, fx)')
    .addOption(new Option('--interval <interval>', 'period length').choices(INTERVALS).default('month'))
    .option('--from <date>', 'first day, YYYY-MM-DD (default: the start of the first movement\'s period)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default and at most: --as-of)')
    .addHelpText('after', '\nExample:\n  runrate mrr --data demo-data --interval quarter --format json');
  return addSourceOptions(command).action(async (flags: MrrFlags) => {
    const from = dateFlag('--from', flags.from);
    const to = dateFlag('--to', flags.to);
    const source = await loadSource(flags, run);
    const { config } = source;
    const entries = mrrReport(source.result.movements, { interval: flags.interval, weekStartsOn: config.weekStartsOn, from, to, asOf: config.asOf });
    const records = entries.map(mrrEntryRecord);
    const currency = config.currency;
    let text: string;
    switch (flags.format) {
      case 'json':
        text = `${JSON.stringify({ currency, interval: flags.interval, entries: records }, null, 2)}\n`;
        break;
      case 'ndjson':
        text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
        break;
      case 'csv':
        text = renderCsv(MRR_ENTRY_FIELDS, records.map((record) => MRR_ENTRY_FIELDS.map((field) => record[field])));
        break;
      case 'table': {
        const money = (value: number, signed = false) => formatMoney(value, currency, { signed });
        text = `${renderTable(
          [
            { header: 'period' },
            { header: `MRR start (${currency})`, align: 'right' },
            { header: 'new', align: 'right' },
            { header: 'expansion', align: 'right' },
            { header: 'contraction', align: 'right' },
            { header: 'churn', align: 'right' },
            { header: 'reactivation', align: 'right' },
            { header: 'fx', align: 'right' },
            { header: 'net new', align: 'right' },
            { header: `MRR (${currency})`, align: 'right' },
            { header: 'customers', align: 'right' },
          ],
          entries.map((e) => [
            e.period.label,
            money(e.mrrStart),
            money(e.new, true),
            money(e.expansion, true),
            money(e.contraction, true),
            money(e.churn, true),
            money(e.reactivation, true),
            money(e.fx, true),
            money(e.netNew, true),
            money(e.mrr),
            String(e.customers),
          ]),
          useColour(flags),
        )}\n`;
        break;
      }
    }
    await emit(text, flags);
  });
}
