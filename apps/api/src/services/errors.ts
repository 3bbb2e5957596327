import { GraphQLError } from 'graphql';

export type IngestErrorCode =
  | 'INVALID_INPUT'
  | 'PATH_OUTSIDE_ROOT'
  | 'NOT_FOUND'
  | 'UNSUPPORTED_MEDIA'
  | 'TRUNCATED_MEDIA'
  | 'UPLOAD_NOT_FOUND'
  | 'URL_NOT_ALLOWED'
  | 'FETCH_FAILED'
  | 'TOO_LARGE'
  | 'MEDIA_TOO_LARGE'
  | 'NO_FRAMES'
  | 'INTERNAL';

/** Why one ingest item was refused; reported per item, never thrown out of the mutation. */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly code: IngestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}
