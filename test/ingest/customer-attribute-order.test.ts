import { describe, expect, test } from 'vitest';
import { customerAttributeOrder } from '../../src/ingest/parse-customers.js';

describe('customerAttributeOrder', () => {
  test('lists plain attribute columns first, then attr. ones, each in header order', () => {
    expect(customerAttributeOrder(['attr.industry', 'team_size', 'attr.plan', 'region'])).toEqual(['team_size', 'region', 'attr.industry', 'attr.plan']);
    expect(customerAttributeOrder([])).toEqual([]);
  });

  test('leaves out a column that gives no key', () => {
    expect(customerAttributeOrder(['attr.', 'region'])).toEqual(['region']);
  });

  test('has no fixed order when two columns give one key, or a key is an array index', () => {
    // The attr. column wins only where it has a value, so the record's order depends on the row.
    expect(customerAttributeOrder(['industry', 'attr.industry'])).toBeNull();
    // JSON.stringify lists integer-like keys first, whatever their column's place.
    expect(customerAttributeOrder(['region', '2024'])).toBeNull();
    expect(customerAttributeOrder(['region', 'attr.0'])).toBeNull();
    expect(customerAttributeOrder(['region', '02024', 'attr.-1'])).toEqual(['region', '02024', 'attr.-1']);
  });
});
