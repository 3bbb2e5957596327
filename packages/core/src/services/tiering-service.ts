import { blobKeys, type BlobStore } from '@cmvc/blob';
import { parseBitstream, rateReport, withoutKeyframeImages, writeBitstream, type SemanticTextCodec } from '@cmvc/codec';
import { DomainError, notFound } from '../errors.ts';
import { systemClock, type Clock } from '../ports.ts';
import type { KeyframeRepository, RepresentationRepository, Video, VideoRepository } from '@cmvc/db';
import type { ArchiveEvents, JobHandler } from '@cmvc/jobs';

export interface DemotionResult {
  readonly video: Video;
  readonly bytesSaved: number;
}

/**
 * Storage tiers. Demotion to TT2V_ONLY drops the keyframe pictures (as blobs and from the
 * bitstream) and keeps texts, embeddings and sound (version-1 streams also their weights). The new bitstream is written first, the
 * rows switch over in one transaction, and only then are the old blobs deleted, so a crash at
 * any point leaves a consistent video.
 */
export class TieringService {
  constructor(
    private readonly videos: Pick<VideoRepository, 'findById' | 'findDemotable'>,
    private readonly keyframes: Pick<KeyframeRepository, 'findByVideoIds'>,
    private readonly representations: Pick<RepresentationRepository, 'markTextOnly'>,
    private readonly blobs: BlobStore,
    private readonly semanticCodecs: readonly SemanticTextCodec[],
    private readonly events: Pick<ArchiveEvents, 'publish'>,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The `demoteVideo` mutation: demotes one video and tells its watchers (`video-updated`), as the age policy does. */
  async demoteToTextOnly(videoId: string): Promise<DemotionResult> {
    const video = await this.videos.findById(videoId);
    if (!video) throw notFound(`No video with id ${videoId}`);
    if (video.tier === 'TT2V_ONLY') throw new DomainError('ALREADY_DEMOTED', 'This video already keeps text only');
    if (video.status !== 'READY' || !video.bitstreamBlobKey) {
      throw new DomainError('VIDEO_NOT_READY', `Video ${videoId} is ${video.status}; only READY videos can be demoted`);
    }
    const oldKey = video.bitstreamBlobKey;
    const oldBitstream = new Uint8Array(await this.blobs.get(oldKey));
    const { representation } = parseBitstream(oldBitstream, { semanticCodecs: this.semanticCodecs });
    const textOnly = writeBitstream(withoutKeyframeImages(representation)).bytes;
    const newKey = blobKeys.textOnlyBitstream(videoId);
    await this.blobs.put(newKey, textOnly);

    const keyframes = await this.keyframes.findByVideoIds([videoId]);
    const imageBytes = keyframes.reduce((sum, keyframe) => sum + (keyframe.blobKey ? keyframe.bytes : 0), 0);
    const bytesSaved = imageBytes + oldBitstream.byteLength - textOnly.byteLength;
    const sections = rateReport(parseBitstream(textOnly, { semanticCodecs: this.semanticCodecs })).sections;
    await this.representations.markTextOnly(videoId, { blobKey: newKey, bytes: textOnly.byteLength, sections }, bytesSaved);

    for (const keyframe of keyframes) if (keyframe.blobKey) await this.blobs.delete(keyframe.blobKey);
    if (oldKey !== newKey) await this.blobs.delete(oldKey);
    await this.events.publish({ type: 'video-updated', videoId });
    return { video: (await this.videos.findById(videoId))!, bytesSaved };
  }

  /** The `tiering` maintenance job: the age-based policy, when TIERING_AFTER_DAYS (`afterDays`) is set. */
  policyJob(afterDays: number | undefined): JobHandler<'tiering'> {
    return {
      name: 'tiering',
      run: async () => {
        if (!afterDays) return;
        const { demoted, bytesSaved } = await this.demoteOlderThan(afterDays);
        if (demoted > 0) console.log(`tiering: demoted ${demoted} videos older than ${afterDays} days, saved ${bytesSaved} bytes`);
      },
    };
  }

  /** The age-based policy: demotes READY videos older than `days`, a batch at a time, telling each one's watchers. */
  async demoteOlderThan(days: number, batch = 100): Promise<{ readonly demoted: number; readonly bytesSaved: number }> {
    const before = new Date(this.clock.now().getTime() - days * 24 * 3600 * 1000);
    let demoted = 0;
    let bytesSaved = 0;
    for (const video of await this.videos.findDemotable(before, batch)) {
      const result = await this.demoteToTextOnly(video.id);
      demoted += 1;
      bytesSaved += result.bytesSaved;
    }
    return { demoted, bytesSaved };
  }
}
