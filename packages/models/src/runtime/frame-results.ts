import { createHash } from 'node:crypto';
import type { RgbFrame } from '../types.ts';
import { assertFrames } from './frame.ts';
import type { SharedModel } from './shared.ts';

/**
 * A model's recent results by frame content. During an encode the same picture reaches a model
 * several times: a keyframe is described, then ends one clip and starts the next, each decoded
 * again. A model's output depends only on the pixels, so the result is reused. Keyed by a SHA-256
 * of the frame's size and bytes: a frame decoded twice hits, a different frame never does. Keeps
 * the `capacity` most recently used results (a few kilobytes each).
 */
/**
 * Results an analyzer keeps (a few hundred kilobytes). A keyframe is described in the layer pass and
 * comes back as the end of one clip and the start of the next in the weights pass; between those
 * come the later keyframes and each clip's other samples (about 7 per clip), so 512 reach keyframes
 * minutes apart, and a clip's end frame always meets the next clip's start.
 */
export const RECENT_FRAMES = 512;

export class FrameResults<T> {
  readonly #entries = new Map<string, Promise<T>>();

  constructor(readonly capacity: number) {}

  /** The result for this frame's pixels: remembered, or computed now (a failure is not remembered). */
  get(frame: RgbFrame, compute: () => Promise<T>): Promise<T> {
    const key = createHash('sha256').update(`${frame.width}x${frame.height}:`).update(frame.data).digest('base64');
    const known = this.#entries.get(key);
    if (known) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, known);
      return known;
    }
    const result = compute();
    this.#entries.set(key, result);
    result.catch(() => {
      if (this.#entries.get(key) === result) this.#entries.delete(key);
    });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return result;
  }
}

/**
 * A per-frame model's results for each frame, in order: remembered in `recent` or computed now. Each
 * comes back as a fresh array, so a caller's changes never reach what is remembered; the model is
 * loaded only when there is a frame.
 */
export async function resultsPerFrame<M, R>(
  frames: readonly RgbFrame[],
  recent: FrameResults<readonly R[]>,
  shared: SharedModel<M>,
  compute: (model: M, frame: RgbFrame) => Promise<readonly R[]>,
): Promise<R[][]> {
  assertFrames(frames);
  if (frames.length === 0) return [];
  const model = await shared.get();
  const results: R[][] = [];
  for (const frame of frames) results.push([...(await recent.get(frame, () => compute(model, frame)))]);
  return results;
}
