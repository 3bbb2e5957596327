import { MOTION_VECTORS_PER_NODE as VECTORS_PER_NODE } from '../bitstream/format.ts';

/**
 * Coarse motion side channel, decoder side: a residual correction of the keyframe flow for one
 * intermediate frame, given on a small grid of nodes and interpolated bilinearly between them.
 *
 * Node (c, r) sits at the centre of cell (c, r) of a `columns` × `rows` partition of the frame;
 * outside the outermost centres the nearest node's value holds. Each node carries two vectors,
 * one per keyframe side, in working pixels. They are composed with the flow (see `warp.ts`):
 * the k0 side samples k0 at q + wl·flow10(q) with q = p + r0(p), and the k1 side samples k1 at
 * q + (1 − wl)·flow01(q) with q = p + r1(p). A zero field therefore renders exactly the frame the
 * flow alone gives, and a non-zero one moves the whole motion-compensated picture locally.
 */
export interface MotionField {
  readonly columns: number;
  readonly rows: number;
  /** Per node, row-major, interleaved (dx0, dy0, dx1, dy1) in working pixels. */
  readonly vectors: Float32Array;
}


/** Bilinear interpolation positions between node centres along one axis, per pixel. */
export interface AxisInterpolation {
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  readonly fraction: Float32Array;
}

export function axisInterpolation(pixels: number, cells: number): AxisInterpolation {
  const lower = new Int32Array(pixels);
  const upper = new Int32Array(pixels);
  const fraction = new Float32Array(pixels);
  for (let i = 0; i < pixels; i += 1) {
    // Position in node units: node k's centre is at pixel (k + 0.5)·pixels/cells − 0.5.
    const g = Math.min(cells - 1, Math.max(0, ((i + 0.5) * cells) / pixels - 0.5));
    const k = Math.min(cells - 1, Math.floor(g));
    lower[i] = k;
    upper[i] = Math.min(cells - 1, k + 1);
    fraction[i] = g - k;
  }
  return { lower, upper, fraction };
}

/** Interpolation tables for a field over a frame; build once per frame size and grid. */
export interface FieldLayout {
  readonly columns: number;
  readonly rows: number;
  readonly x: AxisInterpolation;
  readonly y: AxisInterpolation;
}

export function fieldLayout(width: number, height: number, columns: number, rows: number): FieldLayout {
  return { columns, rows, x: axisInterpolation(width, columns), y: axisInterpolation(height, rows) };
}

/** The four interpolated vector components at pixel (x, y), written to `out[0..3]`. */
export function vectorAt(field: MotionField, layout: FieldLayout, x: number, y: number, out: Float32Array): void {
  const v = field.vectors;
  const c0 = layout.x.lower[x]!;
  const c1 = layout.x.upper[x]!;
  const fx = layout.x.fraction[x]!;
  const r0 = layout.y.lower[y]!;
  const r1 = layout.y.upper[y]!;
  const fy = layout.y.fraction[y]!;
  const n00 = (r0 * field.columns + c0) * VECTORS_PER_NODE;
  const n01 = (r0 * field.columns + c1) * VECTORS_PER_NODE;
  const n10 = (r1 * field.columns + c0) * VECTORS_PER_NODE;
  const n11 = (r1 * field.columns + c1) * VECTORS_PER_NODE;
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  for (let k = 0; k < VECTORS_PER_NODE; k += 1) out[k] = w00 * v[n00 + k]! + w01 * v[n01 + k]! + w10 * v[n10 + k]! + w11 * v[n11 + k]!;
}
