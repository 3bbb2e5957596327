/**
 * Faults during a bulk ingest (issue 14): 20 clips encode on 2 workers while a worker is killed
 * with SIGKILL, Redis restarts, PostgreSQL restarts (pg_ctl restart -m fast) and the API
 * restarts. Afterwards every video is READY exactly once, none FAILED, and the blob store holds
 * exactly the blobs the rows reference.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../support/media.ts';
import { query, REPO_ROOT, startStack, type Stack } from '../support/stack.ts';

const run = promisify(execFile);
const CLIPS = 20;
let stack: Stack;
let ids: string[] = [];
const workers: ChildProcess[] = [];

async function statusCounts(): Promise<Record<string, number>> {
  const rows = await query<{ status: string; count: string }>('SELECT status::text, count(*) FROM "Video" GROUP BY status');
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/** Waits until at least `count` videos are READY (the database may be restarting: retried). */
async function waitForReady(count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const counts = await statusCounts().catch(() => ({}) as Record<string, number>);
    if (counts.FAILED) throw new Error(`a video FAILED: ${JSON.stringify(await query('SELECT id, error FROM "Video" WHERE status = $1', ['FAILED']))}`);
    if ((counts.READY ?? 0) >= count) return;
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error(`fewer than ${count} videos READY after ${timeoutMs} ms: ${JSON.stringify(await statusCounts())}`);
}

const services = (command: string) => run('bash', ['scripts/services.sh', command], { cwd: REPO_ROOT });

beforeAll(async () => {
  // A killed worker's job goes to another worker once its lock lapses: 30 s, not the default 60 s,
  // yet long enough that a worker busy with analysis on a loaded machine renews it in time.
  stack = await startStack({ env: { WORKER_LOCK_MS: '30000' } });
});

afterAll(async () => {
  await stack?.stop();
});

describe('bulk ingest through faults', () => {
  it('ingests 20 clips and loses a worker to SIGKILL mid-encode', async () => {
    const paths = await Promise.all(
      Array.from({ length: CLIPS }, async (_, index) => {
        const path = join(stack.ingestRoot, `fault-${index}.mp4`);
        await makeClip(path, { source: `testsrc2=size=${64 + 8 * index}x48:rate=8`, seconds: 1 });
        return path;
      }),
    );
    const ingest = await stack.graphql<{ ingestVideos: { video: { id: string } | null; error: unknown }[] }>(
      'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } error { code } } }',
      { inputs: paths.map((path) => ({ path })) },
    );
    ids = ingest.data!.ingestVideos.map((item) => item.video!.id);
    expect(new Set(ids).size).toBe(CLIPS);

    workers.push(stack.startWorker({ WORKER_NAME: 'worker-1' }), stack.startWorker({ WORKER_NAME: 'worker-2' }));
    const deadline = Date.now() + 240_000;
    while ((await query('SELECT 1 FROM "Video" WHERE status = $1', ['ENCODING'])).length === 0) {
      if (Date.now() > deadline) throw new Error('no encode started');
      await new Promise((done) => setTimeout(done, 250));
    }
    workers[0]!.kill('SIGKILL');
    workers.push(stack.startWorker({ WORKER_NAME: 'worker-3' }));
    await waitForReady(1, 280_000);
  });

  it('keeps going through a Redis restart', async () => {
    const ready = (await statusCounts()).READY ?? 0;
    await services('restart-redis');
    await waitForReady(ready + 2, 280_000);
  });

  it('keeps going through a PostgreSQL restart', async () => {
    const ready = (await statusCounts()).READY ?? 0;
    await services('restart-postgres');
    await waitForReady(ready + 2, 280_000);
  });

  it('keeps going through an API restart', async () => {
    const ready = (await statusCounts()).READY ?? 0;
    await stack.restartApi();
    const health = await fetch(`${stack.apiUrl}/healthz`);
    expect(health.status).toBe(200);
    await waitForReady(Math.min(CLIPS, ready + 2), 280_000);
  });

  for (const share of [0.5, 0.75, 1]) {
    it(`finishes ${Math.round(share * CLIPS)} of ${CLIPS} videos`, async () => {
      await waitForReady(Math.round(share * CLIPS), 290_000);
    });
  }

  it('has every video READY exactly once', async () => {
    const rows = await query<{ id: string; status: string; sha256: string }>('SELECT id, status::text, sha256 FROM "Video"');
    expect(rows.map((row) => row.status)).toEqual(Array(CLIPS).fill('READY'));
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
    expect(new Set(rows.map((row) => row.sha256)).size).toBe(CLIPS);
  });

  it('keeps exactly the blobs the rows reference', async () => {
    const referenced = await query<{ key: string }>(`
      SELECT "sourceBlobKey" AS key FROM "Video" WHERE "sourceBlobKey" IS NOT NULL
      UNION SELECT "bitstreamBlobKey" FROM "Video" WHERE "bitstreamBlobKey" IS NOT NULL
      UNION SELECT "blobKey" FROM "Keyframe" WHERE "blobKey" IS NOT NULL
      UNION SELECT "blobKey" FROM "Rendition" WHERE "blobKey" IS NOT NULL`);
    const stored = (await readdir(stack.blobDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => relative(stack.blobDir, join(entry.parentPath, entry.name)));
    expect(new Set(stored)).toEqual(new Set(referenced.map((row) => row.key)));
  });
});
