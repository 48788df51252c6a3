import { Command, Option } from 'commander';
import { UsageError } from '../../app/errors.js';
import { MOVEMENT_FIELDS, movementRecord } from '../../app/records/movement-record.js';
import { parseIsoDate, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import type { Movement, MovementType } from '../../engine/movement.js';
import { storeCustomerMovements } from '../store-fast-path.js';
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import { formatMoney } from '../format/money-text.js';
import { renderCsv } from '../format/render-csv.js';
import { renderTable } from '../format/render-table.js';
import { queryMovements, viewsFor } from '../../app/report-views.js';
import { addSourceOptions, addViewOptions, emit, loadSource, useColour, type RunState, type SourceFlags, type ViewFlags } from '../source-options.js';

const TYPES: readonly MovementType[] = ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx'];

export function dateFlag(name: string, value: string | undefined): CalendarDate | null {
  if (value === undefined) return null;
  const date = parseIsoDate(value);
  if (date === null) throw new UsageError(`${name}: "${value}" is not a YYYY-MM-DD date`);
  return date;
}

interface MovementsFlags extends SourceFlags, ViewFlags {
  from?: string;
  to?: string;
  customer?: string;
  type?: string;
  payingOn?: string;
}

export function movementsCommand(run: RunState): Command {
  const command = new Command('movements')
    .description('list MRR movements, each with its reason and source rows')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD (never after --as-of)')
    .option('--customer <id>', 'only this customer')
    .addOption(new Option('--type <types>', `only these types, comma-separated (${TYPES.join(', ')})`))
    .option('--paying-on <date>', 'only customers paying on this day (the customers NRR and GRR follow)')
    .addHelpText('after', '\nExample:\n  runrate movements --data demo-data --from 2025-01-01 --type churn,contraction --format csv');
  return addSourceOptions(addViewOptions(command, { groupBy: false })).action(async (flags: MovementsFlags) => {
    const from = dateFlag('--from', flags.from);
    const to = dateFlag('--to', flags.to);
    const types = flags.type?.split(',').map((type) => type.trim()) ?? null;
    for (const type of types ?? []) if (!TYPES.includes(type as MovementType)) throw new UsageError(`--type: "${type}" is not one of ${TYPES.join(', ')}`);
    const payingOn = dateFlag('--paying-on', flags.payingOn);
    const query = { from, to, customer: flags.customer ?? null, types: types as MovementType[] | null, payingOn };
    // One customer from the store: read its rows alone, not the whole business.
    const stored = flags.customer !== undefined && payingOn === null ? await storeCustomerMovements(flags, flags.customer) : null;
    let currency: CurrencyCode;
    let movements: Movement[];
    if (stored !== null) {
      currency = stored.config.currency;
      movements = queryMovements(stored.movements, query);
    } else {
      const source = await loadSource(flags, run);
      currency = source.config.currency;
      const [view] = viewsFor(source, { segments: flags.segment, groupBy: null });
      movements = queryMovements(view!.movements, query);
    }
    const records = movements.map(movementRecord);
    let text: string;
    switch (flags.format) {
      case 'json':
        text = `${JSON.stringify({ currency, movements: records }, null, 2)}\n`;
        break;
      case 'ndjson':
        text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
        break;
      case 'csv':
        text = renderCsv(MOVEMENT_FIELDS, records.map((record) => MOVEMENT_FIELDS.map((field) => record[field])));
        break;
      case 'table':
        text = `${renderTable(
          [
            { header: 'date' },
            { header: 'customer' },
            { header: 'subscription' },
            { header: 'type' },
            { header: 'reason' },
            { header: `amount (${currency})`, align: 'right' },
            { header: `customer MRR`, align: 'right' },
            { header: 'plan' },
            { header: 'sources' },
          ],
          movements.map((m) => [
            formatIsoDate(m.date),
            m.customerId,
            m.subscriptionId,
            m.type,
            m.reason ?? '',
            formatMoney(m.amount, currency, { signed: true }),
            formatMoney(m.customerMrr, currency),
            m.planId ?? '',
            m.sources.join(' '),
          ]),
          useColour(flags),
        )}\n${movements.length} movements\n`;
        break;
    }
    await emit(text, flags);
  });
}
