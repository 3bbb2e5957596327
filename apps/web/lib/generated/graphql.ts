/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type CaptionKind =
  /** What a keyframe shows (T_k). */
  | 'CONTENT'
  /** How things move within a clip (T_m). */
  | 'MOTION'
  /** What is said: a stretch of transcribed speech with its own times. */
  | 'SPEECH';

export type IngestErrorCode =
  | 'FETCH_FAILED'
  | 'INTERNAL'
  | 'INVALID_INPUT'
  /** Wider, taller, longer or with more frames than the configured media limits (MEDIA_MAX_*). */
  | 'MEDIA_TOO_LARGE'
  | 'NOT_FOUND'
  /** The source has no frame to encode. */
  | 'NO_FRAMES'
  | 'PATH_OUTSIDE_ROOT'
  | 'TOO_LARGE'
  | 'TRUNCATED_MEDIA'
  | 'UNSUPPORTED_MEDIA'
  | 'UPLOAD_NOT_FOUND'
  | 'URL_NOT_ALLOWED';

/** Exactly one of path, uploadId or url. */
export type IngestVideoInput = {
  /** A file on the server, inside one of the configured ingest roots. */
  path?: string | null | undefined;
  /** Labels to filter search by (at most 32, each up to 64 characters; stored lower-case). */
  tags?: Array<string> | null | undefined;
  /** Title to show; defaults to the file name. */
  title?: string | null | undefined;
  /** An id returned by POST /uploads. */
  uploadId?: string | number | null | undefined;
  /** An http(s) URL to fetch. */
  url?: string | null | undefined;
};

/** The background queues. */
export type JobQueueName =
  /** Source to CMVC representation. */
  | 'ENCODE'
  /** Periodic upkeep such as storage tiering. */
  | 'MAINTENANCE'
  /** Representation to a playable rendition. */
  | 'RENDER';

export type JobState =
  | 'ACTIVE'
  | 'COMPLETED'
  /** Waiting out a retry backoff or a schedule. */
  | 'DELAYED'
  | 'FAILED'
  | 'UNKNOWN'
  | 'WAITING';

/** Which videos' moments to search. */
export type MomentFilter = {
  createdAfter?: string | null | undefined;
  createdBefore?: string | null | undefined;
  maxDurationSeconds?: number | null | undefined;
  minDurationSeconds?: number | null | undefined;
  /** Only videos carrying all of these tags. */
  tags?: Array<string> | null | undefined;
};

export type RenditionFormat =
  | 'MP4'
  | 'WEBM';

export type RenditionMode =
  /** Keyframe images plus motion text to video: optical-flow interpolation with the sent weights. */
  | 'IT2V'
  /** Text only to video: keyframe and motion texts drive a generator. */
  | 'TT2V';

export type RenditionOptions = {
  format?: RenditionFormat | null | undefined;
  /** Scale the output to the source size; by default it is rendered at the working size. */
  upscale?: boolean | null | undefined;
};

export type RenditionStatus =
  | 'FAILED'
  | 'QUEUED'
  | 'READY'
  | 'RENDERING';

/** What a credential may do. ADMIN implies INGEST, which implies READ. */
export type Scope =
  | 'ADMIN'
  | 'INGEST'
  | 'READ';

export type StorageTier =
  /** Keyframe images, texts, embeddings and weights: IT2V and TT2V. */
  | 'FULL'
  /** Texts, embeddings and weights only: TT2V. */
  | 'TT2V_ONLY';

export type VideoStatus =
  | 'ENCODING'
  | 'FAILED'
  | 'QUEUED'
  | 'READY';

export type LoginMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type LoginMutation = { login: { name: string } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { name: string, kind: string, scopes: Array<Scope> } | null };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean };

export type VideosQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type VideosQuery = { videos: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, title: string, tags: Array<string>, status: VideoStatus, error: string | null, encodeProgress: number | null, durationSeconds: number | null, width: number | null, height: number | null, sourceBytes: number, representationBytes: number | null, thumbnailUrl: string | null, createdAt: string } }> } };

export type SearchQueryVariables = Exact<{
  query: string;
  first: number;
  after?: string | null | undefined;
  minSimilarity?: number | null | undefined;
  filter?: MomentFilter | null | undefined;
}>;


export type SearchQuery = { search: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { startSeconds: number, endSeconds: number, highlight: string, thumbnailUrl: string | null, similarity: number, caption: { kind: CaptionKind, text: string }, video: { id: string, title: string } } }> } };

export type RenditionFieldsFragment = { id: string, mode: RenditionMode, status: RenditionStatus, progress: number, error: string | null, format: RenditionFormat, upscale: boolean, url: string | null, streamUrl: string | null, bytes: number | null, createdAt: string };

export type VideoQueryVariables = Exact<{
  id: string | number;
}>;


export type VideoQuery = { me: { scopes: Array<Scope> } | null, video: { id: string, title: string, tags: Array<string>, status: VideoStatus, error: string | null, encodeProgress: number | null, sha256: string, durationSeconds: number | null, fps: number | null, width: number | null, height: number | null, frameCount: number | null, sourceBytes: number, representationBytes: number | null, tier: StorageTier, bytesSavedByTiering: number, thumbnailUrl: string | null, bitstreamUrl: string | null, createdAt: string, captionsUrl: string | null, representationSections: Array<{ kind: string, bytes: number }>, keyframes: Array<{ id: string, frameIndex: number, timeSeconds: number, url: string | null, width: number, height: number, bytes: number, description: string | null }>, clips: Array<{ index: number, startSeconds: number, endSeconds: number, motion: string | null }>, speech: Array<{ startSeconds: number, endSeconds: number, text: string }>, renditions: Array<{ id: string, mode: RenditionMode, status: RenditionStatus, progress: number, error: string | null, format: RenditionFormat, upscale: boolean, url: string | null, streamUrl: string | null, bytes: number | null, createdAt: string }> } | null };

export type VideoProgressQueryVariables = Exact<{
  id: string | number;
}>;


export type VideoProgressQuery = { video: { id: string, status: VideoStatus, error: string | null, encodeProgress: number | null, durationSeconds: number | null, fps: number | null, width: number | null, height: number | null, frameCount: number | null, representationBytes: number | null, bitstreamUrl: string | null, renditions: Array<{ id: string, mode: RenditionMode, status: RenditionStatus, progress: number, error: string | null, format: RenditionFormat, upscale: boolean, url: string | null, streamUrl: string | null, bytes: number | null, createdAt: string }> } | null };

export type RequestRenditionMutationVariables = Exact<{
  videoId: string | number;
  mode: RenditionMode;
  options?: RenditionOptions | null | undefined;
}>;


export type RequestRenditionMutation = { requestRendition: { id: string, mode: RenditionMode, status: RenditionStatus, progress: number, error: string | null, format: RenditionFormat, upscale: boolean, url: string | null, streamUrl: string | null, bytes: number | null, createdAt: string } };

export type DemoteVideoMutationVariables = Exact<{
  id: string | number;
  to: StorageTier;
}>;


export type DemoteVideoMutation = { demoteVideo: { bytesSaved: number } };

export type UpdateVideoMutationVariables = Exact<{
  id: string | number;
  title?: string | null | undefined;
  tags?: Array<string> | string | null | undefined;
}>;


export type UpdateVideoMutation = { updateVideo: { id: string, title: string, tags: Array<string> } };

export type DeleteVideosMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type DeleteVideosMutation = { deleteVideos: Array<string> };

export type IngestVideosMutationVariables = Exact<{
  inputs: Array<IngestVideoInput> | IngestVideoInput;
}>;


export type IngestVideosMutation = { ingestVideos: Array<{ index: number, created: boolean, video: { id: string, status: VideoStatus, error: string | null } | null, error: { code: IngestErrorCode, message: string } | null }> };

export type JobsDashboardQueryVariables = Exact<{
  failedFirst: number;
}>;


export type JobsDashboardQuery = { me: { scopes: Array<Scope> } | null, jobQueues: Array<{ name: JobQueueName, waiting: number, active: number, delayed: number, failed: number, completed: number, completedLastMinute: number, completedLastHour: number }>, archiveTotals: { videoCount: number, readyCount: number, inProgressCount: number, failedCount: number, hoursArchived: number, sourceBytes: number, representationBytes: number, bytesSavedByTiering: number }, failedJobs: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { queue: JobQueueName, id: string, failedReason: string | null, attemptsMade: number, finishedOn: string | null, video: { id: string, title: string } | null, rendition: { mode: RenditionMode, format: RenditionFormat, upscale: boolean } | null } }> } };

export type RetryJobMutationVariables = Exact<{
  queue: JobQueueName;
  id: string | number;
}>;


export type RetryJobMutation = { retryJob: { queue: JobQueueName, id: string, state: JobState } };
