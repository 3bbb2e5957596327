import type { BlobStore } from '@cmvc/blob';
import { RetrievalGenerator, type Analyzers, type Generator, type ImageFeatureExtractor, type SceneDescriber, type SemanticTextCodec, type TextEmbedder } from '@cmvc/codec';
import type { AppConfig } from '@cmvc/config';
import type { SearchRepository } from '@cmvc/db';
import { createModelSet, OpenAiTranscriber, PocketsphinxTranscriber, SileroVad, ThreadedDescriber, type ModelSet, type SpeechPipeline } from '@cmvc/models';
import { ArchiveExemplarLibrary } from './exemplar-library.ts';

export interface WorkerModels {
  readonly analyzers: Analyzers;
  readonly embedder: TextEmbedder;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  /** Voice activity and speech to text for SPEECH captions, or null when SPEECH_TO_TEXT=off. */
  readonly speech: SpeechPipeline | null;
  /** The TT2V generator for one video, or null when TT2V is switched off. */
  tt2vGenerator(videoId: string): Generator | null;
  dispose(): Promise<void>;
}

/** The models the worker encodes and renders with, as configured (see @cmvc/models registry). */
export async function loadWorkerModels(
  config: AppConfig,
  archive: { readonly search: SearchRepository; readonly blobs: BlobStore },
): Promise<WorkerModels> {
  const models = createModelSet(config.models, config.ffmpeg);
  const comfyui = models.generators.find((generator) => generator.modes.includes('tt2v')) ?? null;
  if (config.generation.tt2v === 'comfyui' && !comfyui) {
    throw new Error('TT2V_GENERATOR=comfyui needs COMFYUI_URL and COMFYUI_TT2V_WORKFLOW');
  }
  const library = new ArchiveExemplarLibrary(archive.search, archive.blobs);
  const speech = speechPipeline(config.speech);
  const { describer, featureExtractor, thread } = encodeAnalyzers(config.models, models);
  console.log(
    `models: features ${models.featureExtractor?.id ?? 'none'}, describer ${models.describer.id}, embedder ${models.textEmbedder.id}, ` +
      `speech ${speech?.transcriber.id ?? 'off'}, tt2v ${config.generation.tt2v}`,
  );
  return {
    analyzers: {
      describer,
      ...(featureExtractor ? { featureExtractor } : {}),
      ...(models.semanticCodecs[0] ? { semanticCodec: models.semanticCodecs[0] } : {}),
    },
    embedder: models.textEmbedder,
    semanticCodecs: models.semanticCodecs,
    speech,
    tt2vGenerator(videoId) {
      if (config.generation.tt2v === 'none') return null;
      if (config.generation.tt2v === 'comfyui') return comfyui;
      return new RetrievalGenerator({ library, embedder: models.textEmbedder, excludeVideoId: videoId });
    },
    async dispose() {
      await Promise.all([
        models.dispose?.(),
        thread?.dispose(),
        speech?.vad instanceof SileroVad ? speech.vad.dispose() : undefined,
      ]);
    },
  };
}

/** The configured speech pipeline, or null when SPEECH_TO_TEXT=off. */
export function speechPipeline(settings: AppConfig['speech']): SpeechPipeline | null {
  if (settings.backend === 'off') return null;
  const transcriber =
    settings.backend === 'openai' && settings.openai
      ? new OpenAiTranscriber({ ...settings.openai, ...(settings.language ? { language: settings.language } : {}) })
      : new PocketsphinxTranscriber();
  return { vad: new SileroVad(), transcriber };
}

/**
 * The describer and feature extractor the encoder uses. The built-in describer runs on its own
 * thread beside the codec, with the feature extractor (their models are loaded there, not in
 * `models`); a remote describer (openai) is only network waits, so both stay here.
 */
export function encodeAnalyzers(
  settings: AppConfig['models'],
  models: Pick<ModelSet, 'describer' | 'featureExtractor'>,
): { describer: SceneDescriber; featureExtractor?: ImageFeatureExtractor; thread?: ThreadedDescriber } {
  if (settings.describer !== 'builtin') return { describer: models.describer, ...(models.featureExtractor ? { featureExtractor: models.featureExtractor } : {}) };
  const thread = new ThreadedDescriber(settings, models.describer.id);
  return { describer: thread, ...(models.featureExtractor ? { featureExtractor: thread.features(models.featureExtractor) } : {}), thread };
}
