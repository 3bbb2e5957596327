import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import { blobKeys, type BlobStore } from '@cmvc/blob';
import { BitstreamError, CodecError, decodeSegments, segmentSpan, type Generator, type SegmentGrid, type SemanticTextCodec } from '@cmvc/codec';
import { av1LayerCodec, joinSegments, segmentFiles } from '@cmvc/media-io';
import type { RenditionRepository, VideoRepository } from '@cmvc/db';
import { canonicalRenditionParameters, type ArchiveEvent, type ArchiveEvents, type RenderJobData, type RenditionOptions } from '@cmvc/jobs';
import { progressReporter } from './progress.ts';

export interface RenderProcessorDependencies {
  readonly videos: VideoRepository;
  readonly renditions: RenditionRepository;
  readonly blobs: BlobStore;
  readonly events: ArchiveEvents;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  /** The TT2V generator for one video (it must never draw on that video's own pixels), or null if none is configured. */
  readonly tt2vGenerator: (videoId: string) => Generator | null;
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

/**
 * The render job: a video's bitstream → IT2V or TT2V decode into HLS segments (each stored as soon
 * as it is finished, the one a viewer waits for first) → the segments joined into the downloadable
 * MP4/WebM, and the rendition READY.
 */
export class RenderProcessor {
  constructor(private readonly dependencies: RenderProcessorDependencies) {}

  async process(job: Job<RenderJobData>): Promise<void> {
    const { renditions, videos, blobs, events } = this.dependencies;
    const rendition = await renditions.findById(job.data.renditionId);
    if (!rendition) throw new UnrecoverableError(`Rendition ${job.data.renditionId} no longer exists`);
    if (rendition.status === 'READY') return;
    const video = await videos.findById(rendition.videoId);
    if (!video?.bitstreamBlobKey) throw new UnrecoverableError('The video has no CMVC representation to render from');

    const parameters = canonicalRenditionParameters(rendition.parameters as RenditionOptions);
    const format = parameters.format === 'WEBM' ? 'webm' : 'mp4';
    const mode = rendition.mode === 'TT2V' ? 'tt2v' : 'it2v';
    const generator = mode === 'tt2v' ? this.dependencies.tt2vGenerator(video.id) : null;
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
    const workDir = await mkdtemp(join(tmpdir(), 'cmvc-render-'));
    await this.discardSegments(video.id, rendition.id);
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
          layerCodec: av1LayerCodec,
          target: segmentFiles(workDir),
          upscale: parameters.upscale,
          semanticCodecs: this.dependencies.semanticCodecs,
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
      const output = join(workDir, `rendition.${format}`);
      await joinSegments(rendered.paths, output, format, rendered.audioPath ? { audioPath: rendered.audioPath } : {});
      const key = blobKeys.rendition(video.id, rendition.id, format);
      const stored = await blobs.putFile(key, output);
      await renditions.markReady(rendition.id, key, stored.size);
      await changed();
      report('done', 1, true);
      await events.publish({ type: 'video-updated', videoId: video.id });
    } catch (error) {
      // Nothing half-made stays behind: a retry starts over, a final failure leaves no segments.
      await this.discardSegments(video.id, rendition.id).catch(() => undefined);
      throw error;
    } finally {
      stopListening();
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Deletes a rendition's segment rows and blobs, also those an interrupted attempt stored without a row. */
  private async discardSegments(videoId: string, renditionId: string): Promise<void> {
    await this.dependencies.renditions.clearSegments(renditionId);
    await this.dependencies.blobs.deletePrefix(segmentFolder(videoId, renditionId));
  }

  async fail(renditionId: string, reason: string): Promise<void> {
    const rendition = await this.dependencies.renditions.markFailed(renditionId, reason);
    await this.dependencies.events.publish({ type: 'rendition-updated', renditionId });
    await this.dependencies.events.publish({ type: 'video-updated', videoId: rendition.videoId });
  }
}
