/**
 * In-memory implementations of the ports services depend on, for the unit tier's service specs:
 * they keep state in maps and arrays the specs inspect, and talk to no database, Redis or tool.
 * Each implements only what the services under test call (their constructors take `Pick<>`s).
 */
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { LocalFileInfo, LocalFiles, Scratch, ScratchFolder } from '@cmvc/core';
import { sniffContainer } from '@cmvc/media-io';
// The store's contract alone: the package's index also loads the S3 SDK.
import { assertValidKey, assertValidPrefix, BlobError, type BlobInfo, type BlobStore, type ByteRange } from '../../packages/blob/src/blob-store.ts';
import type { NewVideo, QueuedVideo, Video, VideoRepository } from '@cmvc/db';
import type { ArchiveEvent, ArchiveEvents } from '@cmvc/jobs';

/** A blob store over a map; `putFile` copies from `files`, the local files the specs' sources name, and `download` into it. */
export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Buffer>();

  constructor(private readonly files: Map<string, Buffer> = new Map()) {}

  async put(key: string, body: Uint8Array): Promise<BlobInfo> {
    assertValidKey(key);
    this.blobs.set(key, Buffer.from(body));
    return { key, size: body.byteLength };
  }

  async putStream(key: string, source: Readable, options: { maxBytes?: number } = {}): Promise<BlobInfo> {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk as Uint8Array));
    const body = Buffer.concat(chunks);
    if (options.maxBytes !== undefined && body.byteLength > options.maxBytes) throw new BlobError('BLOB_TOO_LARGE', `${key} exceeds ${options.maxBytes} bytes`);
    return this.put(key, body);
  }

  async putFile(key: string, path: string): Promise<BlobInfo> {
    const body = this.files.get(path);
    if (!body) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return this.put(key, body);
  }

  async get(key: string): Promise<Buffer> {
    const body = this.blobs.get(key);
    if (!body) throw new BlobError('BLOB_NOT_FOUND', `No blob ${key}`);
    return body;
  }

  async download(key: string, path: string): Promise<void> {
    this.files.set(path, await this.get(key));
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable> {
    const body = await this.get(key);
    return Readable.from([range ? body.subarray(range.start, range.end + 1) : body]);
  }

  async stat(key: string): Promise<BlobInfo | null> {
    const body = this.blobs.get(key);
    return body ? { key, size: body.byteLength } : null;
  }

  async delete(key: string): Promise<void> {
    this.blobs.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidPrefix(prefix);
    const keys = [...this.blobs.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) this.blobs.delete(key);
    return keys.length;
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    return [...this.blobs.entries()].filter(([key]) => key.startsWith(prefix)).map(([key, body]) => ({ key, size: body.byteLength }));
  }
}

/** A video row with the database's defaults. */
export function videoRow(fields: Partial<Video> = {}): Video {
  const now = new Date('2026-01-01T00:00:00Z');
  return {
    id: randomUUID(),
    title: 'clip',
    tags: [],
    sha256: randomUUID().replaceAll('-', '').padEnd(64, '0'),
    sourceBytes: 1000n,
    durationSeconds: null,
    fps: null,
    width: null,
    height: null,
    frameCount: null,
    sourceBlobKey: null,
    bitstreamBlobKey: null,
    bitstreamBytes: null,
    bitstreamSections: null,
    status: 'QUEUED',
    error: null,
    tier: 'FULL',
    tieringSavedBytes: 0,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

/** The video table as a list, with the repository methods ingest and tiering call. */
export class MemoryVideos implements Pick<VideoRepository, 'findById' | 'findManyBySha256' | 'createManyQueued' | 'findDemotable'> {
  readonly rows: Video[];

  constructor(rows: readonly Video[] = []) {
    this.rows = [...rows];
  }

  async findById(id: string): Promise<Video | null> {
    return this.rows.find((row) => row.id === id) ?? null;
  }

  async findManyBySha256(hashes: readonly string[]): Promise<Video[]> {
    return this.rows.filter((row) => hashes.includes(row.sha256));
  }

  /** As the repository: one row per new hash, an existing hash (or a repeat in the batch) is not created again. */
  async createManyQueued(videos: readonly NewVideo[]): Promise<QueuedVideo[]> {
    return videos.map((video) => {
      const existing = this.rows.find((row) => row.sha256 === video.sha256);
      if (existing) return { video: existing, created: false };
      const row = videoRow({ title: video.title, tags: [...video.tags], sha256: video.sha256, sourceBytes: BigInt(video.sourceBytes), sourceBlobKey: video.sourceBlobKey });
      this.rows.push(row);
      return { video: row, created: true };
    });
  }

  async findDemotable(before: Date, limit: number): Promise<Video[]> {
    return this.rows
      .filter((row) => row.status === 'READY' && row.tier === 'FULL' && row.createdAt < before)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit);
  }
}

/** The encode queue as a list of the video ids enqueued. */
export class RecordingQueues {
  readonly encodes: string[] = [];

  async enqueueEncodes(videoIds: readonly string[]): Promise<void> {
    this.encodes.push(...videoIds);
  }
}

/** Archive events within one process: delivered at once to every subscriber. */
export class MemoryEvents implements ArchiveEvents {
  private readonly listeners = new Set<(event: ArchiveEvent) => void>();

  async publish(event: ArchiveEvent): Promise<void> {
    for (const each of this.listeners) each(event);
  }

  async subscribe(listener: (event: ArchiveEvent) => void): Promise<() => void> {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * A file system over maps: `files` (path → content, shared with a `MemoryBlobStore`), folders,
 * and symbolic links (path → target). Paths are absolute; links resolve one level deep.
 */
export class MemoryFiles implements LocalFiles {
  constructor(
    readonly files: Map<string, Buffer> = new Map(),
    readonly folders: Set<string> = new Set(),
    readonly links: ReadonlyMap<string, string> = new Map(),
  ) {}

  async realpath(path: string): Promise<string | null> {
    const normal = resolve(path);
    const linked = [...this.links].find(([link]) => normal === link || normal.startsWith(`${link}/`));
    const real = linked ? linked[1] + normal.slice(linked[0].length) : normal;
    return this.files.has(real) || this.folders.has(real) ? real : null;
  }

  async stat(path: string): Promise<LocalFileInfo> {
    if (this.folders.has(path)) return { isFile: false, size: 0 };
    return { isFile: true, size: this.content(path).length };
  }

  async readFile(path: string): Promise<Buffer> {
    return this.content(path);
  }

  openRead(path: string): Readable {
    return Readable.from([this.content(path)]);
  }

  async writeFile(path: string, content: AsyncIterable<Uint8Array>): Promise<void> {
    if (!this.folders.has(dirname(path))) throw Object.assign(new Error(`ENOENT: no such directory, open '${path}'`), { code: 'ENOENT' });
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(Buffer.from(chunk));
    this.files.set(path, Buffer.concat(chunks));
  }

  sniffContainer(path: string, content?: Uint8Array) {
    return sniffContainer(path, content ?? this.content(path));
  }

  private content(path: string): Buffer {
    const content = this.files.get(path);
    if (!content) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return content;
  }
}

/** Scratch folders in a `MemoryFiles`: numbered under /scratch, removed with the files in them; `live` lists those not removed. */
export class MemoryScratch implements Scratch {
  private made = 0;

  constructor(private readonly files: MemoryFiles) {}

  get live(): string[] {
    return [...this.files.folders].filter((folder) => folder.startsWith('/scratch/'));
  }

  async folder(prefix: string): Promise<ScratchFolder> {
    this.made += 1;
    const path = `/scratch/${prefix}${this.made}`;
    this.files.folders.add(path);
    return {
      path,
      remove: async () => {
        this.files.folders.delete(path);
        for (const file of [...this.files.files.keys()]) if (file.startsWith(`${path}/`)) this.files.files.delete(file);
      },
    };
  }
}
