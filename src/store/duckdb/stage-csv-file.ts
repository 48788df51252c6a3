/**
 * Loads a plain CSV file of invoice lines, subscription events or customers with DuckDB's own
 * reader and checks it in SQL: the rows whose every value is in a form the JavaScript schemas
 * (src/ingest/field-schemas.ts) read one unambiguous way are converted and staged here; the others
 * go back to the reader as "doubtful", so that every rejection is still worded by one set of
 * schemas. The forms accepted are a subset of what the schemas accept (ids starting with a
 * printable character, lower-case enumerations, dates of 1900 to 2099, instants with Z or an
 * offset and at most milliseconds or in Unix seconds, amounts with no more decimals than the
 * currency has, text with a printable ASCII character; docs/store.md has the table), and property
 * tests (test/store/stage-csv-file.test.ts) prove that a file staged this way equals the same file
 * read row by row.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { assert } from '../../engine/assert.js';
import { billingCurrencies } from '../../engine/money/currency.js';
import type { CsvStagingOutcome, CsvStagingRequest } from '../store-port.js';
import { CUSTOMERS, INVOICE_LINES, SUBSCRIPTION_EVENTS, type TableDef } from '../store-tables.js';
import { sqlString } from './duckdb-sql-text.js';

/** More doubtful rows than this, and a tenth of the file: reading it row by row is as quick. */
const MAX_DOUBTFUL = 10_000;

const DAY = String.raw`(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])`;
const DATE_FORM = `^${DAY}$`;
const INSTANT_FORM = String.raw`^${DAY}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`;
/** Positive Unix seconds, at most 11 digits (the year 5138): a double holds their milliseconds exactly. */
const UNIX_SECONDS_FORM = String.raw`^\d{1,11}$`;
/** At most 11 whole digits: with 4 decimals, still within a double's exact integers. */
const AMOUNT_FORM = String.raw`^[+-]?\d{1,11}(\.\d{1,4})?$`;

/**
 * Each column's SQL: the check of a value (null: nothing to check, the file lacks the column) and
 * the stored values it stands for. The builders below take the field's SQL `x`, null when the
 * file lacks the column.
 */
interface ColumnSql {
  readonly checked: string | null;
  readonly values: string[];
}

const NO_TEXT = 'CAST(NULL AS VARCHAR)';

/** A check of an optional value: an absent column or an empty field passes. */
function optional(x: string | null, check: (x: string) => string): string | null {
  return x === null ? null : `(${x} IS NULL OR ${check(x)})`;
}

function idColumn(x: string | null, required: boolean): ColumnSql {
  // Starting with a printable ASCII character other than a space: never blank, which is all an
  // id is checked for (ids are kept as written).
  const nonBlank = (x: string) => `ascii(${x}) BETWEEN 33 AND 126`;
  if (required) return { checked: x === null ? 'false' : `(${x} IS NOT NULL AND ${nonBlank(x)})`, values: [x ?? NO_TEXT] };
  return { checked: optional(x, nonBlank), values: [x ?? NO_TEXT] };
}

function enumColumn(x: string | null, values: readonly string[]): ColumnSql {
  return { checked: optional(x, (x) => `${x} IN (${values.map(sqlString).join(', ')})`), values: [x ?? NO_TEXT] };
}

/** A moment's stored values: a date (`YYYY-MM-DD`) or an instant (ISO 8601 with an offset, or Unix seconds). */
function momentValues(x: string): { date: string; instant: string } {
  // Unix seconds are the only form without a dash.
  return {
    date: `CASE WHEN length(${x}) = 10 AND contains(${x}, '-') THEN try_cast(${x} AS DATE) END`,
    instant: `CASE WHEN NOT contains(${x}, '-') THEN to_timestamp(try_cast(${x} AS BIGINT)) WHEN length(${x}) > 10 THEN try_cast(${x} AS TIMESTAMPTZ) END`,
  };
}

/** A date or an instant: two stored columns, one of them set. */
function momentColumn(x: string | null): ColumnSql {
  if (x === null) return { checked: null, values: ['CAST(NULL AS DATE)', 'CAST(NULL AS TIMESTAMPTZ)'] };
  const { date, instant } = momentValues(x);
  return {
    checked: optional(
      x,
      (x) =>
        `CASE WHEN NOT contains(${x}, '-') THEN regexp_matches(${x}, '${UNIX_SECONDS_FORM}') WHEN length(${x}) = 10 THEN regexp_matches(${x}, '${DATE_FORM}') AND ${date} IS NOT NULL ELSE regexp_matches(${x}, '${INSTANT_FORM}') AND ${instant} IS NOT NULL END`,
    ),
    values: [date, instant],
  };
}

/**
 * Minor units of a decimal amount, `exponent` and `scale` (10^exponent) being the currency's:
 * the whole part scaled, plus the decimals padded to the exponent, with the amount's sign.
 */
function amountColumn(x: string | null, required: boolean): ColumnSql {
  if (x === null) return { checked: required ? 'false' : null, values: ['CAST(0 AS BIGINT)'] };
  const minor = `(try_cast(split_part(${x}, '.', 1) AS BIGINT) * currency.scale + (CASE WHEN starts_with(${x}, '-') THEN -1 ELSE 1 END) * (try_cast(rpad(split_part(${x}, '.', 2) || '0', currency.exponent + 1, '0') AS BIGINT) // 10))`;
  const form = (x: string) => `(regexp_matches(${x}, '${AMOUNT_FORM}') AND length(split_part(${x}, '.', 2)) <= currency.exponent)`;
  return required ? { checked: `(${x} IS NOT NULL AND ${form(x)})`, values: [minor] } : { checked: optional(x, form), values: [`coalesce(${minor}, 0)`] };
}

/**
 * Free text: a value with a printable ASCII character is kept exactly as written; one without
 * may be blank by JavaScript's `trim` (which knows Unicode spaces), so it is doubtful.
 */
function textColumn(x: string | null): ColumnSql {
  return { checked: optional(x, (x) => `regexp_matches(${x}, '[!-~]')`), values: [x ?? NO_TEXT] };
}

function integerColumn(x: string | null, signed: boolean, absent: string): ColumnSql {
  if (x === null) return { checked: null, values: [`CAST(${absent} AS BIGINT)`] };
  return { checked: optional(x, (x) => `regexp_matches(${x}, '^${signed ? '-?' : ''}\\d{1,15}$')`), values: [`coalesce(try_cast(${x} AS BIGINT), ${absent})`] };
}

/** A file's fields in SQL: `x` is a column's field, null when the file lacks the column; `v` the same, NULL then. */
interface Fields {
  readonly x: (name: string) => string | null;
  readonly v: (name: string) => string;
}

/** What a kind stages: each stored column's SQL in the table's order, and the row's checks. */
interface KindSql {
  readonly values: readonly string[];
  readonly checks: ReadonlyArray<string | null>;
  readonly from: string;
}

function invoiceLineSql({ x, v }: Fields): KindSql {
  // Without a prorated column the engine detects prorations (null); with one, empty is false.
  const proratedAbsent = x('prorated') === null ? 'NULL' : 'false';
  const type = `coalesce(${v('type')}, 'subscription')`;
  const columns = {
    line_id: idColumn(x('line_id'), true),
    invoice_id: idColumn(x('invoice_id'), true),
    customer_id: idColumn(x('customer_id'), true),
    subscription_id: idColumn(x('subscription_id'), false),
    plan_id: idColumn(x('plan_id'), false),
    type: { ...enumColumn(x('type'), ['subscription', 'one_time', 'trial', 'credit_note']), values: [type] },
    service_start: momentColumn(x('service_start')),
    service_end: momentColumn(x('service_end')),
    amount: amountColumn(x('amount'), true),
    currency: { checked: 'currency.code IS NOT NULL', values: ['currency.code'] },
    quantity: integerColumn(x('quantity'), false, '1'),
    discount: amountColumn(x('discount'), false),
    discount_duration: enumColumn(x('discount_duration'), ['once', 'repeating', 'forever']),
    tax: amountColumn(x('tax'), false),
    prorated: { ...enumColumn(x('prorated'), ['true', 'false', '1', '0']), values: [`coalesce(${v('prorated')} IN ('true', '1'), ${proratedAbsent})`] },
    cancelled_at: momentColumn(x('cancelled_at')),
    cancel_requested_at: momentColumn(x('cancel_requested_at')),
    issued_at: momentColumn(x('issued_at')),
    event_order: integerColumn(x('event_order'), true, 'NULL'),
  };
  const start = v('service_start');
  const end = v('service_end');
  const rowChecks = [
    // Subscription and trial lines name their subscription and service period.
    `(${type} NOT IN ('subscription', 'trial') OR (${v('subscription_id')} IS NOT NULL AND ${start} IS NOT NULL AND ${end} IS NOT NULL))`,
    // A period that provably ends before it starts (two dates, or two instants) is the schemas' to reject.
    `NOT coalesce(${momentValues(end).date} <= ${momentValues(start).date}, false)`,
    `NOT coalesce(${momentValues(end).instant} <= ${momentValues(start).instant}, false)`,
  ];
  // In the order of INVOICE_LINES.columns (store-tables.ts): a moment is two columns.
  const c = columns;
  const values = [
    c.line_id, c.invoice_id, c.customer_id, c.subscription_id, c.plan_id, c.type, c.service_start, c.service_end, c.amount, c.currency,
    c.quantity, c.discount, c.discount_duration, c.tax, c.prorated, c.cancelled_at, c.cancel_requested_at, c.issued_at, c.event_order,
  ].flatMap((column: ColumnSql) => column.values);
  return {
    values,
    checks: [...Object.values(columns).map((column) => column.checked), ...rowChecks],
    from: `csv_raw raw LEFT JOIN csv_currencies currency ON currency.code = ${v('currency')}`,
  };
}

/** The largest integer a double holds exactly: a derived amount beyond it is the schema's to reject. */
const MAX_SAFE = '9007199254740991';

function subscriptionEventSql({ x, v }: Fields): KindSql {
  const type = v('type');
  const priced = `${type} IN ('start', 'change')`;
  const prices = ['amount', 'unit_amount', 'discount'].map(v);
  const amount = amountColumn(x('amount'), false);
  const unitAmount = amountColumn(x('unit_amount'), false);
  const discount = amountColumn(x('discount'), false);
  const quantity = integerColumn(x('quantity'), false, '1');
  // An absent amount is the unit amount times the quantity, less the discount (exact, in minor units).
  const derived = `(${unitAmount.values[0]}::HUGEINT * ${quantity.values[0]} - ${discount.values[0]})`;
  const intervalUnit = enumColumn(x('interval_unit'), ['day', 'week', 'month', 'year']);
  const intervalCount = x('interval_count');
  const effectiveAt = momentColumn(x('effective_at'));
  const columns = {
    event_id: idColumn(x('event_id'), true),
    customer_id: idColumn(x('customer_id'), true),
    subscription_id: idColumn(x('subscription_id'), true),
    type: { checked: `${type} IS NOT NULL AND ${type} IN ('start', 'change', 'cancel', 'pause', 'resume')`, values: [type] },
    // Required: the column exists (the reader checked the header), and so does the value.
    effective_at: { ...effectiveAt, checked: `(${v('effective_at')} IS NOT NULL AND ${effectiveAt.checked ?? 'false'})` },
    requested_at: momentColumn(x('requested_at')),
    plan_id: textColumn(x('plan_id')),
    amount: {
      checked: amount.checked,
      values: [`CASE WHEN ${v('amount')} IS NOT NULL THEN ${amount.values[0]} WHEN ${v('unit_amount')} IS NOT NULL THEN ${derived}::BIGINT END`],
    },
    unit_amount: { checked: unitAmount.checked, values: [`CASE WHEN ${v('unit_amount')} IS NOT NULL THEN ${unitAmount.values[0]} END`] },
    quantity,
    discount,
    discount_duration: enumColumn(x('discount_duration'), ['once', 'repeating', 'forever']),
    currency: { checked: null, values: ['currency.code'] },
    interval_unit: intervalUnit,
    interval_count: {
      checked: optional(intervalCount, (x) => `(regexp_matches(${x}, '^\\d{1,15}$') AND try_cast(${x} AS BIGINT) >= 1)`),
      values: [`CASE WHEN ${v('interval_unit')} IS NOT NULL THEN coalesce(try_cast(${v('interval_count')} AS BIGINT), 1) END`],
    },
    paid_through: momentColumn(x('paid_through')),
  };
  const rowChecks = [
    // A currency the row can be priced in, or none for a row without prices that sets no price.
    `(currency.code IS NOT NULL OR (${v('currency')} IS NULL AND NOT (${priced}) AND ${prices.map((price) => `${price} IS NULL`).join(' AND ')}))`,
    // Start and change events give an amount, or a unit amount to derive it from.
    `(NOT (${priced}) OR ${v('amount')} IS NOT NULL OR ${v('unit_amount')} IS NOT NULL)`,
    `(${v('amount')} IS NOT NULL OR ${v('unit_amount')} IS NULL OR abs(${derived}) <= ${MAX_SAFE})`,
    `(${v('interval_unit')} IS NOT NULL OR ${v('interval_count')} IS NULL)`,
  ];
  const c = columns;
  // In the order of SUBSCRIPTION_EVENTS.columns (store-tables.ts).
  const values = [
    c.event_id, c.customer_id, c.subscription_id, c.type, c.effective_at, c.requested_at, c.plan_id, c.amount, c.unit_amount, c.quantity,
    c.discount, c.discount_duration, c.currency, c.interval_unit, c.interval_count, c.paid_through,
  ].flatMap((column: ColumnSql) => column.values);
  return {
    values,
    checks: [...Object.values(columns).map((column) => column.checked), ...rowChecks],
    from: `csv_raw raw LEFT JOIN csv_currencies currency ON currency.code = ${v('currency')}`,
  };
}

/** JSON text SQL may write into a string as it stands: nothing JSON.stringify would escape. */
const JSON_PLAIN = String.raw`[\x00-\x1f"\\]`;

/**
 * The attributes' JSON as JSON.stringify writes the record's object: each key (already JSON text)
 * with its value, in the given order, values that are empty left out. A value JSON would escape,
 * or that may be blank, is doubtful.
 */
function attributesColumn(attributes: ReadonlyArray<readonly [string, string]>): ColumnSql {
  if (attributes.length === 0) return { checked: null, values: [`'{}'`] };
  const pairs = attributes.map(([key, x]) => `${sqlString(`${key}:"`)} || ${x} || '"'`);
  return {
    checked: attributes.map(([, x]) => `(${x} IS NULL OR (regexp_matches(${x}, '[!-~]') AND NOT regexp_matches(${x}, '${JSON_PLAIN}')))`).join(' AND '),
    // concat_ws leaves out NULLs: the pairs of empty fields.
    values: [`'{' || concat_ws(',', ${pairs.join(', ')}) || '}'`],
  };
}

function customerSql({ x }: Fields, attributes: ReadonlyArray<readonly [string, string]>): KindSql {
  const country = x('country');
  const columns = {
    customer_id: idColumn(x('customer_id'), true),
    name: textColumn(x('name')),
    email: textColumn(x('email')),
    company: textColumn(x('company')),
    // Two letters exactly (the schema also trims, and takes any case): stored upper-case.
    country: { checked: optional(country, (x) => `regexp_matches(${x}, '^[A-Za-z]{2}$')`), values: [country === null ? NO_TEXT : `upper(${country})`] },
    created_at: momentColumn(x('created_at')),
    attributes: attributesColumn(attributes),
  };
  // In the order of CUSTOMERS.columns (store-tables.ts).
  const c = columns;
  return {
    values: [c.customer_id, c.name, c.email, c.company, c.country, c.created_at, c.attributes].flatMap((column: ColumnSql) => column.values),
    checks: Object.values(columns).map((column) => column.checked),
    from: 'csv_raw raw',
  };
}

/** Each kind's stored table and the column whose values must not repeat within the file. */
const KINDS: Record<CsvStagingRequest['kind'], { readonly table: TableDef<unknown>; readonly id: string }> = {
  invoice_lines: { table: INVOICE_LINES as TableDef<unknown>, id: 'line_id' },
  customers: { table: CUSTOMERS as TableDef<unknown>, id: 'customer_id' },
  subscription_events: { table: SUBSCRIPTION_EVENTS as TableDef<unknown>, id: 'event_id' },
};

/** The stored table a file of this kind stages into. */
export function csvStagingTable(kind: CsvStagingRequest['kind']): TableDef<unknown> {
  return KINDS[kind].table;
}

/**
 * The statements for one file: `raw` holds its fields as text, in file order (its rowids count
 * from `firstRowid`: from 0 once committed, from a large offset within a transaction), and
 * `checked` tells whether a row is staged here.
 */
function fileSql(request: CsvStagingRequest, firstRowid: bigint): { select: string; checked: string; from: string; line: string } {
  const line = `raw.rowid - ${firstRowid} + 2`;
  const at = new Map(request.columns);
  const field = (index: number) => `raw.c${index}`;
  const x = (name: string): string | null => {
    const index = at.get(name) ?? -1;
    return index < 0 ? null : field(index);
  };
  const fields: Fields = { x, v: (name) => x(name) ?? 'NULL' };
  const sql =
    request.kind === 'invoice_lines'
      ? invoiceLineSql(fields)
      : request.kind === 'subscription_events'
        ? subscriptionEventSql(fields)
        : customerSql(fields, request.attributes.map(([key, index]) => [key, field(index)] as const));
  const { table } = KINDS[request.kind];
  const select = [...sql.values, sqlString(request.file), line];
  assert(select.length === table.columns.length, `the staged columns follow ${table.name}`);
  const named = select.map((value, index) => `${value} AS "${table.columns[index]!.name}"`);
  const checks = sql.checks.filter((check) => check !== null);
  return { select: named.join(',\n  '), checked: checks.length === 0 ? 'true' : `coalesce(${checks.join(' AND ')}, false)`, line, from: sql.from };
}

export interface StagedCsvFile extends CsvStagingOutcome {
  /**
   * Whether the staging table now holds this file's rows alone, whose keys the check pass found
   * distinct: the merge then need not count them again (0.56 s at L).
   */
  readonly stagingKeysDistinct: boolean;
}

/**
 * Stages the file's checked rows into the temporary table `staging` (see the top of this file).
 * `commitStaging` commits the transaction's temporary tables when that is safe (the store's
 * commitStaging), so that the passes below read them on every thread.
 */
export async function stageCsvFile(
  connection: DuckDBConnection,
  request: CsvStagingRequest,
  staging: string,
  commitStaging: () => Promise<void>,
): Promise<StagedCsvFile | null> {
  // read_csv takes a pattern: a path with glob characters could name other files.
  if (/[*?[\]{}]/.test(request.path)) return null;
  const columns = Array.from({ length: request.width }, (_, index) => `'c${index}': 'VARCHAR'`).join(', ');
  // A row DuckDB cannot read is skipped (an error would abort the whole import's transaction);
  // the count then falls short of the file's lines, and the reader reads the file itself.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE csv_raw AS SELECT * FROM read_csv(${sqlString(request.path)}, header = false, skip = 1, auto_detect = false,
       columns = {${columns}}, delim = ',', ${request.quoted ? `quote = '"', escape = '"'` : `quote = '', escape = ''`}, new_line = '\\n', null_padding = false, ignore_errors = true, parallel = true)`,
  );
  try {
    await commitStaging();
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE csv_currencies AS SELECT * FROM (VALUES ${billingCurrencies()
        .map(([code, exponent]) => `(${sqlString(code)}, ${exponent}, ${10 ** exponent})`)
        .join(', ')}) AS t(code, exponent, scale)`,
    );
    const range = (await connection.runAndReadAll(`SELECT count(*), min(rowid), max(rowid) FROM csv_raw`)).getRows()[0]!;
    const rows = Number(range[0]);
    // Fewer rows than lines: DuckDB skipped some (see above).
    if (rows !== request.rows) return null;
    const firstRowid = range[1] as bigint;
    assert((range[2] as bigint) - firstRowid + 1n === BigInt(rows), 'a new table numbers its rows without gaps');
    const sql = fileSql(request, firstRowid);
    const { id } = KINDS[request.kind];
    // Checked and converted in one pass (conversions of unchecked values are null, never errors):
    // the checks are most of the time.
    await connection.run(`CREATE OR REPLACE TEMP TABLE csv_rows AS SELECT\n  ${sql.select},\n  ${sql.checked} AS checked\nFROM ${sql.from}`);
    await commitStaging();
    const reader = await connection.runAndReadAll(`SELECT count(${id}) - count(DISTINCT ${id}), count(*) FILTER (WHERE NOT checked) FROM csv_rows`);
    const [repeated, doubtful] = reader.getRows()[0]!.map(Number) as [number, number];
    if (repeated > 0 || (doubtful > MAX_DOUBTFUL && doubtful * 10 > rows)) return null;
    const doubtfulRows =
      doubtful === 0
        ? []
        : (
            await connection.runAndReadAll(
              `SELECT ${sql.line}, ${Array.from({ length: request.width }, (_, index) => `coalesce(raw.c${index}, '')`).join(', ')}
               FROM csv_raw raw WHERE ${sql.line} IN (SELECT source_line FROM csv_rows WHERE NOT checked) ORDER BY raw.rowid`,
            )
          ).getRows();
    // The text is no longer needed: free it before staging (at a million customers it spills).
    await connection.run(`DROP TABLE temp.csv_raw`);
    const currencies =
      request.kind === 'customers'
        ? []
        : (await connection.runAndReadAll(`SELECT DISTINCT currency FROM csv_rows WHERE checked AND currency IS NOT NULL ORDER BY currency`)).getRows().map(([currency]) => String(currency));
    const [nothingStaged] = (await connection.runAndReadAll(`SELECT NOT EXISTS (SELECT 1 FROM temp.${staging})`)).getRows()[0]!;
    const becomesStaging = nothingStaged === true;
    if (becomesStaging) {
      // The checked rows become the staging table, in file order, without a copy.
      if (doubtful > 0) {
        await connection.run(`DELETE FROM temp.csv_rows WHERE NOT checked`);
        // DuckDB cannot commit a delete from a committed table and an alteration of it in one
        // transaction ("another transaction has altered this table").
        await commitStaging();
      }
      await connection.run(`ALTER TABLE temp.csv_rows DROP COLUMN checked`);
      await connection.run(`DROP TABLE temp.${staging}`);
      await connection.run(`ALTER TABLE temp.csv_rows RENAME TO ${staging}`);
    } else {
      await connection.run(`INSERT INTO temp.${staging} SELECT * EXCLUDE (checked) FROM csv_rows WHERE checked ORDER BY source_line`);
    }
    return {
      staged: rows - doubtful,
      currencies,
      doubtful: doubtfulRows.map(([line, ...fields]) => ({ line: Number(line), fields: fields.map(String) })),
      // No key repeats in the file (checked above), and the staging table holds its rows alone.
      stagingKeysDistinct: becomesStaging,
    };
  } finally {
    await connection.run(`DROP TABLE IF EXISTS temp.csv_raw`);
    await connection.run(`DROP TABLE IF EXISTS temp.csv_rows`);
  }
}
