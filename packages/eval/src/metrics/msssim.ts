import { EvalError } from '../errors.ts';

/** Wang, Simoncelli & Bovik (2003): five scales and their exponents. */
export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;
const WINDOW = 11;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;
/** The coarsest scale is 1/16 of the input and must still hold one full Gaussian window. */
export const MS_SSIM_MIN_SIDE = WINDOW * 2 ** (MS_SSIM_WEIGHTS.length - 1);

const GAUSSIAN: Float64Array = (() => {
  const kernel = new Float64Array(WINDOW);
  let sum = 0;
  for (let i = 0; i < WINDOW; i += 1) {
    const x = i - (WINDOW - 1) / 2;
    kernel[i] = Math.exp(-(x * x) / (2 * SIGMA * SIGMA));
    sum += kernel[i]!;
  }
  return kernel.map((v) => v / sum);
})();

interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/** Separable Gaussian filter over the valid region (no padding): (w−10)×(h−10). */
function blur(plane: Plane): Plane {
  const { width, height, data } = plane;
  const outWidth = width - WINDOW + 1;
  const outHeight = height - WINDOW + 1;
  const rows = new Float64Array(outWidth * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    for (let x = 0; x < outWidth; x += 1) {
      let sum = 0;
      for (let k = 0; k < WINDOW; k += 1) sum += GAUSSIAN[k]! * data[row + x + k]!;
      rows[y * outWidth + x] = sum;
    }
  }
  const out = new Float64Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y += 1) {
    for (let x = 0; x < outWidth; x += 1) {
      let sum = 0;
      for (let k = 0; k < WINDOW; k += 1) sum += GAUSSIAN[k]! * rows[(y + k) * outWidth + x]!;
      out[y * outWidth + x] = sum;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

function product(a: Plane, b: Plane): Plane {
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i += 1) data[i] = a.data[i]! * b.data[i]!;
  return { width: a.width, height: a.height, data };
}

/** 2×2 average pooling (an odd last row or column is dropped). */
function halve(plane: Plane): Plane {
  const width = plane.width >> 1;
  const height = plane.height >> 1;
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = 2 * y * plane.width + 2 * x;
      data[y * width + x] = (plane.data[i]! + plane.data[i + 1]! + plane.data[i + plane.width]! + plane.data[i + plane.width + 1]!) / 4;
    }
  }
  return { width, height, data };
}

/** One scale of a reference plane with the filtered terms that do not depend on the distorted plane. */
interface ReferenceScale {
  readonly plane: Plane;
  readonly mu: Plane;
  readonly squares: Plane;
}

/** A reference luma plane prepared once for comparing many distorted planes against it. */
export interface MsSsimReference {
  readonly width: number;
  readonly height: number;
  readonly scales: readonly ReferenceScale[];
}

/** Mean SSIM (luminance·contrast·structure) and mean contrast·structure term of one scale. */
function ssimTerms(x: ReferenceScale, y: Plane): { ssim: number; cs: number } {
  const muX = x.mu;
  const muY = blur(y);
  const xx = x.squares;
  const yy = blur(product(y, y));
  const xy = blur(product(x.plane, y));
  let ssimSum = 0;
  let csSum = 0;
  const n = muX.data.length;
  for (let i = 0; i < n; i += 1) {
    const mx = muX.data[i]!;
    const my = muY.data[i]!;
    const varX = xx.data[i]! - mx * mx;
    const varY = yy.data[i]! - my * my;
    const cov = xy.data[i]! - mx * my;
    const cs = (2 * cov + C2) / (varX + varY + C2);
    csSum += cs;
    ssimSum += ((2 * mx * my + C1) / (mx * mx + my * my + C1)) * cs;
  }
  return { ssim: ssimSum / n, cs: csSum / n };
}

function checkSize(width: number, height: number): void {
  if (width < MS_SSIM_MIN_SIDE || height < MS_SSIM_MIN_SIDE) {
    throw new EvalError('INPUT_TOO_SMALL', `MS-SSIM needs at least ${MS_SSIM_MIN_SIDE}x${MS_SSIM_MIN_SIDE} pixels, got ${width}x${height}`);
  }
}

/** Builds the reference's scale pyramid with its own filtered terms (two of the five filters per scale). */
export function prepareMsSsimReference(reference: Uint8Array, width: number, height: number): MsSsimReference {
  if (reference.length !== width * height) throw new EvalError('SIZE_MISMATCH', `MS-SSIM planes must both be ${width}x${height}`);
  checkSize(width, height);
  const scales: ReferenceScale[] = [];
  let plane: Plane = { width, height, data: Float64Array.from(reference) };
  for (let scale = 0; scale < MS_SSIM_WEIGHTS.length; scale += 1) {
    scales.push({ plane, mu: blur(plane), squares: blur(product(plane, plane)) });
    if (scale < MS_SSIM_WEIGHTS.length - 1) plane = halve(plane);
  }
  return { width, height, scales };
}

/** MS-SSIM of a distorted 8-bit luma plane against a prepared reference. */
export function msSsimAgainst(reference: MsSsimReference, distorted: Uint8Array): number {
  const { width, height } = reference;
  if (distorted.length !== width * height) throw new EvalError('SIZE_MISMATCH', `MS-SSIM planes must both be ${width}x${height}`);
  let y: Plane = { width, height, data: Float64Array.from(distorted) };
  let score = 1;
  for (const [scale, weight] of MS_SSIM_WEIGHTS.entries()) {
    const terms = ssimTerms(reference.scales[scale]!, y);
    const last = scale === MS_SSIM_WEIGHTS.length - 1;
    score *= Math.max(0, last ? terms.ssim : terms.cs) ** weight;
    if (!last) y = halve(y);
  }
  return score;
}

/**
 * MS-SSIM of two 8-bit luma planes (Gaussian 11×11, σ = 1.5, K1 = 0.01, K2 = 0.03, five scales
 * with the standard weights). Negative per-scale terms are clamped to 0 so the product stays real.
 */
export function msSsim(reference: Uint8Array, distorted: Uint8Array, width: number, height: number): number {
  if (reference.length !== width * height || distorted.length !== width * height) {
    throw new EvalError('SIZE_MISMATCH', `MS-SSIM planes must both be ${width}x${height}`);
  }
  return msSsimAgainst(prepareMsSsimReference(reference, width, height), distorted);
}
