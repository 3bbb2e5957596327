import { defineConfig } from 'vitest/config';

/**
 * Test tiers (docs/ARCHITECTURE.md). `unit`: logic and service specs against in-memory ports, no
 * PostgreSQL, Redis, ffmpeg or model loading, in seconds. `codec`: the codec, its media I/O, the
 * evaluation and the CLI, with real ffmpeg. `models`: analyzers and model backends (ONNX models,
 * faked remote servers). These three run in parallel; `integration` and browser tests (test/)
 * share one PostgreSQL, Redis and set of app processes, so they run one file at a time.
 */
const inProcess = { pool: 'forks', maxWorkers: 2 } as const;

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
          include: [
            'packages/{core,config,blob,jobs}/test/**/*.test.ts',
            'apps/api/test/**/*.test.ts',
            'workers/test/**/*.test.ts',
          ],
          // No service is reachable from the unit tier: a test that reaches for one fails.
          env: { DATABASE_URL: '', REDIS_URL: '' },
          testTimeout: 30_000,
          hookTimeout: 30_000,
          ...inProcess,
        },
      },
      {
        extends: true,
        test: {
          name: 'codec',
          include: ['packages/{codec,media-io,eval,tools}/test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          ...inProcess,
        },
      },
      {
        extends: true,
        test: {
          name: 'models',
          include: ['packages/models/test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          ...inProcess,
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
