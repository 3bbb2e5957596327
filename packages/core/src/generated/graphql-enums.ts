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

export type JobKind =
  | 'ENCODE'
  | 'RENDER';

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

export type RenditionFormat =
  | 'MP4'
  | 'WEBM';

export type RenditionMode =
  /** Keyframe images plus motion text to video: optical-flow interpolation with the sent weights. */
  | 'IT2V'
  /** Text only to video: keyframe and motion texts drive a generator. */
  | 'TT2V';

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
