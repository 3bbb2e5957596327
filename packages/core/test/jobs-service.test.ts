/** JobsService.retry against a fake monitor and in-memory videos: what a retry puts back, and what it refuses. */
import { describe, expect, it } from 'vitest';
import type { JobMonitor, JobRecord, RetryOutcome } from '@cmvc/jobs';
import { JobsService } from '../src/services/jobs-service.ts';
import { MemoryEvents, MemoryVideos, videoRow } from '../../../test/support/memory-ports.ts';
import { rejectionCode } from '../../../test/support/domain-errors.ts';

const VIDEO = '00000000-0000-4000-8000-0000000000a1';

const failedEncode: JobRecord = {
  queue: 'encode',
  id: `encode-${VIDEO}`,
  state: 'failed',
  videoId: VIDEO,
  renditionId: null,
  failedReason: 'ffmpeg died',
  attemptsMade: 3,
  finishedOn: new Date(0),
};

/** A monitor whose retry finds `job` failed, calls the hook, then answers `outcome`. */
function monitorAnswering(outcome: (job: JobRecord) => RetryOutcome) {
  return {
    retry: async (_queue: string, _id: string, beforeRetry: (job: JobRecord) => Promise<void>) => {
      const answer = outcome(failedEncode);
      if (answer.retried || answer.state === 'failed' || answer.state === 'waiting') await beforeRetry(failedEncode);
      return answer;
    },
  } as unknown as JobMonitor;
}

function serviceWith(monitor: JobMonitor, status: 'FAILED' | 'READY' = 'FAILED') {
  const videos = new MemoryVideos([videoRow({ id: VIDEO, status, error: 'ffmpeg died' })]);
  const statuses: string[] = [];
  const repository = {
    findById: (id: string) => videos.findById(id),
    setStatus: async (_id: string, next: string) => void statuses.push(next),
    totals: async () => ({}) as never,
  };
  const events = new MemoryEvents();
  const heard: string[] = [];
  void events.subscribe((event) => heard.push(event.type));
  return { service: new JobsService(monitor, repository as never, { findManyByIds: async () => [] } as never, events), statuses, heard };
}


describe('JobsService.retry', () => {
  it('puts the video back to QUEUED and announces it', async () => {
    const { service, statuses, heard } = serviceWith(monitorAnswering((job) => ({ retried: { ...job, state: 'waiting' }, state: 'waiting' })));
    const view = await service.retry('encode', failedEncode.id);
    expect(view.state).toBe('waiting');
    expect(statuses).toEqual(['QUEUED']);
    expect(heard).toEqual(['video-updated']);
  });

  it('answers JOB_NOT_FOUND for a job the queue does not have', async () => {
    const { service, statuses } = serviceWith(monitorAnswering(() => ({ retried: null, state: null })));
    expect(await rejectionCode(service.retry('encode', 'missing'))).toBe('JOB_NOT_FOUND');
    expect(statuses).toEqual([]);
  });

  it('answers JOB_NOT_FAILED, and puts the video back, when someone else retried the job first', async () => {
    // The monitor saw the job failed (the hook ran), then found it waiting: another retry won.
    const { service, statuses } = serviceWith(monitorAnswering(() => ({ retried: null, state: 'waiting' })));
    expect(await rejectionCode(service.retry('encode', failedEncode.id))).toBe('JOB_NOT_FAILED');
    expect(statuses).toEqual(['QUEUED', 'FAILED']);
  });

  it('leaves a READY video as it is', async () => {
    const { service, statuses } = serviceWith(monitorAnswering((job) => ({ retried: { ...job, state: 'waiting' }, state: 'waiting' })), 'READY');
    await service.retry('encode', failedEncode.id);
    expect(statuses).toEqual([]);
  });
});
