/**
 * The jobs dashboard API against the real API, worker, PostgreSQL and Redis: an encode and a render
 * that fail for real (their blob is missing), listed with their videos; retries that put the
 * video or rendition back in line and finish; encode progress; throughput; archive totals.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../support/media.ts';
import { query, startStack, waitForVideo, type Stack } from '../support/stack.ts';

let stack: Stack;

interface JobNode {
  queue: string;
  id: string;
  state: string;
  failedReason: string | null;
  attemptsMade: number;
  finishedOn: string | null;
  video: { id: string; title: string } | null;
  rendition: { id: string; status: string; mode: string } | null;
}

const JOB_FIELDS = 'queue id state failedReason attemptsMade finishedOn video { id title } rendition { id status mode }';

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function data<T>(queryText: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await stack.graphql<T>(queryText, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

async function errorCode(queryText: string, variables: Record<string, unknown> = {}): Promise<string | undefined> {
  return (await stack.graphql(queryText, variables)).errors?.[0]?.extensions?.code;
}

async function queues() {
  const result = await data<{ jobQueues: { name: string; waiting: number; active: number; delayed: number; failed: number; completed: number; completedLastMinute: number; completedLastHour: number }[] }>(
    '{ jobQueues { name waiting active delayed failed completed completedLastMinute completedLastHour } }',
  );
  return Object.fromEntries(result.jobQueues.map((queue) => [queue.name, queue]));
}

async function failedJobs(first = 20, after?: string) {
  return (
    await data<{ failedJobs: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: JobNode }[] } }>(
      `query($first: Int!, $after: String) { failedJobs(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${JOB_FIELDS} } } } }`,
      { first, after },
    )
  ).failedJobs;
}

async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    stack.assertAlive();
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Moves a blob aside, so the job that needs it fails the way a lost file would make it fail. */
async function hideBlob(key: string): Promise<() => Promise<void>> {
  const path = join(stack.blobDir, ...key.split('/'));
  await rename(path, `${path}.hidden`);
  return () => rename(`${path}.hidden`, path);
}

let videoId: string;

describe('the jobs dashboard API', () => {
  it('starts with empty queues, no failures and an empty archive', async () => {
    const byName = await queues();
    expect(Object.keys(byName)).toEqual(['ENCODE', 'RENDER', 'MAINTENANCE']);
    for (const queue of Object.values(byName)) {
      expect(queue).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, completedLastMinute: 0, completedLastHour: 0 });
    }
    expect((await failedJobs()).totalCount).toBe(0);
    const { archiveTotals } = await data<{ archiveTotals: Record<string, number> }>(
      '{ archiveTotals { videoCount readyCount hoursArchived sourceBytes representationBytes bytesSavedByTiering } }',
    );
    expect(archiveTotals).toEqual({ videoCount: 0, readyCount: 0, hoursArchived: 0, sourceBytes: 0, representationBytes: 0, bytesSavedByTiering: 0 });
  });

  it('lists an encode that failed for real with its video, and a retry puts the video back in line and finishes it', async () => {
    const path = join(stack.ingestRoot, 'lost-source.mp4');
    await makeClip(path, { source: 'testsrc2=size=320x240:rate=12', seconds: 2 });
    const ingest = await data<{ ingestVideos: { video: { id: string; status: string } }[] }>(
      'mutation($path: String!) { ingestVideos(inputs: [{ path: $path, title: "Lost source" }]) { video { id status } } }',
      { path },
    );
    videoId = ingest.ingestVideos[0]!.video.id;
    // No worker yet: the job waits.
    expect((await queues()).ENCODE!.waiting).toBe(1);

    const [row] = await query<{ sourceBlobKey: string }>('SELECT "sourceBlobKey" FROM "Video" WHERE id = $1', [videoId]);
    const restore = await hideBlob(row!.sourceBlobKey);
    stack.startWorker();
    const failed = await waitForVideo(stack, videoId);
    expect(failed.status).toBe('FAILED');

    const page = await failedJobs();
    expect(page.totalCount).toBe(1);
    const job = page.edges[0]!.node;
    expect(job).toMatchObject({ queue: 'ENCODE', id: `encode-${videoId}`, state: 'FAILED', video: { id: videoId, title: 'Lost source' }, rendition: null });
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBeTruthy();
    expect(failed.error).toBe(job.failedReason);
    expect(Date.now() - Date.parse(job.finishedOn!)).toBeLessThan(120_000);
    expect((await queues()).ENCODE!.failed).toBe(1);

    await restore();
    const retried = await data<{ retryJob: JobNode }>(
      `mutation($id: ID!) { retryJob(queue: ENCODE, id: $id) { ${JOB_FIELDS} } }`,
      { id: job.id },
    );
    expect(retried.retryJob).toMatchObject({ queue: 'ENCODE', id: job.id, state: 'WAITING', attemptsMade: 0, failedReason: null });
    // The video left FAILED before the job could run, so no page shows it failed while it retries.
    const [afterRetry] = await query<{ status: string; error: string | null }>('SELECT status, error FROM "Video" WHERE id = $1', [videoId]);
    expect(['QUEUED', 'ENCODING']).toContain(afterRetry!.status);
    expect(afterRetry!.error).toBeNull();
    // It is not failed any more, so a second retry is refused.
    expect(await errorCode('mutation($id: ID!) { retryJob(queue: ENCODE, id: $id) { id } }', { id: job.id })).toBe('JOB_NOT_FAILED');

    // Progress while encoding comes from the job and only rises.
    const progress: number[] = [];
    const final = await waitUntil(
      async () => (await data<{ video: { status: string; encodeProgress: number | null } }>('query($id: ID!) { video(id: $id) { status encodeProgress } }', { id: videoId })).video,
      (video) => {
        if (video.status === 'ENCODING' && video.encodeProgress !== null) progress.push(video.encodeProgress);
        if (video.status !== 'ENCODING') expect(video.encodeProgress).toBeNull();
        return video.status === 'READY' || video.status === 'FAILED';
      },
      'the retried encode',
    );
    expect(final.status).toBe('READY');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((value) => value > 0)).toBe(true);
    for (const [index, value] of progress.entries()) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
      if (index > 0) expect(value).toBeGreaterThanOrEqual(progress[index - 1]!);
    }

    expect((await failedJobs()).totalCount).toBe(0);
    // The row turns READY inside the job; BullMQ counts it completed a moment later.
    const encode = await waitUntil(async () => (await queues()).ENCODE!, (queue) => queue.active === 0, 'the encode job to finish');
    expect(encode).toMatchObject({ failed: 0, waiting: 0, active: 0, completed: 1, completedLastMinute: 1, completedLastHour: 1 });
  });

  it('retries a failed render: the rendition goes back to QUEUED and then renders', async () => {
    const [row] = await query<{ bitstreamBlobKey: string }>('SELECT "bitstreamBlobKey" FROM "Video" WHERE id = $1', [videoId]);
    const restore = await hideBlob(row!.bitstreamBlobKey);
    const requested = await data<{ requestRendition: { id: string } }>(
      'mutation($id: ID!) { requestRendition(videoId: $id, mode: IT2V) { id } }',
      { id: videoId },
    );
    const renditionId = requested.requestRendition.id;
    // BullMQ lists the job as failed a moment before the worker's failed handler marks the rendition.
    const page = await waitUntil(() => failedJobs(), (result) => result.totalCount === 1 && result.edges[0]!.node.rendition?.status === 'FAILED', 'the render to fail');
    const job = page.edges[0]!.node;
    expect(job).toMatchObject({ queue: 'RENDER', id: `render-${renditionId}`, video: { id: videoId }, rendition: { id: renditionId, status: 'FAILED', mode: 'IT2V' } });

    await restore();
    const retried = await data<{ retryJob: JobNode }>(`mutation($id: ID!) { retryJob(queue: RENDER, id: $id) { ${JOB_FIELDS} } }`, { id: job.id });
    expect(retried.retryJob.state).toBe('WAITING');
    expect(['QUEUED', 'RENDERING']).toContain(retried.retryJob.rendition!.status);
    const rendition = await waitUntil(
      async () => (await query<{ status: string }>('SELECT status FROM "Rendition" WHERE id = $1', [renditionId]))[0]!,
      (value) => value.status === 'READY' || value.status === 'FAILED',
      'the retried render',
    );
    expect(rendition.status).toBe('READY');
    const render = await waitUntil(async () => (await queues()).RENDER!, (queue) => queue.active === 0, 'the render job to finish');
    expect(render).toMatchObject({ failed: 0, completed: 1, completedLastMinute: 1 });
  });

  it('refuses to retry a job that does not exist, and pages through failures by cursor', async () => {
    expect(await errorCode('mutation { retryJob(queue: ENCODE, id: "encode-nobody") { id } }')).toBe('JOB_NOT_FOUND');
    expect(await errorCode('{ failedJobs(first: 0) { totalCount } }')).toBe('BAD_USER_INPUT');
    expect(await errorCode('{ failedJobs(after: "bm90LWEtam9iLWN1cnNvcg") { totalCount } }')).toBe('BAD_USER_INPUT');
  });

  it('totals the archive from the videos themselves, including what tiering saved', async () => {
    const totals = async () =>
      (
        await data<{ archiveTotals: { videoCount: number; readyCount: number; failedCount: number; hoursArchived: number; sourceBytes: number; representationBytes: number; bytesSavedByTiering: number } }>(
          '{ archiveTotals { videoCount readyCount failedCount hoursArchived sourceBytes representationBytes bytesSavedByTiering } }',
        )
      ).archiveTotals;
    const [video] = await query<{ durationSeconds: number; sourceBytes: string; bitstreamBytes: number }>(
      'SELECT "durationSeconds", "sourceBytes", "bitstreamBytes" FROM "Video" WHERE id = $1',
      [videoId],
    );
    const before = await totals();
    expect(before).toMatchObject({ videoCount: 1, readyCount: 1, failedCount: 0, bytesSavedByTiering: 0 });
    expect(before.hoursArchived).toBeCloseTo(video!.durationSeconds / 3600, 9);
    expect(before.sourceBytes).toBe(Number(video!.sourceBytes));
    expect(before.representationBytes).toBe(video!.bitstreamBytes);

    const demoted = await data<{ demoteVideo: { bytesSaved: number } }>('mutation($id: ID!) { demoteVideo(id: $id, to: TT2V_ONLY) { bytesSaved } }', { id: videoId });
    expect(demoted.demoteVideo.bytesSaved).toBeGreaterThan(0);
    const after = await totals();
    expect(after.bytesSavedByTiering).toBe(demoted.demoteVideo.bytesSaved);
    expect(after.representationBytes).toBeLessThan(before.representationBytes);
  });
});
