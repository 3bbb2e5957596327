import type { Database } from '../client.ts';
import type { Caption, Clip, Keyframe } from '../generated/client.ts';

export class KeyframeRepository {
  constructor(private readonly db: Database) {}

  findById(id: string): Promise<Keyframe | null> {
    return this.db.keyframe.findUnique({ where: { id } });
  }

  findByVideoIds(videoIds: readonly string[]): Promise<Keyframe[]> {
    return this.db.keyframe.findMany({ where: { videoId: { in: [...videoIds] } }, orderBy: { frameIndex: 'asc' } });
  }

  findClipsByVideoIds(videoIds: readonly string[]): Promise<Clip[]> {
    return this.db.clip.findMany({ where: { videoId: { in: [...videoIds] } }, orderBy: { index: 'asc' } });
  }

  findCaptionsByVideoIds(videoIds: readonly string[]): Promise<Caption[]> {
    return this.db.caption.findMany({ where: { videoId: { in: [...videoIds] } } });
  }
}
