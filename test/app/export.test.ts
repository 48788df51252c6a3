/**
 * `runrate export`: every format written and read back: an Excel sheet per report with frozen
 * headers and money in the reporting currency's format, a folder of CSV files, one JSON document,
 * and Parquet files whose money columns are BIGINT minor units.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoDataset } from '../../src/app/demo/write-demo-dataset.js';
import { reportTables, type ReportTable } from '../../src/app/export/report-tables.js';
import { writeExport } from '../../src/app/export/write-export.js';
import { loadDatasetSource, type ComputedSource } from '../../src/app/load-dataset-source.js';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';

let dir: string;
let source: ComputedSource;
let tables: ReportTable[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runrate-export-'));
  await writeDemoDataset(path.join(dir, 'data'), { customers: 40, months: 12, seed: 3 });
  source = await loadDatasetSource(path.join(dir, 'data'), { flags: {}, configFile: null, today: () => isoDate('2030-01-01') });
  tables = reportTables(source, { interval: 'month', weekStartsOn: 'monday', from: null, to: null, asOf: source.config.asOf }, { segments: [], groupBy: null });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const context = () => ({ currency: source.config.currency, header: { currency: source.config.currency } });
const movementTotal = () => source.result.movements.reduce((sum, m) => sum + m.amount, 0);

describe('export', () => {
  test('xlsx: a sheet per report, frozen header row, money in the currency format', async () => {
    const file = path.join(dir, 'pack.xlsx');
    await writeExport(file, tables, context());
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['metrics', 'movements', 'customers', 'cohorts']);
    const metrics = workbook.getWorksheet('metrics')!;
    expect(metrics.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const header = (metrics.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 5)).toEqual(['period', 'first', 'last', 'mrr_start', 'mrr']);
    const mrrColumn = header.indexOf('mrr') + 1;
    const last = metrics.getRow(metrics.rowCount);
    const lastEntry = tables[0]!.rows.at(-1)!;
    expect(last.getCell(mrrColumn).value).toBe(Number(lastEntry[4]) / 100);
    expect(last.getCell(mrrColumn).numFmt).toContain('"USD"');
    expect(metrics.getRow(2).getCell(header.indexOf('nrr') + 1).numFmt).toBe('0.0%');
  });

  test('csv: a folder with one file per report', async () => {
    const folder = path.join(dir, 'reports.csv');
    await writeExport(folder, tables, context());
    expect(readdirSync(folder).sort()).toEqual(['cohorts.csv', 'customers.csv', 'metrics.csv', 'movements.csv']);
    const movements = Papa.parse<Record<string, string>>(readFileSync(path.join(folder, 'movements.csv'), 'utf8').trim(), { header: true });
    expect(movements.data).toHaveLength(source.result.movements.length);
    expect(movements.data.reduce((sum, row) => sum + Number(row.amount), 0)).toBe(movementTotal());
  });

  test('json: one document holding every report', async () => {
    const file = path.join(dir, 'reports.json');
    await writeExport(file, tables, context());
    const document = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(document)).toEqual(['currency', 'metrics', 'movements', 'customers', 'cohorts']);
    expect(document.metrics.at(-1).mrr).toBe(movementTotal());
  });

  test('parquet: movements in FILE.parquet, the other reports beside it, money as BIGINT', async () => {
    const file = path.join(dir, 'reports.parquet');
    const written = await writeExport(file, tables, context());
    expect(written.map((f) => path.basename(f)).sort()).toEqual(['reports.cohorts.parquet', 'reports.customers.parquet', 'reports.metrics.parquet', 'reports.parquet']);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const types = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const typeOf = Object.fromEntries(types.getRows().map((row) => [String(row[0]), String(row[1])]));
    expect(typeOf).toMatchObject({ date: 'DATE', amount: 'BIGINT', customer_mrr: 'BIGINT', sources: 'VARCHAR[]' });
    const total = await connection.runAndReadAll(`SELECT sum(amount)::BIGINT FROM read_parquet('${file}')`);
    expect(total.getRows()[0]![0]).toBe(BigInt(movementTotal()));
    connection.closeSync();
    instance.closeSync();
  });
});
