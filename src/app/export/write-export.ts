/**
 * `runrate export --to FILE`: the report tables as an Excel workbook (a sheet each), a folder of
 * CSV files, one JSON document, or Parquet files (through DuckDB).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { currencyExponent, type CurrencyCode } from '../../engine/money/currency.js';
import { formatMinorUnits } from '../../engine/money/decimal.js';
import { writeParquetTables } from '../../store/duckdb/write-parquet-tables.js';
import { UsageError } from '../errors.js';
import type { ReportTable } from './report-tables.js';

export type ExportFormat = 'xlsx' | 'csv' | 'json' | 'parquet';

export function exportFormat(target: string): ExportFormat {
  const extension = path.extname(target).toLowerCase();
  if (extension === '.xlsx') return 'xlsx';
  if (extension === '.csv' || target.endsWith('/')) return 'csv';
  if (extension === '.json') return 'json';
  if (extension === '.parquet') return 'parquet';
  throw new UsageError(`--to: "${target}" must end in .xlsx, .csv (a folder of CSV files), .json or .parquet`);
}

export interface ExportContext {
  readonly currency: CurrencyCode;
  /** Written alongside the tables so an export says what produced it. */
  readonly header: Record<string, unknown>;
}

/** The files written, for the summary. */
export async function writeExport(target: string, tables: readonly ReportTable[], context: ExportContext): Promise<string[]> {
  switch (exportFormat(target)) {
    case 'xlsx':
      return [await writeWorkbook(target, tables, context)];
    case 'csv':
      return writeCsvFolder(target, tables);
    case 'json':
      return [await writeJson(target, tables, context)];
    case 'parquet':
      return writeParquetTables(target, tables);
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return Array.isArray(value) ? value.join(';') : String(value);
}

/** `--to reports.csv` is a folder named so, holding one file per report. */
async function writeCsvFolder(target: string, tables: readonly ReportTable[]): Promise<string[]> {
  const folder = target.endsWith('/') ? target.slice(0, -1) : target;
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  for (const table of tables) {
    const file = path.join(folder, `${table.name}.csv`);
    const csv = Papa.unparse({ fields: table.columns.map((column) => column.name), data: table.rows.map((row) => row.map(cellText)) }, { newline: '\n' });
    await writeFile(file, `${csv}\n`);
    written.push(file);
  }
  return written;
}

async function writeJson(target: string, tables: readonly ReportTable[], context: ExportContext): Promise<string> {
  const document: Record<string, unknown> = { ...context.header };
  for (const table of tables) {
    document[table.name] = table.rows.map((row) => Object.fromEntries(table.columns.map((column, i) => [column.name, row[i] ?? null])));
  }
  await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
  return target;
}

/**
 * Money goes into the workbook in major units with the currency's number format: a spreadsheet
 * cell is a double, so the exact decimal text is converted once here, at the very edge.
 */
async function writeWorkbook(target: string, tables: readonly ReportTable[], context: ExportContext): Promise<string> {
  const exponent = currencyExponent(context.currency);
  const moneyFormat = `#,##0${exponent > 0 ? `.${'0'.repeat(exponent)}` : ''} "${context.currency}";-#,##0${exponent > 0 ? `.${'0'.repeat(exponent)}` : ''} "${context.currency}"`;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Runrate';
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((column) => ({
      header: column.name,
      key: column.name,
      width: Math.max(12, column.name.length + 2),
      style:
        column.kind === 'money'
          ? { numFmt: moneyFormat }
          : column.kind === 'rate'
            ? { numFmt: '0.0%' }
            : column.kind === 'date'
              ? { numFmt: 'yyyy-mm-dd' }
              : {},
    }));
    sheet.getRow(1).font = { bold: true };
    for (const row of table.rows) {
      sheet.addRow(
        row.map((value, i) => {
          const kind = table.columns[i]!.kind;
          if (value === null) return null;
          if (kind === 'money') return Number(formatMinorUnits(value as number, exponent));
          if (kind === 'date') return new Date(`${String(value)}T00:00:00Z`);
          if (kind === 'list') return (value as string[]).join(' ');
          return value;
        }),
      );
    }
  }
  await workbook.xlsx.writeFile(target);
  return target;
}
