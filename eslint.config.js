// Lint rules that hold the architecture in place: layers depend inward only, never in cycles,
// and the engine stays pure (no IO, clock, environment or randomness).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const layers = {
  engine: './src/engine',
  ingest: './src/ingest',
  store: './src/store',
  app: './src/app',
  cli: './src/cli',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'tmp/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { ...importX.flatConfigs.typescript.settings, 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: layers.engine, from: [layers.ingest, layers.store, layers.app, layers.cli], message: 'src/engine is the pure core: it depends on nothing outside itself.' },
            { target: layers.ingest, from: [layers.store, layers.app, layers.cli], message: 'adapters depend only on the engine.' },
            { target: layers.store, from: [layers.ingest, layers.app, layers.cli], message: 'adapters depend only on the engine.' },
            { target: layers.app, from: [layers.cli], message: 'use cases never depend on an edge.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^node:|^(fs|path|os|child_process|process|http|https|net|crypto)$', message: 'the engine does no IO.' }] },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'the engine reads no environment: pass configuration in.' },
        { name: 'Date', message: 'use CalendarDate / Instant; the engine has no clock and no machine time zone.' },
        { name: 'setTimeout', message: 'the engine is synchronous and pure.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'the engine is deterministic.' },
        { object: 'Temporal', property: 'Now', message: 'the engine has no clock: take asOf.' },
      ],
    },
  },
);
