import { randomUUID } from 'node:crypto';
import type { Database } from '../client.ts';
import type { Video, VideoStatus } from '../generated/client.ts';

/** What ffprobe says about a source; the encode job records it before encoding. */
export interface VideoMedia {
  readonly durationSeconds: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
}

/** A video to queue; its media facts are usually unknown until the encode job probes the source. */
export interface NewVideo extends Partial<VideoMedia> {
  readonly title: string;
  readonly tags: readonly string[];
  readonly sha256: string;
  readonly sourceBytes: number;
  readonly sourceBlobKey: string;
}

export interface QueuedVideo {
  readonly video: Video;
  /** false when a video with this content hash already existed (or came earlier in the same batch). */
  readonly created: boolean;
}

/** Hashes per IN (…) list: well under PostgreSQL's 65,535 bind parameters per statement. */
const BATCH_ROWS = 1000;

export interface ArchiveTotals {
  readonly videosByStatus: Readonly<Record<VideoStatus, number>>;
  readonly readyDurationSeconds: number;
  readonly readySourceBytes: number;
  readonly readyBitstreamBytes: number;
  readonly tieringSavedBytes: number;
}

export interface Page<T> {
  readonly nodes: T[];
  readonly hasNextPage: boolean;
}

export class VideoRepository {
  constructor(private readonly db: Database) {}

  /** Deletes videos with everything that hangs off them (cascade) in one transaction; returns those that existed. */
  async deleteMany(ids: readonly string[]): Promise<{ video: Video; renditionIds: string[] }[]> {
    return this.db.$transaction(async (tx) => {
      const videos = await tx.video.findMany({ where: { id: { in: [...ids] } }, include: { renditions: { select: { id: true } } } });
      await tx.video.deleteMany({ where: { id: { in: videos.map((video) => video.id) } } });
      return videos.map(({ renditions, ...video }) => ({ video, renditionIds: renditions.map((rendition) => rendition.id) }));
    });
  }

  /** Changes a video's title and/or tags; null when there is no such video. */
  async updateDetails(id: string, details: { title?: string; tags?: readonly string[] }): Promise<Video | null> {
    const { count } = await this.db.video.updateMany({
      where: { id },
      data: { ...(details.title !== undefined ? { title: details.title } : {}), ...(details.tags !== undefined ? { tags: [...details.tags] } : {}) },
    });
    return count === 0 ? null : this.findById(id);
  }

  /**
   * Every blob key a row points at, and the key prefixes work in progress may be writing to
   * (videos being encoded, renditions being rendered), which only their job may touch.
   */
  async blobReferences(): Promise<{ referenced: Set<string>; inProgressPrefixes: string[]; owners: Map<string, string> }> {
    const [videos, keyframes, renditions, segments] = await Promise.all([
      this.db.video.findMany({ select: { id: true, status: true, sourceBlobKey: true, bitstreamBlobKey: true } }),
      this.db.keyframe.findMany({ where: { blobKey: { not: null } }, select: { videoId: true, blobKey: true } }),
      this.db.rendition.findMany({ select: { id: true, videoId: true, status: true, blobKey: true } }),
      this.db.renditionSegment.findMany({ select: { blobKey: true, rendition: { select: { videoId: true } } } }),
    ]);
    const owners = new Map<string, string>();
    for (const video of videos) {
      if (video.sourceBlobKey) owners.set(video.sourceBlobKey, video.id);
      if (video.bitstreamBlobKey) owners.set(video.bitstreamBlobKey, video.id);
    }
    for (const keyframe of keyframes) owners.set(keyframe.blobKey!, keyframe.videoId);
    for (const rendition of renditions) if (rendition.blobKey) owners.set(rendition.blobKey, rendition.videoId);
    for (const segment of segments) owners.set(segment.blobKey, segment.rendition.videoId);
    const inProgressPrefixes = [
      ...videos.filter((video) => video.status === 'QUEUED' || video.status === 'ENCODING').map((video) => `videos/${video.id}/`),
      ...renditions.filter((rendition) => rendition.status === 'QUEUED' || rendition.status === 'RENDERING').map((rendition) => `renditions/${rendition.videoId}/${rendition.id}`),
    ];
    return { referenced: new Set(owners.keys()), inProgressPrefixes, owners };
  }

  findById(id: string): Promise<Video | null> {
    return this.db.video.findUnique({ where: { id } });
  }

  findManyByIds(ids: readonly string[]): Promise<Video[]> {
    return this.db.video.findMany({ where: { id: { in: [...ids] } } });
  }

  findBySha256(sha256: string): Promise<Video | null> {
    return this.db.video.findUnique({ where: { sha256 } });
  }

  async findManyBySha256(hashes: readonly string[]): Promise<Video[]> {
    const found: Video[] = [];
    for (const batch of batches([...new Set(hashes)])) {
      found.push(...(await this.db.video.findMany({ where: { sha256: { in: batch } } })));
    }
    return found;
  }

  async createQueued(video: NewVideo): Promise<QueuedVideo> {
    const [queued] = await this.createManyQueued([video]);
    return queued!;
  }

  /**
   * Creates queued videos with one `INSERT … ON CONFLICT (sha256) DO NOTHING RETURNING` and returns
   * one result per input, in input order. A hash that already exists, was inserted by a concurrent
   * call meanwhile (the insert waits for that call's commit), or repeats earlier in `videos`, gives
   * the existing video with `created: false`. Rows go in hash order so concurrent batches cannot
   * deadlock. (Raw SQL: Prisma's createManyAndReturn spends ~0.3–0.7 s on 1,000 rows, this ~20 ms.)
   */
  async createManyQueued(videos: readonly NewVideo[]): Promise<QueuedVideo[]> {
    const firstByHash = new Map<string, NewVideo>();
    for (const video of videos) if (!firstByHash.has(video.sha256)) firstByHash.set(video.sha256, video);
    // Timestamps as Prisma writes them: UTC wall-clock time in a timestamp(3) column.
    const now = new Date().toISOString();
    const rows = [...firstByHash.values()].map((video) => ({
      id: randomUUID(),
      title: video.title,
      tags: video.tags,
      sha256: video.sha256,
      sourceBytes: video.sourceBytes,
      sourceBlobKey: video.sourceBlobKey,
      durationSeconds: video.durationSeconds ?? null,
      fps: video.fps ?? null,
      width: video.width ?? null,
      height: video.height ?? null,
      frameCount: video.frameCount ?? null,
      createdAt: now,
      updatedAt: now,
    }));
    const inserted = new Map<string, Video>();
    if (rows.length > 0) {
      const created = await this.db.$queryRaw<Video[]>`
        INSERT INTO "Video" ("id", "title", "tags", "sha256", "sourceBytes", "sourceBlobKey", "durationSeconds", "fps", "width", "height", "frameCount", "createdAt", "updatedAt")
        SELECT r."id", r."title", r."tags", r."sha256", r."sourceBytes", r."sourceBlobKey", r."durationSeconds", r."fps", r."width", r."height", r."frameCount", r."createdAt", r."updatedAt"
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
          "id" uuid, "title" text, "tags" text[], "sha256" text, "sourceBytes" bigint, "sourceBlobKey" text, "durationSeconds" float8,
          "fps" float8, "width" integer, "height" integer, "frameCount" integer, "createdAt" timestamp(3), "updatedAt" timestamp(3))
        ORDER BY r."sha256"
        ON CONFLICT ("sha256") DO NOTHING
        RETURNING *`;
      for (const row of created) inserted.set(row.sha256, row);
    }
    const existing = new Map(
      (await this.findManyBySha256(rows.filter((row) => !inserted.has(row.sha256)).map((row) => row.sha256))).map((video) => [video.sha256, video]),
    );
    const reported = new Set<string>();
    return videos.map((video) => {
      const created = inserted.get(video.sha256);
      if (created && !reported.has(video.sha256)) {
        reported.add(video.sha256);
        return { video: created, created: true };
      }
      const found = created ?? existing.get(video.sha256);
      // Only a delete racing this insert gets here: the conflicting row vanished before it could be read.
      if (!found) throw new Error(`Video with sha256 ${video.sha256} conflicted on insert but no longer exists`);
      return { video: found, created: false };
    });
  }

  /** Records what the encode job's probe found. */
  async setMedia(id: string, media: VideoMedia): Promise<Video> {
    const { durationSeconds, fps, width, height, frameCount } = media;
    return this.db.video.update({ where: { id }, data: { durationSeconds, fps, width, height, frameCount } });
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

  /** What the archive holds: videos per status, and sums over the READY ones (tiering savings over all). */
  async totals(): Promise<ArchiveTotals> {
    const [byStatus, ready, tiering] = await Promise.all([
      this.db.video.groupBy({ by: ['status'], _count: { _all: true } }),
      this.db.video.aggregate({
        where: { status: 'READY' },
        _sum: { durationSeconds: true, sourceBytes: true, bitstreamBytes: true },
      }),
      this.db.video.aggregate({ _sum: { tieringSavedBytes: true } }),
    ]);
    const counts: Record<VideoStatus, number> = { QUEUED: 0, ENCODING: 0, READY: 0, FAILED: 0 };
    for (const row of byStatus) counts[row.status] = row._count._all;
    return {
      videosByStatus: counts,
      readyDurationSeconds: ready._sum.durationSeconds ?? 0,
      readySourceBytes: Number(ready._sum.sourceBytes ?? 0n),
      readyBitstreamBytes: ready._sum.bitstreamBytes ?? 0,
      tieringSavedBytes: tiering._sum.tieringSavedBytes ?? 0,
    };
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

function batches<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH_ROWS) result.push(items.slice(start, start + BATCH_ROWS));
  return result;
}
