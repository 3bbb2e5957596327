import type { RgbFrame } from '../contracts.ts';
import { vectorAt, type FieldLayout, type MotionField } from './motion-field.ts';
import { correctedSamplesInto, type WarpSources } from './warp.ts';
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
  /** Scratch for one fit's gathered samples (see `GridSamples`), sized for the fine grid and overwritten by every fit. */
  readonly scratch: GridSamples;
}

export function fitGrids(width: number, height: number): FitGrids {
  const fine = sampleGrid(width, height, FINE_STRIDE);
  return { coarse: sampleGrid(width, height, COARSE_STRIDE), fine, scratch: gridSamples(fine.xs.length) };
}

/**
 * What the loss reads at a grid's pixels that no wl level changes, gathered once per grid and
 * frame: both flows and the target, in sample order, so that the loops over levels read them
 * sequentially instead of striding through the full-size arrays.
 */
interface GridSamples {
  /** Per sample: flow10 (dx, dy), then flow01 (dx, dy). */
  readonly flows: Float32Array;
  /** Per sample: the target's three channels. */
  readonly target: Uint8Array;
}

function gridSamples(count: number): GridSamples {
  return { flows: new Float32Array(count * 4), target: new Uint8Array(count * 3) };
}

function gatherInto(samples: GridSamples, sources: WarpSources, grid: SampleGrid, target: RgbFrame): GridSamples {
  const { width, flow01, flow10 } = sources;
  const { xs, ys } = grid;
  const { flows, target: values } = samples;
  const real = target.data;
  for (let n = 0; n < xs.length; n += 1) {
    const pixel = ys[n]! * width + xs[n]!;
    const f = n * 4;
    flows[f] = flow10[pixel * 2]!;
    flows[f + 1] = flow10[pixel * 2 + 1]!;
    flows[f + 2] = flow01[pixel * 2]!;
    flows[f + 3] = flow01[pixel * 2 + 1]!;
    values[n * 3] = real[pixel * 3]!;
    values[n * 3 + 1] = real[pixel * 3 + 1]!;
    values[n * 3 + 2] = real[pixel * 3 + 2]!;
  }
  return samples;
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
  const better = (a: LevelFit, b: LevelFit | undefined): boolean =>
    b === undefined || a.loss < b.loss || (a.loss === b.loss && Math.abs(a.wlLevel - preferredLevel) < Math.abs(b.wlLevel - preferredLevel));
  // The candidates of one step are fitted in one pass and then compared in the order the search names them.
  const pick = (fits: readonly LevelFit[], best: LevelFit | undefined): LevelFit | undefined => {
    for (const fit of fits) if (better(fit, best)) best = fit;
    return best;
  };
  const inRange = (level: number): boolean => level >= 0 && level <= TOP_LEVEL;

  const coarse = gatherInto(grids.scratch, sources, grids.coarse, target);
  let best = pick(fitLevels(sources, grids.coarse, coarse, COARSE_LEVELS, t), undefined);
  for (const step of NARROWING_STEPS) {
    const centre: number = best?.wlLevel ?? preferredLevel;
    best = pick(fitLevels(sources, grids.coarse, coarse, [centre - step, centre + step].filter(inRange), t), best);
  }
  const centre = best?.wlLevel ?? preferredLevel;
  const fine = gatherInto(grids.scratch, sources, grids.fine, target);
  best = pick(fitLevels(sources, grids.fine, fine, [centre - 1, centre, centre + 1].filter(inRange), t), undefined);
  return best ?? { wlLevel: preferredLevel, wiLevel: TOP_LEVEL - preferredLevel, loss: 0 };
}

/**
 * The best wi level and its loss at each of `levels` (wl levels) on one grid, in one pass over its
 * samples (the loss of `fitCorrectedAtLevel`, without a correction). Both keyframes are sampled with
 * `sampleInto`'s arithmetic written out on local variables (`Math.fround` is the float32 store
 * `sampleInto` makes) and the sums run in sample order per level, so each level's result is the same
 * to the bit as fitting it alone with `sampleInto`.
 */
function fitLevels(sources: WarpSources, grid: SampleGrid, samples: GridSamples, levels: readonly number[], t: number): LevelFit[] {
  const { width, height } = sources;
  const k0 = sources.k0.data;
  const k1 = sources.k1.data;
  const maxX = width - 1;
  const maxY = height - 1;
  const row = width * 3;
  const { xs, ys } = grid;
  const { flows, target } = samples;
  const count = levels.length;
  const forward = Float64Array.from(levels, (level) => level / TOP_LEVEL);
  const backward = forward.map((wl) => 1 - wl);
  // Per level: Σe², Σe·d, Σd².
  const sums = new Float64Array(count * 3);
  for (let n = 0; n < xs.length; n += 1) {
    const x = xs[n]!;
    const y = ys[n]!;
    const f10x = flows[n * 4]!;
    const f10y = flows[n * 4 + 1]!;
    const f01x = flows[n * 4 + 2]!;
    const f01y = flows[n * 4 + 3]!;
    const t0 = target[n * 3]!;
    const t1 = target[n * 3 + 1]!;
    const t2 = target[n * 3 + 2]!;
    for (let l = 0; l < count; l += 1) {
      // k0 at p + wl·flow10(p).
      const wl = forward[l]!;
      let sx = x + wl * f10x;
      let sy = y + wl * f10y;
      sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      let x0 = sx | 0;
      let y0 = sy | 0;
      if (x0 === maxX) x0 = maxX - 1;
      if (y0 === maxY) y0 = maxY - 1;
      let fx = sx - x0;
      let fy = sy - y0;
      let w00 = (1 - fx) * (1 - fy);
      let w01 = fx * (1 - fy);
      let w10 = (1 - fx) * fy;
      let w11 = fx * fy;
      let p = (y0 * width + x0) * 3;
      let q = p + row;
      const a0 = Math.fround(w00 * k0[p]! + w01 * k0[p + 3]! + w10 * k0[q]! + w11 * k0[q + 3]!);
      const a1 = Math.fround(w00 * k0[p + 1]! + w01 * k0[p + 4]! + w10 * k0[q + 1]! + w11 * k0[q + 4]!);
      const a2 = Math.fround(w00 * k0[p + 2]! + w01 * k0[p + 5]! + w10 * k0[q + 2]! + w11 * k0[q + 5]!);

      // k1 at p + (1 − wl)·flow01(p).
      const back = backward[l]!;
      sx = x + back * f01x;
      sy = y + back * f01y;
      sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      x0 = sx | 0;
      y0 = sy | 0;
      if (x0 === maxX) x0 = maxX - 1;
      if (y0 === maxY) y0 = maxY - 1;
      fx = sx - x0;
      fy = sy - y0;
      w00 = (1 - fx) * (1 - fy);
      w01 = fx * (1 - fy);
      w10 = (1 - fx) * fy;
      w11 = fx * fy;
      p = (y0 * width + x0) * 3;
      q = p + row;
      const b0 = Math.fround(w00 * k1[p]! + w01 * k1[p + 3]! + w10 * k1[q]! + w11 * k1[q + 3]!);
      const b1 = Math.fround(w00 * k1[p + 1]! + w01 * k1[p + 4]! + w10 * k1[q + 1]! + w11 * k1[q + 4]!);
      const b2 = Math.fround(w00 * k1[p + 2]! + w01 * k1[p + 5]! + w10 * k1[q + 2]! + w11 * k1[q + 5]!);

      const d0 = a0 - b0;
      const d1 = a1 - b1;
      const d2 = a2 - b2;
      const e0 = b0 - t0;
      const e1 = b1 - t1;
      const e2 = b2 - t2;
      const s = l * 3;
      sums[s] = sums[s]! + (e0 * e0 + e1 * e1 + e2 * e2);
      sums[s + 1] = sums[s + 1]! + (e0 * d0 + e1 * d1 + e2 * d2);
      sums[s + 2] = sums[s + 2]! + (d0 * d0 + d1 * d1 + d2 * d2);
    }
  }
  return levels.map((wlLevel, l) => levelFit(wlLevel, t, sums[l * 3]!, sums[l * 3 + 1]!, sums[l * 3 + 2]!));
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
  if (correction) return fitCorrectedAtLevel(sources, grids.fine, target, wlLevel, t, correction);
  return fitLevels(sources, grids.fine, gatherInto(grids.scratch, sources, grids.fine, target), [wlLevel], t)[0]!;
}

/**
 * With A = warp0, B = warp1 and T the target at the grid's pixels, the blend is
 * B + wi·(A − B), so D(wi) = Σe² + 2·wi·Σe·d + wi²·Σd² with d = A − B, e = B − T.
 * (`fitLevels` is the same without a correction, for several levels at once.)
 */
function fitCorrectedAtLevel(sources: WarpSources, grid: SampleGrid, target: RgbFrame, wlLevel: number, t: number, correction: Correction): LevelFit {
  const { width } = sources;
  const real = target.data;
  const wl = wlLevel / TOP_LEVEL;
  const { xs, ys } = grid;
  const r = new Float32Array(4);
  const s = new Float32Array(8);
  let ee = 0;
  let ed = 0;
  let dd = 0;
  for (let n = 0; n < xs.length; n += 1) {
    const x = xs[n]!;
    const y = ys[n]!;
    vectorAt(correction.field, correction.layout, x, y, r);
    correctedSamplesInto(sources, x, y, wl, r, s);
    const o = (y * width + x) * 3;
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
  return levelFit(wlLevel, t, ee, ed, dd);
}

/** The best wi level for the sums at one wl level, and its loss. */
function levelFit(wlLevel: number, t: number, ee: number, ed: number, dd: number): LevelFit {
  // Where the two warps agree (d ≈ 0 everywhere) wi does not matter; keep the linear one.
  const wiLevel = dd > 1e-9 ? Math.round(Math.min(1, Math.max(0, -ed / dd)) * TOP_LEVEL) : Math.round((1 - Math.min(1, Math.max(0, t))) * TOP_LEVEL);
  const wi = wiLevel / TOP_LEVEL;
  return { wlLevel, wiLevel, loss: ee + 2 * wi * ed + wi * wi * dd };
}

export function levelsToWeights(levels: { wiLevel: number; wlLevel: number }): InterpolationWeights {
  return { wi: levels.wiLevel / TOP_LEVEL, wl: levels.wlLevel / TOP_LEVEL };
}
