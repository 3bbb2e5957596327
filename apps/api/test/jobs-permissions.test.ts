import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../src/context.ts';
import { formatError } from '../src/errors.ts';
import { buildSchema } from '../src/server.ts';
import { ANONYMOUS, expandScopes, type Principal } from '@cmvc/core';

const schema = buildSchema();

function token(scope: 'READ' | 'INGEST' | 'ADMIN'): Principal {
  return { kind: 'token', name: `a ${scope} token`, scopes: expandScopes([scope]) };
}

/** Runs an operation with services that must never be reached: the scope check comes first. */
async function run(source: string, principal: Principal) {
  const unreachable = new Proxy({}, { get: () => { throw new Error('a service was called before the scope check'); } });
  const contextValue = { services: unreachable, loaders: unreachable, principal, cookies: null } as unknown as RequestContext;
  const result = await graphql({ schema, source, contextValue });
  // The codes as clients get them, through the API's one error mapping.
  return result.errors?.map((error) => formatError(error.toJSON(), error).extensions?.code);
}

describe('jobs dashboard scopes', () => {
  it('asks anonymous callers to sign in for every dashboard field', async () => {
    for (const field of ['{ jobQueues { name } }', '{ failedJobs { totalCount } }', '{ archiveTotals { videoCount } }']) {
      expect(await run(field, ANONYMOUS)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('lets only administrators retry jobs', async () => {
    const retry = 'mutation { retryJob(queue: ENCODE, id: "encode-x") { id } }';
    expect(await run(retry, token('READ'))).toEqual(['FORBIDDEN']);
    expect(await run(retry, token('INGEST'))).toEqual(['FORBIDDEN']);
    // An administrator passes the check and reaches the (here unreachable) service.
    const errors = await run(retry, token('ADMIN'));
    expect(errors).toHaveLength(1);
    expect(errors![0]).not.toBe('FORBIDDEN');
  });
});
