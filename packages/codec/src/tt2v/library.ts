import type { RgbFrame } from '../contracts.ts';
import { CodecError } from '../errors.ts';

/** A keyframe of an archived video, found by text-embedding similarity. */
export interface Exemplar {
  readonly videoId: string;
  /** Decoded pixels, or encoded image bytes (any format sharp reads). */
  readonly image: RgbFrame | Uint8Array;
  /** Cosine similarity to the query, higher is closer. */
  readonly score: number;
}

export interface NearestOptions {
  /** Never return keyframes of this video (TT2V must not use the video's own pixels). */
  readonly excludeVideoId?: string;
}

export interface ExemplarLibrary {
  /** Up to `k` exemplars, best first. */
  nearest(embedding: Float32Array, k: number, options: NearestOptions): Promise<Exemplar[]>;
}

interface Entry {
  readonly videoId: string;
  readonly embedding: Float32Array;
  readonly image: RgbFrame | Uint8Array;
}

/** Exemplars held in memory with exhaustive cosine search; for the CLI and tests. */
export class InMemoryExemplarLibrary implements ExemplarLibrary {
  readonly #entries: Entry[] = [];
  #dimensions: number | undefined;

  get size(): number {
    return this.#entries.length;
  }

  /** Adds one keyframe of `videoId`, described by `embedding` (any non-zero length; it is normalised). */
  add(videoId: string, embedding: Float32Array, image: RgbFrame | Uint8Array): void {
    if (videoId.length === 0) throw new CodecError('INVALID_OPTIONS', 'exemplar videoId must not be empty');
    this.#checkDimensions(embedding);
    const norm = l2Norm(embedding);
    if (!Number.isFinite(norm) || norm === 0) throw new CodecError('INVALID_OPTIONS', `exemplar embedding of ${videoId} must be finite and non-zero`);
    this.#dimensions ??= embedding.length;
    this.#entries.push({ videoId, embedding: embedding.map((v) => v / norm), image });
  }

  /** Forgets every keyframe of `videoId` (e.g. when the video is deleted); returns how many. */
  removeVideo(videoId: string): number {
    let removed = 0;
    for (let i = this.#entries.length - 1; i >= 0; i -= 1) {
      if (this.#entries[i]?.videoId === videoId) {
        this.#entries.splice(i, 1);
        removed += 1;
      }
    }
    return removed;
  }

  async nearest(embedding: Float32Array, k: number, options: NearestOptions): Promise<Exemplar[]> {
    if (!Number.isInteger(k) || k <= 0 || this.#entries.length === 0) return [];
    this.#checkDimensions(embedding);
    const norm = l2Norm(embedding);
    if (!Number.isFinite(norm) || norm === 0) throw new CodecError('INVALID_OPTIONS', 'query embedding must be finite and non-zero');
    const scored: Exemplar[] = [];
    for (const entry of this.#entries) {
      if (entry.videoId === options.excludeVideoId) continue;
      let dot = 0;
      for (let i = 0; i < embedding.length; i += 1) dot += embedding[i]! * entry.embedding[i]!;
      scored.push({ videoId: entry.videoId, image: entry.image, score: dot / norm });
    }
    // Array.prototype.sort is stable, so equal scores keep insertion order.
    return scored.sort((a, b) => b.score - a.score).slice(0, k);
  }

  #checkDimensions(embedding: Float32Array): void {
    if (embedding.length === 0) throw new CodecError('INVALID_OPTIONS', 'embedding must not be empty');
    if (this.#dimensions !== undefined && embedding.length !== this.#dimensions) {
      throw new CodecError('INVALID_OPTIONS', `embedding has ${embedding.length} dimensions, the library holds ${this.#dimensions}`);
    }
  }
}

function l2Norm(vector: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i += 1) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}
