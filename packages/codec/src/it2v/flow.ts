import type { RgbFrame } from '../contracts.ts';
import { CodecError } from '../errors.ts';
import type { CvMat, OpenCv } from './opencv.ts';

/** Flow is estimated on grayscale images at most this wide, then upsampled. */
export const FLOW_MAX_WIDTH = 320;

/**
 * Farneback settings for the reduced resolution. OpenCV stops the pyramid once a level is
 * under 32 px, so at 320x180 Farneback alone only follows motions of about a dozen reduced
 * pixels (≈ 30 px at 854 wide). Keyframes are often much further apart, so we first find
 * the global translation (`globalShift`), translate the second image back by it, let
 * Farneback find the local residual, and add the translation back. (Seeding Farneback with
 * OPTFLOW_USE_INITIAL_FLOW instead was measurably worse on the same pans.)
 */
const FARNEBACK = { pyrScale: 0.5, levels: 4, winsize: 15, iterations: 3, polyN: 5, polySigma: 1.2, flags: 0 } as const;

/**
 * The one Farneback dense flow of the codebase (IT2V here, the motion analyzer in @cmvc/models),
 * with the settings above: `flow` receives (dx, dy) per pixel of `from`, in `from`'s pixels.
 * With `initialFlow`, `flow` already holds a CV_32FC2 estimate that Farneback refines.
 */
export function farnebackFlow(cv: OpenCv, from: CvMat, to: CvMat, flow: CvMat, initialFlow = false): void {
  const f = FARNEBACK;
  cv.calcOpticalFlowFarneback(from, to, flow, f.pyrScale, f.levels, f.winsize, f.iterations, f.polyN, f.polySigma, initialFlow ? cv.OPTFLOW_USE_INITIAL_FLOW : f.flags);
}

/** Global-shift search reach, as a share of the image size in each direction. */
const SHIFT_REACH = 0.4;
/** The coarse shift search runs on a 1/4-size copy; below this size (in that copy) it is skipped. */
const MIN_SEARCH_SIZE = 8;
/** Shifts must keep at least this share of the image overlapping. */
const MIN_OVERLAP = 0.4;

/** Per-pixel displacement fields at the frames' resolution, interleaved (dx, dy), in pixels. */
export interface BidirectionalFlow {
  /** k0 pixel at p moves to p + flow01(p) in k1. */
  readonly flow01: Float32Array;
  /** k1 pixel at p moves to p + flow10(p) in k0. */
  readonly flow10: Float32Array;
}

export function flowSize(width: number, height: number, maxWidth = FLOW_MAX_WIDTH): { width: number; height: number } {
  if (width <= maxWidth) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

/**
 * Dense Farneback flow in both directions; every Mat it creates is freed before returning. With
 * `into` (two arrays of 2·width·height values) the flows are written there and `into` is returned:
 * for a caller that measures many pairs of one size and keeps none.
 */
export function bidirectionalFlow(cv: OpenCv, k0: RgbFrame, k1: RgbFrame, into?: BidirectionalFlow): BidirectionalFlow {
  const values = k0.width * k0.height * 2;
  if (into && (into.flow01.length !== values || into.flow10.length !== values))
    throw new CodecError('INTERNAL', `flow buffers hold ${into.flow01.length} and ${into.flow10.length} values, a ${k0.width}x${k0.height} flow needs ${values}`);
  const flows = into ?? { flow01: new Float32Array(values), flow10: new Float32Array(values) };
  const mats: CvMat[] = [];
  const track = (mat: CvMat): CvMat => {
    mats.push(mat);
    return mat;
  };
  try {
    const small = flowSize(k0.width, k0.height);
    const gray0 = reducedGray(cv, k0, small, track);
    const gray1 = reducedGray(cv, k1, small, track);
    const shift = globalShift(cv, gray0, gray1, track);
    fullResolutionFlow(cv, gray0, gray1, shift, k0, small, track, flows.flow01);
    fullResolutionFlow(cv, gray1, gray0, { dx: -shift.dx, dy: -shift.dy }, k0, small, track, flows.flow10);
    return flows;
  } finally {
    for (const mat of mats) mat.delete();
  }
}

/** Dense flows from one image to several others, at the reduced flow size (no upsampling). */
export interface ReducedFlows {
  readonly width: number;
  readonly height: number;
  /** `from` in grayscale at the reduced size. */
  readonly gray: Uint8Array;
  /** One per `to` image, interleaved (dx, dy) per reduced pixel, in full-resolution pixels: from(p) ≈ to(p + flow(p)). */
  readonly flows: readonly Float32Array[];
}

/**
 * Farneback from `from` to each of `to` at the reduced size, without the global-shift search: meant
 * for residual motion against an already motion-compensated prediction, which is small.
 */
export function reducedFlows(cv: OpenCv, from: RgbFrame, to: readonly RgbFrame[], maxWidth = FLOW_MAX_WIDTH): ReducedFlows {
  const mats: CvMat[] = [];
  const track = (mat: CvMat): CvMat => {
    mats.push(mat);
    return mat;
  };
  try {
    const small = flowSize(from.width, from.height, maxWidth);
    const gray = reducedGray(cv, from, small, track);
    const scaleX = from.width / small.width;
    const scaleY = from.height / small.height;
    const flows = to.map((image) => {
      const flow = track(new cv.Mat());
      farnebackFlow(cv, gray, reducedGray(cv, image, small, track), flow);
      const out = flow.data32F.slice();
      for (let i = 0; i < out.length; i += 2) {
        out[i] = out[i]! * scaleX;
        out[i + 1] = out[i + 1]! * scaleY;
      }
      return out;
    });
    return { width: small.width, height: small.height, gray: gray.data.slice(), flows };
  } finally {
    for (const mat of mats) mat.delete();
  }
}

function reducedGray(cv: OpenCv, frame: RgbFrame, small: { width: number; height: number }, track: (mat: CvMat) => CvMat): CvMat {
  let gray: CvMat;
  if (frame.pixelFormat === 'yuv444') {
    // The luma is copied straight into the Mat's memory (its view is taken after the Mat exists: allocating can move it).
    gray = track(new cv.Mat(frame.height, frame.width, cv.CV_8UC1));
    const luma = gray.data;
    const data = frame.data;
    for (let i = 0, o = 0; i < luma.length; i += 1, o += 3) luma[i] = data[o]!;
  } else {
    const rgb = track(cv.matFromArray(frame.height, frame.width, cv.CV_8UC3, frame.data));
    gray = track(new cv.Mat());
    cv.cvtColor(rgb, gray, cv.COLOR_RGB2GRAY);
  }
  if (small.width === frame.width && small.height === frame.height) return gray;
  const reduced = track(new cv.Mat());
  cv.resize(gray, reduced, new cv.Size(small.width, small.height), 0, 0, cv.INTER_AREA);
  return reduced;
}

function fullResolutionFlow(
  cv: OpenCv,
  from: CvMat,
  to: CvMat,
  initial: Shift,
  frame: RgbFrame,
  small: { width: number; height: number },
  track: (mat: CvMat) => CvMat,
  out: Float32Array,
): void {
  const flow = track(new cv.Mat());
  const aligned = initial.dx === 0 && initial.dy === 0 ? to : track(translated(cv, to, initial));
  farnebackFlow(cv, from, aligned, flow);
  let full = flow;
  if (small.width !== frame.width || small.height !== frame.height) {
    full = track(new cv.Mat());
    cv.resize(flow, full, new cv.Size(frame.width, frame.height), 0, 0, cv.INTER_LINEAR);
  }
  const reduced = full.data32F;
  const scaleX = frame.width / small.width;
  const scaleY = frame.height / small.height;
  for (let i = 0; i < out.length; i += 2) {
    out[i] = (reduced[i]! + initial.dx) * scaleX;
    out[i + 1] = (reduced[i + 1]! + initial.dy) * scaleY;
  }
}

/** out(p) = mat(p + shift), edges replicated; shift is in whole pixels. */
function translated(cv: OpenCv, mat: CvMat, shift: Shift): CvMat {
  const width = mat.cols;
  const height = mat.rows;
  const out = new cv.Mat(height, width, cv.CV_8UC1);
  // Both views are taken after the allocation, which can move the wasm memory.
  const src = mat.data;
  const dst = out.data;
  for (let y = 0; y < height; y += 1) {
    const sy = Math.min(height - 1, Math.max(0, y + shift.dy));
    for (let x = 0; x < width; x += 1) {
      dst[y * width + x] = src[sy * width + Math.min(width - 1, Math.max(0, x + shift.dx))]!;
    }
  }
  return out;
}

interface Shift {
  readonly dx: number;
  readonly dy: number;
}

/**
 * The translation (in reduced pixels) that best maps gray0 onto gray1: exhaustive mean
 * absolute difference on a 1/4-size copy, then ±2 pixels at 1/2 size.
 */
function globalShift(cv: OpenCv, gray0: CvMat, gray1: CvMat, track: (mat: CvMat) => CvMat): Shift {
  if (Math.min(gray0.cols, gray0.rows) < MIN_SEARCH_SIZE * 4) return { dx: 0, dy: 0 };
  const half = (m: CvMat): CvMat => shrink(cv, m, 2, track);
  const half0 = half(gray0);
  const half1 = half(gray1);
  const quarter0 = half(half0);
  const quarter1 = half(half1);
  const reachX = Math.round(quarter0.cols * SHIFT_REACH);
  const reachY = Math.round(quarter0.rows * SHIFT_REACH);
  const coarse = bestShift(quarter0, quarter1, 0, 0, reachX, reachY);
  const fine = bestShift(half0, half1, coarse.dx * 2, coarse.dy * 2, 2, 2);
  return { dx: Math.round((fine.dx * gray0.cols) / half0.cols), dy: Math.round((fine.dy * gray0.rows) / half0.rows) };
}

function shrink(cv: OpenCv, mat: CvMat, factor: number, track: (mat: CvMat) => CvMat): CvMat {
  const out = track(new cv.Mat());
  const size = new cv.Size(Math.max(1, Math.round(mat.cols / factor)), Math.max(1, Math.round(mat.rows / factor)));
  cv.resize(mat, out, size, 0, 0, cv.INTER_AREA);
  return out;
}

/** Content at p in `a` is at p + (dx, dy) in `b`; ties keep the smaller shift. */
function bestShift(a: CvMat, b: CvMat, centreX: number, centreY: number, reachX: number, reachY: number): Shift {
  const width = a.cols;
  const height = a.rows;
  const pa = a.data;
  const pb = b.data;
  let best = { dx: 0, dy: 0, cost: Number.POSITIVE_INFINITY };
  for (let dy = centreY - reachY; dy <= centreY + reachY; dy += 1) {
    for (let dx = centreX - reachX; dx <= centreX + reachX; dx += 1) {
      const x0 = Math.max(0, -dx);
      const x1 = Math.min(width, width - dx);
      const y0 = Math.max(0, -dy);
      const y1 = Math.min(height, height - dy);
      if ((x1 - x0) * (y1 - y0) < MIN_OVERLAP * width * height) continue;
      const area = (x1 - x0) * (y1 - y0);
      // The sum only grows, so a shift is dropped once its partial cost is clearly past the best
      // one (twice the tie margin, against rounding): the search keeps exactly the shift the full sums would.
      const limit = best.cost + 2e-9;
      let sum = 0;
      for (let y = y0; y < y1 && sum / area <= limit; y += 1) {
        const rowA = y * width;
        const rowB = (y + dy) * width + dx;
        for (let x = x0; x < x1; x += 1) sum += Math.abs(pa[rowA + x]! - pb[rowB + x]!);
      }
      const cost = sum / area;
      if (cost < best.cost - 1e-9 || (Math.abs(cost - best.cost) <= 1e-9 && Math.abs(dx) + Math.abs(dy) < Math.abs(best.dx) + Math.abs(best.dy))) {
        best = { dx, dy, cost };
      }
    }
  }
  return best.cost === Number.POSITIVE_INFINITY ? { dx: centreX, dy: centreY } : { dx: best.dx, dy: best.dy };
}
