/**
 * What a merge of source rows changed, worked out once for both backends. Rows are staged first,
 * in as many parts as the reader hands over (a large file arrives in segments), then merged at
 * once: each backend stages and merges one table with its own SQL, and this walks the tables in
 * order and collects the counts, the customers whose lines or events changed, the changed plans
 * and whether any rate changed. Staging in parts merges exactly as staging everything at once:
 * of rows with one key, the last staged is kept.
 */
import type { Dataset } from '../engine/model.js';
import type { MergeCounts, MergeResult } from './store-port.js';
import { CUSTOMERS, FX_RATES, INVOICE_LINES, PLANS, SOURCE_KEYS, SUBSCRIPTION_EVENTS, type TableDef } from './store-tables.js';

/** What merging one staging table found. */
export interface StagedTableMerge {
  readonly counts: MergeCounts;
  /** The temporary table holding the new and changed rows. */
  readonly changed: string;
  /**
   * Whether every staged row is new (the table was empty and no key repeats), so that `changed`
   * is the staging table itself: a backend may then put the copy off (DuckDB, docs/store.md).
   */
  readonly allNew: boolean;
}

export interface TableMergeSteps {
  /** Appends records to the table's staging table; `fresh`: the first part of this merge, so (re)create it empty. */
  stageTable(table: TableDef<unknown>, records: readonly unknown[], fresh: boolean): Promise<void>;
  /** Keeps the last staged row of each key and names the temporary table holding the new and changed rows. */
  mergeStagedTable(table: TableDef<unknown>): Promise<StagedTableMerge>;
  /** The first column of a query's rows, as strings. */
  readIds(sql: string): Promise<string[]>;
  /** Replaces the table's rows with the changed ones. */
  applyChanges(table: TableDef<unknown>, merge: StagedTableMerge): Promise<void>;
  /** An identifier quoted for the backend's SQL. */
  quote(name: string): string;
}

const SOURCE_TABLES: ReadonlyArray<readonly [TableDef<unknown>, keyof Dataset]> = [
  [CUSTOMERS as TableDef<unknown>, 'customers'],
  [PLANS as TableDef<unknown>, 'plans'],
  [INVOICE_LINES as TableDef<unknown>, 'invoiceLines'],
  [SUBSCRIPTION_EVENTS as TableDef<unknown>, 'subscriptionEvents'],
  [FX_RATES as TableDef<unknown>, 'fxRates'],
];

/** The staged parts of one merge, in one transaction. */
export class SourceRowStaging {
  private readonly staged = new Set<string>();

  constructor(private readonly steps: TableMergeSteps) {}

  async stage(part: Dataset): Promise<void> {
    for (const [table, key] of SOURCE_TABLES) {
      const records = part[key];
      if (records.length === 0) continue;
      await this.steps.stageTable(table, records, !this.staged.has(table.name));
      this.staged.add(table.name);
    }
  }

  /** The table's staging table, created empty unless this merge staged into it already. */
  async prepare(table: TableDef<unknown>): Promise<void> {
    if (this.staged.has(table.name)) return;
    await this.steps.stageTable(table, [], true);
    this.staged.add(table.name);
  }

  /** Merges everything staged since the last merge. */
  async merge(): Promise<MergeResult> {
    const { quote } = this.steps;
    const total = { read: 0, new: 0, replaced: 0, unchanged: 0 };
    const customers = new Set<string>();
    let changedPlans: string[] = [];
    let ratesChanged = false;
    for (const [table] of SOURCE_TABLES) {
      if (!this.staged.has(table.name)) continue;
      const merged = await this.steps.mergeStagedTable(table);
      const { counts, changed } = merged;
      for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += counts[key];
      if (table === INVOICE_LINES || table === SUBSCRIPTION_EVENTS) {
        // Both the new owner of a changed row and its old owner (a line moved between customers).
        const keyMatch = SOURCE_KEYS[table.name]!.map((key) => `m.${quote(key)} = s.${quote(key)}`).join(' AND ');
        const ids = await this.steps.readIds(
          `SELECT customer_id FROM ${quote(changed)} UNION SELECT m.customer_id FROM ${quote(table.name)} m WHERE EXISTS (SELECT 1 FROM ${quote(changed)} s WHERE ${keyMatch})`,
        );
        for (const id of ids) customers.add(id);
      } else if (table === PLANS) {
        changedPlans = await this.steps.readIds(`SELECT plan_id FROM ${quote(changed)}`);
      } else if (table === FX_RATES) {
        ratesChanged = counts.new + counts.replaced > 0;
      }
      await this.steps.applyChanges(table, merged);
    }
    this.staged.clear();
    return { counts: total, customersWithChangedRows: [...customers], changedPlans, ratesChanged };
  }
}
