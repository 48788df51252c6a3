/**
 * What every command pays before it runs: the modules the CLI bundle (dist/bundle/main.js, which
 * `npm test` builds first, as the CLI tests need) loads at start-up. A store query must not load
 * the input readers, their parsers and schemas (a few milliseconds of each start,
 * docs/performance.md); commands that read input import them when they run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const bundle = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bundle');

/** The source files of a bundle module and of every chunk it imports statically (not `import()`). */
function loadedAtStart(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const text = readFileSync(path.join(bundle, file), 'utf8');
  const map = JSON.parse(readFileSync(path.join(bundle, `${file}.map`), 'utf8')) as { sources: string[] };
  const sources = new Set(map.sources.map((source) => source.replace(/^(\.\.\/)+/, '')));
  for (const [, chunk] of text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s"\.\/([^"]+)";/gms)) {
    for (const source of loadedAtStart(chunk!, seen)) sources.add(source);
  }
  return sources;
}

describe('the CLI start-up', () => {
  test('loads no input reader or parser', () => {
    expect(existsSync(path.join(bundle, 'main.js')), 'dist/bundle/main.js: run `npm run build` first').toBe(true);
    const sources = [...loadedAtStart('main.js')];
    expect(sources.filter((source) => source.startsWith('src/ingest/')).sort()).toEqual([
      // The error class exit-codes.ts maps.
      'src/ingest/dataset-error.ts',
      // `rates sync --url`'s default.
      'src/ingest/rates/ecb-history-url.ts',
      // `rates`' coverage report: arithmetic on rates already read.
      'src/ingest/rates/rates-coverage.ts',
      // The bundled history behind reports from the store: read from disk only when asked for.
      'src/ingest/reference-rates.ts',
    ]);
    // The check sees the chunks: the commands themselves are loaded at start-up.
    expect(sources).toContain('src/cli/commands/rates-command.ts');
  });

  test('loads no zod: a configuration file is read with it only when there is one', () => {
    const sources = [...loadedAtStart('main.js')];
    expect(sources.filter((source) => source.includes('node_modules/zod/'))).toEqual([]);
    expect(sources).not.toContain('src/app/config-from-file.ts');
    // And the check would see zod: the module that reads configuration files brings it.
    expect([...loadedAtStart(chunkOf('src/app/config-from-file.ts'))].some((source) => source.includes('node_modules/zod/'))).toBe(true);
  });
});

/** The bundle module whose source map lists this source. */
function chunkOf(source: string): string {
  const file = readdirSync(bundle).find((name) => name.endsWith('.js') && readFileSync(path.join(bundle, `${name}.map`), 'utf8').includes(`/${source}"`));
  expect(file, `no bundle module holds ${source}`).toBeDefined();
  return file!;
}
