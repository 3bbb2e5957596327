export type BackendErrorCode =
  /** Cannot reach the backend (refused, DNS, reset) or it kept answering 429/5xx after all retries. */
  | 'BACKEND_UNAVAILABLE'
  /** The backend did not answer within the configured time. */
  | 'BACKEND_TIMEOUT'
  /** The backend answered, but not in the shape its API promises (bad JSON, wrong dimension, missing field). */
  | 'BACKEND_BAD_RESPONSE'
  /** The backend refused the request (4xx other than 429, a ComfyUI node/execution error). */
  | 'BACKEND_REJECTED'
  /** Our own configuration is unusable (missing model files, bad template, invalid option). */
  | 'BACKEND_CONFIG';

export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly code: BackendErrorCode;
  /** Which backend raised it, e.g. "openai-chat:llava". */
  readonly backend: string;
  /** HTTP status of the last answer, when there was one. */
  readonly status?: number;
  /** The message without the backend prefix. */
  readonly detail: string;

  constructor(code: BackendErrorCode, backend: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(`${backend}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.backend = backend;
    this.detail = message;
    if (options.status !== undefined) this.status = options.status;
  }
}

export function isBackendError(value: unknown): value is BackendError {
  return value instanceof BackendError;
}
