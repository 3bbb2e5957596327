import { BackendError } from './errors.ts';
import type { BackendHealth } from './types.ts';

/** Connection settings shared by every HTTP backend. */
export interface HttpBackendOptions {
  /** Root of the API, e.g. "http://gpu-box:11434/v1" (OpenAI-style) or "http://gpu-box:8188" (ComfyUI). */
  readonly baseUrl: string;
  readonly apiKey?: string;
  /** Header that carries `apiKey`: "authorization" (default) sends "Bearer <key>", any other header the bare key. */
  readonly apiKeyHeader?: string;
  /** Limit for one request, response body included. Default 60 s. */
  readonly timeoutMs?: number;
  /** Extra attempts after a network error, 429 or 5xx. Default 3. */
  readonly maxRetries?: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 250 ms. */
  readonly retryBaseDelayMs?: number;
  /** Cap on one backoff delay, `Retry-After` included. Default 8 s. */
  readonly retryMaxDelayMs?: number;
  /** Limit for `health()`. Default 5 s. */
  readonly healthTimeoutMs?: number;
  /** Largest response body accepted. Default 256 MiB. */
  readonly maxResponseBytes?: number;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as multipart/form-data. */
  readonly form?: FormData;
  readonly query?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Turns an error answer's body into a message; the default reads OpenAI/Ollama/ComfyUI error shapes. */
  readonly describeError?: (status: number, body: unknown) => string | undefined;
}

export interface BinaryResponse {
  readonly data: Uint8Array;
  readonly contentType: string;
}

const RETRYABLE_STATUS = (status: number): boolean => status === 429 || status >= 500;

export class HttpBackendClient {
  readonly backendId: string;
  private readonly baseUrl: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly healthTimeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(backendId: string, options: HttpBackendOptions) {
    this.backendId = backendId;
    let parsed: URL;
    try {
      parsed = new URL(options.baseUrl);
    } catch (cause) {
      throw new BackendError('BACKEND_CONFIG', backendId, `baseUrl ${JSON.stringify(options.baseUrl)} is not a URL`, { cause });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new BackendError('BACKEND_CONFIG', backendId, `baseUrl must be http(s), got ${parsed.protocol}`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const headers: Record<string, string> = {};
    if (options.apiKey) {
      const header = (options.apiKeyHeader ?? 'authorization').toLowerCase();
      headers[header] = header === 'authorization' ? `Bearer ${options.apiKey}` : options.apiKey;
    }
    this.headers = headers;
    this.timeoutMs = positive(options.timeoutMs, 60_000, 'timeoutMs', backendId);
    this.maxRetries = Math.floor(nonNegative(options.maxRetries, 3, 'maxRetries', backendId));
    this.retryBaseDelayMs = nonNegative(options.retryBaseDelayMs, 250, 'retryBaseDelayMs', backendId);
    this.retryMaxDelayMs = nonNegative(options.retryMaxDelayMs, 8_000, 'retryMaxDelayMs', backendId);
    this.healthTimeoutMs = positive(options.healthTimeoutMs, 5_000, 'healthTimeoutMs', backendId);
    this.maxResponseBytes = positive(options.maxResponseBytes, 256 * 1024 * 1024, 'maxResponseBytes', backendId);
  }

  url(path: string, query?: Readonly<Record<string, string>>): string {
    const url = `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
    return query ? `${url}?${new URLSearchParams(query).toString()}` : url;
  }

  /** Sends a request and parses a JSON answer, retrying network errors, 429 and 5xx with backoff. */
  async json(path: string, options: RequestOptions = {}): Promise<unknown> {
    const { data } = await this.send(path, options);
    const text = new TextDecoder().decode(data);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new BackendError('BACKEND_BAD_RESPONSE', this.backendId, `${path} answered with invalid JSON: ${snippet(text)}`, { cause });
    }
  }

  /** Sends a request and returns the raw answer body. */
  async bytes(path: string, options: RequestOptions = {}): Promise<BinaryResponse> {
    return this.send(path, options);
  }

  /** GETs `path` once with the health timeout; never throws. */
  async probe(path: string, describe?: (body: unknown) => string): Promise<BackendHealth> {
    const started = performance.now();
    const url = this.url(path);
    try {
      const response = await fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.healthTimeoutMs) });
      const data = await readLimited(response, 1024 * 1024, this.backendId);
      const latencyMs = Math.round(performance.now() - started);
      if (!response.ok) {
        return { ok: false, latencyMs, detail: `GET ${url} answered HTTP ${response.status}: ${snippet(new TextDecoder().decode(data))}` };
      }
      let detail = `GET ${url} answered HTTP ${response.status}`;
      if (describe) {
        try {
          detail = describe(JSON.parse(new TextDecoder().decode(data)) as unknown);
        } catch {
          return { ok: false, latencyMs, detail: `GET ${url} answered HTTP ${response.status} but the body is not the expected JSON` };
        }
      }
      return { ok: true, latencyMs, detail };
    } catch (error) {
      const failure = this.classifyThrown(error, url, this.healthTimeoutMs);
      return { ok: false, detail: failure.message };
    }
  }

  private async send(path: string, options: RequestOptions): Promise<BinaryResponse> {
    const url = this.url(path, options.query);
    const method = options.method ?? (options.json !== undefined || options.form ? 'POST' : 'GET');
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      options.signal?.throwIfAborted();
      const headers: Record<string, string> = { ...this.headers, accept: 'application/json, */*' };
      let body: string | FormData | undefined;
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      } else if (options.form) {
        body = options.form;
      }
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
      let retryDelayMs: number | undefined;
      let failure: BackendError;
      try {
        const response = await fetch(url, { method, headers, body, signal });
        const data = await readLimited(response, this.maxResponseBytes, this.backendId);
        if (response.ok) return { data, contentType: response.headers.get('content-type') ?? '' };
        const message = describeFailure(response.status, data, options.describeError);
        if (!RETRYABLE_STATUS(response.status)) {
          throw new BackendError('BACKEND_REJECTED', this.backendId, `${method} ${path} was rejected with HTTP ${response.status}: ${message}`, { status: response.status });
        }
        failure = new BackendError('BACKEND_UNAVAILABLE', this.backendId, `${method} ${path} answered HTTP ${response.status}: ${message}`, { status: response.status });
        retryDelayMs = retryAfterMs(response.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof BackendError) throw error;
        if (options.signal?.aborted) throw options.signal.reason;
        failure = this.classifyThrown(error, `${method} ${url}`, timeoutMs);
        // A timed-out request already used the caller's whole budget for it: do not multiply that by retrying.
        if (failure.code === 'BACKEND_TIMEOUT') throw failure;
      }
      if (attempt >= this.maxRetries) {
        throw attempt === 0 ? failure : new BackendError(failure.code, this.backendId, `${failure.detail} (after ${attempt + 1} attempts)`, { status: failure.status, cause: failure.cause });
      }
      await sleep(this.backoffMs(attempt, retryDelayMs), options.signal);
    }
  }

  private backoffMs(attempt: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return Math.min(retryAfter, this.retryMaxDelayMs);
    const exponential = Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** attempt);
    return exponential / 2 + Math.random() * (exponential / 2);
  }

  private classifyThrown(error: unknown, what: string, timeoutMs: number): BackendError {
    if (error instanceof BackendError) return error;
    if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return new BackendError('BACKEND_TIMEOUT', this.backendId, `${what} got no answer within ${timeoutMs} ms`, { cause: error });
    }
    const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new BackendError('BACKEND_UNAVAILABLE', this.backendId, `cannot reach ${what}: ${reason}`, { cause: error });
  }
}

async function readLimited(response: Response, maxBytes: number, backendId: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new BackendError('BACKEND_BAD_RESPONSE', backendId, `answer of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new BackendError('BACKEND_BAD_RESPONSE', backendId, `answer exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  const data = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return data;
}

function describeFailure(status: number, data: Uint8Array, custom: RequestOptions['describeError']): string {
  const text = new TextDecoder().decode(data);
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: fall back to the text itself.
  }
  return custom?.(status, body) ?? standardErrorMessage(body) ?? (snippet(text) || '(empty body)');
}

/** Reads `{error:{message}}` (OpenAI, vLLM, ComfyUI), `{error:"..."}` (Ollama, llama.cpp) and `{message}`. */
export function standardErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const error = body['error'];
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error['message'] === 'string') return error['message'];
  if (typeof body['message'] === 'string') return body['message'];
  if (typeof body['detail'] === 'string') return body['detail'];
  return undefined;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function snippet(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function positive(value: number | undefined, fallback: number, name: string, backendId: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new BackendError('BACKEND_CONFIG', backendId, `${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string, backendId: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new BackendError('BACKEND_CONFIG', backendId, `${name} must be a non-negative number, got ${value}`);
  return value;
}
