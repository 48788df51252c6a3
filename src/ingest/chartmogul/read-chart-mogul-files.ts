/**
 * The ChartMogul connector: Import API JSON (documents as Import Invoices, Create a Customer,
 * Create a Plan, Create a Subscription Event and Import Data in Bulk take them, or the list
 * responses of the same objects), as `.json` documents or `.ndjson` / `.jsonl` files of one
 * object or document per line → a canonical dataset. docs/connectors/chartmogul.md describes the
 * mapping; every object is either used, rejected with its JSON path, or counted in the summary.
 */
import { basename } from 'node:path';
import type { Dataset } from '../../engine/model.js';
import type { ConnectorResult } from '../connector-result.js';
import { ChartMogulImportContext } from './chart-mogul-import-context.js';
import { ChartMogulCollector, collectChartMogulFile } from './collect-chart-mogul-objects.js';
import { mapChartMogulCatalog } from './map-chart-mogul-catalog.js';
import { mapChartMogulEvents } from './map-chart-mogul-events.js';
import { mapChartMogulInvoices } from './map-chart-mogul-invoices.js';

/**
 * The name a file goes by in rejected rows and sources: its base name, or the path as given when
 * two files share a base name.
 */
function displayNames(paths: readonly string[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(basename(path), (counts.get(basename(path)) ?? 0) + 1);
  return new Map(paths.map((path) => [path, counts.get(basename(path))! > 1 ? path : basename(path)]));
}

/**
 * Reads ChartMogul files into one canonical dataset. Files are read in the order of their paths
 * (binary order), so which of two objects with one id is kept never depends on the order the
 * paths were given in. Throws `DatasetError` only when a file cannot be read at all.
 */
export async function readChartMogulFiles(paths: readonly string[]): Promise<ConnectorResult> {
  const sorted = [...new Set(paths)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const names = displayNames(sorted);
  const collector = new ChartMogulCollector();
  for (const path of sorted) await collectChartMogulFile(path, names.get(path)!, collector);

  const context = new ChartMogulImportContext();
  const catalog = mapChartMogulCatalog(collector.objects, context);
  const invoiceLines = mapChartMogulInvoices(collector.objects, catalog, context);
  const subscriptionEvents = mapChartMogulEvents(collector.objects, catalog, invoiceLines, context);

  const unknown = Object.entries(collector.unknownTypes);
  const warnings = [...collector.warnings, ...context.warnings];
  if (unknown.length > 0) {
    warnings.push(`objects Runrate does not use were counted and skipped: ${unknown.map(([type, count]) => `${type} (${count})`).join(', ')}`);
  }
  const dataset: Dataset = { customers: catalog.customers, plans: catalog.plans, invoiceLines, subscriptionEvents, fxRates: [] };
  return {
    dataset,
    // By file and line; objects of one JSON document (all line 1) stay in the order they were read.
    rejects: [...collector.rejects, ...context.rejects].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)),
    warnings,
    summary: { objects: context.objects, unknownTypes: collector.unknownTypes, excluded: context.excluded },
  };
}
