import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { buildSchema as buildSchemaFromSdl, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import type { BlobStore } from '@cmvc/blob';
import { DomainError, SESSION_COOKIE, sessionFromCookie, type Principal } from '@cmvc/core';
import { createRequestContext, type RequestContext, type Services, type SessionCookieJar } from './context.ts';
import { guardRootFields } from './schema/permissions.ts';
import { createMediaRouter } from './http/media-routes.ts';
import { DEFAULT_QUERY_LIMITS, queryLimitsRule } from './schema/limits.ts';
import { resolvers } from './schema/resolvers.ts';
import { withJobResolvers } from './schema/jobs-resolvers.ts';
import { logger } from './logger.ts';
import { formatError, internalError, retryStatusPlugin, sendDomainError } from './errors.ts';

/** The schema's one definition (SDL-first); codegen reads the same file. */
const typeDefs = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

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

/** Browsers always send Origin on WebSockets; other clients may not, and carry no ambient credentials. */
function allowedOrigin(origin: string | undefined, publicOrigins: readonly string[]): boolean {
  return origin === undefined || publicOrigins.includes(origin);
}

/** The 4xx status of an error the request caused (body-parser: malformed JSON, body too large), else null. */
function clientErrorStatus(error: unknown): number | null {
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : null;
}

export interface ApiServerDependencies {
  readonly services: Services;
  readonly blobs: BlobStore;
  readonly uploadMaxBytes: number;
  /** Origins allowed to open cookie-authenticated WebSockets (the web UI's public URLs). */
  readonly publicOrigins: readonly string[];
  /** Express `trust proxy`. */
  readonly trustProxy: boolean | number | string;
}

export interface ApiServer {
  readonly httpServer: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export async function createApiServer(dependencies: ApiServerDependencies): Promise<ApiServer> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', dependencies.trustProxy);
  const httpServer = createServer(app);
  const schema = buildSchema();
  const limits = queryLimitsRule(DEFAULT_QUERY_LIMITS);
  // Subscriptions (graphql-ws) share the /graphql path with queries and mutations.
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer(
    {
      schema,
      // A page on another site can open a WebSocket that carries our cookie (no CORS, no CSRF
      // check applies): without a bearer token, only the web UI's own origins may connect.
      onConnect: (connection) =>
        stringParam(connection.connectionParams?.authorization) !== undefined ||
        allowedOrigin(connection.extra.request.headers.origin, dependencies.publicOrigins),
      context: async (connection) =>
        createRequestContext(
          dependencies.services,
          await dependencies.services.auth.authenticate({
            authorization: stringParam(connection.connectionParams?.authorization),
            cookie: connection.extra.request.headers.cookie,
          }),
          null,
          connection.extra.request.socket.remoteAddress ?? 'unknown',
        ),
      validate: (validationSchema, document) =>
        validate(validationSchema, document, [...specifiedRules, limits]),
      // The same error shapes as over HTTP: validation codes, and internal errors as an opaque id.
      onError: (_context, _id, _payload, errors) =>
        errors.map((error) => formatError({ ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...error.extensions } }, error)),
      onNext: (_context, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined,
    },
    wsServer,
  );
  const apollo = new ApolloServer<RequestContext>({
    schema,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
      retryStatusPlugin,
    ],
    validationRules: [limits],
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // main.ts owns SIGTERM/SIGINT and stops Apollo itself; with Apollo's own handlers as well, stop() never returned and the process was killed.
    stopOnTerminationSignals: false,
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
      renditions: dependencies.services.renditions,
      videos: dependencies.services.videos,
      uploadMaxBytes: dependencies.uploadMaxBytes,
    }),
  );
  app.use(
    '/graphql',
    express.json({ limit: '4mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createRequestContext(dependencies.services, res.locals.principal as Principal, cookieJar(req, res), req.ip ?? 'unknown'),
    }),
  );
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    if (response.headersSent) return void logger.error({ err: error, url: request.originalUrl }, 'response broke off');
    if (error instanceof DomainError) return sendDomainError(response, error);
    const status = clientErrorStatus(error);
    if (status !== null) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return void response.status(status).json({ error: { code, message: (error as Error).message } });
    }
    const { errorId, message } = internalError(error, { method: request.method, url: request.originalUrl });
    response.status(500).json({ error: { code: 'INTERNAL', message, errorId } });
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
