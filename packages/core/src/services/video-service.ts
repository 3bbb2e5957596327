import { blobKeys, type BlobStore } from '@cmvc/blob';
import type { Caption, Clip, Keyframe, KeyframeRepository, Video, VideoRepository } from '@cmvc/db';
import { jobIdFor, type EventBus, type JobQueues } from '@cmvc/jobs';
import { badUserInput, notFound } from '../errors.ts';
import { normaliseTags } from './ingest-service.ts';
import { captionsToWebVtt } from './webvtt.ts';

export const MAX_DELETE_IDS = 1_000;
const MAX_TITLE_LENGTH = 300;

/** One page of videos in the archive's order, with how many there are in all. */
export interface VideoPage {
  readonly nodes: Video[];
  readonly hasNextPage: boolean;
  readonly totalCount: number;
}

/**
 * Videos: reading them with their keyframes, clips and captions, editing and deleting. Deletion removes the rows first (one transaction), then the jobs
 * and blobs: a crash in between leaves only blobs no row references, which the blob reconciler
 * (maintenance job) removes. An encode already running fails harmlessly once its row is gone.
 */
export class VideoService {
  constructor(
    private readonly videos: VideoRepository,
    private readonly keyframes: Pick<KeyframeRepository, 'findById' | 'findByVideoIds' | 'findClipsByVideoIds' | 'findCaptionsByVideoIds'>,
    private readonly blobs: BlobStore,
    private readonly queues: JobQueues,
    private readonly events: EventBus,
  ) {}

  find(id: string): Promise<Video | null> {
    return this.videos.findById(id);
  }

  /** The videos with these ids that exist (for the API's batch loader). */
  findMany(ids: readonly string[]): Promise<Video[]> {
    return this.videos.findManyByIds(ids);
  }

  async page(first: number, afterId: string | undefined): Promise<VideoPage> {
    const [page, totalCount] = await Promise.all([this.videos.listPage(first, afterId), this.videos.count()]);
    return { nodes: page.nodes, hasNextPage: page.hasNextPage, totalCount };
  }

  keyframesOf(videoIds: readonly string[]): Promise<Keyframe[]> {
    return this.keyframes.findByVideoIds(videoIds);
  }

  clipsOf(videoIds: readonly string[]): Promise<Clip[]> {
    return this.keyframes.findClipsByVideoIds(videoIds);
  }

  captionsOf(videoIds: readonly string[]): Promise<Caption[]> {
    return this.keyframes.findCaptionsByVideoIds(videoIds);
  }

  /** A keyframe's stored picture, or null when there is none (no such keyframe, or a text-only video). */
  async keyframeImage(keyframeId: string): Promise<{ readonly blobKey: string; readonly format: string } | null> {
    const keyframe = await this.keyframes.findById(keyframeId);
    return keyframe?.blobKey ? { blobKey: keyframe.blobKey, format: keyframe.format } : null;
  }

  /** Every caption of a READY video (speech, scene, motion) as WebVTT; null for a video that is missing or not READY. */
  async captionTrack(videoId: string): Promise<string | null> {
    const video = await this.videos.findById(videoId);
    if (!video || video.status !== 'READY') return null;
    const [captions, clips] = await Promise.all([this.keyframes.findCaptionsByVideoIds([videoId]), this.keyframes.findClipsByVideoIds([videoId])]);
    return captionsToWebVtt(captions, clips, video.durationSeconds ?? 0);
  }

  /** The video's CMVC bitstream and the file name to download it as, or null while it has none. */
  async bitstream(videoId: string): Promise<{ readonly blobKey: string; readonly fileName: string } | null> {
    const video = await this.videos.findById(videoId);
    if (!video?.bitstreamBlobKey) return null;
    return { blobKey: video.bitstreamBlobKey, fileName: `${video.title.replace(/[^\w.-]+/g, '_') || 'video'}.cmvc` };
  }

  async delete(ids: readonly string[]): Promise<string[]> {
    if (ids.length > MAX_DELETE_IDS) throw badUserInput(`At most ${MAX_DELETE_IDS} ids per call, got ${ids.length}`);
    const deleted = await this.videos.deleteMany([...new Set(ids)]);
    for (const { video, renditionIds } of deleted) {
      await this.removeJob(this.queues.encode, jobIdFor('encode', { videoId: video.id }));
      for (const renditionId of renditionIds) await this.removeJob(this.queues.render, jobIdFor('render', { renditionId }));
      await this.blobs.deletePrefix(blobKeys.videoPrefix(video.id));
      await this.blobs.deletePrefix(blobKeys.renditionPrefix(video.id));
      if (video.sourceBlobKey) await this.blobs.delete(video.sourceBlobKey);
      await this.events.publish({ type: 'video-updated', videoId: video.id });
    }
    return deleted.map(({ video }) => video.id);
  }

  async update(id: string, changes: { title?: string | null; tags?: readonly string[] | null }): Promise<Video> {
    const title = changes.title?.trim();
    if (title !== undefined && (title.length === 0 || title.length > MAX_TITLE_LENGTH)) {
      throw badUserInput(`Titles need 1 to ${MAX_TITLE_LENGTH} characters`);
    }
    let tags: string[] | undefined;
    try {
      tags = changes.tags == null ? undefined : normaliseTags(changes.tags);
    } catch (error) {
      throw badUserInput((error as Error).message);
    }
    const video = await this.videos.updateDetails(id, { ...(title !== undefined ? { title } : {}), ...(tags ? { tags } : {}) });
    if (!video) throw notFound(`No video with id ${id}`);
    await this.events.publish({ type: 'video-updated', videoId: id });
    return video;
  }

  /** A waiting job is removed; a running one cannot be, and fails on its own once the row is gone. */
  private async removeJob(queue: JobQueues['encode'] | JobQueues['render'], jobId: string): Promise<void> {
    await queue.remove(jobId).catch(() => 0);
  }
}
