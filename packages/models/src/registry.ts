/**
 * The one place where configuration picks the model behind each task: image features for
 * keyframe selection, the describer (T_k, T_m), caption/query embeddings and generators.
 * Everything is built lazily: no weights load until an analyzer is first used.
 */
import { readFileSync } from 'node:fs';
import { loadToolConfig, type ModelsConfig } from '@cmvc/config';
import { DEFAULT_MEDIA_TOOLS, type MediaTools } from '@cmvc/media-io';
import type { AnalyzerSet, Generator, SemanticTextCodec, TextEmbedder } from '@cmvc/codec';
import { ComfyUiGenerator } from './backends/comfyui/generator.ts';
import { OnnxClipModel } from './backends/clip/onnx-clip.ts';
import { OpenAiCaptioner } from './backends/openai-captioner.ts';
import { OpenAiEmbedder } from './backends/openai-embedder.ts';
import { CmvcDescriber, createSemanticCodec } from './describe/describer.ts';
import { createObjectDetector } from './detect/detector.ts';
import { createImageFeatureExtractor } from './features/mobilenet.ts';
import { analyseMotion } from './motion/analyse.ts';
import { createTextReader } from './ocr/reader.ts';
import { createFaceAnalyzer } from './people/face.ts';
import { createHeadPoseEstimator } from './people/head.ts';
import { createHandDetector } from './people/hands.ts';
import { createPoseEstimator } from './people/pose.ts';
import { ModelError } from './runtime/errors.ts';
import { createSuperResolver } from './superres/esrgan.ts';
import { createTextEmbedder } from './text/use-lite.ts';
import type { SuperResolver } from './types.ts';

/** The model behind each task, as `@cmvc/config` parses it from the environment (README, "Models"). */
export type ModelSettings = ModelsConfig;

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
export function createConfiguredTextEmbedder(settings: ModelSettings): TextEmbedder & { dispose(): Promise<void> } {
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
export function createModelSet(settings: ModelSettings, mediaTools: MediaTools = DEFAULT_MEDIA_TOOLS): ModelSet {
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
  const headPoseEstimator = settings.people ? track(createHeadPoseEstimator()) : undefined;
  const handDetector = settings.people ? track(createHandDetector()) : undefined;
  const builtinDescriber = new CmvcDescriber({
    minDetectionScore: settings.detectionScoreThreshold,
    ...(detector ? { detector } : {}),
    ...(textReader ? { textReader } : {}),
    ...(poseEstimator ? { poseEstimator } : {}),
    ...(faceAnalyzer ? { faceAnalyzer } : {}),
    ...(headPoseEstimator ? { headPoseEstimator } : {}),
    ...(handDetector ? { handDetector } : {}),
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
        tools: mediaTools,
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
  const config = loadToolConfig();
  return createModelSet(config.models, config.ffmpeg);
}
