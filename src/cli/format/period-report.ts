/**
 * Period reports (`mrr`, `metrics`) in every format: one entry per period, or per group and
 * period with a leading `group` field when grouped.
 */
import { RATE_FIELDS } from '../../app/records/metrics-entry-record.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import { formatMoney, formatPercent } from './money-text.js';
import { renderCsv } from './render-csv.js';
import { renderTable } from './render-table.js';
import type { Format } from '../source-options.js';

export interface GroupRecords<R> {
  readonly group: string;
  readonly records: readonly R[];
}

const COUNT_FIELDS = new Set(['customers', 'customers_start', 'new_customers', 'reactivated_customers', 'churned_customers']);
const LABEL_FIELDS = new Set(['period', 'first', 'last']);
const LABELS: Record<string, string> = {
  mrr_start: 'MRR start',
  mrr: 'MRR',
  net_new: 'net new',
  customers_start: 'customers at start',
  arr: 'ARR',
  arpa: 'ARPA',
  asp: 'ASP',
  nrr: 'NRR',
  grr: 'GRR',
  nrr_12m: 'NRR (12 months)',
  ltv: 'LTV',
};

export function formatCell(field: string, value: unknown, currency: CurrencyCode): string {
  if (value === null || value === undefined) return '–';
  if (LABEL_FIELDS.has(field) || typeof value !== 'number') return String(value);
  if (RATE_FIELDS.has(field)) return field === 'quick_ratio' ? value.toFixed(2) : formatPercent(value);
  if (COUNT_FIELDS.has(field)) return String(value);
  return formatMoney(value, currency, { signed: ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx', 'net_new'].includes(field) });
}

export function renderPeriodReport<R extends Record<string, unknown>>(options: {
  readonly format: Format;
  readonly fields: readonly string[];
  readonly header: Record<string, unknown>;
  readonly groupBy: string | null;
  readonly groups: ReadonlyArray<GroupRecords<R>>;
  readonly currency: CurrencyCode;
  readonly colour: boolean;
  /** The figures the human table shows. */
  readonly tableFields: readonly string[];
  /** `periods-as-rows` for a few figures (mrr), `periods-as-columns` for many (metrics). */
  readonly tableLayout: 'periods-as-rows' | 'periods-as-columns';
}): string {
  const { format, fields, groupBy, groups } = options;
  const rows = groups.flatMap(({ group, records }) => records.map((record) => (groupBy === null ? record : { group, ...record })));
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...options.header, ...(groupBy === null ? {} : { group_by: groupBy }), entries: rows }, null, 2)}\n`;
    case 'ndjson':
      return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    case 'csv': {
      const columns = groupBy === null ? [...fields] : ['group', ...fields];
      return renderCsv(columns, rows.map((row) => columns.map((field) => (row as Record<string, unknown>)[field])));
    }
    case 'table': {
      const label = (field: string) =>
        `${LABELS[field] ?? field.replaceAll('_', ' ')}${RATE_FIELDS.has(field) || COUNT_FIELDS.has(field) || LABEL_FIELDS.has(field) ? '' : ` (${options.currency})`}`;
      return groups
        .map(({ group, records }) => {
          const title = groupBy === null ? '' : `${groupBy} = ${group}\n`;
          if (records.length === 0) return `${title}(no data in this range)\n`;
          if (options.tableLayout === 'periods-as-rows') {
            const table = renderTable(
              options.tableFields.map((field) => ({ header: label(field), align: LABEL_FIELDS.has(field) ? ('left' as const) : ('right' as const) })),
              records.map((record) => options.tableFields.map((field) => formatCell(field, record[field], options.currency))),
              options.colour,
            );
            return `${title}${table}\n`;
          }
          // Periods as columns, one row per figure: how finance reads a monthly report.
          const table = renderTable(
            [{ header: '' }, ...records.map((record) => ({ header: String(record.period), align: 'right' as const }))],
            options.tableFields.map((field) => [
              label(field),
              ...records.map((record) => formatCell(field, record[field], options.currency)),
            ]),
            options.colour,
          );
          return `${title}${table}\n`;
        })
        .join('\n');
    }
  }
}
