import type { SceneDescriber, TextEmbedder } from '@cmvc/codec';
import type { ObjectDetector } from '@cmvc/models';
import { fpsValue } from '../media/probe.ts';
import { readRgb, type RawVideo } from '../media/raw.ts';

export interface SemanticAnalyzers {
  readonly describer: SceneDescriber;
  readonly textEmbedder: TextEmbedder;
  /**
   * COCO detector for describers that report no objects of their own (an LLM captioner); without
   * either, the detection agreement is not measured.
   */
  readonly detector?: ObjectDetector;
}

/** What the models layer sees in a few sampled frames of one video. */
export interface SemanticProfile {
  readonly frameIndices: readonly number[];
  readonly captions: readonly string[];
  readonly embeddings: readonly Float32Array[];
  /** Detected COCO labels per sampled frame; absent without a detector. */
  readonly classSets?: readonly ReadonlySet<string>[];
}

export interface SemanticScores {
  /** Mean cosine similarity of the caption embeddings, frame by frame (1 = same meaning). */
  readonly captionSimilarity: number;
  /** Mean Jaccard index of the detected class sets, frame by frame (both empty counts as 1). */
  readonly detectionJaccard: number | null;
}

/** Describes and detects the frames at `indices` of `video`. */
export async function semanticProfile(video: RawVideo, indices: readonly number[], analyzers: SemanticAnalyzers, signal?: AbortSignal): Promise<SemanticProfile> {
  const { info } = video;
  const planes = await readRgb(video, indices);
  signal?.throwIfAborted();
  const frames = planes.map((data, i) => ({ width: info.width, height: info.height, data, index: indices[i]!, time: indices[i]! / fpsValue(info) }));
  const descriptions = [];
  for (const frame of frames) descriptions.push(await analyzers.describer.describeKeyframe(frame));
  const captions = descriptions.map((description) => description.text);
  const embeddings = await analyzers.textEmbedder.embed(captions);
  // The built-in describer reports what its detector found, so the frames need not be detected twice.
  const described = descriptions.every((description) => description.objects !== undefined);
  const labels = described
    ? descriptions.map((description) => description.objects!)
    : analyzers.detector
      ? (await analyzers.detector.detect(frames)).map((found) => found.map((d) => d.label))
      : undefined;
  const classSets = labels?.map((list) => new Set(list));
  return { frameIndices: indices, captions, embeddings, ...(classSets ? { classSets } : {}) };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const label of a) if (b.has(label)) shared += 1;
  return shared / (a.size + b.size - shared);
}

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** Frame-by-frame agreement of a reconstruction's profile with the source's (same sampled frames). */
export function semanticAgreement(source: SemanticProfile, reconstruction: SemanticProfile): SemanticScores {
  const pairs = source.embeddings.map((embedding, i) => [embedding, reconstruction.embeddings[i]] as const).filter((p): p is readonly [Float32Array, Float32Array] => p[1] !== undefined);
  const sourceSets = source.classSets;
  const reconstructionSets = reconstruction.classSets;
  const jaccards = sourceSets && reconstructionSets ? sourceSets.map((set, i) => jaccard(set, reconstructionSets[i] ?? new Set())) : [];
  return {
    captionSimilarity: pairs.length > 0 ? mean(pairs.map(([a, b]) => cosine(a, b))) : 0,
    detectionJaccard: jaccards.length > 0 ? mean(jaccards) : null,
  };
}
