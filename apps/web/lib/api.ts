/** A minimal GraphQL client for the archive API (same origin, proxied by the web server). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('NETWORK', 'The archive could not be reached. Check your connection and try again.');
  }
  const payload = (await response.json().catch(() => null)) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  const first = payload?.errors?.[0];
  if (first?.extensions?.code === 'UNAUTHENTICATED' && !window.location.pathname.startsWith('/login')) {
    // The session is missing or expired: sign in, then come back here.
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  if (first) throw new ApiError(first.extensions?.code ?? 'ERROR', first.message);
  if (!payload?.data) throw new ApiError('API_UNAVAILABLE', `The archive answered HTTP ${response.status}`);
  return payload.data;
}

/** Polls give up after this long (a stalled connection), so the next poll can run. */
export const POLL_TIMEOUT_MS = 10_000;

/** A signal for one poll request. */
export function pollSignal(): AbortSignal {
  return AbortSignal.timeout(POLL_TIMEOUT_MS);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong';
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export type VideoStatus = 'QUEUED' | 'ENCODING' | 'READY' | 'FAILED';
export type RenditionMode = 'IT2V' | 'TT2V';
export type RenditionFormat = 'MP4' | 'WEBM';
export type RenditionStatus = 'QUEUED' | 'RENDERING' | 'READY' | 'FAILED';

export interface VideoSummary {
  id: string;
  title: string;
  tags: string[];
  status: VideoStatus;
  error: string | null;
  /** 0 to 1 while ENCODING (as the worker last reported); null otherwise. */
  encodeProgress: number | null;
  /** Media facts are null until the encode job has probed the source. */
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  sourceBytes: number;
  representationBytes: number | null;
  thumbnailUrl: string | null;
  createdAt: string;
}

/** Narrows a search to some videos (all fields optional). */
export interface MomentFilter {
  createdAfter?: string;
  createdBefore?: string;
  minDurationSeconds?: number;
  maxDurationSeconds?: number;
  tags?: string[];
}

export interface Moment {
  startSeconds: number;
  endSeconds: number;
  highlight: string;
  thumbnailUrl: string | null;
  similarity: number;
  caption: { kind: 'CONTENT' | 'MOTION' | 'SPEECH'; text: string };
  video: { id: string; title: string };
}

export interface Keyframe {
  id: string;
  frameIndex: number;
  timeSeconds: number;
  url: string | null;
  width: number;
  height: number;
  bytes: number;
  description: string | null;
}

export interface SpeechSegment {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

export interface Clip {
  index: number;
  startSeconds: number;
  endSeconds: number;
  motion: string | null;
}

export interface Rendition {
  id: string;
  mode: RenditionMode;
  status: RenditionStatus;
  progress: number;
  error: string | null;
  format: RenditionFormat;
  upscale: boolean;
  url: string | null;
  /** HLS playlist, playable while QUEUED or RENDERING (segments not rendered yet are waited for). */
  streamUrl: string | null;
  bytes: number | null;
  createdAt: string;
}

export type StorageTier = 'FULL' | 'TT2V_ONLY';
export type Scope = 'READ' | 'INGEST' | 'ADMIN';

/** The coded size of one part of the bitstream (`kind` as the API names it, e.g. `keyframes`). */
export interface BitstreamSection {
  kind: string;
  bytes: number;
}

export interface VideoDetail extends VideoSummary {
  sha256: string;
  /** Empty for videos encoded before sections were recorded. */
  representationSections: BitstreamSection[];
  tier: StorageTier;
  bytesSavedByTiering: number;
  fps: number | null;
  frameCount: number | null;
  bitstreamUrl: string | null;
  /** Every caption as WebVTT, once READY. */
  captionsUrl: string | null;
  keyframes: Keyframe[];
  clips: Clip[];
  speech: SpeechSegment[];
  renditions: Rendition[];
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export const VIDEOS_QUERY = /* GraphQL */ `
  query Videos($first: Int!, $after: String) {
    videos(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id title tags status error encodeProgress durationSeconds width height sourceBytes representationBytes thumbnailUrl createdAt } }
    }
  }
`;

export const SEARCH_QUERY = /* GraphQL */ `
  query Search($query: String!, $first: Int!, $after: String, $minSimilarity: Float, $filter: MomentFilter) {
    search(query: $query, first: $first, after: $after, minSimilarity: $minSimilarity, filter: $filter) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { startSeconds endSeconds highlight thumbnailUrl similarity caption { kind text } video { id title } } }
    }
  }
`;

const RENDITION_FIELDS = 'id mode status progress error format upscale url streamUrl bytes createdAt';

export const VIDEO_QUERY = /* GraphQL */ `
  query Video($id: ID!) {
    me { scopes }
    video(id: $id) {
      id title tags status error encodeProgress sha256 durationSeconds fps width height frameCount sourceBytes representationBytes
      representationSections { kind bytes }
      tier bytesSavedByTiering thumbnailUrl bitstreamUrl createdAt
      keyframes { id frameIndex timeSeconds url width height bytes description }
      clips { index startSeconds endSeconds motion }
      speech { startSeconds endSeconds text }
      captionsUrl
      renditions { ${RENDITION_FIELDS} }
    }
  }
`;

/** What the video page polls while something is in progress. */
export const VIDEO_PROGRESS_QUERY = /* GraphQL */ `
  query VideoProgress($id: ID!) {
    video(id: $id) { id status error encodeProgress durationSeconds fps width height frameCount representationBytes bitstreamUrl renditions { ${RENDITION_FIELDS} } }
  }
`;

export const REQUEST_RENDITION = /* GraphQL */ `
  mutation RequestRendition($videoId: ID!, $mode: RenditionMode!, $options: RenditionOptions) {
    requestRendition(videoId: $videoId, mode: $mode, options: $options) { ${RENDITION_FIELDS} }
  }
`;

export const DEMOTE_VIDEO = /* GraphQL */ `
  mutation DemoteVideo($id: ID!, $to: StorageTier!) {
    demoteVideo(id: $id, to: $to) { bytesSaved }
  }
`;

export const UPDATE_VIDEO = /* GraphQL */ `
  mutation UpdateVideo($id: ID!, $title: String, $tags: [String!]) {
    updateVideo(id: $id, title: $title, tags: $tags) { id title tags }
  }
`;

export const DELETE_VIDEOS = /* GraphQL */ `
  mutation DeleteVideos($ids: [ID!]!) {
    deleteVideos(ids: $ids)
  }
`;

export type IngestErrorCode =
  | 'INVALID_INPUT'
  | 'PATH_OUTSIDE_ROOT'
  | 'NOT_FOUND'
  | 'UNSUPPORTED_MEDIA'
  | 'TRUNCATED_MEDIA'
  | 'UPLOAD_NOT_FOUND'
  | 'URL_NOT_ALLOWED'
  | 'FETCH_FAILED'
  | 'TOO_LARGE'
  | 'MEDIA_TOO_LARGE'
  | 'NO_FRAMES'
  | 'INTERNAL';

export interface IngestInput {
  title?: string;
  tags?: string[];
  path?: string;
  uploadId?: string;
  url?: string;
}

export interface IngestResult {
  index: number;
  created: boolean;
  video: { id: string; status: VideoStatus; error: string | null } | null;
  error: { code: IngestErrorCode; message: string } | null;
}

export const INGEST_VIDEOS = /* GraphQL */ `
  mutation IngestVideos($inputs: [IngestVideoInput!]!) {
    ingestVideos(inputs: $inputs) { index created video { id status error } error { code message } }
  }
`;

/** One request for the status of many videos, aliased v0, v1, … */
export function videoStatusesQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, index) => `$id${index}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, index) => `v${index}: video(id: $id${index}) { id status error encodeProgress }`).join('\n');
  return `query VideoStatuses(${variables}) {\n${fields}\n}`;
}

export type JobQueueName = 'ENCODE' | 'RENDER' | 'MAINTENANCE';

export interface JobQueue {
  name: JobQueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  completedLastMinute: number;
  completedLastHour: number;
}

export interface FailedJob {
  queue: JobQueueName;
  id: string;
  failedReason: string | null;
  attemptsMade: number;
  finishedOn: string | null;
  video: { id: string; title: string } | null;
  rendition: { mode: RenditionMode; format: RenditionFormat; upscale: boolean } | null;
}

export interface ArchiveTotals {
  videoCount: number;
  readyCount: number;
  inProgressCount: number;
  failedCount: number;
  hoursArchived: number;
  sourceBytes: number;
  representationBytes: number;
  bytesSavedByTiering: number;
}

export interface JobsDashboard {
  me: { scopes: Scope[] } | null;
  jobQueues: JobQueue[];
  archiveTotals: ArchiveTotals;
  failedJobs: { totalCount: number; pageInfo: PageInfo; edges: { node: FailedJob }[] };
}

/** Everything the jobs page shows, in one request (polled while the page is open). */
export const JOBS_DASHBOARD_QUERY = /* GraphQL */ `
  query JobsDashboard($failedFirst: Int!) {
    me { scopes }
    jobQueues { name waiting active delayed failed completed completedLastMinute completedLastHour }
    archiveTotals { videoCount readyCount inProgressCount failedCount hoursArchived sourceBytes representationBytes bytesSavedByTiering }
    failedJobs(first: $failedFirst) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { queue id failedReason attemptsMade finishedOn video { id title } rendition { mode format upscale } } }
    }
  }
`;

export const RETRY_JOB = /* GraphQL */ `
  mutation RetryJob($queue: JobQueueName!, $id: ID!) {
    retryJob(queue: $queue, id: $id) { queue id state }
  }
`;
