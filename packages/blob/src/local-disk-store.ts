import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
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
} from './blob-store.ts';

/**
 * Blobs as files under one directory. Writes go to a temporary file in `.tmp/` and are
 * renamed into place, so a reader never sees a half-written blob.
 */
export class LocalDiskBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  private async temporaryPath(): Promise<string> {
    const directory = join(this.root, '.tmp');
    await mkdir(directory, { recursive: true });
    return join(directory, randomUUID());
  }

  private async commit(temporary: string, key: string): Promise<BlobInfo> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    await rename(temporary, target);
    return { key, size: (await stat(target)).size };
  }

  async put(key: string, body: Uint8Array): Promise<BlobInfo> {
    this.pathOf(key);
    const temporary = await this.temporaryPath();
    await writeFile(temporary, body);
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
      await pipeline(source, counter, createWriteStream(temporary));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return this.commit(temporary, key);
  }

  async putFile(key: string, path: string): Promise<BlobInfo> {
    this.pathOf(key);
    const temporary = await this.temporaryPath();
    await copyFile(path, temporary);
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
      await copyFile(this.pathOf(key), path);
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
