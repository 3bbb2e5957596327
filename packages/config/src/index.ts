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

/** What the CLIs (`cmvc`, `npm run eval`) read too: tools, models and their backends; no database. */
const toolSchema = z.object({
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  VMAF_MODEL_PATH: z.string().min(1).optional(),
  /** An ffmpeg built with libvmaf, when the one on PATH lacks it (evaluation only). */
  VMAF_FFMPEG_PATH: z.string().min(1).optional(),
  CMVC_DEBUG: booleanFlag.default(false),
  CMVC_FEATURES: z.enum(['mobilenet-v2', 'inception-v3', 'clip']).default('mobilenet-v2'),
  CMVC_DETECTOR: z.enum(['centernet', 'nanodet', 'none']).default('centernet'),
  CMVC_DETECTION_THRESHOLD: z.coerce.number().min(0).max(1).default(0.35),
  CMVC_ESRGAN: z.enum(['slim', 'medium']).default('slim'),
  CMVC_ESRGAN_SCALE: z.enum(['2', '3', '4']).default('2').transform((value) => Number(value) as 2 | 3 | 4),
  CMVC_OCR: z.enum(['on', 'off']).default('on'),
  CMVC_PEOPLE: z.enum(['on', 'off']).default('on'),
  CMVC_DESCRIBER: z.enum(['builtin', 'openai']).default('builtin'),
  CMVC_EMBEDDER: z.enum(['use-lite', 'openai', 'clip']).default('use-lite'),
  CMVC_CLIP_DIR: z.string().min(1).optional(),
  CMVC_CAPTIONER_URL: z.string().url().optional(),
  CMVC_CAPTIONER_MODEL: z.string().min(1).optional(),
  CMVC_CAPTIONER_API_KEY: z.string().optional(),
  CMVC_EMBEDDINGS_URL: z.string().url().optional(),
  CMVC_EMBEDDINGS_MODEL: z.string().min(1).optional(),
  CMVC_EMBEDDINGS_API_KEY: z.string().optional(),
  COMFYUI_URL: z.string().url().optional(),
  COMFYUI_TT2V_WORKFLOW: z.string().min(1).optional(),
  COMFYUI_IT2V_WORKFLOW: z.string().min(1).optional(),
});

const serverSchema = z.object({
  TT2V_GENERATOR: z.enum(['retrieval', 'comfyui', 'none']).default('retrieval'),
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
  SPEECH_TO_TEXT: z.enum(['pocketsphinx', 'openai', 'off']).default('pocketsphinx'),
  SPEECH_URL: z.string().url().optional(),
  SPEECH_MODEL: z.string().min(1).optional(),
  SPEECH_API_KEY: z.string().optional(),
  SPEECH_LANGUAGE: z.string().regex(/^[a-z]{2}$/u).optional(),
  SPEECH_MAX_SECONDS: z.coerce.number().positive().default(4 * 3600),
});

const environmentSchema = serverSchema.extend(toolSchema.shape);

export type Environment = z.infer<typeof environmentSchema>;

export interface S3StoreConfig {
  readonly bucket: string;
  readonly endpoint?: string;
  readonly region: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly forcePathStyle: boolean;
}

export interface BlobStoreConfig {
  readonly kind: 'local' | 's3';
  readonly directory: string;
  readonly s3?: S3StoreConfig;
}

/** Largest media the archive accepts, checked from the header at ingest and applied to rendition output. */
export interface MediaLimits {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxPixels: number;
  readonly maxFrames: number;
  readonly maxDurationSeconds: number;
}

export interface EndpointConfig {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string;
}

/** The model behind each analysis task (README, "Models"); `@cmvc/models` builds them from this. */
export interface ModelsConfig {
  /** Keyframe-selection features: MobileNetV2 or InceptionV3 pooled (built in), or a CLIP vision encoder. */
  readonly features: 'mobilenet-v2' | 'inception-v3' | 'clip';
  readonly detector: 'centernet' | 'nanodet' | 'none';
  /** Detections below this score are not named in descriptions (0..1). */
  readonly detectionScoreThreshold: number;
  /** ESRGAN model and factor for upscaling decoded keyframes. */
  readonly superResolution: { readonly size: 'slim' | 'medium'; readonly scale: 2 | 3 | 4 };
  readonly ocr: boolean;
  /** People in descriptions: body pose (MoveNet), then age, gender and expression of their faces. */
  readonly people: boolean;
  /** T_k/T_m: the built-in analyzers, or a multimodal LLM over an OpenAI-compatible endpoint. */
  readonly describer: 'builtin' | 'openai';
  /** Caption and query embeddings (512-d): USE-lite (built in), an OpenAI-compatible endpoint, or CLIP text. */
  readonly embedder: 'use-lite' | 'openai' | 'clip';
  readonly clipDirectory?: string;
  readonly captioner?: EndpointConfig;
  readonly embeddings?: EndpointConfig;
  readonly comfyui?: { readonly baseUrl: string; readonly tt2vWorkflow?: string; readonly it2vWorkflow?: string };
}

/** What every process reads, the CLIs included: external tools and models. */
export interface ToolConfig {
  /** ffmpeg/ffprobe binaries: each composition root builds its `mediaIo` from them, and every other spawn uses them. */
  readonly ffmpeg: { readonly ffmpegPath: string; readonly ffprobePath: string };
  /** VMAF for `npm run eval`: the model file, and an ffmpeg with libvmaf when the configured one lacks it. */
  readonly vmaf: { readonly modelPath?: string; readonly ffmpegPath?: string };
  readonly models: ModelsConfig;
  /** CLIs print stack traces of unexpected failures. */
  readonly debug: boolean;
}

export interface AppConfig extends ToolConfig {
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
    /** Who serves TT2V: the built-in retrieval generator, the ComfyUI server of `models.comfyui`, or nobody. */
    readonly tt2v: 'retrieval' | 'comfyui' | 'none';
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
  /** Demote READY videos to TT2V_ONLY once they are this many days old; unset keeps every tier. */
  readonly tieringAfterDays?: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Every variable the archive reads, for the README check (test/config-docs). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

/** An empty variable (`FOO=` in a compose file or shell) counts as unset, so it gets the default. */
function parse<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(setVariables(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

function setVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

function invalid(variables: string, message: string): ConfigError {
  return new ConfigError(`Invalid configuration:\n  ${variables}: ${message}`);
}

function endpoint(baseUrl: string | undefined, model: string | undefined, apiKey: string | undefined): EndpointConfig | undefined {
  if (!baseUrl || !model) return undefined;
  return { baseUrl, model, ...(apiKey ? { apiKey } : {}) };
}

/** Tools and models only, for the CLIs: needs no database or Redis settings. */
export function loadToolConfig(env: NodeJS.ProcessEnv = process.env): ToolConfig {
  return toolConfig(parse(toolSchema, env));
}

function toolConfig(e: z.infer<typeof toolSchema>): ToolConfig {
  const captioner = endpoint(e.CMVC_CAPTIONER_URL, e.CMVC_CAPTIONER_MODEL, e.CMVC_CAPTIONER_API_KEY);
  const embeddings = endpoint(e.CMVC_EMBEDDINGS_URL, e.CMVC_EMBEDDINGS_MODEL, e.CMVC_EMBEDDINGS_API_KEY);
  if ((e.CMVC_FEATURES === 'clip' || e.CMVC_EMBEDDER === 'clip') && !e.CMVC_CLIP_DIR) {
    throw invalid('CMVC_CLIP_DIR', 'required when CMVC_FEATURES or CMVC_EMBEDDER is clip');
  }
  if (e.CMVC_DESCRIBER === 'openai' && !captioner) {
    throw invalid('CMVC_CAPTIONER_URL, CMVC_CAPTIONER_MODEL', 'required when CMVC_DESCRIBER=openai');
  }
  if (e.CMVC_EMBEDDER === 'openai' && !embeddings) {
    throw invalid('CMVC_EMBEDDINGS_URL, CMVC_EMBEDDINGS_MODEL', 'required when CMVC_EMBEDDER=openai');
  }
  return {
    ffmpeg: { ffmpegPath: e.FFMPEG_PATH, ffprobePath: e.FFPROBE_PATH },
    vmaf: {
      ...(e.VMAF_MODEL_PATH ? { modelPath: resolve(e.VMAF_MODEL_PATH) } : {}),
      ...(e.VMAF_FFMPEG_PATH ? { ffmpegPath: e.VMAF_FFMPEG_PATH } : {}),
    },
    models: {
      features: e.CMVC_FEATURES,
      detector: e.CMVC_DETECTOR,
      detectionScoreThreshold: e.CMVC_DETECTION_THRESHOLD,
      superResolution: { size: e.CMVC_ESRGAN, scale: e.CMVC_ESRGAN_SCALE },
      ocr: e.CMVC_OCR === 'on',
      people: e.CMVC_PEOPLE === 'on',
      describer: e.CMVC_DESCRIBER,
      embedder: e.CMVC_EMBEDDER,
      ...(e.CMVC_CLIP_DIR ? { clipDirectory: e.CMVC_CLIP_DIR } : {}),
      ...(captioner ? { captioner } : {}),
      ...(embeddings ? { embeddings } : {}),
      ...(e.COMFYUI_URL
        ? {
            comfyui: {
              baseUrl: e.COMFYUI_URL,
              ...(e.COMFYUI_TT2V_WORKFLOW ? { tt2vWorkflow: e.COMFYUI_TT2V_WORKFLOW } : {}),
              ...(e.COMFYUI_IT2V_WORKFLOW ? { it2vWorkflow: e.COMFYUI_IT2V_WORKFLOW } : {}),
            },
          }
        : {}),
    },
    debug: e.CMVC_DEBUG,
  };
}

/**
 * The settings of a script run beside the archive (backup, restore, the search evaluation): without
 * DATABASE_URL, `privateServices()` gives the variables of the private services (`scripts/services.sh
 * env`), under any the environment sets itself.
 */
export function loadScriptConfig(privateServices: () => NodeJS.ProcessEnv, env: NodeJS.ProcessEnv = process.env): AppConfig {
  return loadConfig(env.DATABASE_URL ? env : { ...privateServices(), ...setVariables(env) });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = parse(environmentSchema, env);
  const dataDir = resolve(e.CMVC_DATA_DIR);
  if (e.TT2V_GENERATOR === 'comfyui' && !e.COMFYUI_URL) throw invalid('COMFYUI_URL', 'required when TT2V_GENERATOR=comfyui');
  if (e.SPEECH_TO_TEXT === 'openai' && (!e.SPEECH_URL || !e.SPEECH_MODEL)) {
    throw invalid('SPEECH_URL, SPEECH_MODEL', 'required when SPEECH_TO_TEXT=openai');
  }
  if (e.BLOB_STORE === 's3' && !e.S3_BUCKET) throw invalid('S3_BUCKET', 'required when BLOB_STORE=s3');
  return {
    ...toolConfig(e),
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
    generation: { tt2v: e.TT2V_GENERATOR },
    speech: {
      backend: e.SPEECH_TO_TEXT,
      ...(e.SPEECH_TO_TEXT === 'openai' && e.SPEECH_URL && e.SPEECH_MODEL
        ? { openai: { baseUrl: e.SPEECH_URL, model: e.SPEECH_MODEL, ...(e.SPEECH_API_KEY ? { apiKey: e.SPEECH_API_KEY } : {}) } }
        : {}),
      ...(e.SPEECH_LANGUAGE ? { language: e.SPEECH_LANGUAGE } : {}),
      maxSeconds: e.SPEECH_MAX_SECONDS,
    },
    ...(e.TIERING_AFTER_DAYS ? { tieringAfterDays: e.TIERING_AFTER_DAYS } : {}),
  };
}

/** `true`/`false`, a hop count, or Express's address list (`loopback`, `10.0.0.0/8, …`). */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
