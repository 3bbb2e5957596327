import type { Readable } from 'node:stream';

/** An inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutFileOptions {
  readonly owned?: boolean;
}

export interface BlobInfo {
  readonly key: string;
  readonly size: number;
}

/** Where keyframes, bitstreams, sources and renditions live. Keys are `/`-separated relative paths. */
export interface BlobStore {
  put(key: string, body: Uint8Array): Promise<BlobInfo>;
  /** Streams `source` into `key`; the blob appears only once fully written. Throws `BlobTooLargeError` past `maxBytes`. */
  putStream(key: string, source: Readable, options?: { maxBytes?: number }): Promise<BlobInfo>;
  /**
   * Stores a copy of a local file. `owned`: the file is the caller's private temporary that it will
   * only delete, never modify, so the store may share its data (hard link) instead of copying.
   */
  putFile(key: string, path: string, options?: PutFileOptions): Promise<BlobInfo>;
  get(key: string): Promise<Buffer>;
  /** Copies a blob to a local file, for tools such as ffmpeg that need a path. */
  download(key: string, path: string): Promise<void>;
  openRead(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<BlobInfo | null>;
  delete(key: string): Promise<void>;
  /** Deletes every blob whose key starts with `prefix` (which must end in `/`); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  list(prefix: string): Promise<BlobInfo[]>;
}

export class BlobError extends Error {
  constructor(
    readonly code: 'BLOB_NOT_FOUND' | 'BLOB_INVALID_KEY' | 'BLOB_TOO_LARGE',
    message: string,
  ) {
    super(message);
    this.name = 'BlobError';
  }
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Rejects keys that could escape the store (`..`, absolute paths, odd characters). */
export function assertValidKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new BlobError('BLOB_INVALID_KEY', `Invalid blob key: ${JSON.stringify(key)}`);
  }
}

export function assertValidPrefix(prefix: string): void {
  if (!prefix.endsWith('/')) throw new BlobError('BLOB_INVALID_KEY', `Blob prefix must end with "/": ${prefix}`);
  assertValidKey(prefix.slice(0, -1));
}
