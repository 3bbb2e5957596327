import DataLoader from 'dataloader';
import type { Caption, Clip, Keyframe, Rendition, Video } from '@cmvc/db';
import type { AuthService, IngestService, JobsService, Principal, RenditionService, SearchService, TieringService, VideoService } from '@cmvc/core';
import type { ArchiveEvents } from '@cmvc/jobs';

/** The application's services (packages/core); resolvers and routes reach the data only through them. */
export interface Services {
  readonly videos: VideoService;
  readonly renditions: RenditionService;
  readonly ingest: IngestService;
  readonly search: SearchService;
  /** Heard by the subscriptions only: the services publish what they change. */
  readonly events: Pick<ArchiveEvents, 'subscribe'>;
  readonly auth: AuthService;
  readonly tiering: TieringService;
  readonly jobs: JobsService;
}

export interface Loaders {
  readonly videoById: DataLoader<string, Video | null>;
  readonly keyframesByVideoId: DataLoader<string, Keyframe[]>;
  readonly clipsByVideoId: DataLoader<string, Clip[]>;
  readonly captionsByVideoId: DataLoader<string, Caption[]>;
  readonly renditionsByVideoId: DataLoader<string, Rendition[]>;
  readonly encodeProgressByVideoId: DataLoader<string, number | null>;
}

/** Sets or clears the session cookie on the HTTP response (absent over WebSockets). */
export interface SessionCookieJar {
  readonly current: string | null;
  set(value: string, expires: Date): void;
  clear(): void;
}

export interface RequestContext {
  readonly services: Services;
  readonly loaders: Loaders;
  readonly principal: Principal;
  readonly cookies: SessionCookieJar | null;
  /** The caller's address (after `trust proxy`), for login throttling. */
  readonly clientAddress: string;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string, ids: readonly string[]): T[][] {
  const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(key(row))?.push(row);
  return ids.map((id) => groups.get(id) ?? []);
}

/** One set of DataLoaders per request, so batching never leaks data between requests. */
export function createRequestContext(
  services: Services,
  principal: Principal,
  cookies: SessionCookieJar | null = null,
  clientAddress = 'unknown',
): RequestContext {
  return {
    services,
    principal,
    cookies,
    clientAddress,
    loaders: {
      videoById: new DataLoader(async (ids) => {
        const rows = await services.videos.findMany(ids);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
      keyframesByVideoId: new DataLoader(async (ids) =>
        groupBy(await services.videos.keyframesOf(ids), (row) => row.videoId, ids),
      ),
      clipsByVideoId: new DataLoader(async (ids) =>
        groupBy(await services.videos.clipsOf(ids), (row) => row.videoId, ids),
      ),
      renditionsByVideoId: new DataLoader(async (ids) =>
        groupBy(await services.renditions.forVideos(ids), (row) => row.videoId, ids),
      ),
      captionsByVideoId: new DataLoader(async (ids) =>
        groupBy(await services.videos.captionsOf(ids), (row) => row.videoId, ids),
      ),
      encodeProgressByVideoId: new DataLoader((ids) => services.jobs.encodeProgress(ids)),
    },
  };
}
