import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/count-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A throwaway PostgreSQL server for the store tests (or the one RUNRATE_TEST_DATABASE_URL names).
    globalSetup: ['./test/support/postgres-cluster.ts'],
  },
});
