import type { BlobStore } from '@cmvc/blob';
import { RetrievalGenerator, type Analyzers, type Generator, type SemanticTextCodec, type TextEmbedder } from '@cmvc/codec';
import type { AppConfig } from '@cmvc/config';
import type { SearchRepository } from '@cmvc/db';
import { createModelSet } from '@cmvc/models';
import { ArchiveExemplarLibrary } from './exemplar-library.ts';

export interface WorkerModels {
  readonly analyzers: Analyzers;
  readonly embedder: TextEmbedder;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  /** The TT2V generator for one video, or null when TT2V is switched off. */
  tt2vGenerator(videoId: string): Generator | null;
  dispose(): Promise<void>;
}

/** The models the worker encodes and renders with, as configured (see @cmvc/models registry). */
export async function loadWorkerModels(
  config: AppConfig,
  archive: { readonly search: SearchRepository; readonly blobs: BlobStore },
): Promise<WorkerModels> {
  const models = createModelSet();
  const comfyui = models.generators.find((generator) => generator.modes.includes('tt2v')) ?? null;
  if (config.generation.tt2v === 'comfyui' && !comfyui) {
    throw new Error('TT2V_GENERATOR=comfyui needs COMFYUI_URL and COMFYUI_TT2V_WORKFLOW');
  }
  const library = new ArchiveExemplarLibrary(archive.search, archive.blobs);
  console.log(
    `models: features ${models.featureExtractor?.id ?? 'none'}, describer ${models.describer.id}, embedder ${models.textEmbedder.id}, tt2v ${config.generation.tt2v}`,
  );
  return {
    analyzers: {
      describer: models.describer,
      ...(models.featureExtractor ? { featureExtractor: models.featureExtractor } : {}),
      ...(models.semanticCodecs[0] ? { semanticCodec: models.semanticCodecs[0] } : {}),
    },
    embedder: models.textEmbedder,
    semanticCodecs: models.semanticCodecs,
    tt2vGenerator(videoId) {
      if (config.generation.tt2v === 'none') return null;
      if (config.generation.tt2v === 'comfyui') return comfyui;
      return new RetrievalGenerator({ library, embedder: models.textEmbedder, excludeVideoId: videoId });
    },
    dispose: () => models.dispose?.() ?? Promise.resolve(),
  };
}
