import { Command, Option } from 'commander';
import { UsageError } from '../../app/errors.js';
import { queryCustomers, viewsFor } from '../../app/report-views.js';
import type { CustomerStatus } from '../../engine/report/customer-summary.js';
import { INTERVALS, type Interval } from '../../engine/report/period.js';
import { dateFlag } from './movements-command.js';
import { CUSTOMER_FIELDS, customerRecord } from '../../app/records/customer-record.js';
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import { formatMoney } from '../format/money-text.js';
import { renderCsv } from '../format/render-csv.js';
import { renderTable } from '../format/render-table.js';
import { addSourceOptions, addViewOptions, emit, loadSource, useColour, type RunState, type SourceFlags, type ViewFlags } from '../source-options.js';

interface CustomersFlags extends SourceFlags, ViewFlags {
  on?: string;
  status?: CustomerStatus;
  cohort?: string;
  cohortInterval: Interval;
  top?: string;
  payingOn?: string;
}

export function customersCommand(run: RunState): Command {
  const command = new Command('customers')
    .description("every customer's MRR, ARR and status on --as-of (or on an earlier day with --on)")
    .option('--on <date>', 'show MRR on this day instead of --as-of (history as known on --as-of)')
    .addOption(new Option('--status <status>', 'only customers with this status').choices(['paying', 'churned', 'never_paid']))
    .option('--cohort <label>', 'only the customers of this cohort (the period of their first payment, e.g. 2024-01)')
    .addOption(new Option('--cohort-interval <interval>', 'period length of --cohort').choices(INTERVALS).default('month'))
    .option('--top <n>', 'the n customers with the highest MRR, highest first')
    .option('--paying-on <date>', 'only customers paying on this day (the base nrr_12m follows)')
    .addHelpText('after', '\nExamples:\n  runrate customers --data demo-data --as-of 2025-06-30 --format csv\n  runrate customers --data demo-data --top 10 --segment country=FR');
  return addSourceOptions(addViewOptions(command, { groupBy: false })).action(async (flags: CustomersFlags) => {
    const on = dateFlag('--on', flags.on);
    if (flags.top !== undefined && !/^\d+$/.test(flags.top)) throw new UsageError(`--top: "${flags.top}" is not a whole number`);
    const source = await loadSource(flags, run);
    const { config } = source;
    const [view] = viewsFor(source, { segments: flags.segment, groupBy: null });
    let summaries = queryCustomers(
      source,
      view!,
      {
        on,
        status: flags.status ?? null,
        cohort: flags.cohort === undefined ? null : { label: flags.cohort, interval: flags.cohortInterval },
        payingOn: dateFlag('--paying-on', flags.payingOn),
      },
      flags.segment.length > 0,
    );
    if (flags.top !== undefined) {
      summaries = [...summaries].sort((a, b) => b.mrr - a.mrr || (a.customerId < b.customerId ? -1 : 1)).slice(0, Number(flags.top));
    }
    const records = summaries.map(customerRecord);
    const currency = config.currency;
    let text: string;
    switch (flags.format) {
      case 'json':
        text = `${JSON.stringify({ currency, as_of: formatIsoDate(config.asOf), ...(on === null ? {} : { on: formatIsoDate(on) }), customers: records }, null, 2)}\n`;
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
        )}\n${summaries.filter((s) => s.status === 'paying').length} paying of ${summaries.length} customers on ${formatIsoDate(on ?? config.asOf)}\n`;
        break;
    }
    await emit(text, flags);
  });
}
