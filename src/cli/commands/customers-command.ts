import { Command } from 'commander';
import { CUSTOMER_FIELDS, customerRecord } from '../../app/records/customer-record.js';
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import { customerSummaries } from '../../engine/report/customer-summary.js';
import { formatMoney } from '../format/money-text.js';
import { renderCsv } from '../format/render-csv.js';
import { renderTable } from '../format/render-table.js';
import { addSourceOptions, emit, loadSource, useColour, type RunState, type SourceFlags } from '../source-options.js';

export function customersCommand(run: RunState): Command {
  const command = new Command('customers')
    .description("every customer's MRR, ARR and status on --as-of")
    .addHelpText('after', '\nExample:\n  runrate customers --data demo-data --as-of 2025-06-30 --format csv');
  return addSourceOptions(command).action(async (flags: SourceFlags) => {
    const source = await loadSource(flags, run);
    const { config } = source;
    const summaries = customerSummaries(source.dataset, source.result.movements.filter((m) => m.date <= config.asOf), source.result.timelines);
    const records = summaries.map(customerRecord);
    const currency = config.currency;
    let text: string;
    switch (flags.format) {
      case 'json':
        text = `${JSON.stringify({ currency, as_of: formatIsoDate(config.asOf), customers: records }, null, 2)}\n`;
        break;
      case 'ndjson':
        text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
        break;
      case 'csv':
        text = renderCsv(CUSTOMER_FIELDS, records.map((record) => CUSTOMER_FIELDS.map((field) => record[field])));
        break;
      case 'table':
        text = `${renderTable(
          [
            { header: 'customer' },
            { header: 'name' },
            { header: `MRR (${currency})`, align: 'right' },
            { header: `ARR (${currency})`, align: 'right' },
            { header: 'status' },
            { header: 'first paid' },
            { header: 'subscriptions' },
          ],
          summaries.map((s) => [
            s.customerId,
            s.customer?.name ?? '',
            formatMoney(s.mrr, currency),
            formatMoney(s.arr, currency),
            s.status,
            s.firstPaid === null ? '' : formatIsoDate(s.firstPaid),
            s.subscriptions.join(' '),
          ]),
          useColour(flags),
        )}\n${summaries.filter((s) => s.status === 'paying').length} paying of ${summaries.length} customers on ${formatIsoDate(config.asOf)}\n`;
        break;
    }
    await emit(text, flags);
  });
}
