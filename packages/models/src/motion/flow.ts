import type { RgbFrame } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { assertRgbFrame } from '../runtime/frame.ts';
import { farnebackFlow, withMats, type OpenCv } from './opencv.ts';

/** Largest analysis width accepted; Farneback cost grows with the pixel count. */
export const MAX_ANALYSIS_WIDTH = 320;
export const DEFAULT_ANALYSIS_WIDTH = 160;

/** A grayscale picture at analysis size. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Dense flow from one image to the next: (u, v) in pixels for each pixel, interleaved. */
export interface FlowField {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export function analysisSize(frame: RgbFrame, analysisWidth: number): { width: number; height: number } {
  if (!Number.isInteger(analysisWidth) || analysisWidth < 16 || analysisWidth > MAX_ANALYSIS_WIDTH) {
    throw new ModelError('invalid-config', `analysis width must be an integer in 16..${MAX_ANALYSIS_WIDTH} (got ${analysisWidth})`);
  }
  const width = Math.min(analysisWidth, frame.width);
  const height = Math.max(1, Math.round((frame.height * width) / frame.width));
  return { width, height };
}

/** Converts an RGB24 frame to grayscale and scales it (area averaging) to `size`. */
export function toAnalysisGray(cv: OpenCv, frame: RgbFrame, size: { width: number; height: number }): GrayImage {
  assertRgbFrame(frame);
  return withMats((track) => {
    const rgb = track(new cv.Mat(frame.height, frame.width, cv.CV_8UC3));
    rgb.data.set(frame.data);
    const gray = track(new cv.Mat());
    cv.cvtColor(rgb, gray, cv.COLOR_RGB2GRAY);
    if (gray.cols === size.width && gray.rows === size.height) return { ...size, data: gray.data.slice() };
    const small = track(new cv.Mat());
    cv.resize(gray, small, new cv.Size(size.width, size.height), 0, 0, cv.INTER_AREA);
    return { ...size, data: small.data.slice() };
  });
}

/** Width of the image the coarse global-shift search runs on. */
const COARSE_WIDTH = 64;
/** Largest shift searched at coarse size, in coarse pixels (also capped at a third of the size). */
const COARSE_MAX_SHIFT = 24;
/** The search only runs when at least this fraction of coarse pixels has visible gradient. */
const COARSE_MIN_TEXTURED = 0.25;
const COARSE_MIN_GRADIENT = 4;
/** A shift is used only if it leaves at most this fraction of the unshifted difference. */
const COARSE_MAX_COST_RATIO = 0.5;

function shrink(image: GrayImage, factor: number): { width: number; height: number; data: Float32Array } {
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy += 1) {
        for (let dx = 0; dx < factor; dx += 1) sum += image.data[(y * factor + dy) * image.width + x * factor + dx] ?? 0;
      }
      data[y * width + x] = sum / (factor * factor);
    }
  }
  return { width, height, data };
}

/**
 * Whole-image translation from `previous` to `next` in analysis pixels, by exhaustive search on a
 * small copy. Farneback underestimates shifts beyond roughly a tenth of the frame, which clips
 * sampled a second or more apart easily exceed; this estimate seeds it. Returns (0, 0) when the
 * picture is mostly flat, where a shift would be decided by a few objects rather than the scene.
 */
export function coarseShift(previous: GrayImage, next: GrayImage): { dx: number; dy: number } {
  const factor = Math.max(1, Math.floor(previous.width / COARSE_WIDTH));
  const a = shrink(previous, factor);
  const b = shrink(next, factor);
  const { width, height } = a;
  let textured = 0;
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const gx = ((a.data[y * width + x + 1] ?? 0) - (a.data[y * width + x - 1] ?? 0)) / 2;
      const gy = ((a.data[(y + 1) * width + x] ?? 0) - (a.data[(y - 1) * width + x] ?? 0)) / 2;
      if (Math.hypot(gx, gy) >= COARSE_MIN_GRADIENT) textured += 1;
    }
  }
  if (textured < COARSE_MIN_TEXTURED * Math.max(1, (width - 2) * (height - 2))) return { dx: 0, dy: 0 };
  const pa = a.data;
  const pb = b.data;
  /**
   * Mean absolute difference of the overlap at shift (sx, sy). The sum only grows, so once the
   * partial mean reaches `stopAt` the shift cannot win and its (partial) mean is returned: the
   * search keeps exactly the shift the full sums would.
   */
  const cost = (sx: number, sy: number, stopAt = Number.POSITIVE_INFINITY): number => {
    const x0 = Math.max(0, -sx);
    const x1 = Math.min(width, width - sx);
    const y0 = Math.max(0, -sy);
    const y1 = Math.min(height, height - sy);
    const count = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
    if (count === 0) return Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let y = y0; y < y1 && sum / count < stopAt; y += 1) {
      const rowA = y * width;
      const rowB = (y + sy) * width + sx;
      for (let x = x0; x < x1; x += 1) sum += Math.abs(pa[rowA + x]! - pb[rowB + x]!);
    }
    return sum / count;
  };
  const reachX = Math.min(COARSE_MAX_SHIFT, Math.floor(width / 3));
  const reachY = Math.min(COARSE_MAX_SHIFT, Math.floor(height / 3));
  const zero = cost(0, 0);
  let best = { dx: 0, dy: 0, cost: zero };
  for (let sy = -reachY; sy <= reachY; sy += 1) {
    for (let sx = -reachX; sx <= reachX; sx += 1) {
      const c = cost(sx, sy, best.cost - 1e-6);
      if (c < best.cost - 1e-6) best = { dx: sx, dy: sy, cost: c };
    }
  }
  // Only a clearly better alignment counts as a shift; zooms and local motion improve it a little.
  if (best.cost > COARSE_MAX_COST_RATIO * zero) return { dx: 0, dy: 0 };
  return { dx: best.dx * factor, dy: best.dy * factor };
}

/** Farneback dense flow (the codec's, see `farnebackFlow`), seeded with the coarse global shift. */
export function denseFlow(cv: OpenCv, previous: GrayImage, next: GrayImage): FlowField {
  if (previous.width !== next.width || previous.height !== next.height) {
    throw new ModelError('invalid-input', `flow needs equal sizes (${previous.width}x${previous.height} vs ${next.width}x${next.height})`);
  }
  const { width, height } = previous;
  const seed = coarseShift(previous, next);
  return withMats((track) => {
    const a = track(new cv.Mat(height, width, cv.CV_8UC1));
    a.data.set(previous.data);
    const b = track(new cv.Mat(height, width, cv.CV_8UC1));
    b.data.set(next.data);
    const seeded = seed.dx !== 0 || seed.dy !== 0;
    const flow = track(seeded ? new cv.Mat(height, width, cv.CV_32FC2) : new cv.Mat());
    if (seeded) {
      const values = flow.data32F;
      for (let i = 0; i < values.length; i += 2) {
        values[i] = seed.dx;
        values[i + 1] = seed.dy;
      }
    }
    farnebackFlow(cv, a, b, flow, seeded);
    return { width, height, data: flow.data32F.slice() };
  });
}
