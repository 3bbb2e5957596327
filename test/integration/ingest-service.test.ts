/**
 * IngestService in-process against the real PostgreSQL, Redis and a local blob store: the batched
 * lookup and insert, duplicates within and across calls (also concurrent ones), the cheap container
 * check, per-item errors in input order, and which files get copied, linked or cleaned up.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blobKeys, LocalDiskBlobStore } from '@cmvc/blob';
import { createDatabase, VideoRepository, type Database } from '@cmvc/db';
import { createJobQueues, createRedisConnection, type JobQueues } from '@cmvc/jobs';
import { IngestService, SourceResolver } from '@cmvc/core';
import { makeClip } from '../support/media.ts';
import { query, requireServices, resetState } from '../support/stack.ts';

const run = promisify(execFile);

let workDir: string;
let root: string;
let blobDir: string;
let db: Database;
let redis: ReturnType<typeof createRedisConnection>;
let queues: JobQueues;
let blobs: LocalDiskBlobStore;
let service: IngestService;
let base: string;

beforeAll(async () => {
  const { databaseUrl, redisUrl } = requireServices();
  workDir = await mkdtemp(join(tmpdir(), 'cmvc-ingest-service-'));
  root = join(workDir, 'root');
  blobDir = join(workDir, 'blobs');
  await mkdir(root, { recursive: true });
  db = createDatabase(databaseUrl);
  redis = createRedisConnection(redisUrl);
  queues = createJobQueues(redis);
  blobs = new LocalDiskBlobStore(blobDir);
  const resolver = new SourceResolver({ roots: [root], allowPrivateUrls: false, maxBytes: 1 << 30, blobs });
  service = new IngestService(resolver, new VideoRepository(db), blobs, queues);
  base = join(workDir, 'base.mp4');
  await makeClip(base, { source: 'testsrc2=size=96x64:rate=10', seconds: 1 });
});

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await db?.$disconnect();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetState();
  await rm(blobDir, { recursive: true, force: true });
});

/** Distinct files (distinct sha256) that are all valid video: the base clip remuxed with a new title. */
async function variants(prefix: string, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const path = join(root, `${prefix}-${index}.mp4`);
      await run('ffmpeg', ['-v', 'error', '-y', '-i', base, '-c', 'copy', '-metadata', `title=${prefix} ${index}`, path]);
      return path;
    }),
  );
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

async function sourceBlobs(): Promise<string[]> {
  return (await readdir(join(blobDir, 'sources')).catch(() => [])).sort();
}

async function encodeJobIds(): Promise<string[]> {
  const jobs = await queues.encode.getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.map((job) => job.id!).sort();
}

describe('IngestService', () => {
  it('records a bulk call with one result per item, in order, duplicates and bad items included', async () => {
    const files = await variants('bulk', 12);
    const copy = join(root, 'copy-of-bulk-3.mp4');
    await copyFile(files[3]!, copy);
    const notVideo = join(root, 'notes.mp4');
    await writeFile(notVideo, 'These are meeting notes, not a video.\n'.repeat(10));
    const whole = await readFile(files[0]!);
    const truncated = join(root, 'truncated.mp4');
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));

    const items = [
      ...files.slice(0, 6).map((path) => ({ path })),
      { path: notVideo },
      { path: files[2]!, title: 'same file again' },
      { path: truncated },
      { path: join(root, 'missing.mp4') },
      { path: copy },
      { path: '/etc/hostname' },
      ...files.slice(6).map((path) => ({ path, tags: ['Batch', 'batch ', 'two'] })),
    ];
    const outcomes = await service.ingest(items);

    expect(outcomes.map((outcome) => outcome.index)).toEqual(items.map((_, index) => index));
    expect(outcomes.map((outcome) => outcome.error?.code ?? null)).toEqual([
      ...Array(6).fill(null),
      'UNSUPPORTED_MEDIA',
      null,
      'TRUNCATED_MEDIA',
      'NOT_FOUND',
      null,
      'PATH_OUTSIDE_ROOT',
      ...Array(6).fill(null),
    ]);
    for (const failed of outcomes.filter((outcome) => outcome.error)) {
      expect(failed.video).toBeNull();
      expect(failed.created).toBe(false);
    }
    // The same content later in the call maps to the first item's new video.
    expect(outcomes[7]).toMatchObject({ created: false, video: { id: outcomes[2]!.video!.id, title: 'bulk-2' } });
    expect(outcomes[10]).toMatchObject({ created: false, video: { id: outcomes[3]!.video!.id } });
    const created = outcomes.filter((outcome) => outcome.created);
    expect(created).toHaveLength(12);
    for (const [position, path] of files.entries()) {
      const video = created.find((candidate) => candidate.video!.title === `bulk-${position}`)!.video!;
      expect(video.sha256).toBe(await sha256Of(path));
      expect(video).toMatchObject({ status: 'QUEUED', sourceBlobKey: blobKeys.source(video.sha256), durationSeconds: null, frameCount: null });
      expect(Number(video.sourceBytes)).toBe((await stat(path)).size);
    }
    expect(outcomes[12]!.video!.tags).toEqual(['batch', 'two']);

    const rows = await query<{ sha256: string }>('SELECT sha256 FROM "Video"');
    expect(rows).toHaveLength(12);
    expect(await sourceBlobs()).toEqual(rows.map((row) => row.sha256).sort());
    expect(await encodeJobIds()).toEqual(created.map((outcome) => `encode-${outcome.video!.id}`).sort());
    expect(await readdir(join(blobDir, '.tmp'))).toEqual([]);
  });

  it('copies files from an ingest root instead of linking them, so the archive never aliases a user file', async () => {
    const [path] = await variants('alias', 1);
    const [outcome] = await service.ingest([{ path: path! }]);
    const blob = await stat(join(blobDir, outcome!.video!.sourceBlobKey!));
    const original = await stat(path!);
    expect(blob.ino).not.toBe(original.ino);
    expect(original.nlink).toBe(1);
  });

  it('creates nothing on a repeated call and enqueues nothing new', async () => {
    const files = await variants('repeat', 5);
    const first = await service.ingest(files.map((path) => ({ path })));
    const jobs = await encodeJobIds();
    const again = await service.ingest([...files].reverse().map((path) => ({ path })));
    expect(again.map((outcome) => outcome.created)).toEqual(Array(5).fill(false));
    expect(again.map((outcome) => outcome.video!.id)).toEqual(first.map((outcome) => outcome.video!.id).reverse());
    expect(await query('SELECT id FROM "Video"')).toHaveLength(5);
    expect(await encodeJobIds()).toEqual(jobs);
  });

  it('keeps one video per content hash when calls with overlapping files run at the same time', async () => {
    const files = await variants('race', 16);
    const calls = await Promise.all([
      service.ingest(files.map((path) => ({ path }))),
      service.ingest([...files].reverse().map((path) => ({ path }))),
      service.ingest(files.filter((_, index) => index % 2 === 0).map((path) => ({ path }))),
    ]);
    const rows = await query<{ id: string; sha256: string }>('SELECT id, sha256 FROM "Video"');
    expect(rows).toHaveLength(16);
    const idByHash = new Map(rows.map((row) => [row.sha256, row.id]));
    const createdPerHash = new Map<string, number>();
    for (const outcomes of calls) {
      for (const outcome of outcomes) {
        expect(outcome.error).toBeNull();
        expect(outcome.video!.id).toBe(idByHash.get(outcome.video!.sha256));
        if (outcome.created) createdPerHash.set(outcome.video!.sha256, (createdPerHash.get(outcome.video!.sha256) ?? 0) + 1);
      }
    }
    expect([...createdPerHash.values()]).toEqual(Array(16).fill(1));
    expect(await sourceBlobs()).toEqual([...idByHash.keys()].sort());
    expect(await encodeJobIds()).toHaveLength(16);
  });

  it('stores an upload, drops the upload once recorded, and drops a source blob no video needs', async () => {
    const [path] = await variants('upload', 1);
    const bytes = await readFile(path!);
    const uploadId = '00000000-0000-4000-8000-000000000001';
    await blobs.put(blobKeys.upload(uploadId), bytes);
    const [outcome] = await service.ingest([{ uploadId, title: 'Uploaded' }]);
    expect(outcome).toMatchObject({ created: true, error: null, video: { title: 'Uploaded' } });
    expect(await blobs.stat(blobKeys.upload(uploadId))).toBeNull();
    expect((await blobs.get(outcome!.video!.sourceBlobKey!)).equals(bytes)).toBe(true);

    // Once encoded without keeping originals, the video has no source blob; uploading the same
    // bytes again finds the video and must not leave a new, unreferenced source blob behind.
    await query('UPDATE "Video" SET status = \'READY\', "sourceBlobKey" = NULL WHERE id = $1', [outcome!.video!.id]);
    await blobs.delete(outcome!.video!.sourceBlobKey!);
    const again = '00000000-0000-4000-8000-000000000002';
    await blobs.put(blobKeys.upload(again), bytes);
    const [repeat] = await service.ingest([{ uploadId: again }]);
    expect(repeat).toMatchObject({ created: false, error: null, video: { id: outcome!.video!.id } });
    expect(await sourceBlobs()).toEqual([]);
    expect(await blobs.stat(blobKeys.upload(again))).toBeNull();
  });

  it('deletes an upload that is not a video at once, and reports it', async () => {
    const uploadId = '00000000-0000-4000-8000-000000000003';
    await blobs.put(blobKeys.upload(uploadId), Buffer.from('GIF-like? no: plain text\n'));
    const [outcome] = await service.ingest([{ uploadId }]);
    expect(outcome!.error?.code).toBe('UNSUPPORTED_MEDIA');
    // It can never be ingested, and uploads may be gigabytes (issue 14).
    expect(await blobs.stat(blobKeys.upload(uploadId))).toBeNull();
    expect(await sourceBlobs()).toEqual([]);
    expect(await query('SELECT id FROM "Video"')).toHaveLength(0);
  });
});
