import type { ArchiveTotals, Rendition, RenditionRepository, VideoRepository } from '@cmvc/db';
import { DomainError } from '../errors.ts';
import { QUEUE_NAMES, type ArchiveEvents, type JobMonitor, type JobRecord, type QueueDepth, type QueueName, type RetryOutcome } from '@cmvc/jobs';

/** A queue's depth with how many jobs it finished lately. */
export interface QueueStats extends QueueDepth {
  readonly completedLastMinute: number;
  readonly completedLastHour: number;
}

/** A job with the video it works on: an encode job's own, or a render job's rendition's. */
export interface JobView extends JobRecord {
  readonly rendition: Rendition | null;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The jobs dashboard: queue depths and throughput, failed jobs with their videos, retries that
 * put the video or rendition back in line, and what the archive holds.
 */
export class JobsService {
  constructor(
    private readonly monitor: Pick<JobMonitor, 'depths' | 'completedSince' | 'failed' | 'retry' | 'encodeProgress'>,
    private readonly videos: Pick<VideoRepository, 'findById' | 'setStatus' | 'totals'>,
    private readonly renditions: Pick<RenditionRepository, 'findById' | 'findManyByIds' | 'markQueued' | 'markFailed'>,
    private readonly events: ArchiveEvents,
  ) {}

  async queues(now: Date = new Date()): Promise<QueueStats[]> {
    const [depths, lastMinute, lastHour] = await Promise.all([
      this.monitor.depths(),
      this.monitor.completedSince(new Date(now.getTime() - MINUTE_MS)),
      this.monitor.completedSince(new Date(now.getTime() - HOUR_MS)),
    ]);
    const byQueue = new Map(depths.map((depth) => [depth.queue, depth]));
    return QUEUE_NAMES.map((queue) => ({
      ...byQueue.get(queue)!,
      completedLastMinute: lastMinute[queue],
      completedLastHour: lastHour[queue],
    }));
  }

  async failedJobs(offset: number, limit: number): Promise<{ jobs: JobView[]; totalCount: number }> {
    const { jobs, totalCount } = await this.monitor.failed(offset, limit);
    return { jobs: await this.withRenditions(jobs), totalCount };
  }

  /**
   * Runs a failed job again. Its video (encode) or rendition (render) goes back to QUEUED first,
   * so every page shows it waiting rather than failed; if the retry itself fails, that is undone.
   */
  async retry(queue: QueueName, id: string): Promise<JobView> {
    const requeued: { undo: (() => Promise<unknown>) | null } = { undo: null };
    let outcome: RetryOutcome;
    try {
      outcome = await this.monitor.retry(queue, id, async (job) => {
        requeued.undo = await this.requeueTarget(job);
      });
    } catch (error) {
      await requeued.undo?.();
      throw error;
    }
    const retried = outcome.retried;
    if (!retried) {
      await requeued.undo?.();
      if (!outcome.state) throw new DomainError('JOB_NOT_FOUND', `No ${queue} job ${id}`);
      throw new DomainError('JOB_NOT_FAILED', `The ${queue} job ${id} is ${outcome.state}, not failed`);
    }
    const [view] = await this.withRenditions([retried]);
    const videoId = view!.videoId ?? view!.rendition?.videoId;
    if (videoId) await this.events.publish({ type: 'video-updated', videoId });
    return view!;
  }

  /** Overall encode progress (0–1) per video id, null where no encode job reports any. */
  encodeProgress(videoIds: readonly string[]): Promise<(number | null)[]> {
    return this.monitor.encodeProgress(videoIds);
  }

  archiveTotals(): Promise<ArchiveTotals> {
    return this.videos.totals();
  }

  /** Marks what the job works on as QUEUED again; returns how to put it back. */
  private async requeueTarget(job: JobRecord): Promise<(() => Promise<unknown>) | null> {
    const reason = job.failedReason ?? 'The job failed';
    if (job.queue === 'encode' && job.videoId) {
      const video = await this.videos.findById(job.videoId);
      if (!video || video.status === 'READY') return null;
      await this.videos.setStatus(video.id, 'QUEUED');
      return () => this.videos.setStatus(video.id, video.status, video.error);
    }
    if (job.queue === 'render' && job.renditionId) {
      const rendition = await this.renditions.findById(job.renditionId);
      if (!rendition || rendition.status === 'READY') return null;
      await this.renditions.markQueued(rendition.id);
      return () => this.renditions.markFailed(rendition.id, rendition.error ?? reason);
    }
    return null;
  }

  private async withRenditions(jobs: readonly JobRecord[]): Promise<JobView[]> {
    const ids = jobs.flatMap((job) => (job.renditionId ? [job.renditionId] : []));
    const renditions = ids.length > 0 ? await this.renditions.findManyByIds(ids) : [];
    const byId = new Map(renditions.map((rendition) => [rendition.id, rendition]));
    return jobs.map((job) => ({ ...job, rendition: job.renditionId ? (byId.get(job.renditionId) ?? null) : null }));
  }
}
