import { constants as fsConstants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import {
  BlobError,
  assertValidKey,
  assertValidPrefix,
  type BlobInfo,
  type BlobStore,
  type ByteRange,
  type PutFileOptions,
} from './blob-store.ts';

/** Temporaries older than this were left by a process that died mid-write; younger ones may still be in use. */
export const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/**
 * Blobs as files under one directory. Writes go to a temporary file in `.tmp/` and are
 * renamed into place, so a reader never sees a half-written blob. The first write of each
 * instance (i.e. of each process, at start-up) sweeps temporaries that a killed process left.
 */
export class LocalDiskBlobStore implements BlobStore {
  private swept: Promise<void> | null = null;

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  /** A new temporary's path; `.tmp/` itself is made by `inParentDirectory` when first needed. */
  private async temporaryPath(): Promise<string> {
    this.swept ??= this.sweepStaleTemporaries().then(
      () => {},
      (error: unknown) => console.warn('blob store: could not sweep stale temporaries', error),
    );
    await this.swept;
    return join(this.root, '.tmp', `${randomUUID()}.tmp`);
  }

  /** Deletes temporaries in `.tmp/` last modified more than `maxAgeMs` ago; returns how many. */
  async sweepStaleTemporaries(maxAgeMs = STALE_TEMPORARY_MS, now = Date.now()): Promise<number> {
    const directory = join(this.root, '.tmp');
    let names: string[];
    try {
      names = await readdir(directory);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(directory, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile() || now - info.mtimeMs <= maxAgeMs) continue;
      await rm(path, { force: true });
      removed += 1;
    }
    return removed;
  }

  private async commit(temporary: string, key: string): Promise<BlobInfo> {
    const target = this.pathOf(key);
    await inParentDirectory(target, () => rename(temporary, target));
    return { key, size: (await stat(target)).size };
  }

  async put(key: string, body: Uint8Array): Promise<BlobInfo> {
    this.pathOf(key);
    const temporary = await this.temporaryPath();
    await inParentDirectory(temporary, () => writeFile(temporary, body));
    return this.commit(temporary, key);
  }

  async putStream(key: string, source: Readable, options: { maxBytes?: number } = {}): Promise<BlobInfo> {
    this.pathOf(key);
    const temporary = await this.temporaryPath();
    let written = 0;
    const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        if (written > limit) callback(new BlobError('BLOB_TOO_LARGE', `Blob exceeds ${limit} bytes`));
        else callback(null, chunk);
      },
    });
    try {
      await mkdir(dirname(temporary), { recursive: true });
      await pipeline(source, counter, createWriteStream(temporary));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return this.commit(temporary, key);
  }

  /**
   * A hard link when the caller owns the file (it will not change under the blob); otherwise a
   * copy-on-write clone where the filesystem has them (btrfs, XFS), else a plain copy.
   */
  async putFile(key: string, path: string, options: PutFileOptions = {}): Promise<BlobInfo> {
    this.pathOf(key);
    const temporary = await this.temporaryPath();
    try {
      await inParentDirectory(temporary, () => (options.owned ? linkOrCopy(path, temporary) : copyFile(path, temporary, fsConstants.COPYFILE_FICLONE)));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return this.commit(temporary, key);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      throw notFound(key, error);
    }
  }

  async download(key: string, path: string): Promise<void> {
    try {
      await copyFile(this.pathOf(key), path, fsConstants.COPYFILE_FICLONE);
    } catch (error) {
      throw notFound(key, error);
    }
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    if ((await this.stat(key)) === null) throw notFound(key);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size } : null;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const blobs = await this.list(prefix);
    await rm(join(this.root, ...prefix.slice(0, -1).split('/')), { recursive: true, force: true });
    return blobs.length;
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    assertValidPrefix(prefix);
    const directory = join(this.root, ...prefix.slice(0, -1).split('/'));
    let entries;
    try {
      entries = await readdir(directory, { recursive: true, withFileTypes: true });
    } catch {
      return [];
    }
    const blobs: BlobInfo[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const key = relative(this.root, path).split(sep).join('/');
      blobs.push({ key, size: (await stat(path)).size });
    }
    return blobs.sort((a, b) => a.key.localeCompare(b.key));
  }
}

function notFound(key: string, cause?: unknown): BlobError {
  if (cause instanceof BlobError) return cause;
  const error = new BlobError('BLOB_NOT_FOUND', `Blob not found: ${key}`);
  return error;
}

/** A hard link where the file system allows one, else a copy; ENOENT (e.g. no `.tmp/` yet) is passed on. */
async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    await copyFile(source, target, fsConstants.COPYFILE_FICLONE);
  }
}

/**
 * Runs a write into `path`, making its directory only if the write finds it missing: directories
 * exist for all but the first blob of a prefix, and an up-front mkdir per write costs as much as the write.
 */
async function inParentDirectory<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true });
    return write();
  }
}
