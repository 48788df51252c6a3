/**
 * The `--db` source: reports read the derived rows the store keeps, the same records the
 * `--data` path computes, so both give the same output. Asked for another configuration than
 * the store's, the report is computed in memory from the stored source rows instead: results of
 * two configurations are never mixed.
 */
import { compareMovements, computeMovements, type ComputeResult } from '../../engine/compute-movements.js';
import { RateTable } from '../../engine/fx/rate-table.js';
import type { Dataset } from '../../engine/model.js';
import { knownCustomers } from '../../engine/report/customer-summary.js';
import { compareStrings } from '../../engine/subscription/subscription-state.js';
import { loadReferenceRates } from '../../ingest/reference-rates.js';
import type { RunrateStore } from '../../store/store-port.js';
import { UsageError } from '../errors.js';
import { fallbackRatesFor, type ComputedSource } from '../load-dataset-source.js';
import type { ConfigInput, ResolveContext } from '../resolve-config.js';
import { askedConfig } from './stored-config.js';

export interface StoreSourceOptions {
  /** --config then flags. */
  readonly explicit: readonly ConfigInput[];
  readonly today: ResolveContext['today'];
}

export interface StoreSource extends ComputedSource {
  /** True when the asked configuration differs from the store's and the report was computed in memory. */
  readonly computedInMemory: boolean;
}

export async function loadStoreSource(store: RunrateStore, options: StoreSourceOptions): Promise<StoreSource> {
  const snapshot = await store.snapshot();
  if (snapshot.configJson === null) throw new UsageError(`the store ${store.location} holds no data yet: run \`runrate import PATH\` first`);
  // Reports from the store are as of the store's asOf unless asked otherwise.
  const { config, isStored } = askedConfig(snapshot.configJson, options.explicit, options.today);

  if (!isStored) {
    const dataset = await store.readAllSource();
    const result = computeMovements(dataset, config, { fallbackRates: await fallbackRatesFor(dataset, config) });
    return { config, customers: knownCustomers(dataset), plans: dataset.plans, result, rejects: [], warnings: [], dataWarnings: [], computedInMemory: true };
  }

  const { derived } = snapshot;
  const needsConversion = derived.timelines.some((timeline) => timeline.currency !== config.currency);
  const rates = new RateTable(snapshot.fxRates.length > 0 ? snapshot.fxRates : needsConversion ? await loadReferenceRates() : []);
  const result: ComputeResult = {
    movements: [...derived.movements].sort(compareMovements),
    timelines: [...derived.timelines].sort((a, b) => compareStrings(a.customerId, b.customerId) || compareStrings(a.subscriptionId, b.subscriptionId)),
    rejects: derived.rejects
      .map(({ customerId: _customerId, ...reject }) => reject)
      .sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line || compareStrings(a.column, b.column)),
    warnings: derived.warnings,
    rates,
  };
  const known: Dataset = { customers: [...snapshot.customers], plans: [], invoiceLines: [], subscriptionEvents: [], fxRates: [] };
  const customers = knownCustomers(known);
  return {
    config,
    customers: { ids: [...snapshot.customerIds].sort(compareStrings), rows: customers.rows },
    plans: snapshot.plans,
    result,
    rejects: [],
    warnings: [],
    dataWarnings: [],
    computedInMemory: false,
  };
}
