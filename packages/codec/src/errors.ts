/** Failures of the codec pipeline that are neither bad media nor a bad bitstream. */
export type CodecErrorCode =
  | 'INVALID_OPTIONS'
  | 'GENERATOR_UNAVAILABLE'
  | 'GENERATOR_FAILED'
  | 'SEMANTIC_CODEC_UNAVAILABLE'
  | 'ANALYZER_FAILED'
  | 'SOURCE_CHANGED'
  | 'INTERNAL'
  | 'ABORTED';

export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    readonly code: CodecErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CodecError('ABORTED', 'operation aborted');
}
