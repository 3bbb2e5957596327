import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Response } from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, type DomainErrorCode, type IngestErrorCode as DomainIngestErrorCode } from '@cmvc/core';
import { logger } from './logger.ts';
import type { IngestErrorCode } from './schema/generated/graphql.ts';

/** The schema's IngestErrorCode enum (generated) is the source of the ingest codes: core's list must equal it. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ingestCodesMatchSchema: Same<DomainIngestErrorCode, IngestErrorCode> = true;
void ingestCodesMatchSchema;

/**
 * The API's one mapping of domain errors to HTTP: the status of each code (media routes, and
 * GraphQL responses to errors that ask for a retry), and the JSON body the media routes answer with.
 */
export const HTTP_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PATH_OUTSIDE_ROOT: 403,
  URL_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  UPLOAD_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  BAD_SEGMENT: 404,
  VIDEO_NOT_READY: 409,
  ALREADY_DEMOTED: 409,
  MODE_UNAVAILABLE: 409,
  RENDITION_FAILED: 409,
  JOB_NOT_FAILED: 409,
  TOO_LARGE: 413,
  MEDIA_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  TRUNCATED_MEDIA: 422,
  NO_FRAMES: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  FETCH_FAILED: 502,
  BUSY: 503,
  NOT_RENDERED_IN_TIME: 503,
};

/**
 * Answers a domain error over plain HTTP: its status, Retry-After when it asks for a retry, and
 * `{ error: { code, message } }`; an INTERNAL one only with an error id, as any internal error.
 */
export function sendDomainError(response: Response, error: DomainError): void {
  if (error.code === 'INTERNAL') {
    const { errorId, message } = internalError(error, {});
    return void response.status(HTTP_STATUS.INTERNAL).json({ error: { code: 'INTERNAL', message, errorId } });
  }
  if (error.details.retryAfterSeconds !== undefined) response.set('Retry-After', String(error.details.retryAfterSeconds));
  response.status(HTTP_STATUS[error.code]).json({ error: { code: error.code, message: error.message } });
}

/** An error the client cannot act on: logged with its detail under an id, answered with only the id. */
export function internalError(error: unknown, where: Record<string, unknown>): { errorId: string; message: string } {
  const errorId = randomUUID();
  logger.error({ errorId, err: error, ...where }, 'request failed');
  return { errorId, message: `Internal error (id ${errorId})` };
}

/**
 * The API's one mapping of errors to GraphQL: a domain error's code (and details) become
 * `extensions.code` (and further extensions). Apollo relabels every validation error
 * GRAPHQL_VALIDATION_FAILED; the codes our own rules chose are kept. Internal errors reach the
 * client as an opaque id only (their detail is in the logs).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (original instanceof DomainError && original.code !== 'INTERNAL') {
    return { ...formatted, extensions: { ...formatted.extensions, ...original.details, code: original.code } };
  }
  const ownCode = original instanceof GraphQLError ? original.extensions.code : undefined;
  const code = typeof ownCode === 'string' ? ownCode : formatted.extensions?.code;
  if (code === undefined || code === 'INTERNAL_SERVER_ERROR' || original instanceof DomainError) {
    const { errorId, message } = internalError(original ?? error, { path: formatted.path });
    return { message, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR', errorId } };
  }
  return { ...formatted, extensions: { ...formatted.extensions, code } };
}

/**
 * A domain error that asks the client to retry later (BUSY, TOO_MANY_REQUESTS) answers the whole
 * GraphQL response with its HTTP status and Retry-After; other errors keep GraphQL's 200.
 */
export const retryStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, response }) {
        for (const { originalError } of errors) {
          const domain: DomainError | null = originalError instanceof DomainError ? originalError : null;
          if (domain?.details.retryAfterSeconds !== undefined) {
            response.http.status = HTTP_STATUS[domain.code];
            response.http.headers.set('retry-after', String(domain.details.retryAfterSeconds));
          }
        }
      },
    };
  },
};
