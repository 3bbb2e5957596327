/** Keyframe placement plan (paper Eq. 1): first and last frames fixed, one pick per uniform interval in between. */

export type KeyframeStrategy = 'cs' | 'mse' | 'uniform' | 'random';
export const KEYFRAME_STRATEGIES: readonly KeyframeStrategy[] = ['cs', 'mse', 'uniform', 'random'];

export interface FrameInterval {
  /** First and last frame index of the search window, inclusive. */
  readonly start: number;
  readonly end: number;
}

/** The number of keyframes actually usable for `frameCount` frames: at least 2 (1 for a single frame), at most every frame. */
export function clampKeyframeCount(requested: number, frameCount: number): number {
  if (frameCount <= 1) return 1;
  return Math.max(2, Math.min(frameCount, Math.floor(requested)));
}

/**
 * The interior frames 1..N-2 split into n-2 uniform, non-empty, contiguous windows; together with the
 * fixed first and last keyframes this divides the video into n-1 clips.
 */
export function searchIntervals(frameCount: number, keyframeCount: number): FrameInterval[] {
  const n = clampKeyframeCount(keyframeCount, frameCount);
  const interior = n - 2;
  const length = frameCount - 2;
  const intervals: FrameInterval[] = [];
  for (let i = 0; i < interior; i += 1) {
    const start = 1 + Math.floor((i * length) / interior);
    const end = Math.floor(((i + 1) * length) / interior);
    intervals.push({ start, end });
  }
  return intervals;
}

/** Uniform sampling: n evenly spaced indices from 0 to N-1. */
export function uniformKeyframes(frameCount: number, keyframeCount: number): number[] {
  const n = clampKeyframeCount(keyframeCount, frameCount);
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * (frameCount - 1)) / (n - 1)));
}

/** mulberry32: tiny, fast, deterministic PRNG with 32-bit state; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random sampling: one uniformly random frame per search window, reproducible from `seed`. */
export function randomKeyframes(frameCount: number, keyframeCount: number, seed: number): number[] {
  const n = clampKeyframeCount(keyframeCount, frameCount);
  if (n === 1) return [0];
  const random = seededRandom(seed);
  const picks = searchIntervals(frameCount, n).map(({ start, end }) => start + Math.floor(random() * (end - start + 1)));
  return [0, ...picks, frameCount - 1];
}
