/**
 * The codes an ingest item can fail with: the values of the schema's `IngestErrorCode` enum, which
 * stays their source (apps/api/src/errors.ts fails to compile unless these keys equal the
 * generated type). A record, so the runtime check below and the type are one list.
 */
const INGEST_ERROR_CODES = {
  FETCH_FAILED: true,
  INTERNAL: true,
  INVALID_INPUT: true,
  MEDIA_TOO_LARGE: true,
  NOT_FOUND: true,
  NO_FRAMES: true,
  PATH_OUTSIDE_ROOT: true,
  TOO_LARGE: true,
  TRUNCATED_MEDIA: true,
  UNSUPPORTED_MEDIA: true,
  UPLOAD_NOT_FOUND: true,
  URL_NOT_ALLOWED: true,
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERROR_CODES;

/**
 * Every code a domain error can carry, and so every code a client can see from one: the ingest
 * codes, and the GraphQL `extensions.code` values and HTTP error codes clients already read.
 */
export type DomainErrorCode =
  | IngestErrorCode
  // Requests
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BUSY'
  | 'TOO_MANY_REQUESTS'
  // Videos and tiering
  | 'VIDEO_NOT_READY'
  | 'ALREADY_DEMOTED'
  // Renditions
  | 'MODE_UNAVAILABLE'
  | 'BAD_SEGMENT'
  | 'RENDITION_FAILED'
  | 'NOT_RENDERED_IN_TIME'
  // Jobs
  | 'JOB_NOT_FOUND'
  | 'JOB_NOT_FAILED';

/** What a client may be told besides the code and message (sent as GraphQL extensions, never an internal detail). */
export interface DomainErrorDetails {
  /** The client should retry after this many seconds; the whole HTTP response gets the error's status and Retry-After. */
  readonly retryAfterSeconds?: number;
}

/**
 * The one error type services, workers and packages throw for a reason a client can act on. The
 * API maps it once to GraphQL (`extensions.code`, apps/api/src/schema/errors.ts) and once to an
 * HTTP status (apps/api/src/http/errors.ts). Anything else that escapes is an internal error.
 */
export class DomainError<Code extends DomainErrorCode = DomainErrorCode> extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: Code,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
  }
}

export function isIngestErrorCode(code: string): code is IngestErrorCode {
  return Object.hasOwn(INGEST_ERROR_CODES, code);
}

export const badUserInput = (message: string) => new DomainError('BAD_USER_INPUT', message);
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
