/** The API's one mapping of domain errors: to GraphQL extensions (with Apollo's HTTP head) and to plain HTTP. */
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badUserInput, DomainError, notFound } from '@cmvc/core';
import { formatError, HTTP_STATUS, retryStatusPlugin, sendDomainError } from '../src/errors.ts';

const schema = makeExecutableSchema({
  typeDefs: 'type Query { busy: Int, missing: Int, invalid: Int, broken: Int, internal: Int }',
  resolvers: {
    Query: {
      busy: () => {
        throw new DomainError('BUSY', 'The server is busy', { retryAfterSeconds: 2 });
      },
      missing: () => {
        throw notFound('No such thing');
      },
      invalid: () => {
        throw badUserInput('Bad argument');
      },
      broken: () => {
        throw new Error('connection refused at /var/secret');
      },
      internal: () => {
        throw new DomainError('INTERNAL', 'Internal error while doing something private');
      },
    },
  },
});

describe('domain errors over GraphQL', () => {
  const server = new ApolloServer({ schema, formatError, plugins: [retryStatusPlugin] });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  async function run(query: string) {
    const response = await server.executeOperation({ query });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { http: response.http, errors: response.body.singleResult.errors ?? [] };
  }

  it('answers a retry-later error with its HTTP status, Retry-After and its code and details as extensions', async () => {
    const { http, errors } = await run('{ busy }');
    expect(http.status).toBe(503);
    expect(http.headers.get('retry-after')).toBe('2');
    expect(errors[0]!.extensions).toEqual({ code: 'BUSY', retryAfterSeconds: 2 });
  });

  it('keeps the 200 of GraphQL for other domain errors and sends their code', async () => {
    const missing = await run('{ missing }');
    expect(missing.http.status).toBeUndefined();
    expect(missing.errors[0]).toMatchObject({ message: 'No such thing', extensions: { code: 'NOT_FOUND' } });
    expect((await run('{ invalid }')).errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('hides anything else, and INTERNAL domain errors, behind an error id', async () => {
    for (const field of ['broken', 'internal']) {
      const [error] = (await run(`{ ${field} }`)).errors;
      expect(error!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(error!.message).not.toMatch(/secret|private/);
    }
  });
});

describe('domain errors over plain HTTP', () => {
  let base = '';
  let close = () => {};
  beforeAll(async () => {
    const app = express();
    app.get('/:code', (request, response) => {
      const code = String(request.params.code) as keyof typeof HTTP_STATUS;
      sendDomainError(response, new DomainError(code, `failed with ${code}`, code === 'NOT_RENDERED_IN_TIME' ? { retryAfterSeconds: 1 } : {}));
    });
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    close = () => void listening.close();
  });
  afterAll(() => close());

  it('answers each code with its status and `{ error: { code, message } }`', async () => {
    for (const [code, status] of [['UNAUTHENTICATED', 401], ['FORBIDDEN', 403], ['BAD_SEGMENT', 404], ['RENDITION_FAILED', 409]] as const) {
      const response = await fetch(`${base}/${code}`);
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, message: `failed with ${code}` } });
      expect(response.headers.get('retry-after')).toBeNull();
    }
  });

  it('answers an INTERNAL domain error with an error id only', async () => {
    const response = await fetch(`${base}/INTERNAL`);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string; errorId: string } };
    expect(body.error).toEqual({ code: 'INTERNAL', message: `Internal error (id ${body.error.errorId})`, errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('sets Retry-After on an error that asks for a retry', async () => {
    const response = await fetch(`${base}/NOT_RENDERED_IN_TIME`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });
});
