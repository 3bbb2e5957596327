/** RenditionService's render job handler: the cases decided before any decoding, and the final failure. */
import { describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import type { Rendition, RenditionRepository } from '@cmvc/db';
import type { ArchiveEvent, RenderJobData } from '@cmvc/jobs';
import { mediaIo } from '@cmvc/media-io';
import { RenditionService } from '../src/services/rendition-service.ts';
import { MemoryBlobStore, MemoryEvents, MemoryVideos, videoRow } from '../../../test/support/memory-ports.ts';

const VIDEO = '00000000-0000-4000-8000-0000000000b1';
const RENDITION = '00000000-0000-4000-8000-0000000000b2';

function renderJob(rendition: Partial<Rendition> | null, video = videoRow({ id: VIDEO, status: 'READY', bitstreamBlobKey: 'videos/b1/stream.cmvc' })) {
  const calls: string[] = [];
  const row = rendition && ({ id: RENDITION, videoId: VIDEO, mode: 'IT2V', status: 'QUEUED', parameters: {}, ...rendition } as Rendition);
  const renditions = {
    findById: async (id: string) => (row && id === RENDITION ? { ...row } : null),
    markRendering: async () => void calls.push('markRendering'),
    markFailed: async (id: string, reason: string) => {
      calls.push(`markFailed ${reason}`);
      return { ...row!, id, status: 'FAILED', error: reason };
    },
  } as unknown as RenditionRepository;
  const events = new MemoryEvents();
  const heard: ArchiveEvent[] = [];
  void events.subscribe((event) => heard.push(event));
  const service = new RenditionService({
    renditions,
    videos: new MemoryVideos([video]),
    keyframes: { findByVideoIds: async () => [] },
    queues: { enqueueRender: async () => {} },
    events,
    capabilities: { tt2v: { available: false } },
  });
  const handler = service.renderJob({ blobs: new MemoryBlobStore(), mediaIo: mediaIo(), semanticCodecs: [], tt2vGenerator: () => null });
  const job = { data: { renditionId: RENDITION } } as Job<RenderJobData>;
  return { handler, job, calls, heard };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'none',
    (error: Error) => `${error.name}: ${error.message}`,
  );
}

describe('the render job', () => {
  it('is the handler of the render job', () => {
    expect(renderJob({}).handler.name).toBe('render');
  });

  it('fails for good when the rendition is gone', async () => {
    const { handler, job } = renderJob(null);
    expect(await failure(handler.run(job))).toBe(`UnrecoverableError: Rendition ${RENDITION} no longer exists`);
  });

  it('does nothing for a rendition that is already READY', async () => {
    const { handler, job, calls } = renderJob({ status: 'READY' });
    expect(await failure(handler.run(job))).toBe('none');
    expect(calls).toEqual([]);
  });

  it('fails for good when the video has no bitstream to render from', async () => {
    const { handler, job, calls } = renderJob({}, videoRow({ id: VIDEO, status: 'READY', bitstreamBlobKey: null }));
    expect(await failure(handler.run(job))).toMatch(/^UnrecoverableError: The video has no CMVC representation/);
    expect(calls).toEqual([]);
  });

  it('fails for good asking for TT2V where no generator is configured, before marking anything', async () => {
    const { handler, job, calls } = renderJob({ mode: 'TT2V' });
    expect(await failure(handler.run(job))).toBe('UnrecoverableError: TT2V is not available: no generator is configured');
    expect(calls).toEqual([]);
  });

  it('marks the rendition FAILED after its last attempt, and says so on the bus', async () => {
    const { handler, calls, heard } = renderJob({ status: 'RENDERING' });
    await handler.failed!({ renditionId: RENDITION }, 'decoder crashed');
    expect(calls).toEqual(['markFailed decoder crashed']);
    expect(heard).toEqual([
      { type: 'rendition-updated', renditionId: RENDITION },
      { type: 'video-updated', videoId: VIDEO },
    ]);
  });
});
