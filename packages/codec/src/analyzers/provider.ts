import type { Generator, ImageFeatureExtractor, SceneDescriber, SemanticTextCodec, TextEmbedder } from '../contracts.ts';
import { createTechnicalDescriber, technicalSemanticCodec } from './technical-describer.ts';

/** Everything the encoder, decoder and CLI need from the analysis layer. */
export interface AnalyzerSet {
  /** Where the analyzers came from, e.g. "@cmvc/models" or "builtin". */
  readonly source: string;
  readonly featureExtractor?: ImageFeatureExtractor;
  readonly describer: SceneDescriber;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  readonly generators: readonly Generator[];
  /** Sentence embeddings (used by retrieval TT2V); none built in. */
  readonly textEmbedder?: TextEmbedder;
  /** Releases model resources. */
  dispose?(): Promise<void>;
}

/**
 * `@cmvc/models`' `createAnalyzers()` (sync or async). Its result is read by shape, so the two packages
 * can evolve independently: an `ImageFeatureExtractor` under `featureExtractor` or `features`, a
 * `TextEmbedder` under `textEmbedder` or `text`, a `SceneDescriber` under `describer`, `semanticCodecs` and `generators` arrays, and `dispose()`.
 * Anything missing falls back to the built-in technical analyzers.
 */
export type AnalyzerProvider = () => unknown;

export const MODELS_PACKAGE = '@cmvc/models';

/** Analyzers that need no models: MSE keyframe selection (no feature extractor) and the technical describer. */
export function builtinAnalyzers(): AnalyzerSet {
  return { source: 'builtin', describer: createTechnicalDescriber(), semanticCodecs: [technicalSemanticCodec], generators: [] };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const hasMethods = (value: unknown, ...names: string[]): boolean => isObject(value) && names.every((name) => typeof value[name] === 'function');

function asFeatureExtractor(value: unknown): ImageFeatureExtractor | undefined {
  return hasMethods(value, 'embed') && isObject(value) && typeof value.id === 'string' ? (value as unknown as ImageFeatureExtractor) : undefined;
}

function asDescriber(value: unknown): SceneDescriber | undefined {
  return hasMethods(value, 'describeKeyframe', 'describeMotion') ? (value as unknown as SceneDescriber) : undefined;
}

function listOf<T>(value: unknown, ...methods: string[]): T[] {
  return Array.isArray(value) ? (value.filter((item) => hasMethods(item, ...methods)) as T[]) : [];
}

/**
 * The analyzers `provider` makes (the caller passes `@cmvc/models`' `createAnalyzers`: the codec
 * imports no analysis package), with the built-in ones filling gaps; the built-in set when it
 * gives nothing usable. A provider that fails propagates its error.
 */
export async function loadAnalyzers(options: { readonly provider: AnalyzerProvider }): Promise<AnalyzerSet> {
  const fallback = builtinAnalyzers();
  const { provider } = options;
  const provided: unknown = await provider();
  if (!isObject(provided)) return fallback;
  const featureExtractor = asFeatureExtractor(provided.featureExtractor) ?? asFeatureExtractor(provided.features);
  const describer = asDescriber(provided.describer);
  const textEmbedder = asFeatureExtractor(provided.textEmbedder) ?? asFeatureExtractor(provided.text);
  const dispose = provided.dispose;
  return {
    source: typeof provided.source === 'string' ? provided.source : describer ? MODELS_PACKAGE : `${MODELS_PACKAGE} + builtin describer`,
    ...(featureExtractor ? { featureExtractor } : {}),
    describer: describer ?? fallback.describer,
    // The built-in codec always comes along: streams written with the technical describer stay readable.
    semanticCodecs: [...listOf<SemanticTextCodec>(provided.semanticCodecs, 'expand'), technicalSemanticCodec],
    generators: listOf<Generator>(provided.generators, 'generateClip'),
    ...(textEmbedder ? { textEmbedder: textEmbedder as unknown as TextEmbedder } : {}),
    ...(typeof dispose === 'function' ? { dispose: async () => void (await (dispose as () => unknown).call(provided)) } : {}),
  };
}
