/**
 * The worker's job table against real Redis: jobs queued the way earlier builds queued them (queue,
 * name and payload written out literally here) reach the handler of their name, a final failure
 * reaches the handler's `failed`, and a job of an unknown name fails at once.
 */
import { Queue, UnrecoverableError, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisConnection, startJobWorkers, type JobTable } from '@cmvc/jobs';
import { requireServices } from '../support/stack.ts';

/** A Redis database of its own, so the stack's queues (database 0) are left alone. */
function isolatedRedis(): Redis {
  const url = new URL(requireServices().redisUrl);
  url.pathname = '/9';
  return createRedisConnection(url.href);
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('job table', () => {
  it('hands jobs queued under the wire names and payloads to their handlers', async () => {
    const connection = isolatedRedis();
    await connection.flushdb();
    const ran: { name: string; data: unknown }[] = [];
    const failed: { payload: unknown; reason: string }[] = [];
    const table: JobTable = [
      { name: 'encode', run: async (job) => void ran.push({ name: job.name, data: job.data }) },
      {
        name: 'render',
        run: async (job) => {
          ran.push({ name: job.name, data: job.data });
          throw new UnrecoverableError('the video has no representation');
        },
        failed: async (payload, reason) => void failed.push({ payload, reason }),
      },
      { name: 'tiering', run: async (job) => void ran.push({ name: job.name, data: job.data }) },
      { name: 'reconcile-blobs', run: async (job) => void ran.push({ name: job.name, data: job.data }) },
    ];
    const workers: Worker[] = startJobWorkers(table, { connection, concurrency: 1 });
    const queues = ['cmvc-encode', 'cmvc-render', 'cmvc-maintenance'].map((name) => new Queue(name, { connection }));
    cleanup = async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(queues.map((queue) => queue.close()));
      await connection.flushdb();
      connection.disconnect();
    };
    const [encode, render, maintenance] = queues as [Queue, Queue, Queue];
    await encode.add('encode', { videoId: 'video-1' }, { jobId: 'encode-video-1' });
    await render.add('render', { renditionId: 'rendition-1' }, { jobId: 'render-rendition-1', attempts: 3 });
    await maintenance.add('tiering', {});
    await maintenance.add('reconcile-blobs', {});
    const unknown = await maintenance.add('vacuum', {}, { attempts: 3 });

    await until(async () => ran.length === 4 && failed.length === 1 && (await unknown.getState()) === 'failed');
    expect(ran).toEqual(
      expect.arrayContaining([
        { name: 'encode', data: { videoId: 'video-1' } },
        { name: 'render', data: { renditionId: 'rendition-1' } },
        { name: 'tiering', data: {} },
        { name: 'reconcile-blobs', data: {} },
      ]),
    );
    expect(failed).toEqual([{ payload: { renditionId: 'rendition-1' }, reason: 'the video has no representation' }]);
    const refused = (await maintenance.getJob(unknown.id!))!;
    expect(refused.failedReason).toBe('No handler for the maintenance job "vacuum"');
    expect(refused.attemptsMade).toBe(1);
  });

  it('refuses to start with a job name that has no handler', () => {
    const table: JobTable = [{ name: 'encode', run: async () => {} }];
    expect(() => startJobWorkers(table, { connection: { host: '127.0.0.1', port: 1 } })).toThrow('Job table: no handler for the jobs "render", "tiering", "reconcile-blobs"');
  });
});
