/**
 * The store's configuration as a layer under the command's own: the configuration a report from
 * the store asks for, and whether it is the one the stored movements were computed with.
 */
import type { EngineConfig } from '../../engine/config.js';
import { configJsonLayer, configToJson, resolveConfig, type ConfigInput, type ResolveContext } from '../resolve-config.js';

/** The stored configuration as a layer; its asOf only when pinned, or when asked for. */
export function storedLayer(stored: { config: EngineConfig; asOfPinned: boolean }, keepAsOf = stored.asOfPinned): ConfigInput {
  const layer = configJsonLayer(configToJson(stored.config), 'the store configuration');
  if (!keepAsOf) delete layer.asOf;
  return layer;
}

/**
 * What a report asks for: the stored configuration (as of the store's asOf) with the command's
 * flags and files on top; `isStored` when they change nothing, so the stored movements answer it.
 */
export function askedConfig(storedJson: string, explicit: readonly ConfigInput[], today: ResolveContext['today']): { config: EngineConfig; isStored: boolean } {
  const stored = resolveConfig([configJsonLayer(JSON.parse(storedJson), 'the store configuration')], { datasetCurrencies: [], today });
  const config = resolveConfig([storedLayer({ config: stored, asOfPinned: true }), ...explicit], { datasetCurrencies: [], today });
  return { config, isStored: JSON.stringify(configToJson(config)) === JSON.stringify(configToJson(stored)) };
}
