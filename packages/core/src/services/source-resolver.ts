import { basename, extname, isAbsolute, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { BlobError, blobKeys, type BlobStore } from '@cmvc/blob';
import type { ContainerSniff } from '@cmvc/media-io';
import { DomainError } from '../errors.ts';
import { systemFiles, systemScratch, type Fetcher, type FetchResponse, type LocalFiles, type Scratch } from '../ports.ts';
import { pinnedFetcher } from './pinned-http.ts';
import { resolveFetchTarget, type HostLookup } from './url-guard.ts';

export interface IngestSource {
  readonly title?: string | null;
  readonly tags?: readonly string[] | null;
  readonly path?: string | null;
  readonly uploadId?: string | null;
  readonly url?: string | null;
}

/** A source made available as a local file, with its content hash. */
export interface ResolvedSource {
  readonly localPath: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly defaultTitle: string;
  /** `localPath` is our own temporary copy (upload, download), not a file the user keeps. */
  readonly owned: boolean;
  /**
   * The cheap container check (signature and truncation, no decoding). Small files were checked
   * from memory while they were read for hashing; larger ones read a few KB now.
   */
  checkContainer(): Promise<ContainerSniff>;
  /** Removes temporary copies; the caller's original files are never touched. */
  release(): Promise<void>;
  /** Called once the source is safely archived, e.g. to drop the upload it came from. */
  consumed(): Promise<void>;
}

export interface SourceResolverOptions {
  readonly roots: readonly string[];
  readonly allowPrivateUrls: boolean;
  readonly maxBytes: number;
  readonly blobs: BlobStore;
  /** How URL hosts are resolved; the system resolver by default. */
  readonly lookupHost?: HostLookup;
  /** Limit for fetching one URL, redirects and body included. */
  readonly fetchTimeoutMs?: number;
  /** How a checked URL is fetched; pinned HTTP(S) (`pinned-http.ts`) by default. */
  readonly fetcher?: Fetcher;
  /** Where uploads and downloads are copied to; the system's temporary directory by default. */
  readonly scratch?: Scratch;
  /** How server paths and the copies are read and written; the machine's file system by default. */
  readonly files?: LocalFiles;
}

const UPLOAD_ID = /^[0-9a-f-]{36}$/;
const MAX_REDIRECTS = 5;
const FETCH_TIMEOUT_MS = 120_000;

/** The blob key of the upload an item names, or null. */
export function uploadKeyOf(source: IngestSource): string | null {
  return source.uploadId && UPLOAD_ID.test(source.uploadId) ? blobKeys.upload(source.uploadId) : null;
}

export class SourceResolver {
  private readonly fetcher: Fetcher;
  private readonly scratch: Scratch;
  private readonly files: LocalFiles;

  constructor(private readonly options: SourceResolverOptions) {
    this.fetcher = options.fetcher ?? pinnedFetcher;
    this.scratch = options.scratch ?? systemScratch;
    this.files = options.files ?? systemFiles;
  }

  async resolve(source: IngestSource): Promise<ResolvedSource> {
    const given = [source.path, source.uploadId, source.url].filter((value) => value != null && value !== '');
    if (given.length !== 1) throw new DomainError('INVALID_INPUT', 'Give exactly one of path, uploadId or url');
    if (source.path) return this.fromPath(source.path);
    if (source.uploadId) return this.fromUpload(source.uploadId);
    return this.fromUrl(source.url!);
  }

  /** Paths must stay inside a configured root after resolving `..` and symlinks. */
  private async fromPath(path: string): Promise<ResolvedSource> {
    if (!isAbsolute(path)) throw new DomainError('INVALID_INPUT', `Path must be absolute: ${path}`);
    if (this.options.roots.length === 0) {
      throw new DomainError('PATH_OUTSIDE_ROOT', 'Server-path ingest is disabled: no INGEST_ROOTS are configured');
    }
    const real = await this.files.realpath(path);
    const roots = await Promise.all(this.options.roots.map((root) => this.files.realpath(root)));
    const inside = (target: string) =>
      roots.some((root) => {
        if (!root) return false;
        const offset = relative(root, target);
        return offset !== '' && !offset.startsWith('..') && !isAbsolute(offset) && !offset.split(sep).includes('..');
      });
    if (!inside(real ?? path)) {
      throw new DomainError('PATH_OUTSIDE_ROOT', `${path} is outside the allowed ingest roots`);
    }
    if (!real) throw new DomainError('NOT_FOUND', `${path} does not exist`);
    const info = await this.files.stat(real);
    if (!info.isFile) throw new DomainError('INVALID_INPUT', `${path} is not a regular file`);
    if (info.size > this.options.maxBytes) throw new DomainError('TOO_LARGE', `${path} exceeds ${this.options.maxBytes} bytes`);
    return {
      localPath: real,
      ...(await this.inspectFile(real, info.size)),
      bytes: info.size,
      defaultTitle: titleFrom(real),
      owned: false,
      release: async () => {},
      consumed: async () => {},
    };
  }

  private async fromUpload(uploadId: string): Promise<ResolvedSource> {
    if (!UPLOAD_ID.test(uploadId)) throw new DomainError('INVALID_INPUT', `Not an upload id: ${uploadId}`);
    const key = blobKeys.upload(uploadId);
    const folder = await this.scratch.folder('cmvc-upload-');
    const localPath = join(folder.path, 'source');
    try {
      await this.options.blobs.download(key, localPath);
    } catch (error) {
      await folder.remove();
      if (error instanceof BlobError && error.code === 'BLOB_NOT_FOUND') {
        throw new DomainError('UPLOAD_NOT_FOUND', `No upload with id ${uploadId}`);
      }
      throw error;
    }
    const info = await this.files.stat(localPath);
    return {
      localPath,
      ...(await this.inspectFile(localPath, info.size)),
      bytes: info.size,
      defaultTitle: `Upload ${uploadId.slice(0, 8)}`,
      owned: true,
      release: () => folder.remove(),
      consumed: () => this.options.blobs.delete(key),
    };
  }

  private async fromUrl(raw: string): Promise<ResolvedSource> {
    const { allowPrivateUrls, lookupHost, maxBytes } = this.options;
    const folder = await this.scratch.folder('cmvc-fetch-');
    const localPath = join(folder.path, 'source');
    const release = () => folder.remove();
    try {
      const signal = AbortSignal.timeout(this.options.fetchTimeoutMs ?? FETCH_TIMEOUT_MS);
      let target = await resolveFetchTarget(raw, allowPrivateUrls, lookupHost);
      let response: FetchResponse | undefined;
      // Redirects are followed by hand so every hop passes the same address check and is pinned to it.
      for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
        const href = target.url.href;
        response = await this.fetcher.get(target, signal).catch((error: unknown) => {
          throw new DomainError('FETCH_FAILED', `Could not fetch ${href}: ${(error as Error).message}`);
        });
        const { status, location } = response;
        if (status < 300 || status >= 400 || !location) break;
        response.body.resume();
        target = await resolveFetchTarget(new URL(location, target.url).href, allowPrivateUrls, lookupHost);
        response = undefined;
      }
      if (!response) throw new DomainError('FETCH_FAILED', `Too many redirects for ${raw}`);
      const { status, contentLength } = response;
      if (status < 200 || status >= 300) {
        response.body.resume();
        throw new DomainError('FETCH_FAILED', `Fetching ${target.url.href} answered HTTP ${status}`);
      }
      if (contentLength !== null && contentLength > maxBytes) {
        response.body.destroy();
        throw new DomainError('TOO_LARGE', `${target.url.href} exceeds ${maxBytes} bytes`);
      }
      const href = target.url.href;
      const bytes = await this.writeLimited(response.body, localPath, maxBytes).catch((error: unknown) => {
        throw error instanceof DomainError ? error : new DomainError('FETCH_FAILED', `Fetching ${href} broke off: ${(error as Error).message}`);
      });
      return {
        localPath,
        ...(await this.inspectFile(localPath, bytes)),
        bytes,
        defaultTitle: titleFrom(target.url.pathname) || target.url.hostname,
        owned: true,
        release,
        consumed: async () => {},
      };
    } catch (error) {
      await release();
      throw error;
    }
  }

  private async writeLimited(source: Readable, path: string, maxBytes: number): Promise<number> {
    let written = 0;
    async function* limited(): AsyncGenerator<Uint8Array> {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        written += chunk.length;
        if (written > maxBytes) throw new DomainError('TOO_LARGE', `Source exceeds ${maxBytes} bytes`);
        yield chunk;
      }
    }
    await this.files.writeFile(path, limited());
    return written;
  }

  /** The content hash, and the container check done from the same read when the file is small. */
  private async inspectFile(path: string, bytes: number): Promise<Pick<ResolvedSource, 'sha256' | 'checkContainer'>> {
    if (bytes > WHOLE_READ_BYTES) {
      const hash = createHash('sha256');
      await pipeline(this.files.openRead(path), hash);
      return { sha256: hash.digest('hex'), checkContainer: () => this.files.sniffContainer(path) };
    }
    const content = await this.files.readFile(path);
    const sha256 = createHash('sha256').update(content).digest('hex');
    // Settled now, while the bytes are at hand; reported only if the caller asks (new files only).
    const sniffed = this.files.sniffContainer(path, content).then(
      (container) => ({ container }),
      (error: unknown) => ({ error }),
    );
    return {
      sha256,
      checkContainer: async () => {
        const result = await sniffed;
        if ('error' in result) throw result.error;
        return result.container;
      },
    };
  }
}

/** Files up to this size are read whole: for small files a stream costs several times more. */
const WHOLE_READ_BYTES = 4 * 1024 * 1024;

function titleFrom(path: string): string {
  const name = basename(path);
  return name.slice(0, name.length - extname(name).length);
}
