/** A minimal GraphQL client for the archive API (same origin, proxied by the web server). */
import type {
  IngestVideosMutation,
  JobsDashboardQuery,
  RenditionFieldsFragment,
  SearchQuery,
  VideoQuery,
  VideosQuery,
} from './generated/graphql.ts';

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

// Types of what the operations below return, generated from the API's schema (`npm run codegen`).
export type {
  IngestErrorCode,
  JobQueueName,
  MomentFilter,
  RenditionFormat,
  RenditionMode,
  RenditionStatus,
  Scope,
  StorageTier,
  VideoStatus,
} from './generated/graphql.ts';
export type { IngestVideoInput as IngestInput, JobsDashboardQuery as JobsDashboard } from './generated/graphql.ts';

/** A video as the library lists it; `encodeProgress` is 0 to 1 while ENCODING, media facts null until probed. */
export type VideoSummary = VideosQuery['videos']['edges'][number]['node'];
export type Moment = SearchQuery['search']['edges'][number]['node'];
export type PageInfo = VideosQuery['videos']['pageInfo'];
export type VideoDetail = NonNullable<VideoQuery['video']>;
export type Keyframe = VideoDetail['keyframes'][number];
export type SpeechSegment = VideoDetail['speech'][number];
export type Clip = VideoDetail['clips'][number];
export type Rendition = RenditionFieldsFragment;
/** The coded size of one part of the bitstream (`kind` as the API names it, e.g. `keyframes`). */
export type BitstreamSection = VideoDetail['representationSections'][number];
export type IngestResult = IngestVideosMutation['ingestVideos'][number];
export type JobQueue = JobsDashboardQuery['jobQueues'][number];
export type FailedJob = JobsDashboardQuery['failedJobs']['edges'][number]['node'];
export type ArchiveTotals = JobsDashboardQuery['archiveTotals'];

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

const RENDITION_FIELDS = /* GraphQL */ `
  fragment RenditionFields on Rendition { id mode status progress error format upscale url streamUrl bytes createdAt }
`;

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
      renditions { ...RenditionFields }
    }
  }
  ${RENDITION_FIELDS}
`;

/** What the video page polls while something is in progress. */
export const VIDEO_PROGRESS_QUERY = /* GraphQL */ `
  query VideoProgress($id: ID!) {
    video(id: $id) { id status error encodeProgress durationSeconds fps width height frameCount representationBytes bitstreamUrl renditions { ...RenditionFields } }
  }
  ${RENDITION_FIELDS}
`;

export const REQUEST_RENDITION = /* GraphQL */ `
  mutation RequestRendition($videoId: ID!, $mode: RenditionMode!, $options: RenditionOptions) {
    requestRendition(videoId: $videoId, mode: $mode, options: $options) { ...RenditionFields }
  }
  ${RENDITION_FIELDS}
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
