import { blobKeys, type BlobStore } from '@cmvc/blob';
import type { Video, VideoRepository } from '@cmvc/db';
import { jobIdFor, type EventBus, type JobQueues } from '@cmvc/jobs';
import { badUserInput, notFound } from '../errors.ts';
import { normaliseTags } from './ingest-service.ts';

export const MAX_DELETE_IDS = 1_000;
const MAX_TITLE_LENGTH = 300;

/**
 * Editing and deleting videos. Deletion removes the rows first (one transaction), then the jobs
 * and blobs: a crash in between leaves only blobs no row references, which the blob reconciler
 * (maintenance job) removes. An encode already running fails harmlessly once its row is gone.
 */
export class VideoService {
  constructor(
    private readonly videos: VideoRepository,
    private readonly blobs: BlobStore,
    private readonly queues: JobQueues,
    private readonly events: EventBus,
  ) {}

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
