// The errors module alone: the package's index would load every service (and @cmvc/models) into each spec.
import { DomainError } from '../../packages/core/src/errors.ts';

/** The code of the DomainError `promise` rejects with; anything else (a value, another error) fails the spec. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error.code;
}
