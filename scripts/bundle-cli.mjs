/**
 * Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/: one entry module plus a chunk for
 * each part a command imports lazily, so lazy stays lazy. Why: on every run Node resolved, read
 * and compiled about 140 of our modules and zod's 94 files, 0.15 s of a 0.23 s `runrate --version`;
 * the bundle loads in about a third of that (docs/performance.md). DuckDB's JavaScript API is
 * bundled too (Node parsed each of its 150 CommonJS files for their exports: 0.1 s of every store
 * query); its native binding, and packages only some commands load, stay in node_modules.
 */
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

// Chunk names carry a hash of their content: without a clean folder every build would leave the
// last build's chunks behind (they are never loaded, but the folder grows without end).
await rm('dist/bundle', { recursive: true, force: true });

await build({
  // The worker thread of a recompute (src/app/store/derive-worker.ts) is found next to the chunk
  // that starts it, so it is an entry of its own.
  entryPoints: { main: 'dist/cli/main.js', 'derive-worker': 'dist/app/store/derive-worker.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: ['@duckdb/node-bindings', 'exceljs', 'stripe', 'postgres'],
  // Bundled CommonJS packages (commander, papaparse) require Node's built-in modules.
  banner: { js: "import { createRequire as __runrateCreateRequire } from 'node:module'; const require = __runrateCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
