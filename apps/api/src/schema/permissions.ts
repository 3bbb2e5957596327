import type { GraphQLFieldResolver } from 'graphql';
import type { Scope } from '@cmvc/db';
import type { RequestContext } from '../context.ts';
import { requireScope } from '@cmvc/core';

type Requirement = Scope | 'PUBLIC';

/**
 * The scope every root field needs, in one place. `buildSchema` refuses a root field that is
 * missing here, so nothing new can be exposed unguarded.
 */
export const ROOT_FIELD_SCOPES: Record<'Query' | 'Mutation' | 'Subscription', Record<string, Requirement>> = {
  Query: {
    me: 'PUBLIC',
    video: 'READ',
    videos: 'READ',
    search: 'READ',
    apiTokens: 'ADMIN',
    jobQueues: 'READ',
    failedJobs: 'READ',
    archiveTotals: 'READ',
  },
  Mutation: {
    login: 'PUBLIC',
    logout: 'PUBLIC',
    ingestVideos: 'INGEST',
    requestRendition: 'READ',
    demoteVideo: 'ADMIN',
    updateVideo: 'INGEST',
    deleteVideos: 'ADMIN',
    createApiToken: 'ADMIN',
    revokeApiToken: 'ADMIN',
    retryJob: 'ADMIN',
  },
  Subscription: { jobProgress: 'READ', videoUpdated: 'READ' },
};

type FieldResolver = GraphQLFieldResolver<unknown, RequestContext>;
type SubscriptionField = { subscribe: FieldResolver; resolve?: FieldResolver };

function guard(requirement: Requirement, resolver: FieldResolver): FieldResolver {
  if (requirement === 'PUBLIC') return resolver;
  return (source, args, context, info) => {
    requireScope(context.principal, requirement);
    return resolver(source, args, context, info);
  };
}

/** Wraps each root resolver with its scope check. */
export function guardRootFields<R extends Record<string, unknown>>(resolvers: R, fieldNames: Record<string, string[]>): R {
  const guarded: Record<string, unknown> = { ...resolvers };
  for (const [type, fields] of Object.entries(fieldNames)) {
    const table = ROOT_FIELD_SCOPES[type as keyof typeof ROOT_FIELD_SCOPES];
    const implementations = resolvers[type] as Record<string, FieldResolver | SubscriptionField> | undefined;
    const wrapped: Record<string, unknown> = {};
    for (const field of fields) {
      const requirement = table?.[field];
      if (!requirement) throw new Error(`${type}.${field} has no entry in ROOT_FIELD_SCOPES`);
      const implementation = implementations?.[field];
      if (!implementation) throw new Error(`${type}.${field} has no resolver`);
      wrapped[field] =
        typeof implementation === 'function'
          ? guard(requirement, implementation)
          : { ...implementation, subscribe: guard(requirement, implementation.subscribe) };
    }
    guarded[type] = wrapped;
  }
  return guarded as R;
}
