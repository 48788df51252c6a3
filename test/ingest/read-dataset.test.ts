import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Rejects compared on their location and message; `raw` (the row as read) is tested on its own. */
const withoutRaw = (rejects: ReadonlyArray<{ raw?: string }>) => rejects.map(({ raw: _raw, ...rest }) => rest);
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import type { Dataset } from '../../src/engine/model.js';
import { ratio } from '../../src/engine/money/ratio.js';
import { DatasetError, datasetFileKind, readDataset, readDatasetFile } from '../../src/ingest/read-dataset.js';

const root = await mkdtemp(join(tmpdir(), 'runrate-ingest-'));
let folders = 0;

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(files: Record<string, string>): Promise<string> {
  const dir = join(root, `dataset-${++folders}`);
  await mkdir(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

function csv(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function ndjson(...rows: object[]): string {
  return `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
}

const LINE_HEADER = 'line_id,invoice_id,customer_id,subscription_id,type,service_start,service_end,amount,currency';

function lineCsv(...rows: string[]): string {
  return csv(LINE_HEADER, ...rows);
}

/** A valid subscription line with `amount` and `currency` (the parts most tests vary). */
function line(id: string, amount: string, currency = 'USD'): string {
  return `${id},inv-${id},c1,s1,subscription,2024-01-01,2024-02-01,${amount},${currency}`;
}

function withoutSources(dataset: Dataset): unknown {
  const strip = <T extends { source: unknown }>(records: readonly T[]) => records.map(({ source: _source, ...rest }) => rest);
  return {
    customers: strip(dataset.customers),
    plans: strip(dataset.plans),
    invoiceLines: strip(dataset.invoiceLines),
    subscriptionEvents: strip(dataset.subscriptionEvents),
    fxRates: strip(dataset.fxRates),
  };
}

describe('readDataset: folder level', () => {
  it('reads every kind, the config, and lists the files in reading order', async () => {
    const dir = await folder({
      'customers.csv': csv('customer_id,name', 'c1,Acme'),
      'plans.csv': csv('plan_id,interval_unit', 'p1,month'),
      'invoice_lines.csv': lineCsv(line('l1', '10')),
      'invoice_lines.ndjson': ndjson({ line_id: 'l2', invoice_id: 'i2', customer_id: 'c1', type: 'one_time', amount: '5', currency: 'usd' }),
      'subscription_events.csv': csv('event_id,customer_id,subscription_id,type,effective_at,amount,currency', 'e1,c2,s9,start,2024-01-01,9,EUR'),
      'fx_rates.csv': csv('date,base,quote,rate', '2024-01-01,EUR,USD,1.1'),
      'runrate.config.json': '{"currency":"USD","renewalGraceDays":3}',
    });
    const result = await readDataset(dir);
    expect(result.files).toEqual(['customers.csv', 'plans.csv', 'invoice_lines.csv', 'invoice_lines.ndjson', 'subscription_events.csv', 'fx_rates.csv']);
    expect(result.config).toEqual({ currency: 'USD', renewalGraceDays: 3 });
    expect(withoutRaw(result.rejects)).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.dataset.invoiceLines.map((record) => [record.lineId, record.source])).toEqual([
      ['l1', { file: 'invoice_lines.csv', line: 2 }],
      ['l2', { file: 'invoice_lines.ndjson', line: 1 }],
    ]);
    expect(result.dataset.plans[0]?.interval).toEqual({ unit: 'month', count: 1 });
    expect(result.dataset.fxRates[0]?.rate).toEqual(ratio(11n, 10n));
  });

  it('has a null config when the folder has none', async () => {
    const dir = await folder({ 'invoice_lines.csv': lineCsv(line('l1', '10')) });
    expect((await readDataset(dir)).config).toBeNull();
  });

  it('refuses a folder with neither invoice_lines nor subscription_events, naming it', async () => {
    const dir = await folder({ 'customers.csv': csv('customer_id', 'c1') });
    await expect(readDataset(dir)).rejects.toThrow(DatasetError);
    await expect(readDataset(dir)).rejects.toThrow(dir);
  });

  it('refuses a folder that does not exist', async () => {
    await expect(readDataset(join(root, 'nowhere'))).rejects.toThrow(/nowhere: cannot read the dataset folder \(no such folder\)/);
  });

  it('refuses a config file that is not JSON', async () => {
    const dir = await folder({ 'invoice_lines.csv': lineCsv(line('l1', '10')), 'runrate.config.json': '{currency:' });
    await expect(readDataset(dir)).rejects.toThrow(/runrate\.config\.json: not valid JSON/);
  });

  it('warns about files whose names it does not recognise', async () => {
    const dir = await folder({ 'invoice_lines.csv': lineCsv(line('l1', '10')), 'invoices.csv': 'x\n1\n' });
    const result = await readDataset(dir);
    expect(result.warnings).toEqual([expect.stringMatching(/^invoices\.csv: not a dataset file/)]);
    expect(result.files).toEqual(['invoice_lines.csv']);
  });
});

describe('CSV and NDJSON', () => {
  const customers = [
    { customer_id: 'c1', name: 'Acme, Inc.', email: 'ops@acme.test', company: 'Acme', country: 'de', created_at: '2023-12-01', 'attr.industry': 'SaaS' },
    { customer_id: 'c2', name: '', email: '', company: '', country: '', created_at: '2023-12-02T08:00:00Z', 'attr.industry': '' },
  ];
  const plans = [
    { plan_id: 'p1', name: 'Pro', interval_unit: 'month', interval_count: '', product: 'core' },
    { plan_id: 'p2', name: 'Pro annual', interval_unit: 'YEAR', interval_count: '2', product: '' },
  ];
  const lines = [
    {
      line_id: 'l1', invoice_id: 'i1', customer_id: 'c1', subscription_id: 's1', plan_id: 'p1', type: '', service_start: '2024-01-01',
      service_end: '2024-02-01', amount: '1200.00', currency: 'usd', quantity: '3', discount: '10', discount_duration: 'forever', tax: '0.19',
      prorated: '0', cancelled_at: '', cancel_requested_at: '', issued_at: '1704067200', event_order: '2',
    },
    {
      line_id: 'l2', invoice_id: 'i1', customer_id: 'c1', subscription_id: 's1', plan_id: '', type: 'credit_note', service_start: '',
      service_end: '', amount: '-50', currency: 'JPY', quantity: '', discount: '', discount_duration: '', tax: '', prorated: 'TRUE',
      cancelled_at: '2024-01-20T10:00:00+01:00', cancel_requested_at: '2024-01-19', issued_at: '', event_order: '',
    },
  ];
  const events = [
    {
      event_id: 'e1', customer_id: 'c2', subscription_id: 's2', type: 'start', effective_at: '2024-03-01', requested_at: '', plan_id: 'p2',
      amount: '', unit_amount: '10.5', quantity: '4', discount: '2', discount_duration: 'once', currency: 'KWD', interval_unit: 'week',
      interval_count: '', paid_through: '',
    },
    {
      event_id: 'e2', customer_id: 'c2', subscription_id: 's2', type: 'cancel', effective_at: '2024-04-01T00:00:00Z', requested_at: '2024-03-15',
      plan_id: '', amount: '', unit_amount: '', quantity: '', discount: '', discount_duration: '', currency: '', interval_unit: '',
      interval_count: '', paid_through: '2024-04-08',
    },
  ];
  const rates = [{ date: '2024-01-01', base: 'EUR', quote: 'USD', rate: '1.0950' }];

  function toCsv(rows: Record<string, string>[]): string {
    const columns = Object.keys(rows[0] ?? {});
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return csv(columns.join(','), ...rows.map((row) => columns.map((column) => quote(row[column] ?? '')).join(',')));
  }

  it('give the same dataset from the same rows, apart from where they come from', async () => {
    const fromCsv = await readDataset(
      await folder({
        'customers.csv': toCsv(customers),
        'plans.csv': toCsv(plans),
        'invoice_lines.csv': toCsv(lines),
        'subscription_events.csv': toCsv(events),
        'fx_rates.csv': toCsv(rates),
      }),
    );
    const fromNdjson = await readDataset(
      await folder({
        'customers.ndjson': ndjson(...customers),
        'plans.ndjson': ndjson(...plans),
        'invoice_lines.ndjson': ndjson(...lines),
        'subscription_events.ndjson': ndjson(...events),
        'fx_rates.ndjson': ndjson(...rates),
      }),
    );
    expect(withoutRaw(fromCsv.rejects)).toEqual([]);
    expect(withoutRaw(fromNdjson.rejects)).toEqual([]);
    expect(withoutSources(fromNdjson.dataset)).toEqual(withoutSources(fromCsv.dataset));
    // The CSV header is line 1, so every CSV row sits one line lower.
    expect(fromCsv.dataset.subscriptionEvents.map((event) => event.source)).toEqual([
      { file: 'subscription_events.csv', line: 2 },
      { file: 'subscription_events.csv', line: 3 },
    ]);
    expect(fromNdjson.dataset.subscriptionEvents.map((event) => event.source)).toEqual([
      { file: 'subscription_events.ndjson', line: 1 },
      { file: 'subscription_events.ndjson', line: 2 },
    ]);

    // And the values are the ones written.
    const [first, second] = fromCsv.dataset.invoiceLines;
    expect(first).toMatchObject({
      type: 'subscription',
      serviceStart: { kind: 'date', date: isoDate('2024-01-01') },
      amount: 120000,
      currency: 'USD',
      quantity: 3,
      discount: 1000,
      discountDuration: 'forever',
      tax: 19,
      prorated: false,
      issuedAt: { kind: 'instant', instant: 1704067200000 },
      eventOrder: 2,
    });
    expect(second).toMatchObject({
      type: 'credit_note',
      subscriptionId: 's1',
      planId: null,
      serviceStart: null,
      amount: -50,
      currency: 'JPY',
      quantity: 1,
      discount: 0,
      tax: 0,
      prorated: true,
      cancelledAt: { kind: 'instant', instant: Date.UTC(2024, 0, 20, 9) },
      cancelRequestedAt: { kind: 'date', date: isoDate('2024-01-19') },
      eventOrder: null,
    });
    expect(fromCsv.dataset.customers[0]).toMatchObject({ name: 'Acme, Inc.', country: 'DE', attributes: { industry: 'SaaS' } });
    expect(fromCsv.dataset.customers[1]).toMatchObject({ name: null, country: null, attributes: {}, createdAt: { kind: 'instant', instant: Date.UTC(2023, 11, 2, 8) } });
    expect(fromCsv.dataset.plans[1]?.interval).toEqual({ unit: 'year', count: 2 });
    expect(fromCsv.dataset.subscriptionEvents[0]).toMatchObject({ amount: 40000, unitAmount: 10500, quantity: 4, discount: 2000, currency: 'KWD', interval: { unit: 'week', count: 1 } });
    expect(fromCsv.dataset.subscriptionEvents[1]).toMatchObject({ amount: null, currency: null, interval: null, paidThrough: { kind: 'date', date: isoDate('2024-04-08') } });
  });

  it('read NDJSON numbers and booleans from their source text, never through a float', async () => {
    const dir = await folder({
      'invoice_lines.ndjson': [
        '{"line_id":"l1","invoice_id":"i","customer_id":"c","subscription_id":"s","service_start":"2024-01-01","service_end":"2024-02-01","amount":19.99,"currency":"USD","quantity":2,"prorated":true,"event_order":-1}',
        '{"line_id":"l2","invoice_id":"i","customer_id":"c","type":"one_time","amount":90071992547409.91,"currency":"USD"}',
        '{"line_id":"l3","invoice_id":"i","customer_id":"c","type":"one_time","amount":0.30000000000000004,"currency":"USD"}',
        '{"line_id":"l4","invoice_id":"i","customer_id":"c","type":"one_time","amount":1e3,"currency":"USD"}',
        '{"line_id":"l5","invoice_id":"i","customer_id":"c","type":"one_time","amount":"7.1","currency":"USD","tax":{"rate":"0.2"}}',
        '{"line_id":6,"invoice_id":7,"customer_id":"c","type":"one_time","amount":-0.5,"currency":"USD","prorated":null}',
      ].join('\n'),
    });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines.map((record) => [record.lineId, record.invoiceId, record.amount, record.quantity, record.prorated, record.eventOrder])).toEqual([
      ['l1', 'i', 1999, 2, true, -1],
      ['l2', 'i', 9007199254740991, 1, false, null],
      ['6', '7', -50, 1, false, null],
    ]);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'invoice_lines.ndjson', line: 3, column: 'amount', message: '"0.30000000000000004" has more decimals than USD allows (at most 2 decimals)' },
      { file: 'invoice_lines.ndjson', line: 4, column: 'amount', message: '"1e3" is in exponent notation: write the decimal digits' },
      { file: 'invoice_lines.ndjson', line: 5, column: 'tax', message: 'expected a single value, not an object' },
    ]);
  });

  it('report lines that are not JSON objects, and skip blank lines without losing count', async () => {
    const dir = await folder({
      'subscription_events.ndjson': '\uFEFF{"event_id":"e1","customer_id":"c","subscription_id":"s","type":"pause","effective_at":"2024-01-01"}\r\n\r\n{"event_id":\n[1,2]\n{"event_id":"e2","customer_id":"c","subscription_id":"s","type":"resume","effective_at":"2024-02-01"}',
    });
    const result = await readDataset(dir);
    expect(result.dataset.subscriptionEvents.map((event) => [event.eventId, event.source.line])).toEqual([
      ['e1', 1],
      ['e2', 5],
    ]);
    expect(result.rejects.map((reject) => [reject.line, reject.column])).toEqual([
      [3, ''],
      [4, ''],
    ]);
    expect(result.rejects[0]?.message).toMatch(/^not valid JSON/);
    expect(result.rejects[1]?.message).toBe('expected a JSON object, found a list');
  });
});

describe('CSV syntax', () => {
  it('keeps line numbers right across quoted fields holding commas, quotes and line breaks', async () => {
    const dir = await folder({
      'customers.csv': csv(
        'customer_id,name,note',
        'c1,"Acme, Inc.","two\nlines"',
        'c2,"Say ""hi""","three\n\nlines"',
        'c3,Plain,x',
        'c4,Bad,x,extra',
        'c5,"Broken',
      ),
    });
    const result = await readDataset(await withLines(dir));
    expect(result.dataset.customers.map((customer) => [customer.customerId, customer.name, customer.attributes, customer.source.line])).toEqual([
      ['c1', 'Acme, Inc.', { note: 'two\nlines' }, 2],
      ['c2', 'Say "hi"', { note: 'three\n\nlines' }, 4],
      ['c3', 'Plain', { note: 'x' }, 7],
    ]);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'customers.csv', line: 8, column: '', message: 'the row has 4 fields but the header has 3 columns' },
      { file: 'customers.csv', line: 9, column: 'name', message: 'malformed CSV: Quoted field unterminated (MissingQuotes)' },
    ]);
  });

  it('reads CRLF files, a byte-order mark and quoted headers, and ignores blank lines', async () => {
    const dir = await folder({
      'invoice_lines.csv': `\uFEFF"line_id",invoice_id,customer_id,type,amount,currency\r\nl1,i1,c1,one_time,"1,5",USD\r\n\r\nl2,i1,c1,one_time,"2\r\n",USD\r\nl3,i1,c1,one_time,3,USD`,
    });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines.map((record) => [record.lineId, record.amount, record.source.line])).toEqual([
      ['l2', 200, 4],
      ['l3', 300, 6],
    ]);
    expect(withoutRaw(result.rejects)).toEqual([{ file: 'invoice_lines.csv', line: 2, column: 'amount', message: '"1,5" is not a decimal number' }]);
  });

  it('reads files whose lines end with a bare carriage return', async () => {
    const dir = await folder({ 'invoice_lines.csv': 'line_id,invoice_id,customer_id,type,amount,currency\rl1,i1,c1,one_time,"1\r2",USD\rl2,i1,c1,one_time,2,USD\r' });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([{ file: 'invoice_lines.csv', line: 2, column: 'amount', message: '"1\r2" is not a decimal number' }]);
    expect(result.dataset.invoiceLines.map((record) => [record.lineId, record.source.line])).toEqual([['l2', 4]]);
  });

  it('reads NDJSON files larger than one chunk', async () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => ({ line_id: `line-with-a-long-id-${index}`, invoice_id: 'i', customer_id: 'c', type: 'one_time', amount: index / 100, currency: 'USD', note: 'x'.repeat(40) }));
    const dir = await folder({ 'invoice_lines.ndjson': `${ndjson(...rows)}{"line_id":"bad"` });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines).toHaveLength(20_000);
    expect(result.dataset.invoiceLines[12_345]).toMatchObject({ lineId: 'line-with-a-long-id-12345', amount: 12345, source: { line: 12_346 } });
    expect(result.rejects.map((reject) => [reject.line, reject.column])).toEqual([[20_001, '']]);
  });

  it('reads files larger than one chunk with rows split across chunk boundaries', async () => {
    const rows = Array.from({ length: 40_000 }, (_, index) => `l${index},i,c,one_time,"${index}.5\n",USD`);
    const dir = await folder({ 'invoice_lines.csv': csv('line_id,invoice_id,customer_id,type,amount,currency', ...rows, 'bad,i,c,one_time,1.234,USD') });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines).toHaveLength(40_000);
    expect(result.dataset.invoiceLines[39_999]).toMatchObject({ lineId: 'l39999', amount: 3999950, source: { line: 2 + 2 * 39_999 } });
    expect(withoutRaw(result.rejects)).toEqual([{ file: 'invoice_lines.csv', line: 80_002, column: 'amount', message: '"1.234" has more decimals than USD allows (at most 2 decimals)' }]);
  });
});

describe('segments: a large CSV file handed over in parts as it is read', () => {
  /** Rows of about 100 bytes, so that 60,000 of them span several chunks of the reader. */
  const bigLines = (count: number, prorated: boolean) =>
    Array.from({ length: count }, (_, index) => `l${index},inv-${index},c${index % 997},s${index % 3001},subscription,2024-01-01,2024-02-01,${index % 500}.25,USD${prorated ? `,${index % 7 === 0 ? 'true' : ''}` : ''}`);

  it('gives the same records, in order, as reading the file whole; rejects and counts too', async () => {
    const rows = [...bigLines(60_000, true), 'bad,i,c,s,subscription,2024-01-01,2024-02-01,1.234,USD,', 'l7,i,c,s,subscription,2024-01-01,2024-02-01,1,USD,'];
    const dir = await folder({ 'invoice_lines.csv': csv(`${LINE_HEADER},prorated`, ...rows), 'plans.csv': csv('plan_id,name,interval_unit,interval_count', 'p1,P,month,1') });
    const whole = await readDataset(dir);
    const parts: Array<{ kind: string; records: readonly unknown[] }> = [];
    const streamed = await readDataset(dir, { segments: { rows: 5_000, sink: async (kind, records) => void parts.push({ kind, records }) } });
    const lineParts = parts.filter((part) => part.kind === 'invoice_lines');
    expect(lineParts.length).toBeGreaterThan(2);
    expect(lineParts.slice(0, -1).every((part) => part.records.length >= 5_000)).toBe(true);
    expect(lineParts.flatMap((part) => part.records)).toEqual(whole.dataset.invoiceLines);
    expect(parts.filter((part) => part.kind === 'plans').flatMap((part) => part.records)).toEqual(whole.dataset.plans);
    // An empty `prorated` in a file with the column is a plain "no" in every segment.
    expect(whole.dataset.invoiceLines.filter((record) => record.prorated === null)).toEqual([]);
    expect(streamed.dataset.invoiceLines).toEqual([]);
    expect(streamed.rejects).toEqual(whole.rejects);
    expect(streamed.rejects.map((reject) => [reject.line, reject.column])).toEqual([[60_002, 'amount'], [60_003, 'line_id']]);
    expect(streamed.rowsRead).toBe(whole.rowsRead);
    expect(streamed.rowsRead).toBe(1 + 60_002);
  });

  it('leaves `prorated` unknown (null) in every segment of a file without the column', async () => {
    const dir = await folder({ 'invoice_lines.csv': csv(LINE_HEADER, ...bigLines(30_000, false)) });
    const parts: unknown[][] = [];
    await readDataset(dir, { segments: { rows: 1_000, sink: async (_kind, records) => void parts.push([...records]) } });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flat().every((record) => (record as { prorated: unknown }).prorated === null)).toBe(true);
  });

  it('returns NDJSON files whole: their columns are known only at the end', async () => {
    const dir = await folder({ 'invoice_lines.ndjson': ndjson({ line_id: 'l1', invoice_id: 'i', customer_id: 'c', type: 'one_time', amount: '1', currency: 'USD' }) });
    const parts: unknown[] = [];
    const result = await readDataset(dir, { segments: { rows: 1, sink: async (_kind, records) => void parts.push(records) } });
    expect(parts).toEqual([]);
    expect(result.dataset.invoiceLines).toHaveLength(1);
  });

  it('names files with the prefix in records, rejects and warnings', async () => {
    const dir = await folder({ 'invoice_lines.csv': csv(`${LINE_HEADER},colour`, `${line('l1', '10')},red`, `${line('l2', 'x')},blue`) });
    const result = await readDataset(dir, { prefix: 'exports/may' });
    expect(result.dataset.invoiceLines[0]!.source.file).toBe(join('exports/may', 'invoice_lines.csv'));
    expect(result.rejects.map((reject) => reject.file)).toEqual([join('exports/may', 'invoice_lines.csv')]);
    expect(result.warnings).toEqual([`${join('exports/may', 'invoice_lines.csv')}: unknown column "colour" ignored`]);
    expect(result.files).toEqual([join('exports/may', 'invoice_lines.csv')]);
  });
});

/** Adds the invoice lines a dataset needs to a folder that only has customers. */
async function withLines(dir: string): Promise<string> {
  await writeFile(join(dir, 'invoice_lines.csv'), lineCsv(line('l1', '10')));
  return dir;
}

describe('amounts', () => {
  it('use the exponent of the row currency: JPY 0, USD 2, KWD 3', async () => {
    const dir = await folder({ 'invoice_lines.csv': lineCsv(line('l1', '1200', 'jpy'), line('l2', '12.5', 'USD'), line('l3', '1.234', 'Kwd'), line('l4', '-0.05', 'USD'), line('l5', '-50', 'KWD')) });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([]);
    expect(result.dataset.invoiceLines.map((record) => [record.amount, record.currency])).toEqual([
      [1200, 'JPY'],
      [1250, 'USD'],
      [1234, 'KWD'],
      [-5, 'USD'],
      [-50000, 'KWD'],
    ]);
  });

  it('reject more decimals than the currency allows, with file, line and column', async () => {
    const dir = await folder({
      'invoice_lines.csv': csv(
        `${LINE_HEADER},discount,tax`,
        `${line('l1', '10.001')},,`,
        `${line('l2', '100.5', 'JPY')},,`,
        `${line('l3', '10.10')},0.001,`,
        `${line('l4', '1.2345', 'KWD')},,`,
        `${line('l5', '10.000')},,1.5`,
        `${line('l6', '10')},,x`,
        `${line('l7', '10', 'XYZ')},,`,
      ),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'invoice_lines.csv', line: 2, column: 'amount', message: '"10.001" has more decimals than USD allows (at most 2 decimals)' },
      { file: 'invoice_lines.csv', line: 3, column: 'amount', message: '"100.5" has more decimals than JPY allows (no decimals)' },
      { file: 'invoice_lines.csv', line: 4, column: 'discount', message: '"0.001" has more decimals than USD allows (at most 2 decimals)' },
      { file: 'invoice_lines.csv', line: 5, column: 'amount', message: '"1.2345" has more decimals than KWD allows (at most 3 decimals)' },
      { file: 'invoice_lines.csv', line: 7, column: 'tax', message: '"x" is not a decimal number' },
      { file: 'invoice_lines.csv', line: 8, column: 'currency', message: '"XYZ" is not an ISO 4217 currency code' },
    ]);
    // Trailing zeros are not extra precision.
    expect(result.dataset.invoiceLines.map((record) => [record.lineId, record.amount, record.tax])).toEqual([['l5', 1000, 150]]);
  });
});

describe('dates and timestamps', () => {
  const header = 'line_id,invoice_id,customer_id,subscription_id,service_start,service_end,amount,currency,issued_at';

  it('accept dates, timestamps with an offset and Unix seconds', async () => {
    const dir = await folder({
      'invoice_lines.csv': csv(
        header,
        'l1,i,c,s,2024-01-31,2024-02-29,1,USD,2024-01-15T23:30:00-05:00',
        'l2,i,c,s,1704067200,1706745600,1,USD,2024-01-15 10:00Z',
        'l3,i,c,s,2024-01-01T00:00:00+05:30,2024-02-01,1,USD,',
      ),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([]);
    const [l1, l2, l3] = result.dataset.invoiceLines;
    expect(l1?.serviceEnd).toEqual({ kind: 'date', date: isoDate('2024-02-29') });
    expect(l1?.issuedAt).toEqual({ kind: 'instant', instant: Date.UTC(2024, 0, 16, 4, 30) });
    expect(l2?.serviceStart).toEqual({ kind: 'instant', instant: Date.UTC(2024, 0, 1) });
    expect(l2?.issuedAt).toEqual({ kind: 'instant', instant: Date.UTC(2024, 0, 15, 10) });
    expect(l3?.serviceStart).toEqual({ kind: 'instant', instant: Date.UTC(2023, 11, 31, 18, 30) });
  });

  it('reject impossible dates, timestamps without an offset and periods that end before they start', async () => {
    const dir = await folder({
      'invoice_lines.csv': csv(
        header,
        'l1,i,c,s,2023-02-29,2023-03-29,1,USD,',
        'l2,i,c,s,2024-01-01,2024-02-01,1,USD,2024-01-15T10:00:00',
        'l3,i,c,s,2024-01-01,2024-01-01,1,USD,',
        'l4,i,c,s,2024-01-01T10:00:00Z,2024-01-01T09:00:00Z,1,USD,',
        'l5,i,c,s,01/02/2024,2024-02-01,1,USD,',
        'l6,i,c,s,2024-01-01T10:00:00Z,2024-01-01,1,USD,',
      ),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'invoice_lines.csv', line: 2, column: 'service_start', message: '"2023-02-29" is not a valid calendar date' },
      { file: 'invoice_lines.csv', line: 3, column: 'issued_at', message: '"2024-01-15T10:00:00" has no offset: add Z or +hh:mm, since a local time names no instant' },
      { file: 'invoice_lines.csv', line: 4, column: 'service_end', message: 'must be after service_start (the service period is [service_start, service_end))' },
      { file: 'invoice_lines.csv', line: 5, column: 'service_end', message: 'must be after service_start (the service period is [service_start, service_end))' },
      {
        file: 'invoice_lines.csv',
        line: 6,
        column: 'service_start',
        message: '"01/02/2024" is neither a date (YYYY-MM-DD) nor a timestamp (ISO 8601 with an offset, or Unix seconds)',
      },
    ]);
    // A date against a timestamp depends on the time zone: the engine decides.
    expect(result.dataset.invoiceLines.map((record) => record.lineId)).toEqual(['l6']);
  });

  it('take only dates for fx rates', async () => {
    const dir = await folder({
      'invoice_lines.csv': lineCsv(line('l1', '1')),
      'fx_rates.csv': csv('date,base,quote,rate', '2024-01-01T00:00:00Z,EUR,USD,1.1', '2024-01-02,eur,usd,0', '2024-01-03,EUR,EUR,2', '2024-01-04,USD,USD,1.000'),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'fx_rates.csv', line: 2, column: 'date', message: '"2024-01-01T00:00:00Z" is not a date (YYYY-MM-DD)' },
      { file: 'fx_rates.csv', line: 3, column: 'rate', message: '0 is not a rate: it must be greater than 0' },
      { file: 'fx_rates.csv', line: 4, column: 'rate', message: 'EUR/EUR can only have rate 1' },
    ]);
    expect(result.dataset.fxRates).toEqual([{ date: isoDate('2024-01-04'), base: 'USD', quote: 'USD', rate: ratio(1n), source: { file: 'fx_rates.csv', line: 5 } }]);
  });
});

describe('columns', () => {
  it('make a missing required column an error naming the file and the column', async () => {
    const dir = await folder({ 'invoice_lines.csv': csv('line_id,invoice_id,customer_id,currency', 'l1,i,c,USD') });
    await expect(readDataset(dir)).rejects.toThrow(DatasetError);
    await expect(readDataset(dir)).rejects.toThrow(`${join(dir, 'invoice_lines.csv')}: missing required column "amount"`);
  });

  it('make a key that no NDJSON row has a missing column too', async () => {
    const dir = await folder({ 'subscription_events.ndjson': ndjson({ event_id: 'e1', customer_id: 'c', subscription_id: 's', type: 'pause' }) });
    await expect(readDataset(dir)).rejects.toThrow(/subscription_events\.ndjson: missing required column "effective_at"/);
  });

  it('refuse a header that names a column twice', async () => {
    const dir = await folder({ 'invoice_lines.csv': csv(`${LINE_HEADER},amount`, `${line('l1', '1')},2`) });
    await expect(readDataset(dir)).rejects.toThrow(/column "amount" appears more than once/);
  });

  it('ignore unknown columns with one warning per file and column', async () => {
    const dir = await folder({
      'invoice_lines.csv': csv(`${LINE_HEADER},memo,,`, `${line('l1', '1')},a,,`, `${line('l2', '1')},b,,`),
      'invoice_lines.ndjson': ndjson({ line_id: 'l3', invoice_id: 'i', customer_id: 'c', type: 'one_time', amount: '1', currency: 'USD', memo: 'x', meta: { a: 1 } }, { line_id: 'l4', invoice_id: 'i', customer_id: 'c', type: 'one_time', amount: '1', currency: 'USD', memo: 'y' }),
      'plans.csv': csv('plan_id,interval_unit,memo', 'p1,month,x'),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([]);
    expect(result.dataset.invoiceLines).toHaveLength(4);
    expect(result.warnings).toEqual([
      'plans.csv: unknown column "memo" ignored',
      'invoice_lines.csv: unknown column "memo" ignored',
      'invoice_lines.csv: column 11 has no name; ignored',
      'invoice_lines.csv: column 12 has no name; ignored',
      'invoice_lines.ndjson: unknown column "memo" ignored',
      'invoice_lines.ndjson: unknown column "meta" ignored',
    ]);
  });

  it('keep attr.* and other unknown customer columns as attributes, attr.* winning a clash', async () => {
    const dir = await withLines(
      await folder({
        'customers.csv': csv('customer_id,attr.industry,segment,attr.team_size,attr.segment,attr.', 'c1,SaaS,smb,12,SMB,x', 'c2,, ,,,'),
        'customers.ndjson': ndjson({ customer_id: 'c3', 'attr.industry': 'Retail', plan_tier: 2, tags: ['a'] }),
      }),
    );
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([]);
    expect(result.dataset.customers.map((customer) => customer.attributes)).toEqual([
      { industry: 'SaaS', segment: 'SMB', team_size: '12' },
      {},
      { industry: 'Retail', plan_tier: '2' },
    ]);
    expect(result.warnings).toEqual([
      'customers.csv: columns "segment" and "attr.segment" both give attribute "segment"; "attr.segment" is used',
      'customers.csv: unknown column "attr." ignored',
      'customers.ndjson: column "tags" holds a JSON object or list, which cannot be an attribute; ignored',
    ]);
  });

  it('reject rows with a bad country code', async () => {
    const dir = await withLines(await folder({ 'customers.csv': csv('customer_id,country', 'c1, us ', 'c2,USA') }));
    const result = await readDataset(dir);
    expect(result.dataset.customers.map((customer) => customer.country)).toEqual(['US']);
    expect(withoutRaw(result.rejects)).toEqual([{ file: 'customers.csv', line: 3, column: 'country', message: '"USA" is not an ISO 3166-1 alpha-2 country code (such as US, DE)' }]);
  });
});

describe('prorated', () => {
  it('is null on every line when the CSV has no prorated column', async () => {
    const result = await readDataset(await folder({ 'invoice_lines.csv': lineCsv(line('l1', '1'), line('l2', '1')) }));
    expect(result.dataset.invoiceLines.map((record) => record.prorated)).toEqual([null, null]);
  });

  it('is false when empty once the CSV has the column', async () => {
    const dir = await folder({ 'invoice_lines.csv': csv(`${LINE_HEADER},prorated`, `${line('l1', '1')},`, `${line('l2', '1')},1`, `${line('l3', '1')},False`) });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines.map((record) => record.prorated)).toEqual([false, true, false]);
  });

  it('counts as a column of an NDJSON file when any row has the key', async () => {
    const row = (id: string, extra: object = {}) => ({ line_id: id, invoice_id: 'i', customer_id: 'c', type: 'one_time', amount: '1', currency: 'USD', ...extra });
    const withKey = await readDataset(await folder({ 'invoice_lines.ndjson': ndjson(row('l1'), row('l2', { prorated: true }), row('l3')) }));
    expect(withKey.dataset.invoiceLines.map((record) => record.prorated)).toEqual([false, true, false]);
    const withoutKey = await readDataset(await folder({ 'invoice_lines.ndjson': ndjson(row('l1'), row('l2')) }));
    expect(withoutKey.dataset.invoiceLines.map((record) => record.prorated)).toEqual([null, null]);
  });
});

describe('booleans', () => {
  it('accept true/false/1/0/empty in any case and reject anything else', async () => {
    const values = ['true', 'FALSE', '1', '0', '', 'True', ' 1 ', 'yes', '2'];
    const dir = await folder({ 'invoice_lines.csv': csv(`${LINE_HEADER},prorated`, ...values.map((value, index) => `${line(`l${index}`, '1')},${value}`)) });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines.map((record) => record.prorated)).toEqual([true, false, true, false, false, true, true]);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'invoice_lines.csv', line: 9, column: 'prorated', message: '"yes" is not a boolean (true, false, 1 or 0)' },
      { file: 'invoice_lines.csv', line: 10, column: 'prorated', message: '"2" is not a boolean (true, false, 1 or 0)' },
    ]);
  });
});

describe('invoice line rules', () => {
  it('require subscription_id and the service period on subscription and trial lines only', async () => {
    const dir = await folder({
      'invoice_lines.csv': lineCsv(
        'l1,i,c,,subscription,2024-01-01,2024-02-01,1,USD',
        'l2,i,c,s,,,2024-02-01,1,USD',
        'l3,i,c,s,trial,2024-01-01,,0,USD',
        'l4,i,c,,one_time,,,1,USD',
        'l5,i,c, ,credit_note,,,-1,USD',
        'l6,i,c,s,refund,,,-1,USD',
      ),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'invoice_lines.csv', line: 2, column: 'subscription_id', message: 'a value is required for subscription lines' },
      { file: 'invoice_lines.csv', line: 3, column: 'service_start', message: 'a value is required for subscription lines' },
      { file: 'invoice_lines.csv', line: 4, column: 'service_end', message: 'a value is required for trial lines' },
      { file: 'invoice_lines.csv', line: 7, column: 'type', message: '"refund" is not one of subscription, one_time, trial, credit_note' },
    ]);
    expect(result.dataset.invoiceLines.map((record) => [record.lineId, record.type, record.subscriptionId])).toEqual([
      ['l4', 'one_time', null],
      ['l5', 'credit_note', null],
    ]);
  });

  it('report only the first problem of a row, in column order', async () => {
    const dir = await folder({ 'invoice_lines.csv': lineCsv(',i,c,s,bogus,2023-02-30,2024-02-01,1.001,ABC') });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([{ file: 'invoice_lines.csv', line: 2, column: 'line_id', message: 'a value is required' }]);
  });

  it('take quantity as a whole number, default 1', async () => {
    const dir = await folder({ 'invoice_lines.csv': csv(`${LINE_HEADER},quantity`, ...['', '0', '12', '2.0', '1.5', '-1', 'two'].map((value, index) => `${line(`l${index}`, '1')},${value}`)) });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines.map((record) => record.quantity)).toEqual([1, 0, 12, 2]);
    expect(result.rejects.map((reject) => [reject.line, reject.column, reject.message])).toEqual([
      [6, 'quantity', '"1.5" is not a whole number'],
      [7, 'quantity', '-1 is below the minimum of 0'],
      [8, 'quantity', '"two" is not a whole number'],
    ]);
  });

  it('keep ids exactly as written, an all-blank id being missing', async () => {
    const dir = await folder({ 'invoice_lines.csv': lineCsv(' l1 ,i,c,s,subscription,2024-01-01,2024-02-01,1,USD', 'l1,i,c,s,subscription,2024-01-01,2024-02-01,1,USD', '  ,i,c,s,subscription,2024-01-01,2024-02-01,1,USD') });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines.map((record) => record.lineId)).toEqual([' l1 ', 'l1']);
    expect(withoutRaw(result.rejects)).toEqual([{ file: 'invoice_lines.csv', line: 4, column: 'line_id', message: 'a value is required' }]);
  });
});

describe('duplicate ids', () => {
  it('reject the later occurrence, naming the first, within a file and across CSV and NDJSON', async () => {
    const dir = await folder({
      'invoice_lines.csv': lineCsv(line('l1', '1'), line('l2', '1'), line('l1', '2')),
      'invoice_lines.ndjson': ndjson({ line_id: 'l2', invoice_id: 'i', customer_id: 'c', type: 'one_time', amount: '1', currency: 'USD' }),
      'customers.csv': csv('customer_id', 'c1', 'c1'),
      'plans.csv': csv('plan_id,interval_unit', 'p1,month', 'p1,year'),
      'subscription_events.csv': csv('event_id,customer_id,subscription_id,type,effective_at', 'e1,c,s,pause,2024-01-01', 'e1,c,s,resume,2024-01-02'),
      'fx_rates.csv': csv('date,base,quote,rate', '2024-01-01,EUR,USD,1.1', '2024-01-01,eur,usd,1.2', '2024-01-01,USD,EUR,0.9'),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'customers.csv', line: 3, column: 'customer_id', message: 'duplicate customer_id "c1" (first at customers.csv:2)' },
      { file: 'plans.csv', line: 3, column: 'plan_id', message: 'duplicate plan_id "p1" (first at plans.csv:2)' },
      { file: 'invoice_lines.csv', line: 4, column: 'line_id', message: 'duplicate line_id "l1" (first at invoice_lines.csv:2)' },
      { file: 'invoice_lines.ndjson', line: 1, column: 'line_id', message: 'duplicate line_id "l2" (first at invoice_lines.csv:3)' },
      { file: 'subscription_events.csv', line: 3, column: 'event_id', message: 'duplicate event_id "e1" (first at subscription_events.csv:2)' },
      { file: 'fx_rates.csv', line: 3, column: 'date', message: 'duplicate rate EUR/USD on 2024-01-01 (first at fx_rates.csv:2)' },
    ]);
    expect(result.dataset.invoiceLines.map((record) => [record.lineId, record.amount])).toEqual([
      ['l1', 100],
      ['l2', 100],
    ]);
    expect(result.dataset.plans.map((plan) => plan.interval.unit)).toEqual(['month']);
    expect(result.dataset.fxRates).toHaveLength(2);
  });

  it('count an id as taken even when its first row is rejected for another reason', async () => {
    const dir = await folder({ 'invoice_lines.csv': lineCsv(line('l1', '1.001'), line('l1', '1')) });
    const result = await readDataset(dir);
    expect(result.dataset.invoiceLines).toEqual([]);
    expect(result.rejects.map((reject) => [reject.line, reject.column])).toEqual([
      [2, 'amount'],
      [3, 'line_id'],
    ]);
  });
});

describe('subscription events', () => {
  const header = 'event_id,customer_id,subscription_id,type,effective_at,amount,unit_amount,quantity,discount,currency,interval_unit,interval_count';

  it('derive amount = unit_amount × quantity − discount in minor units, and keep a given amount', async () => {
    const dir = await folder({
      'subscription_events.csv': csv(
        header,
        'e1,c,s1,start,2024-01-01,,10.00,3,5.00,USD,,',
        'e2,c,s2,start,2024-01-01,,0.1,3,,USD,month,3',
        'e3,c,s3,change,2024-01-01,25,10,3,,usd,year,',
        'e4,c,s4,start,2024-01-01,,333,3,1,JPY,,',
      ),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([]);
    expect(result.dataset.subscriptionEvents.map((event) => [event.amount, event.unitAmount, event.quantity, event.discount, event.interval])).toEqual([
      [2500, 1000, 3, 500, null],
      [30, 10, 3, 0, { unit: 'month', count: 3 }],
      [2500, 1000, 3, 0, { unit: 'year', count: 1 }],
      [998, 333, 3, 1, null],
    ]);
  });

  it('require an amount and a currency on start and change, and a unit with a count', async () => {
    const dir = await folder({
      'subscription_events.csv': csv(
        header,
        'e1,c,s,start,2024-01-01,,,,,USD,,',
        'e2,c,s,change,2024-01-01,10,,,,,,',
        'e3,c,s,resume,2024-01-01,10,,,,,,',
        'e4,c,s,start,2024-01-01,10,,,,USD,,2',
        'e5,c,s,start,2024-01-01,10,,,,USD,month,0',
        'e6,c,s,cancel,2024-01-01,,,,,,,',
        'e7,c,s,stop,2024-01-01,,,,,,,',
        'e8,c,s,start,,10,,,,USD,,',
      ),
    });
    const result = await readDataset(dir);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'subscription_events.csv', line: 2, column: 'amount', message: 'a value is required for start events (or give unit_amount)' },
      { file: 'subscription_events.csv', line: 3, column: 'currency', message: 'a value is required for change events' },
      { file: 'subscription_events.csv', line: 4, column: 'currency', message: 'a value is required when amount is given' },
      { file: 'subscription_events.csv', line: 5, column: 'interval_unit', message: 'a value is required when interval_count is given' },
      { file: 'subscription_events.csv', line: 6, column: 'interval_count', message: '0 is below the minimum of 1' },
      { file: 'subscription_events.csv', line: 8, column: 'type', message: '"stop" is not one of start, change, cancel, pause, resume' },
      { file: 'subscription_events.csv', line: 9, column: 'effective_at', message: 'a value is required' },
    ]);
    expect(result.dataset.subscriptionEvents.map((event) => [event.eventId, event.amount, event.currency])).toEqual([['e6', null, null]]);
  });
});

describe('plans', () => {
  it('take day, week, month or year and a positive count', async () => {
    const dir = await withLines(await folder({ 'plans.csv': csv('plan_id,name,interval_unit,interval_count', 'p1,,Week,', 'p2,,fortnight,1', 'p3,,day,0', 'p4,,,') }));
    const result = await readDataset(dir);
    expect(result.dataset.plans.map((plan) => [plan.planId, plan.name, plan.interval])).toEqual([['p1', null, { unit: 'week', count: 1 }]]);
    expect(withoutRaw(result.rejects)).toEqual([
      { file: 'plans.csv', line: 3, column: 'interval_unit', message: '"fortnight" is not one of day, week, month, year' },
      { file: 'plans.csv', line: 4, column: 'interval_count', message: '0 is below the minimum of 1' },
      { file: 'plans.csv', line: 5, column: 'interval_unit', message: 'a value is required' },
    ]);
  });
});

describe('single files', () => {
  it('recognise dataset file names', () => {
    expect(datasetFileKind('invoice_lines.csv')).toEqual({ kind: 'invoice_lines', format: 'csv' });
    expect(datasetFileKind('/data/x/subscription_events.ndjson')).toEqual({ kind: 'subscription_events', format: 'ndjson' });
    expect(datasetFileKind('fx_rates.json')).toBeNull();
    expect(datasetFileKind('invoices.csv')).toBeNull();
    expect(datasetFileKind('.csv')).toBeNull();
  });

  it('read one file of a given kind, whatever its name, with row counts', async () => {
    const dir = await folder({ 'january.csv': lineCsv(line('l1', '1'), line('l2', 'x')) });
    const path = join(dir, 'january.csv');
    const result = await readDatasetFile(path, 'invoice_lines');
    expect(result.rowsRead).toBe(2);
    expect(result.records.map((record) => [record.lineId, record.source])).toEqual([['l1', { file: path, line: 2 }]]);
    expect(withoutRaw(result.rejects)).toEqual([{ file: path, line: 3, column: 'amount', message: '"x" is not a decimal number' }]);
  });

  it('turn an unreadable file into a DatasetError', async () => {
    await expect(readDatasetFile(join(root, 'missing.csv'), 'plans')).rejects.toThrow(/missing\.csv: cannot be read \(ENOENT\)/);
    await expect(readDatasetFile(join(root, 'plans.txt'), 'plans')).rejects.toThrow(DatasetError);
  });

  it('read an empty file as no rows', async () => {
    const dir = await folder({ 'plans.csv': '', 'plans.ndjson': '\n\n' });
    expect((await readDatasetFile(join(dir, 'plans.csv'), 'plans')).records).toEqual([]);
    expect((await readDatasetFile(join(dir, 'plans.ndjson'), 'plans')).rowsRead).toBe(0);
  });
});

describe('rejected rows keep the row as read', () => {
  it('CSV fields re-quoted as CSV, NDJSON objects as JSON', async () => {
    const dir = await folder({
      'invoice_lines.csv': lineCsv('l1,i1,c1,s1,subscription,2024-01-01,2024-02-01,"1,000.00",USD'),
      'subscription_events.ndjson': ndjson({ event_id: 'e1', customer_id: 'c1', subscription_id: 's9', type: 'start', effective_at: '2024-01-01', amount: '1.001', currency: 'USD' }),
    });
    const result = await readDataset(dir);
    expect(result.rejects.map((reject) => reject.raw)).toEqual([
      'l1,i1,c1,s1,subscription,2024-01-01,2024-02-01,"1,000.00",USD',
      '{"event_id":"e1","customer_id":"c1","subscription_id":"s9","type":"start","effective_at":"2024-01-01","amount":"1.001","currency":"USD"}',
    ]);
  });
});
