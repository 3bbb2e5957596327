import type { RgbFrame } from '../contracts.ts';
import type { BidirectionalFlow } from './flow.ts';
import { vectorAt, type FieldLayout, type MotionField } from './motion-field.ts';

/**
 * Backward warping with bilinear sampling.
 *
 * Convention (both sides, with motion progress `wl`):
 * - the k0 side shows k0 moved *forward* by wl of the motion: output pixel p samples
 *   k0 at p + wl·flow10(p) (a k1-grid pixel comes from p + flow10(p) in k0, so a point
 *   wl of the way along came from p + wl·flow10(p));
 * - the k1 side shows k1 moved *back* by (1 − wl) of the motion: output pixel p samples
 *   k1 at p + (1 − wl)·flow01(p).
 * At wl = 0 the k0 side is k0 itself, at wl = 1 the k1 side is k1 itself. Sample
 * positions are clamped to the image, so content never wraps around.
 *
 * `sampleInto` is the one bilinear sampler, of keyframes (RGB bytes, 3 channels) and of flow fields
 * (floats, 2 channels): it writes the `channels` values at (x, y), clamped to the image, into `dst`
 * as floats. It is small so V8 inlines it into the loops below; they allocate nothing per pixel.
 */
export function sampleInto(
  src: Uint8Array | Float32Array,
  channels: 2 | 3,
  width: number,
  height: number,
  x: number,
  y: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  const maxX = width - 1;
  const maxY = height - 1;
  const sx = x < 0 ? 0 : x > maxX ? maxX : x;
  const sy = y < 0 ? 0 : y > maxY ? maxY : y;
  // The cell's top-left corner stops one short of the last column and row (working sizes are even, so at least 2×2).
  let x0 = sx | 0;
  let y0 = sy | 0;
  if (x0 === maxX) x0 = maxX - 1;
  if (y0 === maxY) y0 = maxY - 1;
  const fx = sx - x0;
  const fy = sy - y0;
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  const p00 = (y0 * width + x0) * channels;
  const p10 = p00 + width * channels;
  dst[dstOffset] = w00 * src[p00]! + w01 * src[p00 + channels]! + w10 * src[p10]! + w11 * src[p10 + channels]!;
  dst[dstOffset + 1] = w00 * src[p00 + 1]! + w01 * src[p00 + channels + 1]! + w10 * src[p10 + 1]! + w11 * src[p10 + channels + 1]!;
  if (channels === 3) dst[dstOffset + 2] = w00 * src[p00 + 2]! + w01 * src[p00 + channels + 2]! + w10 * src[p10 + 2]! + w11 * src[p10 + channels + 2]!;
}

/** Both keyframes at working resolution and the dense flow between them. */
export interface WarpSources extends BidirectionalFlow {
  readonly width: number;
  readonly height: number;
  readonly k0: RgbFrame;
  readonly k1: RgbFrame;
}

/** Renders `wi·warp0 + (1 − wi)·warp1` at motion progress `wl` into `out` (RGB24, rounded). */
export function renderInto(sources: WarpSources, wi: number, wl: number, out: Uint8Array): void {
  const { width, height, flow01, flow10 } = sources;
  const k0 = sources.k0.data;
  const k1 = sources.k1.data;
  const back = 1 - wl;
  const w0 = wi;
  const w1 = 1 - wi;
  const useK0 = w0 > 0;
  const useK1 = w1 > 0;
  const samples = new Float32Array(6);
  let pixel = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1, pixel += 1) {
      const f = pixel * 2;
      if (useK0) sampleInto(k0, 3, width, height, x + wl * flow10[f]!, y + wl * flow10[f + 1]!, samples, 0);
      if (useK1) sampleInto(k1, 3, width, height, x + back * flow01[f]!, y + back * flow01[f + 1]!, samples, 3);
      const o = pixel * 3;
      // Values stay within [0, 255], so `| 0` after +0.5 rounds half up without a clamp.
      if (useK0 && useK1) {
        out[o] = (w0 * samples[0]! + w1 * samples[3]! + 0.5) | 0;
        out[o + 1] = (w0 * samples[1]! + w1 * samples[4]! + 0.5) | 0;
        out[o + 2] = (w0 * samples[2]! + w1 * samples[5]! + 0.5) | 0;
      } else {
        const s = useK0 ? 0 : 3;
        out[o] = (samples[s]! + 0.5) | 0;
        out[o + 1] = (samples[s + 1]! + 0.5) | 0;
        out[o + 2] = (samples[s + 2]! + 0.5) | 0;
      }
    }
  }
}

/**
 * Both sides' samples at pixel (x, y) with the residual correction `r` = (r0x, r0y, r1x, r1y)
 * composed with the flow (see `motion-field.ts`): the k0 side into `s[0..2]`, the k1 side into
 * `s[3..5]`; `s[6..7]` is scratch. With r = 0 at a whole pixel this is exactly the uncorrected warp.
 */
export function correctedSamplesInto(sources: WarpSources, x: number, y: number, wl: number, r: Float32Array, s: Float32Array): void {
  const { width, height } = sources;
  const x0 = x + r[0]!;
  const y0 = y + r[1]!;
  sampleInto(sources.flow10, 2, width, height, x0, y0, s, 6);
  sampleInto(sources.k0.data, 3, width, height, x0 + wl * s[6]!, y0 + wl * s[7]!, s, 0);
  const x1 = x + r[2]!;
  const y1 = y + r[3]!;
  const back = 1 - wl;
  sampleInto(sources.flow01, 2, width, height, x1, y1, s, 6);
  sampleInto(sources.k1.data, 3, width, height, x1 + back * s[6]!, y1 + back * s[7]!, s, 3);
}

/** `renderInto` with a motion side-channel correction (both sides are always sampled). */
export function renderCorrectedInto(sources: WarpSources, wi: number, wl: number, field: MotionField, layout: FieldLayout, out: Uint8Array): void {
  const { width, height } = sources;
  const w0 = wi;
  const w1 = 1 - wi;
  const r = new Float32Array(4);
  const s = new Float32Array(8);
  let o = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1, o += 3) {
      vectorAt(field, layout, x, y, r);
      correctedSamplesInto(sources, x, y, wl, r, s);
      out[o] = (w0 * s[0]! + w1 * s[3]! + 0.5) | 0;
      out[o + 1] = (w0 * s[1]! + w1 * s[4]! + 0.5) | 0;
      out[o + 2] = (w0 * s[2]! + w1 * s[5]! + 0.5) | 0;
    }
  }
}
