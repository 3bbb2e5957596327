export type ModelErrorCode =
  | 'invalid-frame'
  | 'invalid-input'
  | 'invalid-config'
  | 'model-not-found'
  | 'model-load-failed'
  | 'inference-failed'
  /** A model uses an operator or setting the ONNX converter does not map; the message names it. */
  | 'unsupported-op'
  | 'disposed';

/** Every failure this package reports on purpose is a ModelError with a machine-readable `code`. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
