import type { Database } from '../client.ts';
import { Prisma, type Video, type VideoStatus } from '../generated/client.ts';

export interface NewVideo {
  readonly title: string;
  readonly tags: readonly string[];
  readonly sha256: string;
  readonly sourceBytes: number;
  readonly durationSeconds: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
  readonly sourceBlobKey: string;
}

export interface Page<T> {
  readonly nodes: T[];
  readonly hasNextPage: boolean;
}

export class VideoRepository {
  constructor(private readonly db: Database) {}

  findById(id: string): Promise<Video | null> {
    return this.db.video.findUnique({ where: { id } });
  }

  findManyByIds(ids: readonly string[]): Promise<Video[]> {
    return this.db.video.findMany({ where: { id: { in: [...ids] } } });
  }

  findBySha256(sha256: string): Promise<Video | null> {
    return this.db.video.findUnique({ where: { sha256 } });
  }

  /**
   * Creates a queued video, or returns the one that already has this content hash
   * (`created: false`), even when two ingests of the same file race.
   */
  async createQueued(video: NewVideo): Promise<{ video: Video; created: boolean }> {
    try {
      const created = await this.db.video.create({
        data: { ...video, tags: [...video.tags], sourceBytes: BigInt(video.sourceBytes) },
      });
      return { video: created, created: true };
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const existing = await this.findBySha256(video.sha256);
        if (existing) return { video: existing, created: false };
      }
      throw error;
    }
  }

  /** Newest first; `after` is the id of the last video of the previous page. */
  async listPage(first: number, after?: string): Promise<Page<Video>> {
    const rows = await this.db.video.findMany({
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  count(): Promise<number> {
    return this.db.video.count();
  }

  async setStatus(id: string, status: VideoStatus, error: string | null = null): Promise<Video> {
    return this.db.video.update({ where: { id }, data: { status, error } });
  }

  async delete(id: string): Promise<void> {
    await this.db.video.delete({ where: { id } });
  }

  /** READY videos still keeping their images, created before `before`, oldest first. */
  findDemotable(before: Date, limit: number): Promise<Video[]> {
    return this.db.video.findMany({
      where: { status: 'READY', tier: 'FULL', createdAt: { lt: before } },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
  }
}
