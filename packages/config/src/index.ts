import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_ENCODE_SETTINGS } from '@cmvc/codec/settings';
import { z } from 'zod';

/** Everything the archive reads from the environment, parsed once and validated. */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const listOfPaths = z.string().transform((value) =>
  value
    .split(':')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => resolve(entry)),
);

const environmentSchema = z.object({
  DATABASE_URL: z.string().url(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  SEARCH_CONCURRENCY: z.coerce.number().int().min(1).max(500).optional(),
  SEARCH_QUEUE_LIMIT: z.coerce.number().int().min(0).default(500),
  SEARCH_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  CMVC_DATA_DIR: z.string().default('.data'),
  BLOB_STORE: z.enum(['local', 's3']).default('local'),
  BLOB_DIR: z.string().optional(),
  S3_BUCKET: z.string().optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: booleanFlag.default(true),
  INGEST_ROOTS: listOfPaths.default([]),
  ALLOW_PRIVATE_URLS: booleanFlag.default(false),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(4 * 1024 ** 3),
  KEEP_ORIGINALS: booleanFlag.default(false),
  TIERING_AFTER_DAYS: z.coerce.number().positive().optional(),
  AUTH: z.enum(['required', 'off']).default('required'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PUBLIC_URL: z.string().default('http://127.0.0.1:3000,http://localhost:3000'),
  TRUST_PROXY: z.string().default('loopback'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  UPLOAD_TTL_HOURS: z.coerce.number().positive().default(24),
  MEDIA_MAX_WIDTH: z.coerce.number().int().positive().default(7680),
  MEDIA_MAX_HEIGHT: z.coerce.number().int().positive().default(4320),
  MEDIA_MAX_PIXELS: z.coerce.number().int().positive().default(7680 * 4320),
  MEDIA_MAX_FRAMES: z.coerce.number().int().positive().default(500_000),
  MEDIA_MAX_DURATION_SECONDS: z.coerce.number().positive().default(4 * 3600),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORKER_NAME: z.string().min(1).optional(),
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(60_000),
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  ENCODE_KEYFRAME_SECONDS: z.coerce.number().positive().max(3600).default(DEFAULT_ENCODE_SETTINGS.describeEverySeconds),
  ENCODE_MAX_KEYFRAMES: z.coerce.number().int().min(2).max(1000).default(DEFAULT_ENCODE_SETTINGS.maxKeyframes),
  ENCODE_QUALITY: z.enum(['low', 'middle', 'high']).default(DEFAULT_ENCODE_SETTINGS.quality),
  ENCODE_STRATEGY: z.enum(['cs', 'mse', 'uniform', 'random']).default(DEFAULT_ENCODE_SETTINGS.strategy),
  ENCODE_MOTION_SIDE_CHANNEL: z.enum(['off', 'coarse']).default(DEFAULT_ENCODE_SETTINGS.motionSideChannel),
  ENCODE_AUDIO_KBPS: z.coerce.number().min(0).max(256).default(DEFAULT_ENCODE_SETTINGS.audioKbps),
  TT2V_GENERATOR: z.enum(['retrieval', 'comfyui', 'none']).default('retrieval'),
  IT2V_GENERATOR: z.enum(['builtin', 'comfyui']).default('builtin'),
  COMFYUI_URL: z.string().url().optional(),
  COMFYUI_TT2V_WORKFLOW: z.string().optional(),
  COMFYUI_IT2V_WORKFLOW: z.string().optional(),
  SPEECH_TO_TEXT: z.enum(['pocketsphinx', 'openai', 'off']).default('pocketsphinx'),
  SPEECH_URL: z.string().url().optional(),
  SPEECH_MODEL: z.string().min(1).optional(),
  SPEECH_API_KEY: z.string().optional(),
  SPEECH_LANGUAGE: z.string().regex(/^[a-z]{2}$/u).optional(),
  SPEECH_MAX_SECONDS: z.coerce.number().positive().default(4 * 3600),
  FFMPEG_PATH: z.string().default('ffmpeg'),
  FFPROBE_PATH: z.string().default('ffprobe'),
  VMAF_MODEL_PATH: z.string().optional(),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface BlobStoreConfig {
  readonly kind: 'local' | 's3';
  readonly directory: string;
  readonly s3?: {
    readonly bucket: string;
    readonly endpoint?: string;
    readonly region: string;
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
    readonly forcePathStyle: boolean;
  };
}

/** Largest media the archive accepts, checked from the header at ingest and applied to rendition output. */
export interface MediaLimits {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxPixels: number;
  readonly maxFrames: number;
  readonly maxDurationSeconds: number;
}

export interface AppConfig {
  readonly databaseUrl: string;
  readonly database: {
    readonly poolSize: number;
    /** Per statement, for the API's connections: one slow query cannot hold a connection for long. */
    readonly statementTimeoutMs: number;
  };
  readonly search: {
    /** Searches that run at once; the rest wait in a bounded queue and are answered BUSY beyond it. */
    readonly concurrency: number;
    readonly queueLimit: number;
    readonly queueTimeoutMs: number;
  };
  readonly media: MediaLimits;
  readonly redisUrl: string;
  readonly dataDir: string;
  readonly blobStore: BlobStoreConfig;
  readonly ingest: {
    readonly roots: readonly string[];
    readonly allowPrivateUrls: boolean;
    readonly uploadMaxBytes: number;
    readonly keepOriginals: boolean;
    /** Uploads no ingest claimed are deleted after this long. */
    readonly uploadTtlMs: number;
  };
  /** With `off`, every caller may do everything: only for single-user machines behind other protection. */
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly authRequired: boolean;
    /** Origins of the web UI: cookie-authenticated WebSockets from any other origin are refused. */
    readonly publicOrigins: readonly string[];
    /** Express `trust proxy`: which proxies' X-Forwarded-For/-Proto are believed (client address, Secure cookies). */
    readonly trustProxy: boolean | number | string;
    readonly login: { readonly maxFailuresPerAccount: number; readonly maxFailuresPerAddress: number; readonly windowSeconds: number };
  };
  readonly worker: {
    readonly concurrency: number;
    /** Shown as the job's `processedBy`; defaults to host:pid. */
    readonly name: string;
    /** A job whose worker stops renewing its lock this long is handed to another worker. */
    readonly lockMs: number;
    /** CPU niceness of worker processes (and their ffmpeg children): the API answers first when they share cores. */
    readonly nice: number;
  };
  readonly encode: {
    /** About one keyframe per this many seconds of source (paper: n follows the frame count). */
    readonly keyframeIntervalSeconds: number;
    readonly maxKeyframes: number;
    readonly quality: 'low' | 'middle' | 'high';
    readonly strategy: 'cs' | 'mse' | 'uniform' | 'random';
    /** `coarse`: also store the coarse motion side channel (bitstream section 8), which improves IT2V for a few kbit/s. */
    readonly motionSideChannel: 'off' | 'coarse';
    /** Opus bitrate of the kept sound track, kbit/s; 0 keeps no sound. */
    readonly audioKbps: number;
  };
  readonly generation: {
    /** Who serves TT2V: the built-in retrieval generator, a ComfyUI server, or nobody. */
    readonly tt2v: 'retrieval' | 'comfyui' | 'none';
    /** Who serves IT2V: the built-in optical-flow interpolator or a ComfyUI server. */
    readonly it2v: 'builtin' | 'comfyui';
    readonly comfyui?: { readonly url: string; readonly tt2vWorkflow?: string; readonly it2vWorkflow?: string };
  };
  /** Speech to SPEECH captions: voice activity (Silero VAD), then the built-in recogniser or an OpenAI-compatible server. */
  readonly speech: {
    readonly backend: 'pocketsphinx' | 'openai' | 'off';
    /** `/v1/audio/transcriptions` server (whisper servers, OpenAI) when backend is `openai`. */
    readonly openai?: { readonly baseUrl: string; readonly model: string; readonly apiKey?: string };
    readonly language?: string;
    /** Only this much of a source's sound is transcribed. */
    readonly maxSeconds: number;
  };
  readonly ffmpeg: { readonly ffmpegPath: string; readonly ffprobePath: string };
  readonly vmafModelPath?: string;
  /** Demote READY videos to TT2V_ONLY once they are this many days old; unset keeps every tier. */
  readonly tieringAfterDays?: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.CMVC_DATA_DIR);
  const comfyNeeded = e.TT2V_GENERATOR === 'comfyui' || e.IT2V_GENERATOR === 'comfyui';
  if (comfyNeeded && !e.COMFYUI_URL) {
    throw new ConfigError('Invalid configuration:\n  COMFYUI_URL: required when a generator is comfyui');
  }
  if (e.SPEECH_TO_TEXT === 'openai' && (!e.SPEECH_URL || !e.SPEECH_MODEL)) {
    throw new ConfigError('Invalid configuration:\n  SPEECH_URL, SPEECH_MODEL: required when SPEECH_TO_TEXT=openai');
  }
  if (e.BLOB_STORE === 's3' && !e.S3_BUCKET) {
    throw new ConfigError('Invalid configuration:\n  S3_BUCKET: required when BLOB_STORE=s3');
  }
  return {
    databaseUrl: e.DATABASE_URL,
    database: { poolSize: e.DATABASE_POOL_SIZE, statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS },
    search: {
      // Leave connections for everything else a request does (loaders, ingest, auth).
      concurrency: e.SEARCH_CONCURRENCY ?? Math.max(1, Math.floor(e.DATABASE_POOL_SIZE / 2)),
      queueLimit: e.SEARCH_QUEUE_LIMIT,
      queueTimeoutMs: e.SEARCH_QUEUE_TIMEOUT_MS,
    },
    media: {
      maxWidth: e.MEDIA_MAX_WIDTH,
      maxHeight: e.MEDIA_MAX_HEIGHT,
      maxPixels: e.MEDIA_MAX_PIXELS,
      maxFrames: e.MEDIA_MAX_FRAMES,
      maxDurationSeconds: e.MEDIA_MAX_DURATION_SECONDS,
    },
    redisUrl: e.REDIS_URL,
    dataDir,
    blobStore: {
      kind: e.BLOB_STORE,
      directory: resolve(e.BLOB_DIR ?? resolve(dataDir, 'blobs')),
      ...(e.S3_BUCKET
        ? {
            s3: {
              bucket: e.S3_BUCKET,
              endpoint: e.S3_ENDPOINT,
              region: e.S3_REGION,
              accessKeyId: e.S3_ACCESS_KEY_ID,
              secretAccessKey: e.S3_SECRET_ACCESS_KEY,
              forcePathStyle: e.S3_FORCE_PATH_STYLE,
            },
          }
        : {}),
    },
    ingest: {
      roots: e.INGEST_ROOTS,
      allowPrivateUrls: e.ALLOW_PRIVATE_URLS,
      uploadMaxBytes: e.UPLOAD_MAX_BYTES,
      keepOriginals: e.KEEP_ORIGINALS,
      uploadTtlMs: e.UPLOAD_TTL_HOURS * 3600 * 1000,
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      authRequired: e.AUTH === 'required',
      publicOrigins: e.PUBLIC_URL.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => new URL(entry).origin),
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
      login: {
        maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
        windowSeconds: e.LOGIN_WINDOW_SECONDS,
      },
    },
    worker: { concurrency: e.WORKER_CONCURRENCY, name: e.WORKER_NAME ?? `${hostname()}:${process.pid}`, lockMs: e.WORKER_LOCK_MS, nice: e.WORKER_NICE },
    encode: {
      keyframeIntervalSeconds: e.ENCODE_KEYFRAME_SECONDS,
      maxKeyframes: e.ENCODE_MAX_KEYFRAMES,
      quality: e.ENCODE_QUALITY, strategy: e.ENCODE_STRATEGY, motionSideChannel: e.ENCODE_MOTION_SIDE_CHANNEL,
      audioKbps: e.ENCODE_AUDIO_KBPS },
    generation: {
      tt2v: e.TT2V_GENERATOR,
      it2v: e.IT2V_GENERATOR,
      ...(e.COMFYUI_URL
        ? { comfyui: { url: e.COMFYUI_URL, tt2vWorkflow: e.COMFYUI_TT2V_WORKFLOW, it2vWorkflow: e.COMFYUI_IT2V_WORKFLOW } }
        : {}),
    },
    speech: {
      backend: e.SPEECH_TO_TEXT,
      ...(e.SPEECH_TO_TEXT === 'openai' && e.SPEECH_URL && e.SPEECH_MODEL
        ? { openai: { baseUrl: e.SPEECH_URL, model: e.SPEECH_MODEL, ...(e.SPEECH_API_KEY ? { apiKey: e.SPEECH_API_KEY } : {}) } }
        : {}),
      ...(e.SPEECH_LANGUAGE ? { language: e.SPEECH_LANGUAGE } : {}),
      maxSeconds: e.SPEECH_MAX_SECONDS,
    },
    ffmpeg: { ffmpegPath: e.FFMPEG_PATH, ffprobePath: e.FFPROBE_PATH },
    ...(e.VMAF_MODEL_PATH ? { vmafModelPath: resolve(e.VMAF_MODEL_PATH) } : {}),
    ...(e.TIERING_AFTER_DAYS ? { tieringAfterDays: e.TIERING_AFTER_DAYS } : {}),
  };
}

/** `true`/`false`, a hop count, or Express's address list (`loopback`, `10.0.0.0/8, …`). */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
