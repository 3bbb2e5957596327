import type { Database } from '../client.ts';
import { Prisma, type Rendition, type RenditionMode } from '../generated/client.ts';

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
}
