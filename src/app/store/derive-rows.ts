/**
 * The engine run for a set of customers, shaped as the derived rows a store keeps: each engine
 * reject is attributed to the customer of the row it rejects, so that recomputing a customer
 * replaces exactly its own rows.
 */
import { computeMovements } from '../../engine/compute-movements.js';
import type { EngineConfig } from '../../engine/config.js';
import type { Dataset, FxRate } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import type { DerivedRows } from '../../store/store-port.js';

export function deriveRows(dataset: Dataset, config: EngineConfig, fallbackRates: readonly FxRate[]): DerivedRows {
  const result = computeMovements(dataset, config, { fallbackRates });
  return {
    movements: result.movements,
    timelines: result.timelines,
    rejects: result.rejects.length === 0 ? [] : withOwners(result.rejects, dataset),
    warnings: result.warnings,
  };
}

/** Built only when the engine rejected rows: a key per source row is a string per row. */
function withOwners(rejects: readonly RejectedRow[], dataset: Dataset): Array<RejectedRow & { customerId: string }> {
  const owner = new Map<string, string>();
  for (const line of dataset.invoiceLines) owner.set(`${line.source.file}:${line.source.line}`, line.customerId);
  for (const event of dataset.subscriptionEvents) owner.set(`${event.source.file}:${event.source.line}`, event.customerId);
  return rejects.map((reject) => ({ ...reject, customerId: owner.get(`${reject.file}:${reject.line}`) ?? '' }));
}
