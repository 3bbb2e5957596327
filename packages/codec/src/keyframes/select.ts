import type { ImageFeatureExtractor, RgbFrame, TimedFrame } from '../contracts.ts';
import { CodecError } from '../errors.ts';
import { resizeRgb, type Size } from '@cmvc/media-io/frames';
import { cosineSimilarity, meanSquaredError } from './distance.ts';
import { clampKeyframeCount, randomKeyframes, searchIntervals, uniformKeyframes, type KeyframeStrategy } from './plan.ts';

export interface KeyframeSelectionOptions {
  /** Frame count the plan is built for (from the probe). */
  readonly frameCount: number;
  readonly keyframeCount: number;
  readonly strategy: KeyframeStrategy;
  /** Required for `cs`. */
  readonly featureExtractor?: ImageFeatureExtractor;
  readonly seed?: number;
  /** Size frames are reduced to before features/MSE are computed. */
  readonly analysisSize: Size;
  /** Frames per `embed` call for `cs`. */
  readonly batchSize?: number;
  readonly onFrame?: (index: number) => void;
}

export interface KeyframeSelection {
  /** Strictly increasing frame indices, first 0 and last frameCount-1. */
  readonly indices: number[];
  /** The selected frames exactly as the stream delivered them (working resolution). */
  readonly frames: TimedFrame[];
  /** Frames the stream actually delivered; when it differs from `frameCount` the selection is void and must be re-planned. */
  readonly deliveredFrames: number;
}

type Descriptor = Float32Array | Uint8Array;

interface PendingFrame {
  readonly frame: TimedFrame;
  readonly analysis: RgbFrame;
}

/**
 * Eq. 1 as a single streaming pass: for each search window, the frame farthest from the current
 * reference keyframe (lowest cosine similarity for `cs`, highest MSE for `mse`) becomes the next
 * keyframe and the next reference. Only the current best candidate and one `cs` batch are held.
 */
export async function selectKeyframes(frames: AsyncIterable<TimedFrame>, options: KeyframeSelectionOptions): Promise<KeyframeSelection> {
  const { frameCount, strategy } = options;
  const n = clampKeyframeCount(options.keyframeCount, frameCount);
  if (strategy === 'cs' && !options.featureExtractor)
    throw new CodecError('INVALID_OPTIONS', 'keyframe strategy "cs" needs an image feature extractor');

  const fixed =
    strategy === 'uniform' ? uniformKeyframes(frameCount, n) : strategy === 'random' ? randomKeyframes(frameCount, n, options.seed ?? 0) : undefined;
  const intervals = searchIntervals(frameCount, n);
  const captured = new Map<number, TimedFrame>();
  const wanted = new Set(fixed ?? [0, frameCount - 1]);

  let reference: Descriptor | undefined;
  let intervalIndex = 0;
  let best: { index: number; frame: TimedFrame; descriptor: Descriptor; distance: number } | undefined;
  const picks: number[] = [];

  const describe = async (batch: readonly PendingFrame[]): Promise<Descriptor[]> => {
    if (strategy === 'mse') return batch.map((item) => item.analysis.data);
    const extractor = options.featureExtractor;
    if (!extractor) return [];
    let features: Float32Array[];
    try {
      features = await extractor.embed(batch.map((item) => item.analysis));
    } catch (error) {
      throw new CodecError('ANALYZER_FAILED', `feature extractor ${extractor.id} failed: ${(error as Error).message}`, { cause: error });
    }
    if (features.length !== batch.length)
      throw new CodecError('ANALYZER_FAILED', `feature extractor ${extractor.id} returned ${features.length} vectors for ${batch.length} frames`);
    return features;
  };
  const distance = (a: Descriptor, b: Descriptor): number =>
    strategy === 'mse' ? meanSquaredError(a as Uint8Array, b as Uint8Array) : 1 - cosineSimilarity(a as Float32Array, b as Float32Array);

  const consider = (item: PendingFrame, descriptor: Descriptor): void => {
    const index = item.frame.index;
    if (index === 0) {
      reference = descriptor;
      return;
    }
    const interval = intervals[intervalIndex];
    if (!interval || index < interval.start || index > interval.end || !reference) return;
    const d = distance(reference, descriptor);
    if (!best || d > best.distance) best = { index, frame: item.frame, descriptor, distance: d };
    if (index === interval.end && best) {
      picks.push(best.index);
      captured.set(best.index, best.frame);
      reference = best.descriptor;
      best = undefined;
      intervalIndex += 1;
    }
  };

  const batchSize = Math.max(1, options.batchSize ?? 16);
  let batch: PendingFrame[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const descriptors = await describe(batch);
    batch.forEach((item, i) => {
      const descriptor = descriptors[i];
      if (descriptor) consider(item, descriptor);
    });
    batch = [];
  };

  // The windows cover every interior frame, so each frame before the last is analysed.
  const needsAnalysis = (strategy === 'cs' || strategy === 'mse') && intervals.length > 0;
  let delivered = 0;
  for await (const frame of frames) {
    delivered += 1;
    options.onFrame?.(frame.index);
    if (wanted.has(frame.index)) captured.set(frame.index, frame);
    if (!needsAnalysis || frame.index >= frameCount - 1) continue;
    batch.push({ frame, analysis: resizeRgb(frame, options.analysisSize.width, options.analysisSize.height) });
    if (strategy === 'mse' || batch.length >= batchSize) await flush();
  }
  await flush();

  const indices = fixed ?? (n === 1 ? [0] : [0, ...picks, frameCount - 1]);
  const selected = indices.map((index) => captured.get(index));
  if (delivered !== frameCount || selected.some((frame) => frame === undefined)) return { indices: [], frames: [], deliveredFrames: delivered };
  return { indices, frames: selected as TimedFrame[], deliveredFrames: delivered };
}
