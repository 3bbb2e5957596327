import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdFor, QUEUES } from './index.ts';

/** The archive's queues by their short name (the keys of QUEUES). */
export type QueueName = keyof typeof QUEUES;

/** In the order a dashboard lists them. */
export const QUEUE_NAMES: readonly QueueName[] = ['encode', 'render', 'maintenance'];

export interface QueueDepth {
  readonly queue: QueueName;
  /** Ready to run, including prioritised jobs. */
  readonly waiting: number;
  readonly active: number;
  /** Waiting out a retry backoff or a schedule. */
  readonly delayed: number;
  readonly failed: number;
  /** Finished jobs still kept (see DEFAULT_JOB_OPTIONS.removeOnComplete). */
  readonly completed: number;
}

export type JobStateName = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'unknown';

/** A job as the monitor reports it, with the entity it works on read out of its payload. */
/** What a retry did: the job back in its queue, or why not (state null: there is no such job). */
export type RetryOutcome =
  | { readonly retried: JobRecord; readonly state: 'waiting' }
  | { readonly retried: null; readonly state: JobStateName | null };

export interface JobRecord {
  readonly queue: QueueName;
  readonly id: string;
  readonly state: JobStateName;
  /** The video an encode job is for. */
  readonly videoId: string | null;
  /** The rendition a render job is for. */
  readonly renditionId: string | null;
  readonly failedReason: string | null;
  readonly attemptsMade: number;
  readonly finishedOn: Date | null;
}

/**
 * Where each encode stage sits in the job as a whole: [start, end] of the overall 0–1. The shares
 * are rough costs of each pass (keyframe selection, describing keyframes, fitting IT2V weights).
 */
const ENCODE_STAGE_SPANS: Readonly<Record<string, readonly [number, number]>> = {
  decode: [0, 0.02],
  probe: [0.02, 0.04],
  select: [0.04, 0.35],
  keyframes: [0.35, 0.6],
  weights: [0.6, 0.97],
  write: [0.97, 1],
  done: [1, 1],
};

/**
 * An encode job's overall fraction from what its worker last reported (`{ stage, fraction }` per
 * stage, see progress.ts); null when nothing usable was reported yet.
 */
export function encodeJobFraction(progress: unknown): number | null {
  if (typeof progress === 'number') return Number.isFinite(progress) ? clamp(progress) : null;
  if (typeof progress !== 'object' || progress === null) return null;
  const { stage, fraction } = progress as { stage?: unknown; fraction?: unknown };
  const span = typeof stage === 'string' ? ENCODE_STAGE_SPANS[stage] : undefined;
  if (!span || typeof fraction !== 'number' || !Number.isFinite(fraction)) return null;
  return span[0] + (span[1] - span[0]) * clamp(fraction);
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function parseProgress(raw: string | null): unknown {
  if (raw == null) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

function stateName(state: string): JobStateName {
  switch (state) {
    case 'waiting':
    case 'prioritized':
    case 'waiting-children':
      return 'waiting';
    case 'active':
    case 'delayed':
    case 'completed':
    case 'failed':
      return state;
    default:
      return 'unknown';
  }
}

function field(data: unknown, name: string): string | null {
  const value = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : null;
}

function toRecord(queue: QueueName, job: Job, state: JobStateName): JobRecord {
  return {
    queue,
    id: job.id ?? '',
    state,
    videoId: queue === 'encode' ? field(job.data, 'videoId') : null,
    renditionId: queue === 'render' ? field(job.data, 'renditionId') : null,
    failedReason: job.failedReason || null,
    attemptsMade: job.attemptsMade,
    finishedOn: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

/**
 * Read-mostly access to every queue for dashboards: depths, throughput, failed jobs, retries and
 * encode progress. Throughput and the failed list read BullMQ's sorted sets directly (scored by
 * the time a job finished), so they cost one round trip however many jobs there are.
 */
export class JobMonitor {
  private readonly queues: Readonly<Record<QueueName, Queue>>;

  constructor(private readonly redis: Redis) {
    this.queues = {
      encode: new Queue(QUEUES.encode, { connection: redis }),
      render: new Queue(QUEUES.render, { connection: redis }),
      maintenance: new Queue(QUEUES.maintenance, { connection: redis }),
    };
  }

  async depths(): Promise<QueueDepth[]> {
    return Promise.all(
      QUEUE_NAMES.map(async (queue) => {
        const counts = await this.queues[queue].getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
        return {
          queue,
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0,
        };
      }),
    );
  }

  /** Jobs each queue completed at or after `since` (as far as completed jobs are kept). */
  async completedSince(since: Date): Promise<Record<QueueName, number>> {
    const pipeline = this.redis.pipeline();
    for (const queue of QUEUE_NAMES) pipeline.zcount(this.queues[queue].toKey('completed'), since.getTime(), '+inf');
    const results = (await pipeline.exec()) ?? [];
    const counts = {} as Record<QueueName, number>;
    QUEUE_NAMES.forEach((queue, index) => {
      const [error, value] = results[index] ?? [new Error('no reply'), 0];
      if (error) throw error;
      counts[queue] = Number(value);
    });
    return counts;
  }

  /** Failed jobs of every queue, most recently failed first; `offset` and `limit` page through them. */
  async failed(offset: number, limit: number): Promise<{ jobs: JobRecord[]; totalCount: number }> {
    const pipeline = this.redis.pipeline();
    for (const queue of QUEUE_NAMES) {
      const key = this.queues[queue].toKey('failed');
      pipeline.zrevrange(key, 0, offset + limit - 1, 'WITHSCORES');
      pipeline.zcard(key);
    }
    const results = (await pipeline.exec()) ?? [];
    const entries: { queue: QueueName; id: string; finishedOn: number }[] = [];
    let totalCount = 0;
    QUEUE_NAMES.forEach((queue, index) => {
      const [rangeError, range] = results[2 * index] ?? [new Error('no reply'), []];
      const [countError, count] = results[2 * index + 1] ?? [new Error('no reply'), 0];
      if (rangeError) throw rangeError;
      if (countError) throw countError;
      const flat = range as string[];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ queue, id: flat[i]!, finishedOn: Number(flat[i + 1]) });
      totalCount += Number(count);
    });
    entries.sort((a, b) => b.finishedOn - a.finishedOn || a.queue.localeCompare(b.queue) || a.id.localeCompare(b.id));
    const page = entries.slice(offset, offset + limit);
    const jobs = await Promise.all(page.map(({ queue, id }) => this.queues[queue].getJob(id)));
    return {
      // A job removed between the two reads is left out.
      jobs: page.flatMap(({ queue }, index) => (jobs[index] ? [toRecord(queue, jobs[index], 'failed')] : [])),
      totalCount,
    };
  }

  async find(queue: QueueName, id: string): Promise<JobRecord | null> {
    const job = await this.queues[queue].getJob(id);
    return job ? toRecord(queue, job, stateName(await job.getState())) : null;
  }

  /**
   * Runs a failed job again with a fresh set of attempts, or says why not (no such job, or one
   * that is not failed); `beforeRetry` runs once the job is known to be failed and before a worker
   * can pick it up.
   */
  async retry(queue: QueueName, id: string, beforeRetry: (job: JobRecord) => Promise<void> = async () => {}): Promise<RetryOutcome> {
    const job = await this.queues[queue].getJob(id);
    if (!job) return { retried: null, state: null };
    const state = stateName(await job.getState());
    if (state !== 'failed') return { retried: null, state };
    const record = toRecord(queue, job, state);
    await beforeRetry(record);
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch (error) {
      // Someone else retried it in between; report that rather than BullMQ's script error.
      const now = stateName(await job.getState());
      if (now !== 'failed') return { retried: null, state: now };
      throw error;
    }
    return { retried: { ...record, state: 'waiting', failedReason: null, attemptsMade: 0, finishedOn: null }, state: 'waiting' };
  }

  /** Overall progress (0–1) of each video's encode job, in one round trip; null where unknown. */
  async encodeProgress(videoIds: readonly string[]): Promise<(number | null)[]> {
    if (videoIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const videoId of videoIds) pipeline.hget(this.queues.encode.toKey(jobIdFor('encode', { videoId })), 'progress');
    const results = (await pipeline.exec()) ?? [];
    return videoIds.map((_, index) => {
      const [error, raw] = results[index] ?? [null, null];
      return error ? null : encodeJobFraction(parseProgress(raw as string | null));
    });
  }

  async close(): Promise<void> {
    await Promise.all(QUEUE_NAMES.map((queue) => this.queues[queue].close()));
  }
}
