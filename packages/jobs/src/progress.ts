import type { Job } from 'bullmq';
import type { ArchiveEvents, JobProgressEvent } from './events.ts';

/**
 * Forwards codec progress to BullMQ (job.progress) and the event bus at most every `intervalMs`
 * unless forced, so a fast codec does not flood Redis. `onReport` sees every forwarded update.
 */
export function progressReporter(
  job: Job,
  events: ArchiveEvents,
  target: Pick<JobProgressEvent, 'kind' | 'videoId' | 'renditionId'>,
  onReport: (fraction: number) => Promise<unknown> = async () => {},
  intervalMs = 250,
): (stage: string, fraction: number, force?: boolean) => void {
  let last = 0;
  return (stage, fraction, force = false) => {
    const now = Date.now();
    if (!force && now - last < intervalMs) return;
    last = now;
    const progress = { stage, fraction: Math.max(0, Math.min(1, fraction)) };
    void job.updateProgress(progress).catch(() => {});
    void events.publish({ type: 'job-progress', ...target, ...progress }).catch(() => {});
    void onReport(progress.fraction).catch(() => {});
  };
}
