import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import {
  buildSchema as buildSchemaFromSdl,
  GraphQLError,
  specifiedRules,
  validate,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { BlobStore } from '@cmvc/blob';
import { createRequestContext, type RequestContext, type Services, type SessionCookieJar } from './context.ts';
import { SESSION_COOKIE, sessionFromCookie } from './services/auth-service.ts';
import { guardRootFields } from './schema/permissions.ts';
import { createMediaRouter } from './http/media-routes.ts';
import type { Principal } from './services/auth-service.ts';
import { DEFAULT_QUERY_LIMITS, queryLimitsRule } from './schema/limits.ts';
import { resolvers } from './schema/resolvers.ts';
import { withJobResolvers } from './schema/jobs-resolvers.ts';
import { typeDefs } from './schema/type-defs.ts';

export function buildSchema(): GraphQLSchema {
  const sdl = buildSchemaFromSdl(typeDefs);
  const rootFields = Object.fromEntries(
    [sdl.getQueryType(), sdl.getMutationType(), sdl.getSubscriptionType()]
      .filter((type) => type !== null && type !== undefined)
      .map((type) => [type.name, Object.keys(type.getFields())]),
  );
  return makeExecutableSchema({ typeDefs, resolvers: guardRootFields(withJobResolvers(resolvers), rootFields) });
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function cookieJar(request: Request, response: Response): SessionCookieJar {
  return {
    current: sessionFromCookie(request.headers.cookie),
    set: (value, expires) =>
      void response.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: request.secure, expires, path: '/' }),
    clear: () => void response.clearCookie(SESSION_COOKIE, { path: '/' }),
  };
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
      context: async (connection) =>
        createRequestContext(
          dependencies.services,
          await dependencies.services.auth.authenticate({
            authorization: stringParam(connection.connectionParams?.authorization),
            cookie: connection.extra.request.headers.cookie,
          }),
        ),
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
  // Every route below knows its caller: a bearer token, a session cookie, or anonymous.
  app.use(async (request, response, next) => {
    try {
      response.locals.principal = await dependencies.services.auth.authenticate(request.headers);
      next();
    } catch (error) {
      next(error);
    }
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
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createRequestContext(dependencies.services, res.locals.principal as Principal, cookieJar(req, res)),
    }),
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
