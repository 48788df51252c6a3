/**
 * The engine in a worker thread, for a recompute of many chunks: the main thread reads a chunk's
 * rows from the store and appends the previous chunk's derived rows while this thread computes.
 * Rows cross as JSON text both ways: cloning millions of small objects between threads cost
 * about as much as computing them.
 *
 * workerData: { config, plans, fxRates }. Message in: { id, documents: SourceDocuments }.
 * Message out: { id, tables: [{ table, json }], rejects } or { id, error: { name, message, stack } }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { assert } from '../../engine/assert.js';
import type { EngineConfig } from '../../engine/config.js';
import type { FxRate, Plan } from '../../engine/model.js';
import type { SourceDocuments } from '../../store/store-port.js';
import { datasetOfDocuments, derivedRecords } from '../../store/store-tables.js';
import { fallbackRatesFor } from '../load-dataset-source.js';
import { deriveRows } from './derive-rows.js';

interface Setup {
  readonly config: EngineConfig;
  readonly plans: readonly Plan[];
  readonly fxRates: readonly FxRate[];
}

const port = parentPort;
assert(port !== null, 'derive-worker runs as a worker thread');
const { config, plans, fxRates } = workerData as Setup;

async function derive(documents: SourceDocuments) {
  const dataset = datasetOfDocuments(documents, { plans, fxRates });
  const derived = deriveRows(dataset, config, await fallbackRatesFor(dataset, config));
  const tables = derivedRecords(derived).map(([table, records]) => ({ table: table.name, json: JSON.stringify(records.map((record) => table.toRow(record))) }));
  return { tables, rejects: derived.rejects };
}

port.on('message', (message: { id: number; documents: SourceDocuments }) => {
  derive(message.documents).then(
    (result) => port.postMessage({ id: message.id, ...result }),
    (error: unknown) => {
      const { name, message: text, stack } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ id: message.id, error: { name, message: text, stack } });
    },
  );
});
