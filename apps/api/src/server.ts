import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { GraphQLError, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { BlobStore } from '@cmvc/blob';
import { createRequestContext, type RequestContext, type Services } from './context.ts';
import { createMediaRouter } from './http/media-routes.ts';
import { DEFAULT_QUERY_LIMITS, queryLimitsRule } from './schema/limits.ts';
import { resolvers } from './schema/resolvers.ts';
import { typeDefs } from './schema/type-defs.ts';

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs, resolvers });
}

/** Apollo relabels every validation error GRAPHQL_VALIDATION_FAILED; keep the codes our own rules chose. */
function keepOwnErrorCodes(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const code = original instanceof GraphQLError ? original.extensions.code : undefined;
  return typeof code === 'string' ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted;
}

export interface ApiServerDependencies {
  readonly services: Services;
  readonly blobs: BlobStore;
  readonly uploadMaxBytes: number;
}

export interface ApiServer {
  readonly httpServer: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export async function createApiServer(dependencies: ApiServerDependencies): Promise<ApiServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const schema = buildSchema();
  const limits = queryLimitsRule(DEFAULT_QUERY_LIMITS);
  // Subscriptions (graphql-ws) share the /graphql path with queries and mutations.
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer(
    {
      schema,
      context: () => createRequestContext(dependencies.services),
      validate: (validationSchema, document) =>
        validate(validationSchema, document, [...specifiedRules, limits]),
    },
    wsServer,
  );
  const apollo = new ApolloServer<RequestContext>({
    schema,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
    validationRules: [limits],
    formatError: keepOwnErrorCodes,
    introspection: true,
  });
  await apollo.start();

  app.get('/healthz', (_request, response) => {
    response.json({ ok: true });
  });
  app.use(
    createMediaRouter({
      blobs: dependencies.blobs,
      keyframes: dependencies.services.keyframes,
      renditions: dependencies.services.renditionRecords,
      videos: dependencies.services.videos,
      uploadMaxBytes: dependencies.uploadMaxBytes,
    }),
  );
  app.use(
    '/graphql',
    express.json({ limit: '4mb' }),
    expressMiddleware(apollo, { context: async () => createRequestContext(dependencies.services) }),
  );
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    console.error('request failed', error);
    if (!response.headersSent) response.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error' } });
  });

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: () => apollo.stop(),
  };
}
