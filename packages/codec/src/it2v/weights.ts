import { CodecError } from '../errors.ts';

/**
 * The two IT2V interpolation weights of one intermediate frame (paper Eqs. 5–6).
 *
 * - `wi` (Eq. 5, frame interpolation): the share of the k0 side in the blend;
 *   1 shows only (warped) k0, 0 only (warped) k1.
 * - `wl` (Eq. 6's model interpolation, realised here as motion progress): how far along
 *   the k0→k1 motion both sides are warped; 0 is k0's geometry, 1 is k1's.
 */
export interface InterpolationWeights {
  readonly wi: number;
  readonly wl: number;
}

/** Weights are sent as integers 0..WEIGHT_LEVELS-1; level q stands for q / (WEIGHT_LEVELS - 1). */
export const WEIGHT_LEVELS = 64;

const TOP_LEVEL = WEIGHT_LEVELS - 1;

/** The uniform linear schedule at linear position `t` in [0, 1] between the keyframes. */
export function linearWeights(t: number): InterpolationWeights {
  if (!Number.isFinite(t)) throw new CodecError('INVALID_OPTIONS', `interpolation position must be a finite number, got ${t}`);
  const position = Math.min(1, Math.max(0, t));
  return { wi: 1 - position, wl: position };
}

/** Nearest level for a weight; values outside [0, 1] are clamped. */
export function quantiseWeight(w: number): number {
  if (!Number.isFinite(w)) throw new CodecError('INVALID_OPTIONS', `interpolation weight must be a finite number, got ${w}`);
  return Math.round(Math.min(1, Math.max(0, w)) * TOP_LEVEL);
}

export function dequantiseWeight(q: number): number {
  if (!Number.isInteger(q) || q < 0 || q > TOP_LEVEL) {
    throw new CodecError('INVALID_OPTIONS', `quantised interpolation weight must be an integer in 0..${TOP_LEVEL}, got ${q}`);
  }
  return q / TOP_LEVEL;
}
