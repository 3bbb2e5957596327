export type EvalErrorCode =
  | 'FFMPEG_UNAVAILABLE'
  | 'FFMPEG_FAILED'
  | 'BAD_INPUT'
  | 'SIZE_MISMATCH'
  | 'INPUT_TOO_SMALL'
  | 'METRIC_FAILED'
  | 'NO_CLIPS'
  | 'INVALID_OPTIONS'
  | 'ABORTED'
  /** A component broke its contract (a bug, not bad input). */
  | 'INTERNAL';

/** Every failure of the evaluation harness, with a machine-readable `code`. */
export class EvalError extends Error {
  readonly code: EvalErrorCode;
  constructor(code: EvalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvalError';
    this.code = code;
  }
}
