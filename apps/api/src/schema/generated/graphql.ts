import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { RequestContext } from '../../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: Date; output: Date | string; }
};

export type ApiToken = {
  __typename?: 'ApiToken';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** The first characters of the token, to recognise it. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  scopes: Array<Scope>;
};

/** What the archive holds, and what keeping CMVC representations instead of pixels saves. */
export type ArchiveTotals = {
  __typename?: 'ArchiveTotals';
  /** Bytes freed by moving videos to a lower storage tier. */
  bytesSavedByTiering: Scalars['Float']['output'];
  failedCount: Scalars['Int']['output'];
  /** Duration of the READY videos, in hours. */
  hoursArchived: Scalars['Float']['output'];
  /** Videos waiting for or in encoding. */
  inProgressCount: Scalars['Int']['output'];
  readyCount: Scalars['Int']['output'];
  /** Size of the CMVC representations kept for them. */
  representationBytes: Scalars['Float']['output'];
  /** Size of the sources of the READY videos. */
  sourceBytes: Scalars['Float']['output'];
  videoCount: Scalars['Int']['output'];
};

/** The coded size of one part of a CMVC bitstream. */
export type BitstreamSection = {
  __typename?: 'BitstreamSection';
  bytes: Scalars['Int']['output'];
  /** header, keyframes, contentText, motionText, cameraMotion, it2vWeights, contentSemantic, motionSemantic, motionSideChannel, keyframeLayer, audio, unknown, or thumbnails (kept beside the stream, not in it). */
  kind: Scalars['String']['output'];
};

export type Caption = {
  __typename?: 'Caption';
  id: Scalars['ID']['output'];
  kind: CaptionKind;
  text: Scalars['String']['output'];
};

export type CaptionKind =
  /** What a keyframe shows (T_k). */
  | 'CONTENT'
  /** How things move within a clip (T_m). */
  | 'MOTION'
  /** What is said: a stretch of transcribed speech with its own times. */
  | 'SPEECH';

/** The stretch of video between two consecutive keyframes. */
export type Clip = {
  __typename?: 'Clip';
  endFrame: Scalars['Int']['output'];
  endSeconds: Scalars['Float']['output'];
  id: Scalars['ID']['output'];
  index: Scalars['Int']['output'];
  /** How things move in the clip (T_m). */
  motion?: Maybe<Scalars['String']['output']>;
  startFrame: Scalars['Int']['output'];
  startSeconds: Scalars['Float']['output'];
};

export type CreatedApiToken = {
  __typename?: 'CreatedApiToken';
  apiToken: ApiToken;
  /** The secret, shown only this once; send it as Authorization: Bearer <token>. */
  token: Scalars['String']['output'];
};

export type DemotionResult = {
  __typename?: 'DemotionResult';
  /** Bytes freed: the keyframe images plus what the bitstream shrank by. */
  bytesSaved: Scalars['Int']['output'];
  video: Video;
};

export type IngestError = {
  __typename?: 'IngestError';
  code: IngestErrorCode;
  message: Scalars['String']['output'];
};

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
  path?: InputMaybe<Scalars['String']['input']>;
  /** Labels to filter search by (at most 32, each up to 64 characters; stored lower-case). */
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Title to show; defaults to the file name. */
  title?: InputMaybe<Scalars['String']['input']>;
  /** An id returned by POST /uploads. */
  uploadId?: InputMaybe<Scalars['ID']['input']>;
  /** An http(s) URL to fetch. */
  url?: InputMaybe<Scalars['String']['input']>;
};

/** The outcome of one item of an ingestVideos call, in input order. */
export type IngestVideoResult = {
  __typename?: 'IngestVideoResult';
  /** False when a video with the same content already existed. */
  created: Scalars['Boolean']['output'];
  error?: Maybe<IngestError>;
  index: Scalars['Int']['output'];
  video?: Maybe<Video>;
};

/** A background job. */
export type Job = {
  __typename?: 'Job';
  attemptsMade: Scalars['Int']['output'];
  failedReason?: Maybe<Scalars['String']['output']>;
  finishedOn?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  queue: JobQueueName;
  /** The rendition a render job produces. */
  rendition?: Maybe<Rendition>;
  state: JobState;
  /** What the job works on: the encoded video, or the video of the rendered rendition; null for maintenance jobs or once deleted. */
  video?: Maybe<Video>;
};

export type JobConnection = {
  __typename?: 'JobConnection';
  edges: Array<JobEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type JobEdge = {
  __typename?: 'JobEdge';
  cursor: Scalars['String']['output'];
  node: Job;
};

export type JobKind =
  | 'ENCODE'
  | 'RENDER';

/** Progress of a background job, as the worker reports it. */
export type JobProgress = {
  __typename?: 'JobProgress';
  /** 0 to 1. */
  fraction: Scalars['Float']['output'];
  kind: JobKind;
  renditionId?: Maybe<Scalars['ID']['output']>;
  stage: Scalars['String']['output'];
  videoId: Scalars['ID']['output'];
};

/** A queue's depth per job state, and how many jobs it finished lately. */
export type JobQueue = {
  __typename?: 'JobQueue';
  active: Scalars['Int']['output'];
  /** Finished jobs still kept (a week, at most 10,000). */
  completed: Scalars['Int']['output'];
  completedLastHour: Scalars['Int']['output'];
  completedLastMinute: Scalars['Int']['output'];
  delayed: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  name: JobQueueName;
  waiting: Scalars['Int']['output'];
};

/** The background queues. */
export type JobQueueName =
  /** Source to CMVC representation. */
  | 'encode'
  /** Periodic upkeep such as storage tiering. */
  | 'maintenance'
  /** Representation to a playable rendition. */
  | 'render';

export type JobState =
  | 'active'
  | 'completed'
  /** Waiting out a retry backoff or a schedule. */
  | 'delayed'
  | 'failed'
  | 'unknown'
  | 'waiting';

export type Keyframe = {
  __typename?: 'Keyframe';
  bytes: Scalars['Int']['output'];
  /** What the keyframe shows (T_k). */
  description?: Maybe<Scalars['String']['output']>;
  format: Scalars['String']['output'];
  frameIndex: Scalars['Int']['output'];
  height: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  timeSeconds: Scalars['Float']['output'];
  /** Image URL; null once the video is demoted to text only. */
  url?: Maybe<Scalars['String']['output']>;
  width: Scalars['Int']['output'];
};

/** A timestamped place in a video that matches a search. */
export type Moment = {
  __typename?: 'Moment';
  caption: Caption;
  clip?: Maybe<Clip>;
  endSeconds: Scalars['Float']['output'];
  /** The caption with matched words wrapped in <mark> elements; all other text is HTML-escaped. */
  highlight: Scalars['String']['output'];
  /** How well the moment matches the query, from 0 (unrelated) to 1: the cosine similarity of caption and query, with a small bonus when every query word appears in the caption. */
  similarity: Scalars['Float']['output'];
  startSeconds: Scalars['Float']['output'];
  thumbnailUrl?: Maybe<Scalars['String']['output']>;
  video: Video;
};

export type MomentConnection = {
  __typename?: 'MomentConnection';
  edges: Array<MomentEdge>;
  pageInfo: PageInfo;
};

export type MomentEdge = {
  __typename?: 'MomentEdge';
  cursor: Scalars['String']['output'];
  node: Moment;
};

/** Which videos' moments to search. */
export type MomentFilter = {
  createdAfter?: InputMaybe<Scalars['DateTime']['input']>;
  createdBefore?: InputMaybe<Scalars['DateTime']['input']>;
  maxDurationSeconds?: InputMaybe<Scalars['Float']['input']>;
  minDurationSeconds?: InputMaybe<Scalars['Float']['input']>;
  /** Only videos carrying all of these tags. */
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type Mutation = {
  __typename?: 'Mutation';
  createApiToken: CreatedApiToken;
  /** Deletes videos with their keyframes, texts, renditions, blobs and queued jobs; returns the ids that existed (needs the admin scope). */
  deleteVideos: Array<Scalars['ID']['output']>;
  /** Moves a video to a lower storage tier; TT2V_ONLY drops its keyframe images for good. */
  demoteVideo: DemotionResult;
  /** Ingests many videos at once; each item succeeds or fails on its own. */
  ingestVideos: Array<IngestVideoResult>;
  /** Starts a session for the web UI (an HttpOnly cookie). */
  login: Viewer;
  /** Ends the current session. */
  logout: Scalars['Boolean']['output'];
  /** Regenerates a video in a mode; equal requests share one rendition, and a failed one is retried. */
  requestRendition: Rendition;
  /** Runs a failed job again with fresh attempts; its video or rendition goes back to QUEUED. */
  retryJob: Job;
  revokeApiToken: ApiToken;
  /** Changes a video's title and/or tags (needs the ingest scope). */
  updateVideo: Video;
};


export type MutationCreateApiTokenArgs = {
  name: Scalars['String']['input'];
  scopes: Array<Scope>;
};


export type MutationDeleteVideosArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type MutationDemoteVideoArgs = {
  id: Scalars['ID']['input'];
  to: StorageTier;
};


export type MutationIngestVideosArgs = {
  inputs: Array<IngestVideoInput>;
};


export type MutationLoginArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationRequestRenditionArgs = {
  mode: RenditionMode;
  options?: InputMaybe<RenditionOptions>;
  videoId: Scalars['ID']['input'];
};


export type MutationRetryJobArgs = {
  id: Scalars['ID']['input'];
  queue: JobQueueName;
};


export type MutationRevokeApiTokenArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateVideoArgs = {
  id: Scalars['ID']['input'];
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  title?: InputMaybe<Scalars['String']['input']>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  apiTokens: Array<ApiToken>;
  archiveTotals: ArchiveTotals;
  /** Failed jobs of every queue, most recently failed first. */
  failedJobs: JobConnection;
  /** Depth and recent throughput of every background queue. */
  jobQueues: Array<JobQueue>;
  /** The caller, or null when not signed in. */
  me?: Maybe<Viewer>;
  /** Search over captions by meaning and words; results are moments, most similar first. */
  search: MomentConnection;
  video?: Maybe<Video>;
  videos: VideoConnection;
};


export type QueryFailedJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySearchArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<MomentFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  minSimilarity?: InputMaybe<Scalars['Float']['input']>;
  query: Scalars['String']['input'];
};


export type QueryVideoArgs = {
  id: Scalars['ID']['input'];
};


export type QueryVideosArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A video regenerated from its CMVC representation. */
export type Rendition = {
  __typename?: 'Rendition';
  bytes?: Maybe<Scalars['Int']['output']>;
  createdAt: Scalars['DateTime']['output'];
  error?: Maybe<Scalars['String']['output']>;
  format: RenditionFormat;
  id: Scalars['ID']['output'];
  mode: RenditionMode;
  /** 0 to 1 while rendering. */
  progress: Scalars['Float']['output'];
  status: RenditionStatus;
  /**
   * HLS playlist (MPEG-TS segments) playable while the rendition is still QUEUED or RENDERING: a
   * segment not rendered yet is rendered next and the request waits for it. Null once FAILED, and
   * for renditions made before renditions were segmented.
   */
  streamUrl?: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
  upscale: Scalars['Boolean']['output'];
  /** Streamable URL (supports HTTP range requests), once READY. */
  url?: Maybe<Scalars['String']['output']>;
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
  format?: InputMaybe<RenditionFormat>;
  /** Scale the output to the source size; by default it is rendered at the working size. */
  upscale?: InputMaybe<Scalars['Boolean']['input']>;
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

/** A stretch of transcribed speech. */
export type SpeechSegment = {
  __typename?: 'SpeechSegment';
  endSeconds: Scalars['Float']['output'];
  startSeconds: Scalars['Float']['output'];
  text: Scalars['String']['output'];
};

export type StorageTier =
  /** Keyframe images, texts, embeddings and weights: IT2V and TT2V. */
  | 'FULL'
  /** Texts, embeddings and weights only: TT2V. */
  | 'TT2V_ONLY';

export type Subscription = {
  __typename?: 'Subscription';
  /** Progress of encode and render jobs; of one video when videoId is given. */
  jobProgress: JobProgress;
  /** Emits the video whenever its status or representation changes; any video when id is omitted. */
  videoUpdated: Video;
};


export type SubscriptionJobProgressArgs = {
  videoId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionVideoUpdatedArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
};

/** An archived video, kept as its CMVC representation. */
export type Video = {
  __typename?: 'Video';
  /** URL of the .cmvc bitstream, once READY. */
  bitstreamUrl?: Maybe<Scalars['String']['output']>;
  /** Bytes freed so far by moving this video to a lower tier. */
  bytesSavedByTiering: Scalars['Int']['output'];
  /** URL of every caption (speech, scene, motion) as a WebVTT track, once READY. */
  captionsUrl?: Maybe<Scalars['String']['output']>;
  clips: Array<Clip>;
  createdAt: Scalars['DateTime']['output'];
  /** Media facts from probing the source, which the encode job does first; null until then, and when the source is unreadable. */
  durationSeconds?: Maybe<Scalars['Float']['output']>;
  /** 0 to 1 while ENCODING, as the encode job last reported it; null otherwise. */
  encodeProgress?: Maybe<Scalars['Float']['output']>;
  /** Why encoding failed, when status is FAILED. */
  error?: Maybe<Scalars['String']['output']>;
  fps?: Maybe<Scalars['Float']['output']>;
  frameCount?: Maybe<Scalars['Int']['output']>;
  height?: Maybe<Scalars['Int']['output']>;
  id: Scalars['ID']['output'];
  keyframes: Array<Keyframe>;
  renditions: Array<Rendition>;
  /** Size of the CMVC bitstream in bytes, once READY. */
  representationBytes?: Maybe<Scalars['Int']['output']>;
  /** The bitstream's bytes by section (header first), once READY; empty for videos encoded before sections were recorded. */
  representationSections: Array<BitstreamSection>;
  sha256: Scalars['String']['output'];
  /** Size of the source file in bytes. */
  sourceBytes: Scalars['Float']['output'];
  /** What is said in the video, in time order (empty when it has no speech). */
  speech: Array<SpeechSegment>;
  status: VideoStatus;
  tags: Array<Scalars['String']['output']>;
  /** URL of the first keyframe image, once READY. */
  thumbnailUrl?: Maybe<Scalars['String']['output']>;
  tier: StorageTier;
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
  width?: Maybe<Scalars['Int']['output']>;
};

export type VideoConnection = {
  __typename?: 'VideoConnection';
  edges: Array<VideoEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type VideoEdge = {
  __typename?: 'VideoEdge';
  cursor: Scalars['String']['output'];
  node: Video;
};

export type VideoStatus =
  | 'ENCODING'
  | 'FAILED'
  | 'QUEUED'
  | 'READY';

/** The caller: a signed-in user, an API token, or open access when AUTH=off. */
export type Viewer = {
  __typename?: 'Viewer';
  kind: Scalars['String']['output'];
  name: Scalars['String']['output'];
  scopes: Array<Scope>;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  ApiToken: ResolverTypeWrapper<ApiToken>;
  ArchiveTotals: ResolverTypeWrapper<ArchiveTotals>;
  BitstreamSection: ResolverTypeWrapper<BitstreamSection>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Caption: ResolverTypeWrapper<Caption>;
  CaptionKind: CaptionKind;
  Clip: ResolverTypeWrapper<Clip>;
  CreatedApiToken: ResolverTypeWrapper<CreatedApiToken>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DemotionResult: ResolverTypeWrapper<DemotionResult>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  IngestError: ResolverTypeWrapper<IngestError>;
  IngestErrorCode: IngestErrorCode;
  IngestVideoInput: IngestVideoInput;
  IngestVideoResult: ResolverTypeWrapper<IngestVideoResult>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Job: ResolverTypeWrapper<Job>;
  JobConnection: ResolverTypeWrapper<JobConnection>;
  JobEdge: ResolverTypeWrapper<JobEdge>;
  JobKind: JobKind;
  JobProgress: ResolverTypeWrapper<JobProgress>;
  JobQueue: ResolverTypeWrapper<JobQueue>;
  JobQueueName: null;
  JobState: null;
  Keyframe: ResolverTypeWrapper<Keyframe>;
  Moment: ResolverTypeWrapper<Moment>;
  MomentConnection: ResolverTypeWrapper<MomentConnection>;
  MomentEdge: ResolverTypeWrapper<MomentEdge>;
  MomentFilter: MomentFilter;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Rendition: ResolverTypeWrapper<Rendition>;
  RenditionFormat: RenditionFormat;
  RenditionMode: RenditionMode;
  RenditionOptions: RenditionOptions;
  RenditionStatus: RenditionStatus;
  Scope: Scope;
  SpeechSegment: ResolverTypeWrapper<SpeechSegment>;
  StorageTier: StorageTier;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Video: ResolverTypeWrapper<Video>;
  VideoConnection: ResolverTypeWrapper<VideoConnection>;
  VideoEdge: ResolverTypeWrapper<VideoEdge>;
  VideoStatus: VideoStatus;
  Viewer: ResolverTypeWrapper<Viewer>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  ApiToken: ApiToken;
  ArchiveTotals: ArchiveTotals;
  BitstreamSection: BitstreamSection;
  Boolean: Scalars['Boolean']['output'];
  Caption: Caption;
  Clip: Clip;
  CreatedApiToken: CreatedApiToken;
  DateTime: Scalars['DateTime']['output'];
  DemotionResult: DemotionResult;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  IngestError: IngestError;
  IngestVideoInput: IngestVideoInput;
  IngestVideoResult: IngestVideoResult;
  Int: Scalars['Int']['output'];
  Job: Job;
  JobConnection: JobConnection;
  JobEdge: JobEdge;
  JobProgress: JobProgress;
  JobQueue: JobQueue;
  Keyframe: Keyframe;
  Moment: Moment;
  MomentConnection: MomentConnection;
  MomentEdge: MomentEdge;
  MomentFilter: MomentFilter;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  Rendition: Rendition;
  RenditionOptions: RenditionOptions;
  SpeechSegment: SpeechSegment;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  Video: Video;
  VideoConnection: VideoConnection;
  VideoEdge: VideoEdge;
  Viewer: Viewer;
};

export type ApiTokenResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['ApiToken'] = ResolversParentTypes['ApiToken']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastUsedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  prefix?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  scopes?: Resolver<Array<ResolversTypes['Scope']>, ParentType, ContextType>;
};

export type ArchiveTotalsResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['ArchiveTotals'] = ResolversParentTypes['ArchiveTotals']> = {
  bytesSavedByTiering?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  failedCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  hoursArchived?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  inProgressCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  readyCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  representationBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  sourceBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  videoCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type BitstreamSectionResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['BitstreamSection'] = ResolversParentTypes['BitstreamSection']> = {
  bytes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CaptionResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Caption'] = ResolversParentTypes['Caption']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['CaptionKind'], ParentType, ContextType>;
  text?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ClipResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Clip'] = ResolversParentTypes['Clip']> = {
  endFrame?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  endSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  index?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  motion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  startFrame?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  startSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type CreatedApiTokenResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['CreatedApiToken'] = ResolversParentTypes['CreatedApiToken']> = {
  apiToken?: Resolver<ResolversTypes['ApiToken'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DemotionResultResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['DemotionResult'] = ResolversParentTypes['DemotionResult']> = {
  bytesSaved?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  video?: Resolver<ResolversTypes['Video'], ParentType, ContextType>;
};

export type IngestErrorResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['IngestError'] = ResolversParentTypes['IngestError']> = {
  code?: Resolver<ResolversTypes['IngestErrorCode'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type IngestVideoResultResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['IngestVideoResult'] = ResolversParentTypes['IngestVideoResult']> = {
  created?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['IngestError']>, ParentType, ContextType>;
  index?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  video?: Resolver<Maybe<ResolversTypes['Video']>, ParentType, ContextType>;
};

export type JobResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Job'] = ResolversParentTypes['Job']> = {
  attemptsMade?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failedReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  finishedOn?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  queue?: Resolver<ResolversTypes['JobQueueName'], ParentType, ContextType>;
  rendition?: Resolver<Maybe<ResolversTypes['Rendition']>, ParentType, ContextType>;
  state?: Resolver<ResolversTypes['JobState'], ParentType, ContextType>;
  video?: Resolver<Maybe<ResolversTypes['Video']>, ParentType, ContextType>;
};

export type JobConnectionResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['JobConnection'] = ResolversParentTypes['JobConnection']> = {
  edges?: Resolver<Array<ResolversTypes['JobEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type JobEdgeResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['JobEdge'] = ResolversParentTypes['JobEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Job'], ParentType, ContextType>;
};

export type JobProgressResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['JobProgress'] = ResolversParentTypes['JobProgress']> = {
  fraction?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['JobKind'], ParentType, ContextType>;
  renditionId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  stage?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  videoId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type JobQueueResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['JobQueue'] = ResolversParentTypes['JobQueue']> = {
  active?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  completed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  completedLastHour?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  completedLastMinute?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  delayed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['JobQueueName'], ParentType, ContextType>;
  waiting?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type JobQueueNameResolvers = { ENCODE: 'encode', MAINTENANCE: 'maintenance', RENDER: 'render' };

export type JobStateResolvers = { ACTIVE: 'active', COMPLETED: 'completed', DELAYED: 'delayed', FAILED: 'failed', UNKNOWN: 'unknown', WAITING: 'waiting' };

export type KeyframeResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Keyframe'] = ResolversParentTypes['Keyframe']> = {
  bytes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  format?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  frameIndex?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  height?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  timeSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  url?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  width?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MomentResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Moment'] = ResolversParentTypes['Moment']> = {
  caption?: Resolver<ResolversTypes['Caption'], ParentType, ContextType>;
  clip?: Resolver<Maybe<ResolversTypes['Clip']>, ParentType, ContextType>;
  endSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  highlight?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  similarity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  startSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  thumbnailUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  video?: Resolver<ResolversTypes['Video'], ParentType, ContextType>;
};

export type MomentConnectionResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['MomentConnection'] = ResolversParentTypes['MomentConnection']> = {
  edges?: Resolver<Array<ResolversTypes['MomentEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type MomentEdgeResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['MomentEdge'] = ResolversParentTypes['MomentEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Moment'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createApiToken?: Resolver<ResolversTypes['CreatedApiToken'], ParentType, ContextType, RequireFields<MutationCreateApiTokenArgs, 'name' | 'scopes'>>;
  deleteVideos?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType, RequireFields<MutationDeleteVideosArgs, 'ids'>>;
  demoteVideo?: Resolver<ResolversTypes['DemotionResult'], ParentType, ContextType, RequireFields<MutationDemoteVideoArgs, 'id' | 'to'>>;
  ingestVideos?: Resolver<Array<ResolversTypes['IngestVideoResult']>, ParentType, ContextType, RequireFields<MutationIngestVideosArgs, 'inputs'>>;
  login?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType, RequireFields<MutationLoginArgs, 'email' | 'password'>>;
  logout?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  requestRendition?: Resolver<ResolversTypes['Rendition'], ParentType, ContextType, RequireFields<MutationRequestRenditionArgs, 'mode' | 'videoId'>>;
  retryJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationRetryJobArgs, 'id' | 'queue'>>;
  revokeApiToken?: Resolver<ResolversTypes['ApiToken'], ParentType, ContextType, RequireFields<MutationRevokeApiTokenArgs, 'id'>>;
  updateVideo?: Resolver<ResolversTypes['Video'], ParentType, ContextType, RequireFields<MutationUpdateVideoArgs, 'id'>>;
};

export type PageInfoResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  apiTokens?: Resolver<Array<ResolversTypes['ApiToken']>, ParentType, ContextType>;
  archiveTotals?: Resolver<ResolversTypes['ArchiveTotals'], ParentType, ContextType>;
  failedJobs?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, RequireFields<QueryFailedJobsArgs, 'first'>>;
  jobQueues?: Resolver<Array<ResolversTypes['JobQueue']>, ParentType, ContextType>;
  me?: Resolver<Maybe<ResolversTypes['Viewer']>, ParentType, ContextType>;
  search?: Resolver<ResolversTypes['MomentConnection'], ParentType, ContextType, RequireFields<QuerySearchArgs, 'first' | 'minSimilarity' | 'query'>>;
  video?: Resolver<Maybe<ResolversTypes['Video']>, ParentType, ContextType, RequireFields<QueryVideoArgs, 'id'>>;
  videos?: Resolver<ResolversTypes['VideoConnection'], ParentType, ContextType, RequireFields<QueryVideosArgs, 'first'>>;
};

export type RenditionResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Rendition'] = ResolversParentTypes['Rendition']> = {
  bytes?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  format?: Resolver<ResolversTypes['RenditionFormat'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  mode?: Resolver<ResolversTypes['RenditionMode'], ParentType, ContextType>;
  progress?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['RenditionStatus'], ParentType, ContextType>;
  streamUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  upscale?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  url?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type SpeechSegmentResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['SpeechSegment'] = ResolversParentTypes['SpeechSegment']> = {
  endSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  startSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  text?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  jobProgress?: SubscriptionResolver<ResolversTypes['JobProgress'], "jobProgress", ParentType, ContextType, Partial<SubscriptionJobProgressArgs>>;
  videoUpdated?: SubscriptionResolver<ResolversTypes['Video'], "videoUpdated", ParentType, ContextType, Partial<SubscriptionVideoUpdatedArgs>>;
};

export type VideoResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Video'] = ResolversParentTypes['Video']> = {
  bitstreamUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  bytesSavedByTiering?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  captionsUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  clips?: Resolver<Array<ResolversTypes['Clip']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  durationSeconds?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  encodeProgress?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  fps?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  frameCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  height?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  keyframes?: Resolver<Array<ResolversTypes['Keyframe']>, ParentType, ContextType>;
  renditions?: Resolver<Array<ResolversTypes['Rendition']>, ParentType, ContextType>;
  representationBytes?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  representationSections?: Resolver<Array<ResolversTypes['BitstreamSection']>, ParentType, ContextType>;
  sha256?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sourceBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  speech?: Resolver<Array<ResolversTypes['SpeechSegment']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['VideoStatus'], ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  thumbnailUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  tier?: Resolver<ResolversTypes['StorageTier'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  width?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type VideoConnectionResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['VideoConnection'] = ResolversParentTypes['VideoConnection']> = {
  edges?: Resolver<Array<ResolversTypes['VideoEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type VideoEdgeResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['VideoEdge'] = ResolversParentTypes['VideoEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Video'], ParentType, ContextType>;
};

export type ViewerResolvers<ContextType = RequestContext, ParentType extends ResolversParentTypes['Viewer'] = ResolversParentTypes['Viewer']> = {
  kind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  scopes?: Resolver<Array<ResolversTypes['Scope']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = RequestContext> = {
  ApiToken?: ApiTokenResolvers<ContextType>;
  ArchiveTotals?: ArchiveTotalsResolvers<ContextType>;
  BitstreamSection?: BitstreamSectionResolvers<ContextType>;
  Caption?: CaptionResolvers<ContextType>;
  Clip?: ClipResolvers<ContextType>;
  CreatedApiToken?: CreatedApiTokenResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DemotionResult?: DemotionResultResolvers<ContextType>;
  IngestError?: IngestErrorResolvers<ContextType>;
  IngestVideoResult?: IngestVideoResultResolvers<ContextType>;
  Job?: JobResolvers<ContextType>;
  JobConnection?: JobConnectionResolvers<ContextType>;
  JobEdge?: JobEdgeResolvers<ContextType>;
  JobProgress?: JobProgressResolvers<ContextType>;
  JobQueue?: JobQueueResolvers<ContextType>;
  JobQueueName?: JobQueueNameResolvers;
  JobState?: JobStateResolvers;
  Keyframe?: KeyframeResolvers<ContextType>;
  Moment?: MomentResolvers<ContextType>;
  MomentConnection?: MomentConnectionResolvers<ContextType>;
  MomentEdge?: MomentEdgeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Rendition?: RenditionResolvers<ContextType>;
  SpeechSegment?: SpeechSegmentResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Video?: VideoResolvers<ContextType>;
  VideoConnection?: VideoConnectionResolvers<ContextType>;
  VideoEdge?: VideoEdgeResolvers<ContextType>;
  Viewer?: ViewerResolvers<ContextType>;
};

