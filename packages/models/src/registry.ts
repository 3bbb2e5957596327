/**
 * The one place where configuration picks the model behind each task: image features for
 * keyframe selection, the describer (T_k, T_m), caption/query embeddings and generators.
 * Everything is built lazily: no weights load until an analyzer is first used.
 */
import { readFileSync } from 'node:fs';
import type { AnalyzerSet, Generator, SemanticTextCodec, TextEmbedder } from '@cmvc/codec';
import { ComfyUiGenerator } from './backends/comfyui/generator.ts';
import { OnnxClipModel } from './backends/clip/onnx-clip.ts';
import { OpenAiCaptioner } from './backends/openai-captioner.ts';
import { OpenAiEmbedder } from './backends/openai-embedder.ts';
import { CmvcDescriber, createSemanticCodec } from './describe/describer.ts';
import { createObjectDetector, type DetectorModelName } from './detect/detector.ts';
import { createImageFeatureExtractor, type FeatureModelName } from './features/mobilenet.ts';
import { analyseMotion } from './motion/analyse.ts';
import { createTextReader } from './ocr/reader.ts';
import { createFaceAnalyzer } from './people/face.ts';
import { createPoseEstimator } from './people/pose.ts';
import { ModelError } from './runtime/errors.ts';
import { createSuperResolver, type EsrganScale, type EsrganSize } from './superres/esrgan.ts';
import { createTextEmbedder } from './text/use-lite.ts';
import type { SuperResolver } from './types.ts';

export interface EndpointSettings {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string;
}

export interface ModelSettings {
  /** Keyframe-selection features: MobileNetV2 or InceptionV3 pooled (built in), or a CLIP vision encoder. */
  readonly features: FeatureModelName | 'clip';
  readonly detector: DetectorModelName | 'none';
  /** Detections below this score are dropped (0..1). */
  readonly detectionScoreThreshold: number;
  /** ESRGAN model and factor for upscaling decoded keyframes. */
  readonly superResolution: { readonly size: EsrganSize; readonly scale: EsrganScale };
  readonly ocr: boolean;
  /** People in descriptions: body pose (MoveNet), then age, gender and expression of their faces. */
  readonly people: boolean;
  /** T_k/T_m: the built-in analyzers, or a multimodal LLM over an OpenAI-compatible endpoint. */
  readonly describer: 'builtin' | 'openai';
  /** Caption and query embeddings (512-d): USE-lite (built in), an OpenAI-compatible endpoint, or CLIP text. */
  readonly embedder: 'use-lite' | 'openai' | 'clip';
  readonly clipDirectory?: string;
  readonly captioner?: EndpointSettings;
  readonly embeddings?: EndpointSettings;
  readonly comfyui?: { readonly baseUrl: string; readonly tt2vWorkflow?: string; readonly it2vWorkflow?: string };
}

function endpoint(env: NodeJS.ProcessEnv, prefix: string): EndpointSettings | undefined {
  const baseUrl = env[`${prefix}_URL`];
  const model = env[`${prefix}_MODEL`];
  if (!baseUrl || !model) return undefined;
  return { baseUrl, model, ...(env[`${prefix}_API_KEY`] ? { apiKey: env[`${prefix}_API_KEY`] } : {}) };
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ModelError('invalid-config', `${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  }
  return value as T;
}

function fraction(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new ModelError('invalid-config', `${name} must be a number from 0 to 1, not "${value}"`);
  return number;
}

/** Reads the model settings from the environment (see README, "Models"). */
export function modelSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ModelSettings {
  const settings: ModelSettings = {
    features: oneOf('CMVC_FEATURES', env.CMVC_FEATURES, ['mobilenet-v2', 'inception-v3', 'clip'], 'mobilenet-v2'),
    detector: oneOf('CMVC_DETECTOR', env.CMVC_DETECTOR, ['centernet', 'nanodet', 'none'], 'centernet'),
    detectionScoreThreshold: fraction('CMVC_DETECTION_THRESHOLD', env.CMVC_DETECTION_THRESHOLD, 0.35),
    superResolution: {
      size: oneOf('CMVC_ESRGAN', env.CMVC_ESRGAN, ['slim', 'medium'], 'slim'),
      scale: Number(oneOf('CMVC_ESRGAN_SCALE', env.CMVC_ESRGAN_SCALE, ['2', '3', '4'], '2')) as EsrganScale,
    },
    ocr: oneOf('CMVC_OCR', env.CMVC_OCR, ['on', 'off'], 'on') === 'on',
    people: oneOf('CMVC_PEOPLE', env.CMVC_PEOPLE, ['on', 'off'], 'on') === 'on',
    describer: oneOf('CMVC_DESCRIBER', env.CMVC_DESCRIBER, ['builtin', 'openai'], 'builtin'),
    embedder: oneOf('CMVC_EMBEDDER', env.CMVC_EMBEDDER, ['use-lite', 'openai', 'clip'], 'use-lite'),
    ...(env.CMVC_CLIP_DIR ? { clipDirectory: env.CMVC_CLIP_DIR } : {}),
    ...(endpoint(env, 'CMVC_CAPTIONER') ? { captioner: endpoint(env, 'CMVC_CAPTIONER') } : {}),
    ...(endpoint(env, 'CMVC_EMBEDDINGS') ? { embeddings: endpoint(env, 'CMVC_EMBEDDINGS') } : {}),
    ...(env.COMFYUI_URL
      ? {
          comfyui: {
            baseUrl: env.COMFYUI_URL,
            ...(env.COMFYUI_TT2V_WORKFLOW ? { tt2vWorkflow: env.COMFYUI_TT2V_WORKFLOW } : {}),
            ...(env.COMFYUI_IT2V_WORKFLOW ? { it2vWorkflow: env.COMFYUI_IT2V_WORKFLOW } : {}),
          },
        }
      : {}),
  };
  const needsClip = settings.features === 'clip' || settings.embedder === 'clip';
  if (needsClip && !settings.clipDirectory) throw new ModelError('invalid-config', 'CLIP is selected but CMVC_CLIP_DIR is not set');
  if (settings.describer === 'openai' && !settings.captioner) {
    throw new ModelError('invalid-config', 'CMVC_DESCRIBER=openai needs CMVC_CAPTIONER_URL and CMVC_CAPTIONER_MODEL');
  }
  if (settings.embedder === 'openai' && !settings.embeddings) {
    throw new ModelError('invalid-config', 'CMVC_EMBEDDER=openai needs CMVC_EMBEDDINGS_URL and CMVC_EMBEDDINGS_MODEL');
  }
  return settings;
}

/** Detections down to this score reach the describer as evidence for its priors (describe/priors.ts). */
const CANDIDATE_SCORE = 0.1;

/** The codec's analyzer set plus the embedder for captions and queries. */
export interface ModelSet extends AnalyzerSet {
  readonly textEmbedder: TextEmbedder;
  readonly superResolver: SuperResolver;
}

function readWorkflow(path: string | undefined): unknown {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelError('invalid-config', `cannot read ComfyUI workflow ${path}: ${(error as Error).message}`);
  }
}

type Track = <T extends { dispose(): Promise<void> | void }>(resource: T) => T;

function configuredTextEmbedder(settings: ModelSettings, clip: OnnxClipModel | undefined, track: Track): TextEmbedder {
  if (settings.embedder === 'clip') return clip!.texts;
  if (settings.embedder === 'openai') return new OpenAiEmbedder({ ...settings.embeddings!, dimensions: 512 });
  return track(createTextEmbedder());
}

/** Just the caption/query embedder, for processes (the API) that need nothing else. */
export function createConfiguredTextEmbedder(
  settings: ModelSettings = modelSettingsFromEnv(),
): TextEmbedder & { dispose(): Promise<void> } {
  const disposables: { dispose(): Promise<void> | void }[] = [];
  const clip = settings.embedder === 'clip' ? new OnnxClipModel({ directory: settings.clipDirectory! }) : undefined;
  if (clip) disposables.push({ dispose: () => clip.release() });
  const embedder = configuredTextEmbedder(settings, clip, (resource) => {
    disposables.push(resource);
    return resource;
  });
  return {
    id: embedder.id,
    dimensions: embedder.dimensions,
    embed: (texts) => embedder.embed(texts),
    dispose: async () => void (await Promise.all(disposables.map((resource) => resource.dispose()))),
  };
}

/**
 * Builds the configured models. This is also the `createAnalyzers` provider that the codec's CLI
 * discovers (see `@cmvc/codec` analyzers/provider.ts).
 */
export function createModelSet(settings: ModelSettings = modelSettingsFromEnv()): ModelSet {
  const disposables: { dispose(): Promise<void> | void }[] = [];
  const track: Track = (resource) => {
    disposables.push(resource);
    return resource;
  };

  const clip = settings.clipDirectory ? new OnnxClipModel({ directory: settings.clipDirectory }) : undefined;
  if (clip) disposables.push({ dispose: () => clip.release() });

  const featureExtractor = settings.features === 'clip' ? clip!.images : track(createImageFeatureExtractor({ model: settings.features }));
  const textEmbedder = configuredTextEmbedder(settings, clip, track);

  const detector =
    settings.detector === 'none'
      ? undefined
      : track(createObjectDetector({ model: settings.detector, scoreThreshold: Math.min(CANDIDATE_SCORE, settings.detectionScoreThreshold) }));
  const superResolver = track(createSuperResolver(settings.superResolution));
  const textReader = settings.ocr ? track(createTextReader()) : undefined;
  const poseEstimator = settings.people ? track(createPoseEstimator()) : undefined;
  const faceAnalyzer = settings.people ? track(createFaceAnalyzer()) : undefined;
  const builtinDescriber = new CmvcDescriber({
    minDetectionScore: settings.detectionScoreThreshold,
    ...(detector ? { detector } : {}),
    ...(textReader ? { textReader } : {}),
    ...(poseEstimator ? { poseEstimator } : {}),
    ...(faceAnalyzer ? { faceAnalyzer } : {}),
  });
  const describer =
    settings.describer === 'openai'
      ? new OpenAiCaptioner({
          ...settings.captioner!,
          // The LLM describes; the camera motion the TT2V animator needs is still measured from the pixels.
          estimateCamera: async (clipFrames) => (await analyseMotion(clipFrames.frames)).camera,
        })
      : builtinDescriber;

  const generators: Generator[] = [];
  if (settings.comfyui) {
    generators.push(
      new ComfyUiGenerator({
        baseUrl: settings.comfyui.baseUrl,
        tt2vWorkflow: readWorkflow(settings.comfyui.tt2vWorkflow),
        it2vWorkflow: readWorkflow(settings.comfyui.it2vWorkflow),
      }),
    );
  }
  const semanticCodecs: SemanticTextCodec[] = [createSemanticCodec()];

  return {
    source: '@cmvc/models',
    featureExtractor,
    describer,
    semanticCodecs,
    generators,
    textEmbedder,
    superResolver,
    async dispose() {
      await Promise.all(disposables.map((resource) => resource.dispose()));
    },
  };
}

/** The codec CLI's discovery hook (`AnalyzerProvider`). */
export async function createAnalyzers(): Promise<ModelSet> {
  return createModelSet();
}
