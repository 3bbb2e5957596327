import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import { blobKeys, type BlobStore } from '@cmvc/blob';
import { BitstreamError, CodecError, decodeBitstream, type Generator, type SemanticTextCodec } from '@cmvc/codec';
import type { RenditionRepository, VideoRepository } from '@cmvc/db';
import { canonicalRenditionParameters, type EventBus, type RenderJobData, type RenditionOptions } from '@cmvc/jobs';
import { progressReporter } from './progress.ts';

export interface RenderProcessorDependencies {
  readonly videos: VideoRepository;
  readonly renditions: RenditionRepository;
  readonly blobs: BlobStore;
  readonly events: EventBus;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  /** The TT2V generator for one video (it must never draw on that video's own pixels), or null if none is configured. */
  readonly tt2vGenerator: (videoId: string) => Generator | null;
}

/** Failures that retrying cannot fix. */
const PERMANENT_CODEC_ERRORS = new Set(['INVALID_OPTIONS', 'GENERATOR_UNAVAILABLE', 'SEMANTIC_CODEC_UNAVAILABLE']);

/** The render job: a video's bitstream → IT2V or TT2V decode → a rendition blob the player streams. */
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
    try {
      const output = join(workDir, `rendition.${format}`);
      report('load', 0, true);
      const bitstream = new Uint8Array(await blobs.get(video.bitstreamBlobKey));
      await decodeBitstream(
        bitstream,
        {
          mode,
          output,
          format,
          upscale: parameters.upscale,
          semanticCodecs: this.dependencies.semanticCodecs,
          ...(generator ? { generator } : {}),
        },
        (event) => report(event.stage, event.fraction),
      ).catch((error: unknown) => {
        if (error instanceof BitstreamError || (error instanceof CodecError && PERMANENT_CODEC_ERRORS.has(error.code))) {
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        }
        throw error;
      });
      const key = blobKeys.rendition(video.id, rendition.id, format);
      const stored = await blobs.putFile(key, output);
      await renditions.markReady(rendition.id, key, stored.size);
      report('done', 1, true);
      await events.publish({ type: 'video-updated', videoId: video.id });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  async fail(renditionId: string, reason: string): Promise<void> {
    const rendition = await this.dependencies.renditions.markFailed(renditionId, reason);
    await this.dependencies.events.publish({ type: 'video-updated', videoId: rendition.videoId });
  }
}
