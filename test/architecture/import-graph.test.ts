/**
 * The architecture as a test over the real import graph of src/: no import cycles anywhere, and
 * every import points inward (engine ← ingest/store ← app ← cli), the engine importing nothing
 * with side effects. ESLint reports layer violations while editing; this proves the whole graph.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

function importGraph(): Map<string, { internal: string[]; external: string[] }> {
  const graph = new Map<string, { internal: string[]; external: string[] }>();
  for (const file of sourceFiles(src)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const internal: string[] = [];
    const external: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) internal.push(path.resolve(path.dirname(file), fileName.replace(/\.js$/, '.ts')));
      else external.push(fileName);
    }
    graph.set(file, { internal, external });
  }
  return graph;
}

const LAYER_ORDER = ['engine', 'ingest', 'store', 'app', 'cli', 'api', 'web'] as const;
const ALLOWED: Record<string, readonly string[]> = {
  engine: ['engine'],
  ingest: ['engine', 'ingest'],
  store: ['engine', 'store'],
  app: ['engine', 'ingest', 'store', 'app'],
  cli: ['engine', 'ingest', 'store', 'app', 'cli'],
  api: ['engine', 'ingest', 'store', 'app', 'api'],
  web: ['web'],
};

function layerOf(file: string): string {
  const layer = path.relative(src, file).split(path.sep)[0]!;
  expect(LAYER_ORDER as readonly string[], `${file} is outside the known layers`).toContain(layer);
  return layer;
}

describe('import graph of src/', () => {
  const graph = importGraph();

  test('every relative import resolves to a source file', () => {
    const missing = [...graph].flatMap(([file, { internal }]) => internal.filter((target) => !graph.has(target)).map((target) => `${file} → ${target}`));
    expect(missing).toEqual([]);
  });

  test('layers depend inward only', () => {
    const violations: string[] = [];
    for (const [file, { internal }] of graph) {
      const from = layerOf(file);
      for (const target of internal) if (!ALLOWED[from]!.includes(layerOf(target))) violations.push(`${path.relative(src, file)} → ${path.relative(src, target)}`);
    }
    expect(violations).toEqual([]);
  });

  test('the engine imports no IO module', () => {
    const impure = [...graph]
      .filter(([file]) => layerOf(file) === 'engine')
      .flatMap(([file, { external }]) => external.filter((name) => name.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'http', 'https', 'net'].includes(name)).map((name) => `${path.relative(src, file)} → ${name}`));
    expect(impure).toEqual([]);
  });

  test('there is no import cycle', () => {
    // Tarjan's strongly connected components: any component of two or more files is a cycle.
    let index = 0;
    const indices = new Map<string, number>();
    const lowLinks = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (file: string) => {
      indices.set(file, index);
      lowLinks.set(file, index);
      index++;
      stack.push(file);
      onStack.add(file);
      for (const target of graph.get(file)?.internal ?? []) {
        if (!graph.has(target)) continue;
        if (!indices.has(target)) {
          visit(target);
          lowLinks.set(file, Math.min(lowLinks.get(file)!, lowLinks.get(target)!));
        } else if (onStack.has(target)) lowLinks.set(file, Math.min(lowLinks.get(file)!, indices.get(target)!));
      }
      if (lowLinks.get(file) === indices.get(file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(path.relative(src, member));
        } while (member !== file);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!indices.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
