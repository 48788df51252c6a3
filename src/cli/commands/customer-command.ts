import { Command } from 'commander';
import { UsageError } from '../../app/errors.js';
import { customerDetail } from '../../app/records/customer-detail-record.js';
import { formatMoney } from '../format/money-text.js';
import { renderTable } from '../format/render-table.js';
import { renderCsv } from '../format/render-csv.js';
import { MOVEMENT_FIELDS } from '../../app/records/movement-record.js';
import { addSourceOptions, emit, loadSource, useColour, type RunState, type SourceFlags } from '../source-options.js';

export function customerCommand(run: RunState): Command {
  const command = new Command('customer')
    .description("one customer's subscriptions, MRR timeline and movements")
    .argument('<id>', 'the customer_id')
    .addHelpText('after', '\nExample:\n  runrate customer cus_000042 --data demo-data --format json');
  return addSourceOptions(command).action(async (id: string, flags: SourceFlags) => {
    const source = await loadSource(flags, run);
    const detail = customerDetail(source, id);
    if (!detail) throw new UsageError(`customer ${id} is not in the data`);
    const currency = source.config.currency;
    let text: string;
    switch (flags.format) {
      case 'json':
        text = `${JSON.stringify(detail, null, 2)}\n`;
        break;
      case 'ndjson':
        text = `${JSON.stringify(detail)}\n`;
        break;
      case 'csv':
        // One table per format: the movements, which carry every figure of the customer.
        text = renderCsv(MOVEMENT_FIELDS, detail.movements.map((record) => MOVEMENT_FIELDS.map((field) => record[field])));
        break;
      case 'table': {
        const c = detail.customer;
        const header = [
          `${c.customer_id}${c.name ? ` — ${c.name}` : ''}${c.company ? ` (${c.company})` : ''}`,
          `status ${c.status}, MRR ${formatMoney(c.mrr, currency)} ${currency}, ARR ${formatMoney(c.arr, currency)} ${currency}, first paid ${c.first_paid ?? 'never'} (as of ${detail.as_of})`,
        ].join('\n');
        const subscriptions = renderTable(
          [
            { header: 'subscription' },
            { header: 'plans' },
            { header: 'currency' },
            { header: 'native MRR', align: 'right' },
            { header: `MRR (${currency})`, align: 'right' },
            { header: 'first MRR' },
            { header: 'ended' },
          ],
          detail.subscriptions.map((s) => [
            s.subscription_id,
            s.plan_ids.join(' '),
            s.currency,
            formatMoney(s.native_mrr, s.currency),
            formatMoney(s.mrr, currency),
            s.first_mrr ?? '',
            s.ended ?? '',
          ]),
          useColour(flags),
        );
        const movements = renderTable(
          [{ header: 'date' }, { header: 'subscription' }, { header: 'type' }, { header: 'reason' }, { header: 'amount', align: 'right' }, { header: 'customer MRR', align: 'right' }, { header: 'sources' }],
          detail.movements.map((m) => [
            String(m.date),
            String(m.subscription_id),
            String(m.type),
            m.reason ?? "",
            formatMoney(m.amount, currency, { signed: true }),
            formatMoney(m.customer_mrr, currency),
            m.sources.join(' '),
          ]),
          useColour(flags),
        );
        text = `${header}\n\nSubscriptions\n${subscriptions}\n\nMovements\n${movements}\n`;
        break;
      }
    }
    await emit(text, flags);
  });
}
