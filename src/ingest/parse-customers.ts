/** `customers` rows (inputs.md) → `Customer` records, unknown columns becoming attributes. */
import type { Customer } from '../engine/model.js';
import { fail, idField, momentField, textField } from './field-schemas.js';
import { rowSchema, type RowKind } from './row-kind.js';
import { ownString } from './string-pool.js';

const ATTRIBUTE_PREFIX = 'attr.';
const COUNTRY = /^[A-Za-z]{2}$/;

/**
 * `attr.industry` → `industry`; any other unknown column keeps its own name, since a customer
 * export's extra columns are exactly the dimensions users want to segment by.
 */
export function customerAttributeKey(column: string): string | null {
  const key = column.startsWith(ATTRIBUTE_PREFIX) ? column.slice(ATTRIBUTE_PREFIX.length) : column;
  return key === '' ? null : key;
}

/** A key JSON lists before all others whatever its place (an array index): see customerAttributeOrder. */
const INDEX_KEY = /^(0|[1-9]\d*)$/;

/**
 * The attribute columns in the order a record lists their keys (plain columns first, then
 * `attr.` ones, as the transform below builds them), for a reader that builds the attributes'
 * JSON itself (a store loading a file in bulk). Null when that order depends on the values: two
 * columns give one key (the `attr.` one wins only where it has a value), or a key is an array
 * index (JSON.stringify lists those first).
 */
export function customerAttributeOrder(columns: readonly string[]): string[] | null {
  const keys = new Set<string>();
  for (const column of columns) {
    const key = customerAttributeKey(column);
    if (key === null) continue;
    if (keys.has(key) || INDEX_KEY.test(key)) return null;
    keys.add(key);
  }
  const named = columns.filter((column) => customerAttributeKey(column) !== null);
  return [...named.filter((column) => !column.startsWith(ATTRIBUTE_PREFIX)), ...named.filter((column) => column.startsWith(ATTRIBUTE_PREFIX))];
}

function own(text: string | null): string | null {
  return text === null ? null : ownString(text);
}

const schema = rowSchema({
  customer_id: idField(),
  name: textField(),
  email: textField(),
  company: textField(),
  country: textField(),
  created_at: momentField(),
}).transform(({ cells, extras, source, pool }, ctx): Customer => {
  let country: string | null = null;
  if (cells.country !== null) {
    const text = cells.country.trim();
    if (!COUNTRY.test(text)) return fail(ctx, `"${text}" is not an ISO 3166-1 alpha-2 country code (such as US, DE)`, ['country']);
    country = pool.intern(text.toUpperCase());
  }
  // An explicit `attr.<key>` column wins over a plain column of the same name, whatever their order.
  // Plain columns first, then `attr.` ones: customerAttributeOrder above gives the same order to a
  // store that writes the attributes' JSON itself.
  const plain: [string, string][] = [];
  const prefixed: [string, string][] = [];
  for (const [column, value] of extras) {
    const key = customerAttributeKey(column);
    if (key === null || typeof value !== 'string' || value.trim() === '') continue;
    (column.startsWith(ATTRIBUTE_PREFIX) ? prefixed : plain).push([pool.intern(key), pool.intern(value)]);
  }
  return {
    customerId: pool.intern(cells.customer_id),
    name: own(cells.name),
    email: own(cells.email),
    company: pool.internOrNull(cells.company),
    country,
    createdAt: cells.created_at,
    // fromEntries defines own properties, so a column named `__proto__` stays an attribute.
    attributes: Object.fromEntries([...plain, ...prefixed]),
    source,
  };
});

export const customerRows: RowKind<Customer> = {
  kind: 'customers',
  columns: Object.keys(schema.in.shape.cells.shape),
  requiredColumns: ['customer_id'],
  id: { column: 'customer_id', of: (record) => record.customerId },
  attributeKey: customerAttributeKey,
  attributeOrder: customerAttributeOrder,
  schema,
};
