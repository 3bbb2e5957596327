import { defineConfig } from 'vitest/config';

/**
 * Unit tests (packages/*, apps/api) run in parallel; integration and browser tests (test/)
 * share one PostgreSQL, Redis and set of app processes, so they run one file at a time.
 */
export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module) builds; Node gives @graphql-tools the CJS one, so
  // the code under test must get the same instance ("Cannot use GraphQLScalarType from another realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/api/test/**/*.test.ts', 'workers/test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
