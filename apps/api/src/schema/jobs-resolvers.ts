import { badUserInput, type JobView, type QueueStats } from '@cmvc/core';
import type { ArchiveTotals, Video } from '@cmvc/db';
import type { RequestContext } from '../context.ts';
import type { JobQueueNameResolvers, JobStateResolvers, MutationResolvers, QueryResolvers } from './generated/graphql.ts';
import { decodeCursor, encodeCursor, pageSize, type ArgsOf, type resolvers as baseResolvers } from './resolvers.ts';

const SECONDS_PER_HOUR = 3600;

/** The jobs dashboard's fields, and Video.encodeProgress. */
export const jobsResolvers = {
  // GraphQL enum values ↔ the queue and state names @cmvc/jobs uses (as codegen.ts declares them).
  JobQueueName: { ENCODE: 'encode', RENDER: 'render', MAINTENANCE: 'maintenance' } satisfies JobQueueNameResolvers,
  JobState: { WAITING: 'waiting', ACTIVE: 'active', DELAYED: 'delayed', COMPLETED: 'completed', FAILED: 'failed', UNKNOWN: 'unknown' } satisfies JobStateResolvers,

  Query: {
    jobQueues: (_: unknown, __: unknown, context: RequestContext) => context.services.jobs.queues(),

    async failedJobs(_: unknown, args: ArgsOf<QueryResolvers['failedJobs']>, context: RequestContext) {
      const first = pageSize(args.first);
      const after = decodeCursor('job', args.after);
      const offset = after === undefined ? 0 : Number(after) + 1;
      if (!Number.isSafeInteger(offset) || offset < 0) throw badUserInput('Invalid cursor');
      const { jobs, totalCount } = await context.services.jobs.failedJobs(offset, first);
      const edges = jobs.map((node, position) => ({ cursor: encodeCursor('job', String(offset + position)), node }));
      return {
        edges,
        totalCount,
        pageInfo: { hasNextPage: offset + jobs.length < totalCount, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },

    archiveTotals: (_: unknown, __: unknown, context: RequestContext) => context.services.jobs.archiveTotals(),
  },

  Mutation: {
    retryJob: (_: unknown, args: ArgsOf<MutationResolvers['retryJob']>, context: RequestContext) =>
      context.services.jobs.retry(args.queue, args.id),
  },

  JobQueue: {
    name: (stats: QueueStats) => stats.queue,
  },

  Job: {
    async video(job: JobView, _: unknown, context: RequestContext) {
      const videoId = job.videoId ?? job.rendition?.videoId;
      return videoId ? context.loaders.videoById.load(videoId) : null;
    },
  },

  ArchiveTotals: {
    videoCount: (totals: ArchiveTotals) => Object.values(totals.videosByStatus).reduce((sum, count) => sum + count, 0),
    readyCount: (totals: ArchiveTotals) => totals.videosByStatus.READY,
    inProgressCount: (totals: ArchiveTotals) => totals.videosByStatus.QUEUED + totals.videosByStatus.ENCODING,
    failedCount: (totals: ArchiveTotals) => totals.videosByStatus.FAILED,
    hoursArchived: (totals: ArchiveTotals) => totals.readyDurationSeconds / SECONDS_PER_HOUR,
    sourceBytes: (totals: ArchiveTotals) => totals.readySourceBytes,
    representationBytes: (totals: ArchiveTotals) => totals.readyBitstreamBytes,
    bytesSavedByTiering: (totals: ArchiveTotals) => totals.tieringSavedBytes,
  },

  Video: {
    encodeProgress: (video: Video, _: unknown, context: RequestContext) =>
      video.status === 'ENCODING' ? context.loaders.encodeProgressByVideoId.load(video.id) : null,
  },
};

type ResolverMap = Record<string, Record<string, unknown>>;

/** The base resolvers with the jobs fields added, type by type. */
export function withJobResolvers(base: typeof baseResolvers): typeof baseResolvers {
  const merged: ResolverMap = { ...(base as unknown as ResolverMap) };
  for (const [type, fields] of Object.entries(jobsResolvers as unknown as ResolverMap)) {
    merged[type] = { ...merged[type], ...fields };
  }
  return merged as unknown as typeof baseResolvers;
}
