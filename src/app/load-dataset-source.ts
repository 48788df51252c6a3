/**
 * The `--data DIR` source: read a dataset folder, resolve its configuration, compute every
 * movement in memory. Nothing is written.
 */
import path from 'node:path';
import { computeMovements, type ComputeResult } from '../engine/compute-movements.js';
import type { EngineConfig } from '../engine/config.js';
import type { Dataset, FxRate, Plan } from '../engine/model.js';
import { knownCustomers, type KnownCustomers } from '../engine/report/customer-summary.js';
import type { DataWarning, RejectedRow } from '../engine/movement.js';
import { readDataset } from '../ingest/read-dataset.js';
import { loadReferenceRates } from '../ingest/reference-rates.js';
import { configFromFile } from './config-from-file.js';
import { resolveConfig, type ConfigInput, type ResolveContext } from './resolve-config.js';

/** What every report needs, from a dataset folder or from the store alike. */
export interface ComputedSource {
  readonly config: EngineConfig;
  readonly customers: KnownCustomers;
  readonly plans: readonly Plan[];
  readonly result: ComputeResult;
  /** Rows rejected while reading and while computing, sorted by file and line. */
  readonly rejects: readonly RejectedRow[];
  readonly warnings: readonly string[];
  readonly dataWarnings: readonly DataWarning[];
}

export interface SourceOptions {
  /** Configuration flags given on the command line (they win over the file). */
  readonly flags: ConfigInput;
  /** A configuration file given with --config: it replaces the dataset's runrate.config.json. */
  readonly configFile: { readonly json: unknown; readonly name: string } | null;
  readonly today: ResolveContext['today'];
}

/** The currencies a dataset bills in (that the reporting currency defaults to when single). */
export function datasetCurrencies(dataset: Dataset): string[] {
  const currencies = new Set<string>();
  for (const line of dataset.invoiceLines) currencies.add(line.currency);
  for (const event of dataset.subscriptionEvents) if (event.currency) currencies.add(event.currency);
  return [...currencies];
}

/** The bundled reference rates, loaded only when a conversion may need them. */
export async function fallbackRatesFor(dataset: Dataset, config: EngineConfig): Promise<readonly FxRate[]> {
  if (dataset.fxRates.length > 0) return [];
  const needsConversion = datasetCurrencies(dataset).some((currency) => currency !== config.currency);
  return needsConversion ? loadReferenceRates() : [];
}

export async function loadDatasetSource(dir: string, options: SourceOptions): Promise<ComputedSource> {
  const read = await readDataset(dir);
  const fileLayer = options.configFile
    ? configFromFile(options.configFile.json, options.configFile.name)
    : read.config !== null
      ? configFromFile(read.config, path.join(dir, 'runrate.config.json'))
      : {};
  const config = resolveConfig([fileLayer, options.flags], {
    datasetCurrencies: datasetCurrencies(read.dataset),
    today: options.today,
  });
  const fallbackRates = await fallbackRatesFor(read.dataset, config);
  const result = computeMovements(read.dataset, config, { fallbackRates });
  const rejects = [...read.rejects, ...result.rejects].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return {
    config,
    customers: knownCustomers(read.dataset),
    plans: read.dataset.plans,
    result,
    rejects,
    warnings: read.warnings,
    dataWarnings: result.warnings,
  };
}
