import type { Database } from '../client.ts';
import { Prisma, type Rendition, type RenditionMode, type RenditionSegment } from '../generated/client.ts';

export class RenditionRepository {
  constructor(private readonly db: Database) {}

  findById(id: string): Promise<Rendition | null> {
    return this.db.rendition.findUnique({ where: { id } });
  }

  findManyByIds(ids: readonly string[]): Promise<Rendition[]> {
    return this.db.rendition.findMany({ where: { id: { in: [...ids] } } });
  }

  findByVideoIds(videoIds: readonly string[]): Promise<Rendition[]> {
    return this.db.rendition.findMany({ where: { videoId: { in: [...videoIds] } }, orderBy: { createdAt: 'desc' } });
  }

  /**
   * Returns the rendition for (video, mode, parameters), creating it when new; a FAILED one is
   * reset to QUEUED so asking again retries it. `requeue` says whether a job must be enqueued.
   */
  async findOrCreate(
    videoId: string,
    mode: RenditionMode,
    parameters: Prisma.InputJsonObject,
    parametersHash: string,
  ): Promise<{ rendition: Rendition; requeue: boolean }> {
    const key = { videoId_mode_parametersHash: { videoId, mode, parametersHash } };
    const existing = await this.db.rendition.findUnique({ where: key });
    if (existing && existing.status !== 'FAILED') return { rendition: existing, requeue: false };
    if (existing) {
      return { rendition: await this.markQueued(existing.id), requeue: true };
    }
    try {
      const created = await this.db.rendition.create({ data: { videoId, mode, parameters, parametersHash } });
      return { rendition: created, requeue: true };
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const raced = await this.db.rendition.findUnique({ where: key });
        if (raced) return { rendition: raced, requeue: false };
      }
      throw error;
    }
  }

  /** Back to the start, for a retry. */
  markQueued(id: string): Promise<Rendition> {
    return this.db.rendition.update({ where: { id }, data: { status: 'QUEUED', progress: 0, error: null } });
  }

  markRendering(id: string): Promise<Rendition> {
    return this.db.rendition.update({ where: { id }, data: { status: 'RENDERING', progress: 0, error: null } });
  }

  setProgress(id: string, progress: number): Promise<Rendition> {
    return this.db.rendition.update({ where: { id }, data: { progress } });
  }

  markReady(id: string, blobKey: string, bytes: number): Promise<Rendition> {
    return this.db.rendition.update({ where: { id }, data: { status: 'READY', progress: 1, blobKey, bytes, error: null } });
  }

  markFailed(id: string, error: string): Promise<Rendition> {
    return this.db.rendition.update({ where: { id }, data: { status: 'FAILED', error } });
  }

  /** Records the HLS playlist and segment count before the first segment is rendered. */
  startSegments(id: string, playlist: string, segmentCount: number): Promise<Rendition> {
    return this.db.rendition.update({ where: { id }, data: { playlist, segmentCount, wantedSegment: null } });
  }

  /** A finished segment; its blob is already stored. */
  async addSegment(renditionId: string, index: number, blobKey: string, bytes: number): Promise<void> {
    await this.db.renditionSegment.create({ data: { renditionId, index, blobKey, bytes } });
  }

  findSegment(renditionId: string, index: number): Promise<RenditionSegment | null> {
    return this.db.renditionSegment.findUnique({ where: { renditionId_index: { renditionId, index } } });
  }

  findSegments(renditionId: string): Promise<RenditionSegment[]> {
    return this.db.renditionSegment.findMany({ where: { renditionId }, orderBy: { index: 'asc' } });
  }

  /** A viewer waits for segment `index`: the render job takes it next. */
  async wantSegment(id: string, index: number): Promise<void> {
    await this.db.rendition.updateMany({ where: { id, status: { in: ['QUEUED', 'RENDERING'] } }, data: { wantedSegment: index } });
  }

  /** Forgets the playlist and every segment row (the caller deletes their blobs). */
  async clearSegments(id: string): Promise<void> {
    await this.db.$transaction([
      this.db.renditionSegment.deleteMany({ where: { renditionId: id } }),
      this.db.rendition.update({ where: { id }, data: { playlist: null, segmentCount: null, wantedSegment: null } }),
    ]);
  }
}
