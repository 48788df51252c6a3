/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and sums self time per function and per file, so
 * that the benchmark can say what dominates a run without a profiler UI.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly seconds: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly seconds: number;
  /** Self time by layer of the project, the DuckDB binding, Node itself, GC and idle. */
  readonly layers: ProfileEntry[];
  readonly functions: ProfileEntry[];
  readonly files: ProfileEntry[];
}

/** `(idle)` is the main thread waiting: for DuckDB's own threads, or for the disk. */
function layerOf(where: string, functionName: string): string {
  const project = /^dist\/(engine|ingest|store|app|cli)\//.exec(where);
  if (project) return `src/${project[1]}`;
  if (where.startsWith('@duckdb/')) return 'DuckDB binding (@duckdb/node-api)';
  if (where.startsWith('node:')) return 'Node runtime (module loading, fs, …)';
  if (where !== '') return 'other packages (zod, papaparse, …)';
  if (functionName === '(garbage collector)' || functionName === '(idle)' || functionName === '(program)') return functionName;
  return 'native calls (fs, DuckDB, …)';
}

/** The part of a script URL worth reading: `src/engine/x.ts`-like paths, or the package. */
function shortUrl(url: string): string {
  if (url === '') return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length).split('/').slice(0, 2).join('/');
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

function top(totals: Map<string, number>, total: number, count: number): ProfileEntry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([name, micros]) => ({ name, seconds: micros / 1e6, share: total === 0 ? 0 : micros / total }));
}

export async function summariseProfile(file: string, count = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  const layers = new Map<string, number>();
  let total = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const node = byId.get(profile.samples[index] ?? -1);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node) continue;
    total += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = shortUrl(url);
    const name = where === '' ? functionName || '(native)' : `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + delta);
    const fileName = where === '' ? functionName || '(native)' : where;
    files.set(fileName, (files.get(fileName) ?? 0) + delta);
    const layer = layerOf(where, functionName);
    layers.set(layer, (layers.get(layer) ?? 0) + delta);
  }
  return { seconds: total / 1e6, layers: top(layers, total, layers.size), functions: top(functions, total, count), files: top(files, total, count) };
}
