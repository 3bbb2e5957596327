import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import { blobKeys, type BlobStore } from '@cmvc/blob';
import { BitstreamError, CodecError, decodeSegments, segmentSpan, type Generator, type SegmentGrid, type SemanticTextCodec } from '@cmvc/codec';
import type { MediaIo } from '@cmvc/media-io';
import type { AppConfig, MediaLimits } from '@cmvc/config';
import type { KeyframeRepository, Rendition, RenditionRepository, RenditionSegment, VideoRepository } from '@cmvc/db';
import {
  canonicalRenditionParameters,
  progressReporter,
  waitForEvents,
  type ArchiveEvent,
  type ArchiveEvents,
  type JobHandler,
  type JobQueues,
  type RenderJobData,
  type RenditionOptions,
  type RenditionUpdatedEvent,
} from '@cmvc/jobs';
import { badUserInput, DomainError, notFound } from '../errors.ts';
import { systemScratch, type Scratch } from '../ports.ts';

export type RenditionModeName = 'TT2V' | 'IT2V';


/** Which regeneration modes this deployment can serve, and how large their output may be. */
export interface RenditionCapabilities {
  readonly tt2v: { readonly available: boolean; readonly reason?: string };
  /** Rendition output is held to the media limits; `upscale` multiplies the video's size by `upscaleFactor`. */
  readonly output?: { readonly limits: MediaLimits; readonly upscaleFactor: number };
}

/** The capabilities the configuration gives. */
export function renditionCapabilities(config: Pick<AppConfig, 'generation' | 'media' | 'models'>): RenditionCapabilities {
  return {
    tt2v: config.generation.tt2v === 'none' ? { available: false, reason: 'TT2V_GENERATOR is none' } : { available: true },
    output: { limits: config.media, upscaleFactor: config.models.superResolution.scale },
  };
}

export interface RenditionDependencies {
  readonly renditions: RenditionRepository;
  readonly videos: Pick<VideoRepository, 'findById'>;
  readonly keyframes: Pick<KeyframeRepository, 'findByVideoIds'>;
  readonly queues: Pick<JobQueues, 'enqueueRender'>;
  readonly events: ArchiveEvents;
  readonly capabilities: RenditionCapabilities;
}

/** What the render job needs besides the service's own ports: the codec's models, media I/O, the blob store and scratch space. */
export interface RenderJobDependencies {
  readonly blobs: BlobStore;
  readonly mediaIo: MediaIo;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  /** The TT2V generator for one video (it must never draw on that video's own pixels), or null if none is configured. */
  readonly tt2vGenerator: (videoId: string) => Generator | null;
  readonly scratch?: Scratch;
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


/** Failures that retrying cannot fix. */
const PERMANENT_CODEC_ERRORS = new Set(['INVALID_OPTIONS', 'GENERATOR_UNAVAILABLE', 'SEMANTIC_CODEC_UNAVAILABLE']);

/** Segment `index` of a rendition, in the folder the rendition's render job owns while it runs. */
export function segmentBlobKey(videoId: string, renditionId: string, index: number): string {
  return `${segmentFolder(videoId, renditionId)}${segmentFileName(index)}`;
}

const segmentFolder = (videoId: string, renditionId: string): string => `renditions/${videoId}/${renditionId}/`;

/** The name a segment has in the playlist, relative to it (`/media/renditions/<id>/segments/<index>.ts`). */
export const segmentFileName = (index: number): string => `${index}.ts`;

/**
 * The complete HLS VOD playlist of a segmented rendition: every segment with its exact duration,
 * known before any is rendered, so a player can seek anywhere at once.
 */
export function hlsPlaylist(grid: SegmentGrid, uri: (index: number) => string): string {
  const spans = Array.from({ length: grid.count }, (_, index) => segmentSpan(grid, index));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(...spans.map((span) => span.seconds)))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    ...spans.flatMap((span, index) => [`#EXTINF:${span.seconds.toFixed(6)},`, `segments/${uri(index)}`]),
    '#EXT-X-ENDLIST',
  ];
  return `${lines.join('\n')}\n`;
}

/** The index of the playlist's segment that holds `seconds` (the last one for a time past the end). */
export function segmentAtSeconds(playlist: string, seconds: number): number {
  const durations = [...playlist.matchAll(/^#EXTINF:([\d.]+),/gmu)].map((match) => Number(match[1]));
  let end = 0;
  for (const [index, duration] of durations.entries()) {
    end += duration;
    if (seconds < end) return index;
  }
  return Math.max(0, durations.length - 1);
}

/**
 * Renditions: requests (checked, deduplicated, queued), their playlists and segments as the render
 * job writes them, and the render job itself.
 */
export class RenditionService {
  private readonly renditions: RenditionRepository;
  private readonly videos: Pick<VideoRepository, 'findById'>;
  private readonly keyframes: Pick<KeyframeRepository, 'findByVideoIds'>;
  private readonly queues: Pick<JobQueues, 'enqueueRender'>;
  private readonly events: ArchiveEvents;
  private readonly capabilities: RenditionCapabilities;

  constructor(dependencies: RenditionDependencies) {
    this.renditions = dependencies.renditions;
    this.videos = dependencies.videos;
    this.keyframes = dependencies.keyframes;
    this.queues = dependencies.queues;
    this.events = dependencies.events;
    this.capabilities = dependencies.capabilities;
  }

  /** The renditions of these videos (for the API's batch loader). */
  forVideos(videoIds: readonly string[]): Promise<Rendition[]> {
    return this.renditions.findByVideoIds(videoIds);
  }

  /** A finished rendition's downloadable file, or null while there is none. */
  async download(renditionId: string): Promise<{ readonly blobKey: string } | null> {
    const rendition = await this.renditions.findById(renditionId);
    return rendition?.blobKey && rendition.status === 'READY' ? { blobKey: rendition.blobKey } : null;
  }

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

  /**
   * The rendition's HLS playlist; waits (up to `SEGMENT_WAIT_MS`) for a queued render to write it.
   * `startSeconds`, where the player will start, asks for the segment there at once, so the render
   * job starts with it rather than waiting for the player's first segment request.
   */
  async playlist(renditionId: string, signal?: AbortSignal, startSeconds?: number): Promise<string> {
    return this.waitFor(renditionId, signal, async (rendition) => {
      if (rendition.playlist !== null && startSeconds !== undefined && rendition.status !== 'READY') {
        await this.want(renditionId, segmentAtSeconds(rendition.playlist, startSeconds));
      }
      return rendition.playlist;
    });
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
        await this.want(renditionId, index);
      }
      return segment;
    });
  }

  /** Asks the render job to render segment `index` next. */
  private async want(renditionId: string, index: number): Promise<void> {
    // The row keeps the wish for a render job that has not started; the event reaches a running one at once.
    await this.renditions.wantSegment(renditionId, index);
    await this.events.publish({ type: 'segment-wanted', renditionId, index });
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

  /**
   * The `render` job: a video's bitstream → IT2V or TT2V decode into HLS segments (each stored as
   * soon as it is finished, the one a viewer waits for first) → the segments joined into the
   * downloadable MP4/WebM, and the rendition READY. A rendition that failed for the last time is
   * marked FAILED.
   */
  renderJob(render: RenderJobDependencies): JobHandler<'render'> {
    return {
      name: 'render',
      run: (job) => this.render(job, render),
      failed: (payload, reason) => this.renderFailed(payload.renditionId, reason),
    };
  }

  private async render(job: Job<RenderJobData>, { blobs, mediaIo, semanticCodecs, tt2vGenerator, scratch = systemScratch }: RenderJobDependencies): Promise<void> {
    const { renditions, videos, events } = this;
    const rendition = await renditions.findById(job.data.renditionId);
    if (!rendition) throw new UnrecoverableError(`Rendition ${job.data.renditionId} no longer exists`);
    if (rendition.status === 'READY') return;
    const video = await videos.findById(rendition.videoId);
    if (!video?.bitstreamBlobKey) throw new UnrecoverableError('The video has no CMVC representation to render from');

    const parameters = canonicalRenditionParameters(rendition.parameters as RenditionOptions);
    const format = parameters.format === 'WEBM' ? 'webm' : 'mp4';
    const mode = rendition.mode === 'TT2V' ? 'tt2v' : 'it2v';
    const generator = mode === 'tt2v' ? tt2vGenerator(video.id) : null;
    if (mode === 'tt2v' && !generator) throw new UnrecoverableError('TT2V is not available: no generator is configured');

    await renditions.markRendering(rendition.id);
    await events.publish({ type: 'video-updated', videoId: video.id });
    const report = progressReporter(
      job,
      events,
      { kind: 'RENDER', videoId: video.id, renditionId: rendition.id },
      (fraction) => renditions.setProgress(rendition.id, fraction),
      500,
    );
    const workDir = await scratch.folder('cmvc-render-');
    await this.discardSegments(video.id, rendition.id, blobs);
    // The segment a viewer waits for: announced on the bus while this job runs; the row holds a wish
    // made before the job subscribed.
    let wantedByEvent: number | null = null;
    let wantedInRow: number | null = null;
    let stopListening = () => {};
    const changed = () => events.publish({ type: 'rendition-updated', renditionId: rendition.id });
    try {
      stopListening = await events.subscribe((event: ArchiveEvent) => {
        if (event.type === 'segment-wanted' && event.renditionId === rendition.id) wantedByEvent = event.index;
      });
      wantedInRow = (await renditions.findById(rendition.id))?.wantedSegment ?? null;
      report('load', 0, true);
      const bitstream = new Uint8Array(await blobs.get(video.bitstreamBlobKey));
      const rendered = await decodeSegments(
        bitstream,
        {
          mode,
          layerCodec: mediaIo.av1LayerCodec,
          target: mediaIo.segmentFiles(workDir.path),
          upscale: parameters.upscale,
          semanticCodecs,
          ...(generator ? { generator } : {}),
        },
        {
          start: async (grid) => {
            await renditions.startSegments(rendition.id, hlsPlaylist(grid, segmentFileName), grid.count);
            await changed();
          },
          wanted: async () => wantedByEvent ?? wantedInRow,
          finished: async (index, path) => {
            const stored = await blobs.putFile(segmentBlobKey(video.id, rendition.id, index), path);
            await renditions.addSegment(rendition.id, index, stored.key, stored.size);
            await changed();
          },
        },
        (event) => report(event.stage, event.fraction),
      ).catch((error: unknown) => {
        if (error instanceof BitstreamError || (error instanceof CodecError && PERMANENT_CODEC_ERRORS.has(error.code))) {
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        }
        throw error;
      });
      // The downloadable file: the segments joined (MP4 without re-encoding; WebM re-encoded to VP9).
      const output = join(workDir.path, `rendition.${format}`);
      await mediaIo.joinSegments(rendered.paths, output, format, rendered.audioPath ? { audioPath: rendered.audioPath } : {});
      const key = blobKeys.rendition(video.id, rendition.id, format);
      const stored = await blobs.putFile(key, output);
      await renditions.markReady(rendition.id, key, stored.size);
      await changed();
      report('done', 1, true);
      await events.publish({ type: 'video-updated', videoId: video.id });
    } catch (error) {
      // Nothing half-made stays behind: a retry starts over, a final failure leaves no segments.
      await this.discardSegments(video.id, rendition.id, blobs).catch(() => undefined);
      throw error;
    } finally {
      stopListening();
      await workDir.remove();
    }
  }

  /** Deletes a rendition's segment rows and blobs, also those an interrupted attempt stored without a row. */
  private async discardSegments(videoId: string, renditionId: string, blobs: BlobStore): Promise<void> {
    await this.renditions.clearSegments(renditionId);
    await blobs.deletePrefix(segmentFolder(videoId, renditionId));
  }

  private async renderFailed(renditionId: string, reason: string): Promise<void> {
    const rendition = await this.renditions.markFailed(renditionId, reason);
    await this.events.publish({ type: 'rendition-updated', renditionId });
    await this.events.publish({ type: 'video-updated', videoId: rendition.videoId });
  }
}
