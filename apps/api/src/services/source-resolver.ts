import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, isAbsolute, join, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { BlobError, blobKeys, type BlobStore } from '@cmvc/blob';
import { IngestError } from './errors.ts';
import { assertFetchableUrl } from './url-guard.ts';

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
}

const UPLOAD_ID = /^[0-9a-f-]{36}$/;
const MAX_REDIRECTS = 5;

export class SourceResolver {
  constructor(private readonly options: SourceResolverOptions) {}

  async resolve(source: IngestSource): Promise<ResolvedSource> {
    const given = [source.path, source.uploadId, source.url].filter((value) => value != null && value !== '');
    if (given.length !== 1) throw new IngestError('INVALID_INPUT', 'Give exactly one of path, uploadId or url');
    if (source.path) return this.fromPath(source.path);
    if (source.uploadId) return this.fromUpload(source.uploadId);
    return this.fromUrl(source.url!);
  }

  /** Paths must stay inside a configured root after resolving `..` and symlinks. */
  private async fromPath(path: string): Promise<ResolvedSource> {
    if (!isAbsolute(path)) throw new IngestError('INVALID_INPUT', `Path must be absolute: ${path}`);
    if (this.options.roots.length === 0) {
      throw new IngestError('PATH_OUTSIDE_ROOT', 'Server-path ingest is disabled: no INGEST_ROOTS are configured');
    }
    const real = await realpath(path).catch(() => null);
    const roots = await Promise.all(this.options.roots.map((root) => realpath(root).catch(() => null)));
    const inside = (target: string) =>
      roots.some((root) => {
        if (!root) return false;
        const offset = relative(root, target);
        return offset !== '' && !offset.startsWith('..') && !isAbsolute(offset) && !offset.split(sep).includes('..');
      });
    if (!inside(real ?? path)) {
      throw new IngestError('PATH_OUTSIDE_ROOT', `${path} is outside the allowed ingest roots`);
    }
    if (!real) throw new IngestError('NOT_FOUND', `${path} does not exist`);
    const info = await stat(real);
    if (!info.isFile()) throw new IngestError('INVALID_INPUT', `${path} is not a regular file`);
    if (info.size > this.options.maxBytes) throw new IngestError('TOO_LARGE', `${path} exceeds ${this.options.maxBytes} bytes`);
    const sha256 = await hashFile(real);
    return {
      localPath: real,
      sha256,
      bytes: info.size,
      defaultTitle: titleFrom(real),
      release: async () => {},
      consumed: async () => {},
    };
  }

  private async fromUpload(uploadId: string): Promise<ResolvedSource> {
    if (!UPLOAD_ID.test(uploadId)) throw new IngestError('INVALID_INPUT', `Not an upload id: ${uploadId}`);
    const key = blobKeys.upload(uploadId);
    const directory = await mkdtemp(join(tmpdir(), 'cmvc-upload-'));
    const localPath = join(directory, 'source');
    try {
      await this.options.blobs.download(key, localPath);
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      if (error instanceof BlobError && error.code === 'BLOB_NOT_FOUND') {
        throw new IngestError('UPLOAD_NOT_FOUND', `No upload with id ${uploadId}`);
      }
      throw error;
    }
    const info = await stat(localPath);
    return {
      localPath,
      sha256: await hashFile(localPath),
      bytes: info.size,
      defaultTitle: `Upload ${uploadId.slice(0, 8)}`,
      release: () => rm(directory, { recursive: true, force: true }),
      consumed: () => this.options.blobs.delete(key),
    };
  }

  private async fromUrl(raw: string): Promise<ResolvedSource> {
    const directory = await mkdtemp(join(tmpdir(), 'cmvc-fetch-'));
    const localPath = join(directory, 'source');
    const release = () => rm(directory, { recursive: true, force: true });
    try {
      let url = await assertFetchableUrl(raw, this.options.allowPrivateUrls);
      let response: Response | undefined;
      // Redirects are followed by hand so every hop passes the same address check.
      for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
        response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(120_000) }).catch((error: unknown) => {
          throw new IngestError('FETCH_FAILED', `Could not fetch ${url.href}: ${(error as Error).message}`);
        });
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || !location) break;
        url = await assertFetchableUrl(new URL(location, url).href, this.options.allowPrivateUrls);
        response = undefined;
      }
      if (!response) throw new IngestError('FETCH_FAILED', `Too many redirects for ${raw}`);
      if (!response.ok || !response.body) {
        throw new IngestError('FETCH_FAILED', `Fetching ${url.href} answered HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > this.options.maxBytes) throw new IngestError('TOO_LARGE', `${url.href} exceeds ${this.options.maxBytes} bytes`);
      const bytes = await writeLimited(Readable.fromWeb(response.body as never), localPath, this.options.maxBytes);
      return {
        localPath,
        sha256: await hashFile(localPath),
        bytes,
        defaultTitle: titleFrom(url.pathname) || url.hostname,
        release,
        consumed: async () => {},
      };
    } catch (error) {
      await release();
      throw error;
    }
  }
}

async function writeLimited(source: Readable, path: string, maxBytes: number): Promise<number> {
  let written = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      if (written > maxBytes) callback(new IngestError('TOO_LARGE', `Source exceeds ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
  await pipeline(source, limiter, createWriteStream(path));
  return written;
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function titleFrom(path: string): string {
  const name = basename(path);
  return name.slice(0, name.length - extname(name).length);
}
