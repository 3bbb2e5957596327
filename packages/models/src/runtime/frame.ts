import type { RgbFrame } from '../types.ts';
import { ModelError } from './errors.ts';

/** Largest side accepted from callers; guards against absurd allocations from a bad header. */
export const MAX_FRAME_SIDE = 8192;

export function assertRgbFrame(frame: RgbFrame, what = 'frame'): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ModelError('invalid-frame', `${what}: width and height must be positive integers (got ${width}x${height})`);
  }
  if (width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE) {
    throw new ModelError('invalid-frame', `${what}: ${width}x${height} exceeds the ${MAX_FRAME_SIDE}px limit`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new ModelError(
      'invalid-frame',
      `${what}: expected ${width * height * 3} bytes of RGB24 for ${width}x${height}, got ${data instanceof Uint8Array ? data.length : typeof data}`,
    );
  }
}

export function assertFrames(frames: readonly RgbFrame[]): void {
  if (!Array.isArray(frames)) throw new ModelError('invalid-input', 'frames must be an array');
  frames.forEach((frame, index) => assertRgbFrame(frame, `frame ${index}`));
}

export function l2Normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new ModelError('invalid-input', `vector lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
