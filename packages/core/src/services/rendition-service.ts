import { createHash } from 'node:crypto';
import type { Rendition, RenditionRepository, RenditionSegment, VideoRepository, KeyframeRepository } from '@cmvc/db';
import { canonicalRenditionParameters, waitForEvents, type ArchiveEvent, type ArchiveEvents, type JobQueues, type RenditionOptions, type RenditionUpdatedEvent } from '@cmvc/jobs';
import type { MediaLimits } from '@cmvc/config';
import { badUserInput, DomainError, notFound } from '../errors.ts';

export type RenditionModeName = 'TT2V' | 'IT2V';


/** Which regeneration modes this deployment can serve, and how large their output may be. */
export interface RenditionCapabilities {
  readonly tt2v: { readonly available: boolean; readonly reason?: string };
  /** Rendition output is held to the media limits; `upscale` multiplies the video's size by `upscaleFactor`. */
  readonly output?: { readonly limits: MediaLimits; readonly upscaleFactor: number };
}

/** How long a request for a playlist or segment that is not rendered yet waits for it. */
export const SEGMENT_WAIT_MS = 60_000;
/**
 * A waiting request looks again when the render job announces a change, and at least this often:
 * Redis pub/sub delivers at most once, so a lost announcement costs a second, not the whole wait.
 */
const SEGMENT_RECHECK_MS = 1_000;

function unavailable(message: string): DomainError {
  return new DomainError('MODE_UNAVAILABLE', message);
}


export class RenditionService {
  constructor(
    private readonly renditions: RenditionRepository,
    private readonly videos: VideoRepository,
    private readonly keyframes: KeyframeRepository,
    private readonly queues: JobQueues,
    private readonly capabilities: RenditionCapabilities,
    private readonly events: ArchiveEvents,
  ) {}

  async request(videoId: string, mode: RenditionModeName, options: RenditionOptions): Promise<Rendition> {
    const video = await this.videos.findById(videoId);
    if (!video) throw notFound(`No video with id ${videoId}`);
    if (video.status !== 'READY' || !video.bitstreamBlobKey) {
      throw new DomainError('VIDEO_NOT_READY', `Video ${videoId} is ${video.status}; it can be regenerated once READY`);
    }
    if (mode === 'IT2V') {
      const [first] = await this.keyframes.findByVideoIds([videoId]);
      if (!first?.blobKey) throw unavailable('IT2V needs the keyframe images, and this video keeps text only; ask for TT2V');
    }
    if (mode === 'TT2V' && !this.capabilities.tt2v.available) {
      throw unavailable(`TT2V is not available here: ${this.capabilities.tt2v.reason ?? 'no generator is configured'}`);
    }
    const parameters = canonicalRenditionParameters(options);
    const output = this.capabilities.output;
    if (output && video.width && video.height) {
      const factor = parameters.upscale ? output.upscaleFactor : 1;
      const [width, height] = [video.width * factor, video.height * factor];
      const { maxWidth, maxHeight, maxPixels } = output.limits;
      if (width > maxWidth || height > maxHeight || width * height > maxPixels) {
        throw badUserInput(`The rendition would be ${width}×${height}; the limit is ${maxWidth}×${maxHeight} and ${maxPixels} pixels`);
      }
    }
    const hash = createHash('sha256').update(JSON.stringify(parameters)).digest('hex');
    const { rendition, requeue } = await this.renditions.findOrCreate(videoId, mode, parameters, hash);
    if (requeue) await this.queues.enqueueRender(rendition.id);
    return rendition;
  }

  /** The rendition's HLS playlist; waits (up to `SEGMENT_WAIT_MS`) for a queued render to write it. */
  async playlist(renditionId: string, signal?: AbortSignal): Promise<string> {
    return this.waitFor(renditionId, signal, async (rendition) => rendition.playlist);
  }

  /**
   * Segment `index` of the rendition. One not rendered yet is asked for (the render job takes it
   * next, so a seek renders from there) and waited for, up to `SEGMENT_WAIT_MS`.
   */
  async segment(renditionId: string, index: number, signal?: AbortSignal): Promise<RenditionSegment> {
    let asked = false;
    return this.waitFor(renditionId, signal, async (rendition) => {
      if (rendition.segmentCount === null) return null;
      if (index >= rendition.segmentCount) throw new DomainError('BAD_SEGMENT', `The rendition has segments 0 to ${rendition.segmentCount - 1}, not ${index}`);
      const segment = await this.renditions.findSegment(renditionId, index);
      if (!segment && !asked) {
        asked = true;
        // The row keeps the wish for a render job that has not started; the event reaches a running one at once.
        await this.renditions.wantSegment(renditionId, index);
        await this.events.publish({ type: 'segment-wanted', renditionId, index });
      }
      return segment;
    });
  }

  private async waitFor<T>(renditionId: string, signal: AbortSignal | undefined, take: (rendition: Rendition) => Promise<T | null>): Promise<T> {
    const deadline = Date.now() + SEGMENT_WAIT_MS;
    const changes = await waitForEvents(
      this.events,
      (event: ArchiveEvent): event is RenditionUpdatedEvent => event.type === 'rendition-updated' && event.renditionId === renditionId,
    );
    try {
      for (;;) {
        const rendition = await this.renditions.findById(renditionId);
        if (!rendition) throw new DomainError('NOT_FOUND', `No rendition with id ${renditionId}`);
        const value = await take(rendition);
        if (value !== null) return value;
        if (rendition.status === 'FAILED') throw new DomainError('RENDITION_FAILED', `The rendition failed: ${rendition.error ?? 'unknown error'}`);
        if (rendition.status === 'READY') throw new DomainError('NOT_FOUND', 'This rendition was made before renditions were segmented; play its file');
        const left = deadline - Date.now();
        if (left <= 0) throw new DomainError('NOT_RENDERED_IN_TIME', `Not rendered within ${SEGMENT_WAIT_MS / 1000} s; try again`, { retryAfterSeconds: 1 });
        await changes.next(Math.min(SEGMENT_RECHECK_MS, left), signal);
        signal?.throwIfAborted();
      }
    } finally {
      await changes.close();
    }
  }
}
