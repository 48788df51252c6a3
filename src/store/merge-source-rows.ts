/**
 * What a merge of source rows changed, worked out once for both backends: each backend stages and
 * merges one table with its own SQL, and this walks the tables in order and collects the counts,
 * the customers whose lines or events changed, the changed plans and whether any rate changed.
 */
import type { Dataset } from '../engine/model.js';
import type { MergeCounts, MergeResult } from './store-port.js';
import { CUSTOMERS, FX_RATES, INVOICE_LINES, PLANS, SOURCE_KEYS, SUBSCRIPTION_EVENTS, type TableDef } from './store-tables.js';

export interface TableMergeSteps {
  /** Stages the records and names the temporary table holding the new and changed rows. */
  mergeTable(table: TableDef<unknown>, records: readonly unknown[]): Promise<{ counts: MergeCounts; changed: string }>;
  /** The first column of a query's rows, as strings. */
  readIds(sql: string): Promise<string[]>;
  /** Replaces the table's rows with the changed ones. */
  applyChanges(table: TableDef<unknown>, changed: string): Promise<void>;
  /** An identifier quoted for the backend's SQL. */
  quote(name: string): string;
}

export async function mergeSourceTables(batch: Dataset, steps: TableMergeSteps): Promise<MergeResult> {
  const { quote } = steps;
  const total = { read: 0, new: 0, replaced: 0, unchanged: 0 };
  const customers = new Set<string>();
  let changedPlans: string[] = [];
  let ratesChanged = false;
  const tables: Array<[TableDef<unknown>, readonly unknown[]]> = [
    [CUSTOMERS as TableDef<unknown>, batch.customers],
    [PLANS as TableDef<unknown>, batch.plans],
    [INVOICE_LINES as TableDef<unknown>, batch.invoiceLines],
    [SUBSCRIPTION_EVENTS as TableDef<unknown>, batch.subscriptionEvents],
    [FX_RATES as TableDef<unknown>, batch.fxRates],
  ];
  for (const [table, records] of tables) {
    if (records.length === 0) continue;
    const { counts, changed } = await steps.mergeTable(table, records);
    for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += counts[key];
    if (table === INVOICE_LINES || table === SUBSCRIPTION_EVENTS) {
      // Both the new owner of a changed row and its old owner (a line moved between customers).
      const keyMatch = SOURCE_KEYS[table.name]!.map((key) => `m.${quote(key)} = s.${quote(key)}`).join(' AND ');
      const ids = await steps.readIds(
        `SELECT customer_id FROM ${quote(changed)} UNION SELECT m.customer_id FROM ${quote(table.name)} m WHERE EXISTS (SELECT 1 FROM ${quote(changed)} s WHERE ${keyMatch})`,
      );
      for (const id of ids) customers.add(id);
    } else if (table === PLANS) {
      changedPlans = await steps.readIds(`SELECT plan_id FROM ${quote(changed)}`);
    } else if (table === FX_RATES) {
      ratesChanged = counts.new + counts.replaced > 0;
    }
    await steps.applyChanges(table, changed);
  }
  return { counts: total, customersWithChangedRows: [...customers], changedPlans, ratesChanged };
}
