import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Rendition, RenditionRepository, VideoRepository, KeyframeRepository } from '@cmvc/db';
import { canonicalRenditionParameters, type JobQueues, type RenditionOptions } from '@cmvc/jobs';
import type { MediaLimits } from '@cmvc/config';
import { badUserInput, notFound } from './errors.ts';

export type RenditionModeName = 'TT2V' | 'IT2V';


/** Which regeneration modes this deployment can serve, and how large their output may be. */
export interface RenditionCapabilities {
  readonly tt2v: { readonly available: boolean; readonly reason?: string };
  /** Rendition output is held to the media limits; `upscale` multiplies the video's size by `upscaleFactor`. */
  readonly output?: { readonly limits: MediaLimits; readonly upscaleFactor: number };
}

function unavailable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'MODE_UNAVAILABLE' } });
}


export class RenditionService {
  constructor(
    private readonly renditions: RenditionRepository,
    private readonly videos: VideoRepository,
    private readonly keyframes: KeyframeRepository,
    private readonly queues: JobQueues,
    private readonly capabilities: RenditionCapabilities,
  ) {}

  async request(videoId: string, mode: RenditionModeName, options: RenditionOptions): Promise<Rendition> {
    const video = await this.videos.findById(videoId);
    if (!video) throw notFound(`No video with id ${videoId}`);
    if (video.status !== 'READY' || !video.bitstreamBlobKey) {
      throw new GraphQLError(`Video ${videoId} is ${video.status}; it can be regenerated once READY`, {
        extensions: { code: 'VIDEO_NOT_READY' },
      });
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
}
