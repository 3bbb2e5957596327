/**
 * GraphQL types generated from apps/api/schema.graphql, the schema's one definition (`npm run
 * codegen`). Like the Prisma client they are build artefacts, not committed: scripts/prepare.sh
 * (`npm test`, `npm run demo`) and `npm run generate` write them. A unit test fails while they are stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const schema = 'apps/api/schema.graphql';
const shared = { useTypeImports: true, enumsAsTypes: true, strictScalars: true } as const;

const config: CodegenConfig = {
  overwrite: true,
  generates: {
    // Arguments, inputs, enums and resolver signatures for the API's resolvers.
    'apps/api/src/schema/generated/graphql.ts': {
      schema,
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        ...shared,
        scalars: { DateTime: { input: 'Date', output: 'Date | string' } },
        contextType: '../../context.ts#RequestContext',
        // The values the resolvers see (jobs-resolvers.ts maps the GraphQL names to @cmvc/jobs' names).
        enumValues: {
          JobQueueName: { ENCODE: 'encode', RENDER: 'render', MAINTENANCE: 'maintenance' },
          JobState: { WAITING: 'waiting', ACTIVE: 'active', DELAYED: 'delayed', COMPLETED: 'completed', FAILED: 'failed', UNKNOWN: 'unknown' },
        },
      },
    },
    // Variables and results of every operation the web client sends.
    'apps/web/lib/generated/graphql.ts': {
      schema,
      documents: ['apps/web/lib/**/*.ts', 'apps/web/components/**/*.tsx', 'apps/web/app/**/*.tsx', '!apps/web/lib/generated/**'],
      // typescript-operations also writes the enums and inputs that the operations use.
      plugins: ['typescript-operations'],
      config: { ...shared, scalars: { DateTime: 'string' }, skipTypename: true },
    },
  },
};

export default config;
