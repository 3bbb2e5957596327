/**
 * IT2V generative model, CPU realisation (paper "The IT2V generative model", Eqs. 5–8).
 *
 * The paper interpolates two keyframes with a diffusion model: Eq. 5 blends the keyframes
 * (frame interpolation weight w_i) and Eq. 6 blends two per-keyframe LoRAs (model
 * interpolation weight w_l); both weights are fitted per frame at the encoder (Eqs. 7–8),
 * quantised and sent. Here the "model" is dense optical flow between the keyframes:
 * w_l sets how far along the k0→k1 motion both keyframes are warped, and w_i blends the
 * two warped images (Eq. 5 applied to warped images). See `warp.ts` for the exact
 * warping convention.
 *
 * Determinism: the decoder recomputes the flow from the same decoded keyframes with the
 * same opencv.js wasm build and renders with plain float arithmetic, so encoder and
 * decoder see identical fields and `renderFrame` returns identical bytes for identical input.
 */
import type { RgbFrame } from '../contracts.ts';
import { CodecError } from '../errors.ts';
import { fitGrids, fitQuantisedLevels, levelsToWeights, type FitGrids } from './fit.ts';
import { bidirectionalFlow } from './flow.ts';
import { dequantiseField, estimateFrameMotion, type MotionGrid } from './motion-estimate.ts';
import { LIMITS, MOTION_VECTORS_PER_NODE as VECTORS_PER_NODE } from '../bitstream/format.ts';
import { fieldLayout, type FieldLayout } from './motion-field.ts';
import { loadOpenCv, type OpenCv } from './opencv.ts';
import { renderCorrectedInto, renderInto, type WarpSources } from './warp.ts';
import type { InterpolationWeights } from './weights.ts';

export { WEIGHT_LEVELS, dequantiseWeight, linearWeights, quantiseWeight, type InterpolationWeights } from './weights.ts';
export { FLOW_MAX_WIDTH } from './flow.ts';
export { loadOpenCv } from './opencv.ts';
export { MOTION_SIDE_CHANNEL_MODES, motionGridFor, type MotionGrid, type MotionSideChannelMode } from './motion-estimate.ts';

/**
 * Identifies the decoder-side IT2V model (flow estimator + warping convention). Fitted
 * weights are only meaningful for the model they were fitted with, so a bitstream should
 * record this and a decoder should warn on a mismatch. Bump it whenever `flow.ts` or
 * `warp.ts` changes what is rendered (including an opencv.js upgrade).
 */
export const IT2V_MODEL_ID = 'farneback-warp-v1';

/**
 * Both keyframes and the dense flow between them. Treat every field as read-only internals.
 * The context keeps references to `k0` and `k1`: do not modify their pixels afterwards.
 */
export interface PairContext extends WarpSources {
  readonly grids: FitGrids;
  readonly cv: OpenCv;
  /** Side-channel interpolation tables per grid size, built on first use. */
  readonly layouts: Map<string, FieldLayout>;
}

/** One frame's quantised motion side-channel vectors (`VECTORS_PER_NODE` per node, row-major) on `grid`. */
export interface FrameMotionVectors {
  readonly grid: MotionGrid;
  readonly vectors: Int16Array;
}

/** Frames larger than this many pixels (8K) are refused rather than allocated. */
const MAX_PIXELS = 7680 * 4320;

/**
 * Computes the bidirectional flow between two decoded keyframes (same size, RGB24).
 * Async because opencv.js initialises its wasm runtime asynchronously (once per process;
 * about 0.3 s the first time). Everything after this is synchronous.
 * `recycled`, a context its caller no longer uses, gives its flow arrays, fit grids and layouts when
 * it is of the same size: a pair of 768×432 flows is 5.3 MB that would otherwise be allocated anew
 * for every keyframe pair, and collected.
 */
export async function preparePair(k0: RgbFrame, k1: RgbFrame, recycled?: PairContext): Promise<PairContext> {
  checkFrame(k0, 'k0');
  checkFrame(k1, 'k1');
  if (k0.pixelFormat !== k1.pixelFormat) throw new CodecError('INVALID_OPTIONS', 'keyframes differ in pixel format');
  if (k0.width !== k1.width || k0.height !== k1.height) {
    throw new CodecError('INVALID_OPTIONS', `keyframes differ in size: ${k0.width}x${k0.height} and ${k1.width}x${k1.height}`);
  }
  const { cv } = await loadOpenCv();
  const reused = recycled?.width === k0.width && recycled.height === k0.height ? recycled : undefined;
  const { flow01, flow10 } = bidirectionalFlow(cv, k0, k1, reused && { flow01: reused.flow01, flow10: reused.flow10 });
  const grids = reused?.grids ?? fitGrids(k0.width, k0.height);
  return { width: k0.width, height: k0.height, k0, k1, flow01, flow10, grids, cv, layouts: reused?.layouts ?? new Map() };
}

/**
 * `preparePair` for a caller that moves through keyframe pairs one at a time and is done with each
 * pair before it asks for the next: every pair reuses the buffers of the one before.
 */
export function pairSequence(): (k0: RgbFrame, k1: RgbFrame) => Promise<PairContext> {
  let last: PairContext | undefined;
  return async (k0, k1) => (last = await preparePair(k0, k1, last));
}

/**
 * Encoder: the weights, already on the quantisation grid, that bring the rendered frame
 * closest in L2 to `target`. `t` is the frame's linear position in (0, 1) between the
 * keyframes; it only breaks ties (e.g. identical keyframes).
 */
export function fitWeights(ctx: PairContext, target: RgbFrame, t: number): InterpolationWeights {
  checkTarget(ctx, target, t);
  return levelsToWeights(fitQuantisedLevels(ctx, ctx.grids, target, t));
}

/** What `fitWeightsWithMotion` found for one frame. */
export interface MotionFit {
  /** Weights for rendering with `motion`: `renderFrame(ctx, weights, motion)` renders what was fitted. */
  readonly weights: InterpolationWeights;
  /** The side-channel field, or null when none pays off. */
  readonly motion: FrameMotionVectors | null;
  /** What `fitWeights` gives for the same frame: the weights for rendering without a side channel. */
  readonly withoutMotion: InterpolationWeights;
}

/**
 * Encoder with the motion side channel: the weights as `fitWeights`, then the coarse residual
 * motion on `grid` that brings the rendered frame closer to `target`, with wi refitted for it.
 */
export function fitWeightsWithMotion(ctx: PairContext, target: RgbFrame, t: number, grid: MotionGrid): MotionFit {
  checkTarget(ctx, target, t);
  checkGrid(ctx, grid);
  const base = fitQuantisedLevels(ctx, ctx.grids, target, t);
  const estimated = estimateFrameMotion(ctx.cv, ctx, ctx.grids, layoutFor(ctx, grid), target, base, grid, t);
  return { weights: levelsToWeights(estimated), motion: estimated.vectors ? { grid, vectors: estimated.vectors } : null, withoutMotion: levelsToWeights(base) };
}

/**
 * Decoder: renders one intermediate frame. Weights outside [0, 1] are clamped; callers
 * normally pass `dequantiseWeight` output. Deterministic and synchronous.
 */
export function renderFrame(ctx: PairContext, w: InterpolationWeights, motion?: FrameMotionVectors | null): RgbFrame {
  const wi = clampUnit(w.wi);
  const wl = clampUnit(w.wl);
  const data = new Uint8Array(ctx.width * ctx.height * 3);
  if (motion) {
    checkGrid(ctx, motion.grid);
    if (motion.vectors.length !== motion.grid.columns * motion.grid.rows * VECTORS_PER_NODE)
      throw new CodecError('INVALID_OPTIONS', `motion vectors do not match a ${motion.grid.columns}x${motion.grid.rows} grid`);
    renderCorrectedInto(ctx, wi, wl, dequantiseField(motion.grid, motion.vectors), layoutFor(ctx, motion.grid), data);
  } else renderInto(ctx, wi, wl, data);
  return { width: ctx.width, height: ctx.height, data, ...(ctx.k0.pixelFormat ? { pixelFormat: ctx.k0.pixelFormat } : {}) };
}

function layoutFor(ctx: PairContext, grid: MotionGrid): FieldLayout {
  const key = `${grid.columns}x${grid.rows}`;
  let layout = ctx.layouts.get(key);
  if (!layout) {
    layout = fieldLayout(ctx.width, ctx.height, grid.columns, grid.rows);
    ctx.layouts.set(key, layout);
  }
  return layout;
}

function checkGrid(ctx: PairContext, grid: MotionGrid): void {
  const { columns, rows, unitsPerPixel } = grid;
  const fits = (cells: number, pixels: number): boolean => Number.isInteger(cells) && cells >= 1 && cells <= Math.min(LIMITS.maxMotionGrid, pixels);
  if (!fits(columns, ctx.width) || !fits(rows, ctx.height))
    throw new CodecError('INVALID_OPTIONS', `motion grid ${columns}x${rows} does not fit ${ctx.width}x${ctx.height} (at most ${LIMITS.maxMotionGrid} per side)`);
  if (!Number.isInteger(unitsPerPixel) || unitsPerPixel < 1 || unitsPerPixel > LIMITS.maxMotionUnitsPerPixel)
    throw new CodecError('INVALID_OPTIONS', `motion units per pixel must be an integer in 1..${LIMITS.maxMotionUnitsPerPixel}, got ${unitsPerPixel}`);
}

function checkTarget(ctx: PairContext, target: RgbFrame, t: number): void {
  checkFrame(target, 'target');
  if (target.width !== ctx.width || target.height !== ctx.height) {
    throw new CodecError('INVALID_OPTIONS', `target is ${target.width}x${target.height}, keyframes are ${ctx.width}x${ctx.height}`);
  }
  if (!Number.isFinite(t)) throw new CodecError('INVALID_OPTIONS', `interpolation position must be a finite number, got ${t}`);
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value)) throw new CodecError('INVALID_OPTIONS', `interpolation weight must be a finite number, got ${value}`);
  return Math.min(1, Math.max(0, value));
}

function checkFrame(frame: RgbFrame, name: string): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || width * height > MAX_PIXELS) {
    throw new CodecError('INVALID_OPTIONS', `${name} must be between 2x2 and 8K pixels, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new CodecError('INVALID_OPTIONS', `${name} must be packed RGB24 (${width * height * 3} bytes), got ${data.length} bytes`);
  }
}
