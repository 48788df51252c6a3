// Lint rules that hold the architecture in place: layers depend inward only and the engine
// stays pure (no IO, clock, environment or randomness). Import cycles are checked by
// test/architecture/import-graph.test.ts, which reads the same import graph.
import tseslint from 'typescript-eslint';

/** Layers from the inside out; each may import only from the layers listed for it. */
const forbidden = {
  engine: ['ingest', 'store', 'app', 'cli', 'api', 'web'],
  ingest: ['store', 'app', 'cli', 'api', 'web'],
  store: ['ingest', 'app', 'cli', 'api', 'web'],
  app: ['cli', 'api', 'web'],
};

const layerRule = (layer, extra = []) => [
  'error',
  {
    patterns: [
      ...forbidden[layer].map((outer) => ({
        group: [`**/${outer}/**`, `../${outer}`, `../../${outer}`],
        message: `src/${layer} must not depend on src/${outer}: layers depend inward only (ARCHITECTURE.md).`,
      })),
      ...extra,
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'tmp/**', 'data/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule('engine', [
        { regex: '^node:|^(fs|path|os|child_process|process|http|https|net|crypto)$', message: 'the engine does no IO.' },
      ]),
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
  { files: ['src/ingest/**/*.ts'], rules: { 'no-restricted-imports': layerRule('ingest') } },
  { files: ['src/store/**/*.ts'], rules: { 'no-restricted-imports': layerRule('store') } },
  { files: ['src/app/**/*.ts'], rules: { 'no-restricted-imports': layerRule('app') } },
);
