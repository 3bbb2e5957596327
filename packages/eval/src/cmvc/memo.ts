import { createHash } from 'node:crypto';
import type { ClipFrames, ContentDescription, ImageFeatureExtractor, MotionDescription, RgbFrame, SceneDescriber, TimedFrame } from '@cmvc/codec';

/**
 * The operating points of one clip re-analyse the same source frames (keyframe selection and
 * descriptions do not depend on the image quality preset). These wrappers remember results by the
 * frames' pixel content, so each distinct frame is analysed once per run; results are identical
 * because the wrapped analyzers are deterministic.
 */
const frameKey = (frame: RgbFrame): string => createHash('sha1').update(`${frame.width}x${frame.height}:`).update(frame.data).digest('base64');

export class MemoFeatureExtractor implements ImageFeatureExtractor {
  readonly #inner: ImageFeatureExtractor;
  /** Pending or finished embeddings: points encoded at the same time share one computation. */
  readonly #cache = new Map<string, Promise<Float32Array>>();
  constructor(inner: ImageFeatureExtractor) {
    this.#inner = inner;
  }
  get id(): string {
    return this.#inner.id;
  }
  get dimensions(): number {
    return this.#inner.dimensions;
  }
  async embed(frames: readonly RgbFrame[]): Promise<Float32Array[]> {
    const keys = frames.map(frameKey);
    const missing: { key: string; frame: RgbFrame }[] = [];
    keys.forEach((key, i) => {
      if (!this.#cache.has(key) && !missing.some((m) => m.key === key)) missing.push({ key, frame: frames[i]! });
    });
    if (missing.length > 0) {
      const batch = this.#inner.embed(missing.map((m) => m.frame));
      missing.forEach(({ key }, i) => {
        const one = batch.then((embedded) => embedded[i]!);
        this.#cache.set(key, one);
        one.catch(() => this.#cache.delete(key)); // a failure is not remembered
      });
    }
    return Promise.all(keys.map((key) => this.#cache.get(key)!));
  }
}

export class MemoDescriber implements SceneDescriber {
  readonly #inner: SceneDescriber;
  readonly #content = new Map<string, Promise<ContentDescription>>();
  readonly #motion = new Map<string, Promise<MotionDescription>>();
  constructor(inner: SceneDescriber) {
    this.#inner = inner;
  }
  get id(): string {
    return this.#inner.id;
  }
  describeKeyframe(frame: TimedFrame): Promise<ContentDescription> {
    const key = `${frame.index}:${frameKey(frame)}`;
    return remember(this.#content, key, () => this.#inner.describeKeyframe(frame));
  }
  describeMotion(clip: ClipFrames): Promise<MotionDescription> {
    const key = `${clip.fps}:${clip.frames.map((f) => `${f.index}:${frameKey(f)}`).join('|')}`;
    return remember(this.#motion, key, () => this.#inner.describeMotion(clip));
  }
}

function remember<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  const known = cache.get(key);
  if (known) return known;
  const pending = compute();
  cache.set(key, pending);
  pending.catch(() => cache.delete(key)); // a failure is not remembered
  return pending;
}
