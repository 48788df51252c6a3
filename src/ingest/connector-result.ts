/**
 * What a billing-system connector (Stripe, ChartMogul …) hands back: canonical records plus an
 * account of everything it rejected, skipped or left out, so no object disappears silently.
 */
import type { Dataset } from '../engine/model.js';
import type { RejectedRow } from '../engine/movement.js';

export interface ConnectorSummary {
  /** Objects read per Stripe/ChartMogul object type, e.g. { invoice: 12, subscription: 5 }. */
  readonly objects: Readonly<Record<string, number>>;
  /** Object types Runrate does not use, counted (never silently skipped). */
  readonly unknownTypes: Readonly<Record<string, number>>;
  /** Things deliberately left out of MRR, counted, e.g. { 'metered price line': 3 }. */
  readonly excluded: Readonly<Record<string, number>>;
}

export interface ConnectorResult {
  readonly dataset: Dataset; // canonical records (src/engine/model.ts)
  readonly rejects: readonly RejectedRow[]; // file, line (1 for a JSON document; the line for NDJSON), column = the JSON path like data[3].lines.data[0].period.end, message
  readonly warnings: readonly string[];
  readonly summary: ConnectorSummary;
}
