import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Rendition, RenditionRepository, VideoRepository, KeyframeRepository } from '@cmvc/db';
import { canonicalRenditionParameters, type JobQueues, type RenditionOptions } from '@cmvc/jobs';
import { notFound } from './errors.ts';

export type RenditionModeName = 'TT2V' | 'IT2V';


/** Which regeneration modes this deployment can serve. */
export interface RenditionCapabilities {
  readonly tt2v: { readonly available: boolean; readonly reason?: string };
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
    const hash = createHash('sha256').update(JSON.stringify(parameters)).digest('hex');
    const { rendition, requeue } = await this.renditions.findOrCreate(videoId, mode, parameters, hash);
    if (requeue) await this.queues.enqueueRender(rendition.id);
    return rendition;
  }
}
