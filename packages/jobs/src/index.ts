import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Every background job of the archive, declared in one place: its queue, payload and defaults.
 * The API enqueues, `workers/` processes.
 */
export const QUEUES = {
  encode: 'cmvc-encode',
  render: 'cmvc-render',
  maintenance: 'cmvc-maintenance',
} as const;

/** Periodic jobs on the maintenance queue, and how often they run. */
export const MAINTENANCE_JOBS = {
  tiering: { name: 'tiering', everyMs: 3_600_000 },
  /** Blobs no row references are removed, rows whose blobs are missing reported (BlobReconciler). */
  reconcile: { name: 'reconcile-blobs', everyMs: 6 * 3_600_000 },
} as const;

export interface EncodeJobData {
  readonly videoId: string;
}

export interface RenderJobData {
  readonly renditionId: string;
}

/** A rendition's parameters as requested (GraphQL `RenditionOptions`); absent fields take defaults. */
export interface RenditionOptions {
  readonly format?: 'MP4' | 'WEBM' | null;
  /** Scale the output back to the source size instead of the working size. */
  readonly upscale?: boolean | null;
}

/** A type alias, not an interface, so it stays assignable to Prisma's JSON input type. */
export type RenditionParameters = { readonly format: 'MP4' | 'WEBM'; readonly upscale: boolean };

/** Parameters in canonical form: equal requests hash equally and share one rendition, and the worker reads the same defaults. */
export function canonicalRenditionParameters(options: RenditionOptions): RenditionParameters {
  return { format: options.format ?? 'MP4', upscale: options.upscale ?? false };
}

export interface JobPayloads {
  readonly encode: EncodeJobData;
  readonly render: RenderJobData;
}

export type JobKind = keyof JobPayloads;

/** Retries with exponential backoff; failed jobs keep their error for inspection and retry. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Job ids are derived from the entity so enqueueing twice is a no-op. */
export function jobIdFor<K extends JobKind>(kind: K, data: JobPayloads[K]): string {
  return kind === 'encode' ? `encode-${(data as EncodeJobData).videoId}` : `render-${(data as RenderJobData).renditionId}`;
}

/** BullMQ needs `maxRetriesPerRequest: null` on connections used by workers. */
export function createRedisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export interface JobQueues {
  readonly encode: Queue<EncodeJobData>;
  readonly render: Queue<RenderJobData>;
  enqueueEncodes(videoIds: readonly string[]): Promise<void>;
  enqueueRender(renditionId: string): Promise<void>;
  close(): Promise<void>;
}

export function createJobQueues(connection: ConnectionOptions): JobQueues {
  const encode = new Queue<EncodeJobData>(QUEUES.encode, { connection, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const render = new Queue<RenderJobData>(QUEUES.render, { connection, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  return {
    encode,
    render,
    async enqueueEncodes(videoIds) {
      if (videoIds.length === 0) return;
      await encode.addBulk(
        videoIds.map((videoId) => ({
          name: 'encode',
          data: { videoId },
          opts: { jobId: jobIdFor('encode', { videoId }) },
        })),
      );
    },
    async enqueueRender(renditionId) {
      const jobId = jobIdFor('render', { renditionId });
      // A finished job keeps its id for a while; asking again must run it again.
      const existing = await render.getJob(jobId);
      if (existing && (await existing.isFailed())) return existing.retry();
      if (existing && (await existing.isCompleted())) await existing.remove();
      await render.add('render', { renditionId }, { jobId });
    },
    async close() {
      await Promise.all([encode.close(), render.close()]);
    },
  };
}

export * from './events.ts';
export * from './monitor.ts';
export * from './job-table.ts';
export * from './progress.ts';
