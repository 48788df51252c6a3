/**
 * Cells to and from PostgreSQL: the COPY text format on the way in, the SELECT expressions and
 * their parsed values on the way out. Dates travel as day numbers and instants as epoch
 * milliseconds, written as literals computed with integer arithmetic and read back as integers
 * computed by the server: no value ever passes through a float or the client's time zone.
 */
import { assert } from '../../engine/assert.js';
import { civilFromDate, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import { StoreError } from '../store-port.js';
import type { Cell, ColumnDef } from '../store-tables.js';

const MS_PER_DAY = 86_400_000;

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The SELECT expression that reads a column as a plain cell (days, epoch ms, integers). */
export function readExpression(column: ColumnDef, alias = ''): string {
  const name = `${alias}${quote(column.name)}`;
  switch (column.type) {
    case 'date':
      return `(${name} - DATE '1970-01-01')`;
    case 'instant':
      // extract() returns an exact numeric since PostgreSQL 14, so the cast cannot round.
      return `(extract(epoch from ${name}) * 1000)::bigint`;
    default:
      return name;
  }
}

export function selectList(columns: readonly ColumnDef[], alias = ''): string {
  return columns.map((column) => readExpression(column, alias)).join(', ');
}

export function columnList(columns: readonly ColumnDef[], alias = ''): string {
  return columns.map((column) => `${alias}${quote(column.name)}`).join(', ');
}

/** postgres.js returns int8 as text (it may not fit a number) and int4 as a number. */
export function safeInteger(value: unknown): number {
  if (typeof value === 'number') {
    assert(Number.isSafeInteger(value), `stored integer out of range: ${value}`);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'bigint') {
    const big = BigInt(value);
    assert(big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER), `stored integer out of range: ${value}`);
    return Number(big);
  }
  throw new StoreError(`unexpected integer read from PostgreSQL: ${String(value)}`);
}

export function toCell(column: ColumnDef, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'text':
      if (typeof value !== 'string') throw new StoreError(`unexpected text read from PostgreSQL in ${column.name}: ${String(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new StoreError(`unexpected boolean read from PostgreSQL in ${column.name}: ${String(value)}`);
      return value;
    default:
      return safeInteger(value);
  }
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** `YYYY-MM-DD`, with PostgreSQL's `BC` for years before 1 (it has no year 0). */
function dateLiteral(day: number): { text: string; era: string } {
  const { year, month, day: dayOfMonth } = civilFromDate(day as CalendarDate);
  const shown = year > 0 ? year : 1 - year;
  return { text: `${pad(shown, 4)}-${pad(month, 2)}-${pad(dayOfMonth, 2)}`, era: year > 0 ? '' : ' BC' };
}

function integerCell(cell: Cell, column: ColumnDef): number {
  assert(typeof cell === 'number' && Number.isSafeInteger(cell), `${column.name}: not a safe integer: ${String(cell)}`);
  return cell;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field of the COPY text format. */
export function copyField(column: ColumnDef, cell: Cell): string {
  if (cell === null) return '\\N';
  switch (column.type) {
    case 'text':
      assert(typeof cell === 'string', `${column.name}: not a string: ${String(cell)}`);
      return cell.replace(/[\\\t\n\r]/g, (character) => COPY_ESCAPES[character]!);
    case 'bigint':
      return String(integerCell(cell, column));
    case 'date': {
      const { text, era } = dateLiteral(integerCell(cell, column));
      return `${text}${era}`;
    }
    case 'instant': {
      const ms = integerCell(cell, column);
      const day = Math.floor(ms / MS_PER_DAY);
      const inDay = ms - day * MS_PER_DAY;
      const { text, era } = dateLiteral(day);
      const time = `${pad(Math.floor(inDay / 3_600_000), 2)}:${pad(Math.floor(inDay / 60_000) % 60, 2)}:${pad(Math.floor(inDay / 1000) % 60, 2)}.${pad(inDay % 1000, 3)}`;
      return `${text}T${time}Z${era}`;
    }
    case 'boolean':
      assert(typeof cell === 'boolean', `${column.name}: not a boolean: ${String(cell)}`);
      return cell ? 't' : 'f';
  }
}

export function copyLine(columns: readonly ColumnDef[], cells: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : '\t') + copyField(columns[i]!, cells[i] ?? null);
  return `${line}\n`;
}
