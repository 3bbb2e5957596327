import type { ImageFeatureExtractor, RgbFrame, TimedFrame } from '../contracts.ts';
import { CodecError } from '../errors.ts';
import { bidirectionalFlow } from '../it2v/flow.ts';
import { fitGrids, fitQuantisedLevels } from '../it2v/fit.ts';
import type { OpenCv } from '../it2v/opencv.ts';
import { renderInto } from '../it2v/warp.ts';
import { cosineSimilarity, meanSquaredError } from './distance.ts';
import { clampKeyframeCount, randomKeyframes, searchIntervals, uniformKeyframes, type KeyframeStrategy } from './plan.ts';

/**
 * Rate–distortion planning of the keyframe layer, one segment (scene) at a time.
 *
 * The video is cut into segments at scene cuts and at most every `maxSegmentSeconds`. For each
 * segment the planner measures, on the analysis-size frames, how far IT2V's interpolation lands
 * from the real frame when keyframes are `s` frames apart, for growing `s`, and keeps the widest
 * spacing whose interpolation error stays within the quality target: static scenes get sparse
 * keyframes, motion gets dense ones, down to every frame. Eq. 1 (`cs`/`mse`/`uniform`/`random`)
 * then decides *where* that many keyframes go; R-D decides *how many*, and the AV1 quantizer per
 * segment follows the spacing (a keyframe that stands for more frames is coded finer).
 */

/** Spacings (in frames) the planner tries, in increasing order. */
export const CANDIDATE_SPACINGS: readonly number[] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];

export interface LayerTarget {
  /** Interpolated frames must stay at or above this PSNR (dB, RGB, analysis size) against the source. */
  readonly interpolationPsnr: number;
  /** AV1 constant-quality level at spacing 1. */
  readonly crf: number;
  /** CRF steps finer per doubling of the spacing. */
  readonly crfPerDoubling: number;
  /** Widest spacing allowed, in seconds. */
  readonly maxSpacingSeconds: number;
  /** The layer is coded at this fraction of the working size (0 < scale ≤ 1; default 1) and scaled back by the decoder. */
  readonly scale?: number;
}

export interface SegmentPlan {
  /** First and last frame of the segment, inclusive. */
  readonly start: number;
  readonly end: number;
  /** Frames coded in the keyframe layer, ascending, including `start` and `end`. */
  readonly coded: readonly number[];
  /** Keyframes that get a content description, ascending, a subset of `coded` (the segment's first frame among them). */
  readonly described: readonly number[];
  readonly spacing: number;
  readonly crf: number;
  /** Measured interpolation PSNR at the chosen spacing (Infinity at spacing 1). */
  readonly interpolationPsnr: number;
}

export interface PlanOptions {
  readonly fps: number;
  readonly strategy: KeyframeStrategy;
  readonly featureExtractor?: ImageFeatureExtractor;
  readonly seed?: number;
  readonly target: LayerTarget;
  /** About one described keyframe per this many seconds. */
  readonly describeEverySeconds: number;
  /** Longest segment, in seconds (also bounds how far back a seek must decode). */
  readonly maxSegmentSeconds: number;
  readonly cv: OpenCv;
  readonly batchSize?: number;
  readonly onFrame?: (index: number) => void;
}

export interface LayerPlan {
  readonly segments: readonly SegmentPlan[];
  readonly frameCount: number;
}

/** Mean absolute luma-ish difference between consecutive frames (0..255) above which a scene cut is assumed. */
const SCENE_CUT_DIFFERENCE = 40;
/** No cut is taken within this many seconds of the segment start (flashes, fades). */
const MIN_SEGMENT_SECONDS = 0.5;
/** Frame pairs sampled per spacing candidate. */
const SAMPLES_PER_SPACING = 5;
/**
 * `cs` compares frames by image features sampled this often (every 2nd frame at 30 fps); a frame
 * between samples takes the nearest sample's. Features of every frame were the encoder's largest
 * cost (MobileNetV2 on each frame). At 10 a second the layer lost 0.1–0.3 dB of IT2V PSNR on real
 * clips; at 15 it stayed within ±0.15 dB of sampling every frame (docs/BENCHMARKS.md, "Encode").
 */
const FEATURE_SAMPLES_PER_SECOND = 15;

type Descriptor = Float32Array | Uint8Array;

/** Plans the whole video from frames at analysis size, streamed once. */
export async function planLayer(frames: AsyncIterable<TimedFrame>, options: PlanOptions): Promise<LayerPlan> {
  if (options.strategy === 'cs' && !options.featureExtractor)
    throw new CodecError('INVALID_OPTIONS', 'keyframe strategy "cs" needs an image feature extractor');
  const maxFrames = Math.max(2, Math.round(options.maxSegmentSeconds * options.fps));
  const minFrames = Math.max(2, Math.round(MIN_SEGMENT_SECONDS * options.fps));
  const segments: SegmentPlan[] = [];
  let pending: TimedFrame[] = [];
  let start = 0;
  let count = 0;
  const close = async (): Promise<void> => {
    if (pending.length === 0) return;
    segments.push(await planSegment(pending, start, options));
    start += pending.length;
    pending = [];
  };
  for await (const frame of frames) {
    if (frame.index !== count) throw new CodecError('SOURCE_CHANGED', 'frames arrived out of order');
    count += 1;
    options.onFrame?.(frame.index);
    const previous = pending[pending.length - 1];
    const cut = previous !== undefined && pending.length >= minFrames && meanAbsoluteDifference(previous, frame) > SCENE_CUT_DIFFERENCE;
    if (cut || pending.length >= maxFrames) await close();
    pending.push(frame);
  }
  await close();
  return { segments, frameCount: count };
}

async function planSegment(frames: readonly TimedFrame[], start: number, options: PlanOptions): Promise<SegmentPlan> {
  const length = frames.length;
  const end = start + length - 1;
  const { target } = options;
  const maxSpacing = Math.max(1, Math.min(length - 1, Math.round(target.maxSpacingSeconds * options.fps)));
  // The features are asked for first: an extractor on another thread computes them while the flow runs here.
  const describing = length > 1 ? describeFrames(frames, options) : undefined;
  describing?.catch(() => undefined); // observed below
  let spacing = 1;
  let measured = Number.POSITIVE_INFINITY;
  for (const candidate of CANDIDATE_SPACINGS) {
    if (candidate < 2) continue;
    if (candidate > maxSpacing) break;
    const psnr = interpolationPsnr(frames, candidate, options.cv);
    if (psnr < target.interpolationPsnr) break;
    spacing = candidate;
    measured = psnr;
  }
  if (length === 1) return { start, end, coded: [start], described: [start], spacing: 1, crf: target.crf, interpolationPsnr: measured };

  const descriptors = await describing!;
  const descriptorAt = (i: number): Descriptor | undefined => descriptors[i];
  const describedCount = Math.max(2, Math.round((length - 1) / options.fps / options.describeEverySeconds) + 1);
  const describedLocal = place(length, descriptorAt, describedCount, options);
  // The layer codes every described keyframe too, so each description has its own pixels.
  const local = [...new Set([...place(length, descriptorAt, Math.ceil((length - 1) / spacing) + 1, options), ...describedLocal])].sort((a, b) => a - b);
  const crf = Math.max(0, Math.min(63, Math.round(target.crf - target.crfPerDoubling * Math.log2(spacing))));
  return {
    start,
    end,
    coded: local.map((i) => start + i),
    // The segment's last frame is coded but described only if it closes the video (the next segment's first frame is described).
    described: describedLocal.filter((i) => i < length - 1).map((i) => start + i),
    spacing,
    crf,
    interpolationPsnr: measured,
  };
}

/**
 * PSNR of IT2V (flow warp with fitted weights) at the midpoint between frames `spacing` apart,
 * over up to SAMPLES_PER_SPACING evenly placed pairs of the segment.
 */
function interpolationPsnr(frames: readonly RgbFrame[], spacing: number, cv: OpenCv): number {
  const pairs = Math.floor((frames.length - 1) / spacing);
  if (pairs < 1) return Number.POSITIVE_INFINITY;
  const samples = Math.min(SAMPLES_PER_SPACING, pairs);
  // The segment's frames share one size, so every sample's flows, grids and rendering reuse one set of buffers.
  const { width, height } = frames[0]!;
  const flows = { flow01: new Float32Array(width * height * 2), flow10: new Float32Array(width * height * 2) };
  const grids = fitGrids(width, height);
  const rendered = new Uint8Array(width * height * 3);
  let squared = 0;
  let values = 0;
  for (let k = 0; k < samples; k += 1) {
    const first = Math.floor((k * pairs) / samples) * spacing;
    const k0 = frames[first]!;
    const k1 = frames[first + spacing]!;
    const middle = frames[first + (spacing >> 1)]!;
    const sources = { width, height, k0, k1, ...bidirectionalFlow(cv, k0, k1, flows) };
    const t = (spacing >> 1) / spacing;
    const fit = fitQuantisedLevels(sources, grids, middle, t);
    renderInto(sources, fit.wiLevel / 63, fit.wlLevel / 63, rendered);
    for (let i = 0; i < rendered.length; i += 1) {
      const d = rendered[i]! - middle.data[i]!;
      squared += d * d;
    }
    values += rendered.length;
  }
  const mse = squared / Math.max(1, values);
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

function meanAbsoluteDifference(a: RgbFrame, b: RgbFrame): number {
  let sum = 0;
  // Every 4th pixel is plenty for a cut test.
  for (let i = 0; i < a.data.length; i += 12) sum += Math.abs(a.data[i]! - b.data[i]!) + Math.abs(a.data[i + 1]! - b.data[i + 1]!) + Math.abs(a.data[i + 2]! - b.data[i + 2]!);
  return sum / (3 * Math.ceil(a.data.length / 12));
}

async function describeFrames(frames: readonly RgbFrame[], options: PlanOptions): Promise<Descriptor[]> {
  if (options.strategy === 'mse') return frames.map((frame) => frame.data);
  if (options.strategy !== 'cs') return [];
  const stride = Math.max(1, Math.round(options.fps / FEATURE_SAMPLES_PER_SECOND));
  const sampled = [...new Set([...Array.from({ length: Math.ceil(frames.length / stride) }, (_, k) => k * stride), frames.length - 1])];
  const features = await embedFrames(sampled.map((i) => frames[i]!), options);
  // Each frame takes the features of the nearest sample (the earlier one on a tie).
  return frames.map((_, i) => {
    const around = Math.min(sampled.length - 1, Math.round(i / stride));
    let nearest = Math.max(0, around - 1);
    for (let k = nearest + 1; k <= Math.min(sampled.length - 1, around + 1); k += 1) {
      if (Math.abs(sampled[k]! - i) < Math.abs(sampled[nearest]! - i)) nearest = k;
    }
    return features[nearest]!;
  });
}

async function embedFrames(frames: readonly RgbFrame[], options: PlanOptions): Promise<Descriptor[]> {
  const extractor = options.featureExtractor!;
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const descriptors: Descriptor[] = [];
  for (let i = 0; i < frames.length; i += batchSize) {
    const batch = frames.slice(i, i + batchSize);
    let features: Float32Array[];
    try {
      features = await extractor.embed(batch);
    } catch (error) {
      throw new CodecError('ANALYZER_FAILED', `feature extractor ${extractor.id} failed: ${(error as Error).message}`, { cause: error });
    }
    if (features.length !== batch.length)
      throw new CodecError('ANALYZER_FAILED', `feature extractor ${extractor.id} returned ${features.length} vectors for ${batch.length} frames`);
    descriptors.push(...features);
  }
  return descriptors;
}

/**
 * Eq. 1 over `length` frames: `count` indices, the first and last always, and in each uniform search
 * window the frame whose descriptor is farthest from the previous pick's (`uniform` and `random`
 * need no descriptors).
 */
function place(length: number, descriptorAt: (i: number) => Descriptor | undefined, count: number, options: Pick<PlanOptions, 'strategy' | 'seed'>): number[] {
  const n = clampKeyframeCount(count, length);
  if (n >= length) return Array.from({ length }, (_, i) => i);
  if (options.strategy === 'uniform') return uniformKeyframes(length, n);
  if (options.strategy === 'random') return randomKeyframes(length, n, options.seed ?? 0);
  const distance = (a: Descriptor, b: Descriptor): number =>
    options.strategy === 'mse' ? meanSquaredError(a as Uint8Array, b as Uint8Array) : 1 - cosineSimilarity(a as Float32Array, b as Float32Array);
  const descriptor = (i: number): Descriptor => {
    const value = descriptorAt(i);
    if (!value) throw new CodecError('INTERNAL', `no descriptor for frame ${i}`);
    return value;
  };
  const picks = [0];
  let reference = descriptor(0);
  for (const { start, end } of searchIntervals(length, n)) {
    let best = start;
    let bestDistance = -1;
    for (let i = start; i <= end; i += 1) {
      const d = distance(reference, descriptor(i));
      if (d > bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    picks.push(best);
    reference = descriptor(best);
  }
  picks.push(length - 1);
  return picks;
}
