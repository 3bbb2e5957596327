/** The GraphQL schema (SDL-first). `apps/api/schema.graphql` is generated from this and checked by a test. */
export const typeDefs = /* GraphQL */ `
  "An ISO-8601 date-time."
  scalar DateTime

  enum VideoStatus {
    QUEUED
    ENCODING
    READY
    FAILED
  }

  enum CaptionKind {
    "What a keyframe shows (T_k)."
    CONTENT
    "How things move within a clip (T_m)."
    MOTION
    "What is said: a stretch of transcribed speech with its own times."
    SPEECH
  }

  "What a credential may do. ADMIN implies INGEST, which implies READ."
  enum Scope {
    READ
    INGEST
    ADMIN
  }

  "The caller: a signed-in user, an API token, or open access when AUTH=off."
  type Viewer {
    name: String!
    kind: String!
    scopes: [Scope!]!
  }

  type ApiToken {
    id: ID!
    name: String!
    "The first characters of the token, to recognise it."
    prefix: String!
    scopes: [Scope!]!
    createdAt: DateTime!
    lastUsedAt: DateTime
    revokedAt: DateTime
  }

  type CreatedApiToken {
    "The secret, shown only this once; send it as Authorization: Bearer <token>."
    token: String!
    apiToken: ApiToken!
  }

  enum StorageTier {
    "Keyframe images, texts, embeddings and weights: IT2V and TT2V."
    FULL
    "Texts, embeddings and weights only: TT2V."
    TT2V_ONLY
  }

  type DemotionResult {
    video: Video!
    "Bytes freed: the keyframe images plus what the bitstream shrank by."
    bytesSaved: Int!
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  "An archived video, kept as its CMVC representation."
  type Video {
    id: ID!
    title: String!
    tags: [String!]!
    status: VideoStatus!
    "Why encoding failed, when status is FAILED."
    error: String
    "0 to 1 while ENCODING, as the encode job last reported it; null otherwise."
    encodeProgress: Float
    sha256: String!
    "Media facts from probing the source, which the encode job does first; null until then, and when the source is unreadable."
    durationSeconds: Float
    fps: Float
    width: Int
    height: Int
    frameCount: Int
    "Size of the source file in bytes."
    sourceBytes: Float!
    "Size of the CMVC bitstream in bytes, once READY."
    representationBytes: Int
    "The bitstream's bytes by section (header first), once READY; empty for videos encoded before sections were recorded."
    representationSections: [BitstreamSection!]!
    "URL of the first keyframe image, once READY."
    thumbnailUrl: String
    tier: StorageTier!
    "Bytes freed so far by moving this video to a lower tier."
    bytesSavedByTiering: Int!
    "URL of the .cmvc bitstream, once READY."
    bitstreamUrl: String
    "URL of every caption (speech, scene, motion) as a WebVTT track, once READY."
    captionsUrl: String
    "What is said in the video, in time order (empty when it has no speech)."
    speech: [SpeechSegment!]!
    keyframes: [Keyframe!]!
    clips: [Clip!]!
    renditions: [Rendition!]!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  "A stretch of transcribed speech."
  type SpeechSegment {
    startSeconds: Float!
    endSeconds: Float!
    text: String!
  }

  "The coded size of one part of a CMVC bitstream."
  type BitstreamSection {
    "header, keyframes, contentText, motionText, cameraMotion, it2vWeights, contentSemantic, motionSemantic, motionSideChannel, keyframeLayer, audio, unknown, or thumbnails (kept beside the stream, not in it)."
    kind: String!
    bytes: Int!
  }

  type Keyframe {
    id: ID!
    frameIndex: Int!
    timeSeconds: Float!
    "Image URL; null once the video is demoted to text only."
    url: String
    bytes: Int!
    format: String!
    width: Int!
    height: Int!
    "What the keyframe shows (T_k)."
    description: String
  }

  "The stretch of video between two consecutive keyframes."
  type Clip {
    id: ID!
    index: Int!
    startFrame: Int!
    endFrame: Int!
    startSeconds: Float!
    endSeconds: Float!
    "How things move in the clip (T_m)."
    motion: String
  }

  type Caption {
    id: ID!
    kind: CaptionKind!
    text: String!
  }

  type VideoEdge {
    cursor: String!
    node: Video!
  }

  type VideoConnection {
    edges: [VideoEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "A timestamped place in a video that matches a search."
  type Moment {
    video: Video!
    clip: Clip
    startSeconds: Float!
    endSeconds: Float!
    caption: Caption!
    "The caption with matched words wrapped in <mark> elements; all other text is HTML-escaped."
    highlight: String!
    thumbnailUrl: String
    "How well the moment matches the query, from 0 (unrelated) to 1: the cosine similarity of caption and query, with a small bonus when every query word appears in the caption."
    similarity: Float!
  }

  type MomentEdge {
    cursor: String!
    node: Moment!
  }

  type MomentConnection {
    edges: [MomentEdge!]!
    pageInfo: PageInfo!
  }

  enum RenditionMode {
    "Text only to video: keyframe and motion texts drive a generator."
    TT2V
    "Keyframe images plus motion text to video: optical-flow interpolation with the sent weights."
    IT2V
  }

  enum RenditionStatus {
    QUEUED
    RENDERING
    READY
    FAILED
  }

  enum RenditionFormat {
    MP4
    WEBM
  }

  input RenditionOptions {
    format: RenditionFormat = MP4
    "Scale the output to the source size; by default it is rendered at the working size."
    upscale: Boolean = false
  }

  "A video regenerated from its CMVC representation."
  type Rendition {
    id: ID!
    mode: RenditionMode!
    status: RenditionStatus!
    "0 to 1 while rendering."
    progress: Float!
    error: String
    format: RenditionFormat!
    upscale: Boolean!
    "Streamable URL (supports HTTP range requests), once READY."
    url: String
    """
    HLS playlist (MPEG-TS segments) playable while the rendition is still QUEUED or RENDERING: a
    segment not rendered yet is rendered next and the request waits for it. Null once FAILED, and
    for renditions made before renditions were segmented.
    """
    streamUrl: String
    bytes: Int
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  "Which videos' moments to search."
  input MomentFilter {
    createdAfter: DateTime
    createdBefore: DateTime
    minDurationSeconds: Float
    maxDurationSeconds: Float
    "Only videos carrying all of these tags."
    tags: [String!]
  }

  "Exactly one of path, uploadId or url."
  input IngestVideoInput {
    "Title to show; defaults to the file name."
    title: String
    "Labels to filter search by (at most 32, each up to 64 characters; stored lower-case)."
    tags: [String!]
    "A file on the server, inside one of the configured ingest roots."
    path: String
    "An id returned by POST /uploads."
    uploadId: ID
    "An http(s) URL to fetch."
    url: String
  }

  enum IngestErrorCode {
    INVALID_INPUT
    PATH_OUTSIDE_ROOT
    NOT_FOUND
    UNSUPPORTED_MEDIA
    TRUNCATED_MEDIA
    UPLOAD_NOT_FOUND
    URL_NOT_ALLOWED
    FETCH_FAILED
    TOO_LARGE
    "Wider, taller, longer or with more frames than the configured media limits (MEDIA_MAX_*)."
    MEDIA_TOO_LARGE
    "The source has no frame to encode."
    NO_FRAMES
    INTERNAL
  }

  type IngestError {
    code: IngestErrorCode!
    message: String!
  }

  "The outcome of one item of an ingestVideos call, in input order."
  type IngestVideoResult {
    index: Int!
    video: Video
    "False when a video with the same content already existed."
    created: Boolean!
    error: IngestError
  }

  "The background queues."
  enum JobQueueName {
    "Source to CMVC representation."
    ENCODE
    "Representation to a playable rendition."
    RENDER
    "Periodic upkeep such as storage tiering."
    MAINTENANCE
  }

  enum JobState {
    WAITING
    ACTIVE
    "Waiting out a retry backoff or a schedule."
    DELAYED
    COMPLETED
    FAILED
    UNKNOWN
  }

  "A queue's depth per job state, and how many jobs it finished lately."
  type JobQueue {
    name: JobQueueName!
    waiting: Int!
    active: Int!
    delayed: Int!
    failed: Int!
    "Finished jobs still kept (a week, at most 10,000)."
    completed: Int!
    completedLastMinute: Int!
    completedLastHour: Int!
  }

  "A background job."
  type Job {
    queue: JobQueueName!
    id: ID!
    state: JobState!
    "What the job works on: the encoded video, or the video of the rendered rendition; null for maintenance jobs or once deleted."
    video: Video
    "The rendition a render job produces."
    rendition: Rendition
    failedReason: String
    attemptsMade: Int!
    finishedOn: DateTime
  }

  type JobEdge {
    cursor: String!
    node: Job!
  }

  type JobConnection {
    edges: [JobEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "What the archive holds, and what keeping CMVC representations instead of pixels saves."
  type ArchiveTotals {
    videoCount: Int!
    readyCount: Int!
    "Videos waiting for or in encoding."
    inProgressCount: Int!
    failedCount: Int!
    "Duration of the READY videos, in hours."
    hoursArchived: Float!
    "Size of the sources of the READY videos."
    sourceBytes: Float!
    "Size of the CMVC representations kept for them."
    representationBytes: Float!
    "Bytes freed by moving videos to a lower storage tier."
    bytesSavedByTiering: Float!
  }

  type Query {
    "The caller, or null when not signed in."
    me: Viewer
    video(id: ID!): Video
    videos(first: Int = 20, after: String): VideoConnection!
    "Search over captions by meaning and words; results are moments, most similar first."
    search(
      query: String!
      first: Int = 20
      after: String
      "Moments below this similarity (0 to 1) are left out. The default is calibrated so that an unrelated query finds nothing."
      minSimilarity: Float = 0.3
      filter: MomentFilter
    ): MomentConnection!
    apiTokens: [ApiToken!]!
    "Depth and recent throughput of every background queue."
    jobQueues: [JobQueue!]!
    "Failed jobs of every queue, most recently failed first."
    failedJobs(first: Int = 20, after: String): JobConnection!
    archiveTotals: ArchiveTotals!
  }

  enum JobKind {
    ENCODE
    RENDER
  }

  "Progress of a background job, as the worker reports it."
  type JobProgress {
    kind: JobKind!
    videoId: ID!
    renditionId: ID
    stage: String!
    "0 to 1."
    fraction: Float!
  }

  type Subscription {
    "Progress of encode and render jobs; of one video when videoId is given."
    jobProgress(videoId: ID): JobProgress!
    "Emits the video whenever its status or representation changes; any video when id is omitted."
    videoUpdated(id: ID): Video!
  }

  type Mutation {
    "Starts a session for the web UI (an HttpOnly cookie)."
    login(email: String!, password: String!): Viewer!
    "Ends the current session."
    logout: Boolean!
    createApiToken(name: String!, scopes: [Scope!]!): CreatedApiToken!
    revokeApiToken(id: ID!): ApiToken!
    "Ingests many videos at once; each item succeeds or fails on its own."
    ingestVideos(inputs: [IngestVideoInput!]!): [IngestVideoResult!]!
    "Regenerates a video in a mode; equal requests share one rendition, and a failed one is retried."
    requestRendition(videoId: ID!, mode: RenditionMode!, options: RenditionOptions): Rendition!
    "Moves a video to a lower storage tier; TT2V_ONLY drops its keyframe images for good."
    demoteVideo(id: ID!, to: StorageTier!): DemotionResult!
    "Changes a video's title and/or tags (needs the ingest scope)."
    updateVideo(id: ID!, title: String, tags: [String!]): Video!
    "Deletes videos with their keyframes, texts, renditions, blobs and queued jobs; returns the ids that existed (needs the admin scope)."
    deleteVideos(ids: [ID!]!): [ID!]!
    "Runs a failed job again with fresh attempts; its video or rendition goes back to QUEUED."
    retryJob(queue: JobQueueName!, id: ID!): Job!
  }
`;
