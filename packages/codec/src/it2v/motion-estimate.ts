/**
 * Coarse motion side channel, encoder side: which residual correction to send for one frame.
 *
 * The encoder sees the real frame. It renders both keyframe sides as the decoder would (flow
 * warps at the fitted wl), measures the residual motion from the real frame to each side with
 * Farneback at the reduced flow size, and averages it per grid cell, weighted by the frame's
 * texture (flow in flat areas is guesswork and moves nothing visible). Each node's vector is then
 * kept only if, applied to its cell, it lowers that side's error on the fit grid's pixels by a
 * clear margin, which keeps the field sparse and cheap to code; a side that the refitted wi barely
 * shows loses its vectors; and the whole field is kept only if, rendered exactly as the decoder
 * will (bilinear between nodes, wi refitted), it lowers the frame's loss. So a frame is never
 * rendered worse on the fit pixels than without the channel.
 */
import { LIMITS, MOTION_VECTORS_PER_NODE as VECTORS_PER_NODE } from '../bitstream/format.ts';
import type { RgbFrame } from '../contracts.ts';
import { fitWiAtLevel, type Correction, type FitGrids, type LevelFit } from './fit.ts';
import { reducedFlows } from './flow.ts';
import type { FieldLayout, MotionField } from './motion-field.ts';
import type { OpenCv } from './opencv.ts';
import { correctedSamplesInto, renderInto, type WarpSources } from './warp.ts';
import { WEIGHT_LEVELS } from './weights.ts';

const TOP_LEVEL = WEIGHT_LEVELS - 1;

/**
 * Residual flow is measured at most this wide: half the keyframe flow's width measured as well on
 * the evaluation clips (the cells are 20 such pixels wide), reaches twice as far and costs a third.
 */
const RESIDUAL_FLOW_MAX_WIDTH = 160;
/** A node's vector must remove at least this share of its cell's error on that side... */
const NODE_MIN_RELATIVE_GAIN = 0.1;
/** ...and at least this much squared error per sampled channel value (8-bit units). */
const NODE_MIN_ABSOLUTE_GAIN = 2;
/**
 * A keyframe side blended in with less than this weight hardly shows, so its vectors are dropped
 * (on the evaluation clips: a fifth fewer bytes where one side dominates, for 0.01 dB).
 */
const MIN_SIDE_SHARE = 0.2;
/** The whole field must lower the frame's fit loss by at least this share. */
const FRAME_MIN_RELATIVE_GAIN = 0.01;
/**
 * The `coarse` grid: 8 columns and rows for about square cells, vectors in half pixels. On the first
 * second of five evaluation clips (2, 3 or 5 keyframes, middle quality) it lifts PSNR on the
 * interpolated frames by 1.1–2.9 dB for 1.1–8.7 kbit/s. While tuning, 12 columns gained about
 * 0.3 dB more for twice the bytes, whole pixels lost most of the gain, and quarter pixels cost
 * 40 % more for nothing.
 */
const COARSE_COLUMNS = 8;
const COARSE_UNITS_PER_PIXEL = 2;

export interface MotionGrid {
  readonly columns: number;
  readonly rows: number;
  /** Vectors are sent in 1/unitsPerPixel working pixels. */
  readonly unitsPerPixel: number;
}

export interface FrameMotion {
  /** Quantised vectors, VECTORS_PER_NODE per node (row-major), or null when no correction pays off. */
  readonly vectors: Int16Array | null;
  readonly wiLevel: number;
  readonly wlLevel: number;
}

/** Whether the encoder sends the motion side channel, and on which grid. */
export const MOTION_SIDE_CHANNEL_MODES = ['off', 'coarse'] as const;
export type MotionSideChannelMode = (typeof MOTION_SIDE_CHANNEL_MODES)[number];

/** The side-channel grid of `mode` for a working size; undefined for `off`. */
export function motionGridFor(mode: MotionSideChannelMode, width: number, height: number): MotionGrid | undefined {
  if (mode === 'off') return undefined;
  const columns = Math.min(COARSE_COLUMNS, width);
  const rows = Math.max(1, Math.min(LIMITS.maxMotionGrid, height, Math.round((columns * height) / width)));
  return { columns, rows, unitsPerPixel: COARSE_UNITS_PER_PIXEL };
}

/** The float field the decoder renders with, from quantised vectors. */
export function dequantiseField(grid: MotionGrid, vectors: Int16Array): MotionField {
  const field = new Float32Array(vectors.length);
  for (let i = 0; i < vectors.length; i += 1) field[i] = vectors[i]! / grid.unitsPerPixel;
  return { columns: grid.columns, rows: grid.rows, vectors: field };
}

export function estimateFrameMotion(
  cv: OpenCv,
  sources: WarpSources,
  grids: FitGrids,
  layout: FieldLayout,
  target: RgbFrame,
  base: LevelFit,
  grid: MotionGrid,
  t: number,
): FrameMotion {
  const unchanged: FrameMotion = { vectors: null, wiLevel: base.wiLevel, wlLevel: base.wlLevel };
  const wl = base.wlLevel / TOP_LEVEL;
  const vectors = cellMeanResiduals(cv, sources, target, wl, grid);
  pruneNodes(sources, grids, target, wl, grid, vectors);
  if (vectors.every((v) => v === 0)) return unchanged;
  const correction: Correction = { field: dequantiseField(grid, vectors), layout };
  let corrected = fitWiAtLevel(sources, grids, target, base.wlLevel, t, correction);
  if (dropFaintSide(vectors, corrected.wiLevel / TOP_LEVEL)) {
    if (vectors.every((v) => v === 0)) return unchanged;
    corrected = fitWiAtLevel(sources, grids, target, base.wlLevel, t, { field: dequantiseField(grid, vectors), layout });
  }
  if (!(corrected.loss < base.loss * (1 - FRAME_MIN_RELATIVE_GAIN))) return unchanged;
  return { vectors, wiLevel: corrected.wiLevel, wlLevel: base.wlLevel };
}

/** Zeroes the vectors of a side that gets less than MIN_SIDE_SHARE of the blend; whether anything changed. */
function dropFaintSide(vectors: Int16Array, wi: number): boolean {
  const side = wi < MIN_SIDE_SHARE ? 0 : 1 - wi < MIN_SIDE_SHARE ? 1 : -1;
  if (side < 0) return false;
  let changed = false;
  for (let node = 0; node < vectors.length; node += VECTORS_PER_NODE) {
    changed ||= vectors[node + side * 2] !== 0 || vectors[node + side * 2 + 1] !== 0;
    vectors[node + side * 2] = 0;
    vectors[node + side * 2 + 1] = 0;
  }
  return changed;
}

/** Texture-weighted mean residual flow per cell and side, quantised. */
function cellMeanResiduals(cv: OpenCv, sources: WarpSources, target: RgbFrame, wl: number, grid: MotionGrid): Int16Array {
  const { width, height } = sources;
  const side0 = new Uint8Array(width * height * 3);
  const side1 = new Uint8Array(width * height * 3);
  renderInto(sources, 1, wl, side0);
  renderInto(sources, 0, wl, side1);
  const sides = [side0, side1].map((data) => ({ width, height, data, ...(target.pixelFormat ? { pixelFormat: target.pixelFormat } : {}) }));
  const reduced = reducedFlows(cv, target, sides, RESIDUAL_FLOW_MAX_WIDTH);
  const { columns, rows } = grid;
  const sums = new Float64Array(columns * rows * VECTORS_PER_NODE);
  const weights = new Float64Array(columns * rows);
  const sw = reduced.width;
  const sh = reduced.height;
  const gray = reduced.gray;
  const [flow0, flow1] = reduced.flows as [Float32Array, Float32Array];
  for (let y = 0; y < sh; y += 1) {
    const row = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / sh));
    const up = Math.max(0, y - 1) * sw;
    const down = Math.min(sh - 1, y + 1) * sw;
    for (let x = 0; x < sw; x += 1) {
      const column = Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / sw));
      const gx = gray[y * sw + Math.min(sw - 1, x + 1)]! - gray[y * sw + Math.max(0, x - 1)]!;
      const gy = gray[down + x]! - gray[up + x]!;
      const weight = gx * gx + gy * gy + 1;
      const cell = row * columns + column;
      const f = (y * sw + x) * 2;
      const o = cell * VECTORS_PER_NODE;
      sums[o] = sums[o]! + weight * flow0[f]!;
      sums[o + 1] = sums[o + 1]! + weight * flow0[f + 1]!;
      sums[o + 2] = sums[o + 2]! + weight * flow1[f]!;
      sums[o + 3] = sums[o + 3]! + weight * flow1[f + 1]!;
      weights[cell] = weights[cell]! + weight;
    }
  }
  const vectors = new Int16Array(columns * rows * VECTORS_PER_NODE);
  for (let i = 0; i < vectors.length; i += 1) {
    const total = weights[Math.floor(i / VECTORS_PER_NODE)]!;
    const mean = total > 0 ? sums[i]! / total : 0;
    vectors[i] = Math.max(-LIMITS.maxMotionComponent, Math.min(LIMITS.maxMotionComponent, Math.round(mean * grid.unitsPerPixel)));
  }
  return vectors;
}

/**
 * Zeroes each node side whose vector, applied uniformly over its cell, does not clearly lower that
 * side's squared error against the target on the fine fit grid's pixels in the cell.
 */
function pruneNodes(sources: WarpSources, grids: FitGrids, target: RgbFrame, wl: number, grid: MotionGrid, vectors: Int16Array): void {
  const { columns, rows } = grid;
  const cells = columns * rows;
  // Per cell and side: error without and with the cell's vector, and the number of samples.
  const without = new Float64Array(cells * 2);
  const withVector = new Float64Array(cells * 2);
  const samples = new Float64Array(cells);
  const zero = new Float32Array(4);
  const r = new Float32Array(4);
  const s = new Float32Array(8);
  const { xs, ys } = grids.fine;
  const real = target.data;
  for (let n = 0; n < xs.length; n += 1) {
    const x = xs[n]!;
    const y = ys[n]!;
    const column = Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / sources.width));
    const row = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / sources.height));
    const cell = row * columns + column;
    const o = (y * sources.width + x) * 3;
    correctedSamplesInto(sources, x, y, wl, zero, s);
    without[cell * 2] = without[cell * 2]! + squaredError(s, 0, real, o);
    without[cell * 2 + 1] = without[cell * 2 + 1]! + squaredError(s, 3, real, o);
    for (let k = 0; k < VECTORS_PER_NODE; k += 1) r[k] = vectors[cell * VECTORS_PER_NODE + k]! / grid.unitsPerPixel;
    correctedSamplesInto(sources, x, y, wl, r, s);
    withVector[cell * 2] = withVector[cell * 2]! + squaredError(s, 0, real, o);
    withVector[cell * 2 + 1] = withVector[cell * 2 + 1]! + squaredError(s, 3, real, o);
    samples[cell] = samples[cell]! + 1;
  }
  for (let cell = 0; cell < cells; cell += 1) {
    for (let side = 0; side < 2; side += 1) {
      const before = without[cell * 2 + side]!;
      const gain = before - withVector[cell * 2 + side]!;
      const keep = gain > before * NODE_MIN_RELATIVE_GAIN && gain > NODE_MIN_ABSOLUTE_GAIN * 3 * samples[cell]!;
      if (!keep) {
        vectors[cell * VECTORS_PER_NODE + side * 2] = 0;
        vectors[cell * VECTORS_PER_NODE + side * 2 + 1] = 0;
      }
    }
  }
}

function squaredError(s: Float32Array, offset: number, real: Uint8Array, o: number): number {
  const e0 = s[offset]! - real[o]!;
  const e1 = s[offset + 1]! - real[o + 1]!;
  const e2 = s[offset + 2]! - real[o + 2]!;
  return e0 * e0 + e1 * e1 + e2 * e2;
}

