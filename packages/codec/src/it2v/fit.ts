import type { RgbFrame } from '../contracts.ts';
import { vectorAt, type FieldLayout, type MotionField } from './motion-field.ts';
import { correctedSamplesInto, sampleInto, type WarpSources } from './warp.ts';
import { WEIGHT_LEVELS, type InterpolationWeights } from './weights.ts';

/**
 * Encoder-side fitting of (wi, wl) against the real frame (paper Eqs. 7–8).
 *
 * The paper runs gradient descent on D(I_w, Î_w) = L2. Here we search instead, because:
 * - For a fixed wl the rendered frame is linear in wi, so D is a quadratic in wi with a
 *   closed-form minimum; and since a 1-D quadratic is symmetric about its minimum, the
 *   nearest quantisation level is the best *sent* wi. Only wl needs searching.
 * - D is not convex in wl: the warps come from bilinear sampling of textured images along
 *   an estimated flow, so D has ripples at the texture's scale and flat stretches where the
 *   flow is wrong; gradient steps with a fixed rate stall or land in a side valley.
 * - wl is sent on a 64-level grid anyway. A coarse scan of the whole grid on sparse pixels
 *   cannot be trapped by a side valley the way a descent from one starting point can, and
 *   refining on neighbouring levels with denser pixels ends on a level that is actually
 *   sent (no separate quantisation loss), in a fixed, small number of evaluations.
 */

/**
 * Search schedule: scan wl levels 8 apart on every 8th pixel (x and y), narrow in with
 * steps of 4 and 2 on the same pixels, then settle the last level (±1) on every 4th pixel.
 * That is 16 loss evaluations, about 160k pixel samples at 854x480.
 */
const COARSE_STRIDE = 8;
const FINE_STRIDE = 4;
const COARSE_LEVEL_STEP = 8;
const NARROWING_STEPS: readonly number[] = [4, 2];

const TOP_LEVEL = WEIGHT_LEVELS - 1;

/** 0, 8, 16, …, 56 and the top level 63. */
const COARSE_LEVELS: readonly number[] = [
  ...Array.from({ length: Math.ceil(TOP_LEVEL / COARSE_LEVEL_STEP) }, (_, i) => i * COARSE_LEVEL_STEP),
  TOP_LEVEL,
];

/** Pixel positions on a regular sparse grid, offset to the middle of each cell. */
export interface SampleGrid {
  readonly xs: Int32Array;
  readonly ys: Int32Array;
}

export function sampleGrid(width: number, height: number, stride: number): SampleGrid {
  const columns = Math.max(1, Math.floor(width / stride));
  const rows = Math.max(1, Math.floor(height / stride));
  const offsetX = Math.min(width - 1, stride >> 1);
  const offsetY = Math.min(height - 1, stride >> 1);
  const xs = new Int32Array(columns * rows);
  const ys = new Int32Array(columns * rows);
  let n = 0;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < columns; c += 1, n += 1) {
      xs[n] = Math.min(width - 1, offsetX + c * stride);
      ys[n] = Math.min(height - 1, offsetY + r * stride);
    }
  }
  return { xs, ys };
}

export interface FitGrids {
  readonly coarse: SampleGrid;
  readonly fine: SampleGrid;
}

export function fitGrids(width: number, height: number): FitGrids {
  return { coarse: sampleGrid(width, height, COARSE_STRIDE), fine: sampleGrid(width, height, FINE_STRIDE) };
}

export interface LevelFit {
  readonly wlLevel: number;
  readonly wiLevel: number;
  /** Sum of squared errors over the grid's pixels and channels. */
  readonly loss: number;
}

/** Best quantised (wi, wl) for `target` at linear position `t` (used to break ties and when k0 = k1), with its loss on the fine grid. */
export function fitQuantisedLevels(sources: WarpSources, grids: FitGrids, target: RgbFrame, t: number): LevelFit {
  const preferredLevel = Math.round(Math.min(1, Math.max(0, t)) * TOP_LEVEL);
  const scratch = new Float32Array(8);
  const better = (a: LevelFit, b: LevelFit | undefined): boolean =>
    b === undefined || a.loss < b.loss || (a.loss === b.loss && Math.abs(a.wlLevel - preferredLevel) < Math.abs(b.wlLevel - preferredLevel));

  let best: LevelFit | undefined;
  for (const level of COARSE_LEVELS) {
    const fit = fitAtLevel(sources, grids.coarse, target, level, t, scratch);
    if (better(fit, best)) best = fit;
  }
  for (const step of NARROWING_STEPS) {
    const centre: number = best?.wlLevel ?? preferredLevel;
    for (const level of [centre - step, centre + step]) {
      if (level < 0 || level > TOP_LEVEL) continue;
      const fit = fitAtLevel(sources, grids.coarse, target, level, t, scratch);
      if (better(fit, best)) best = fit;
    }
  }
  const centre = best?.wlLevel ?? preferredLevel;
  best = undefined;
  for (let level = Math.max(0, centre - 1); level <= Math.min(TOP_LEVEL, centre + 1); level += 1) {
    const fit = fitAtLevel(sources, grids.fine, target, level, t, scratch);
    if (better(fit, best)) best = fit;
  }
  return best ?? { wlLevel: preferredLevel, wiLevel: TOP_LEVEL - preferredLevel, loss: 0 };
}
/** A motion side-channel correction to render with, and its interpolation tables. */
export interface Correction {
  readonly field: MotionField;
  readonly layout: FieldLayout;
}

/**
 * The best wi level and its loss on the fine grid at one wl level, optionally with a motion
 * correction: what the encoder uses to settle wi once a side-channel field is chosen.
 */
export function fitWiAtLevel(sources: WarpSources, grids: FitGrids, target: RgbFrame, wlLevel: number, t: number, correction?: Correction): LevelFit {
  return fitAtLevel(sources, grids.fine, target, wlLevel, t, new Float32Array(8), correction);
}

/**
 * With A = warp0, B = warp1 and T the target at the grid's pixels, the blend is
 * B + wi·(A − B), so D(wi) = Σe² + 2·wi·Σe·d + wi²·Σd² with d = A − B, e = B − T.
 */
function fitAtLevel(sources: WarpSources, grid: SampleGrid, target: RgbFrame, wlLevel: number, t: number, s: Float32Array, correction?: Correction): LevelFit {
  const { width, height, flow01, flow10 } = sources;
  const k0 = sources.k0.data;
  const k1 = sources.k1.data;
  const real = target.data;
  const wl = wlLevel / TOP_LEVEL;
  const back = 1 - wl;
  const { xs, ys } = grid;
  const r = correction ? new Float32Array(4) : undefined;
  let ee = 0;
  let ed = 0;
  let dd = 0;
  for (let n = 0; n < xs.length; n += 1) {
    const x = xs[n]!;
    const y = ys[n]!;
    const pixel = y * width + x;
    if (correction && r) {
      vectorAt(correction.field, correction.layout, x, y, r);
      correctedSamplesInto(sources, x, y, wl, r, s);
    } else {
      const f = pixel * 2;
      sampleInto(k0, 3, width, height, x + wl * flow10[f]!, y + wl * flow10[f + 1]!, s, 0);
      sampleInto(k1, 3, width, height, x + back * flow01[f]!, y + back * flow01[f + 1]!, s, 3);
    }
    const o = pixel * 3;
    const b0 = s[3]!;
    const b1 = s[4]!;
    const b2 = s[5]!;
    const d0 = s[0]! - b0;
    const d1 = s[1]! - b1;
    const d2 = s[2]! - b2;
    const e0 = b0 - real[o]!;
    const e1 = b1 - real[o + 1]!;
    const e2 = b2 - real[o + 2]!;
    ee += e0 * e0 + e1 * e1 + e2 * e2;
    ed += e0 * d0 + e1 * d1 + e2 * d2;
    dd += d0 * d0 + d1 * d1 + d2 * d2;
  }
  // Where the two warps agree (d ≈ 0 everywhere) wi does not matter; keep the linear one.
  const wiLevel = dd > 1e-9 ? Math.round(Math.min(1, Math.max(0, -ed / dd)) * TOP_LEVEL) : Math.round((1 - Math.min(1, Math.max(0, t))) * TOP_LEVEL);
  const wi = wiLevel / TOP_LEVEL;
  return { wlLevel, wiLevel, loss: ee + 2 * wi * ed + wi * wi * dd };
}

export function levelsToWeights(levels: { wiLevel: number; wlLevel: number }): InterpolationWeights {
  return { wi: levels.wiLevel / TOP_LEVEL, wl: levels.wlLevel / TOP_LEVEL };
}
