export type BitstreamErrorCode =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'TRUNCATED'
  | 'TRAILING_DATA'
  | 'CRC_MISMATCH'
  | 'OUT_OF_BOUNDS'
  | 'BAD_SECTION'
  | 'MISSING_SECTION'
  | 'DUPLICATE_SECTION'
  | 'BAD_TEXT_CODING'
  | 'INCONSISTENT';

/** A .cmvc stream is malformed; parsing never fails in any other way. */
export class BitstreamError extends Error {
  override readonly name = 'BitstreamError';
  constructor(
    readonly code: BitstreamErrorCode,
    message: string,
  ) {
    super(message);
  }
}
