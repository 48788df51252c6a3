/** RFC 4180 CSV through papaparse, so quoting is never hand-rolled. */
import Papa from 'papaparse';

export function renderCsv(fields: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = rows.map((row) => row.map((value) => (value === null || value === undefined ? '' : Array.isArray(value) ? value.join(';') : String(value))));
  return `${Papa.unparse({ fields: [...fields], data: cells }, { newline: '\n' })}\n`;
}
