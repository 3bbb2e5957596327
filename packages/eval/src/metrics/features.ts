import type { ImageFeatureExtractor } from '@cmvc/codec';
import { EvalError } from '../errors.ts';
import { readRgb, type RawVideo } from '../media/raw.ts';
import { cosine } from './semantic.ts';

/**
 * MobileNetV2 feature distance of `distorted` against `reference` (same size and frame count): the
 * mean over the frames at `indices` of the cosine distance 1 − cos(f(source), f(reconstruction))
 * between the extractor's feature vectors. 0 = the same features; lower is better. It is a
 * deep-feature distance in the spirit of LPIPS, not LPIPS (one pooled vector, no learned weights).
 */
export async function measureFeatureDistance(distorted: RawVideo, reference: RawVideo, indices: readonly number[], extractor: ImageFeatureExtractor, signal?: AbortSignal): Promise<number> {
  if (indices.length === 0) throw new EvalError('INVALID_OPTIONS', 'feature distance needs at least one frame');
  const { width, height } = reference.info;
  if (distorted.info.width !== width || distorted.info.height !== height) throw new EvalError('SIZE_MISMATCH', 'feature-distance inputs differ in size');
  const [source, reconstruction] = await Promise.all([readRgb(reference, indices), readRgb(distorted, indices)]);
  signal?.throwIfAborted();
  const frame = (data: Uint8Array) => ({ width, height, data });
  const [a, b] = [await extractor.embed(source.map(frame)), await extractor.embed(reconstruction.map(frame))];
  return featureDistance(a, b);
}

/** Mean cosine distance between paired feature vectors. */
export function featureDistance(source: readonly Float32Array[], reconstruction: readonly Float32Array[]): number {
  if (source.length === 0 || source.length !== reconstruction.length) throw new EvalError('INVALID_OPTIONS', 'feature distance needs equally many, non-zero vectors per side');
  return source.reduce((sum, features, i) => sum + (1 - cosine(features, reconstruction[i]!)), 0) / source.length;
}
