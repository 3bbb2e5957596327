import { loadAnalyzers, type Analyzers, type TextEmbedder } from '@cmvc/codec';

export interface WorkerModels {
  readonly analyzers: Analyzers;
  readonly embedder: TextEmbedder | null;
  dispose(): Promise<void>;
}

/** The analyzers the encoder uses (from @cmvc/models when it provides them) and the caption embedder. */
export async function loadWorkerModels(): Promise<WorkerModels> {
  const set = await loadAnalyzers();
  console.log(`analyzers: ${set.source} (describer ${set.describer.id}${set.featureExtractor ? `, features ${set.featureExtractor.id}` : ''})`);
  return {
    analyzers: {
      describer: set.describer,
      ...(set.featureExtractor ? { featureExtractor: set.featureExtractor } : {}),
      ...(set.semanticCodecs[0] ? { semanticCodec: set.semanticCodecs[0] } : {}),
    },
    embedder: null,
    dispose: async () => {
      await set.dispose?.();
    },
  };
}
