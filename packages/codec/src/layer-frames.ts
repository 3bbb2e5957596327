import type { KeyframeLayer } from './bitstream/types.ts';
import type { RgbFrame } from './contracts.ts';
import { CodecError } from './errors.ts';
import type { Size } from '@cmvc/media-io/frames';
import type { LayerCodec } from './media.ts';

/**
 * The decoded frames of the keyframe layer by position, read forward: each AV1 sequence is decoded
 * as the caller reaches it, a few frames ahead of it, and frames behind the caller are forgotten.
 * The decoder uses the same reader, so both sides interpolate from identical pixels.
 */
export interface LayerFrames {
  /** The decoded frame at `position` in the layer (0-based), not before the last `release`. */
  frame(position: number): Promise<RgbFrame>;
  /** Forgets the frames before `position`, and stops the decodes of sequences wholly before it. */
  release(position: number): Promise<void>;
  /** Stops every decode still running: the caller has read what it needs. */
  close(): Promise<void>;
}

/** One AV1 sequence, decoded as far as its reader has asked. */
class SequenceReader {
  readonly #frames: AsyncIterator<RgbFrame>;
  readonly #kept = new Map<number, RgbFrame>();
  #next = 0;
  #releasedBelow = 0;
  #failure: unknown;
  /** Reads run one after another: the iterator hands out frames in order. */
  #reading: Promise<unknown> = Promise.resolve();

  constructor(frames: AsyncIterable<RgbFrame>) {
    this.#frames = frames[Symbol.asyncIterator]();
  }

  frame(offset: number): Promise<RgbFrame> {
    const read = this.#reading.then(() => this.#read(offset));
    this.#reading = read.catch(() => undefined);
    return read;
  }

  release(below: number): void {
    this.#releasedBelow = Math.max(this.#releasedBelow, below);
    for (const offset of this.#kept.keys()) if (offset < below) this.#kept.delete(offset);
  }

  async close(): Promise<void> {
    await this.#reading;
    await this.#frames.return?.();
  }

  async #read(offset: number): Promise<RgbFrame> {
    while (this.#next <= offset) {
      if (this.#failure !== undefined) throw this.#failure;
      let step: IteratorResult<RgbFrame>;
      try {
        step = await this.#frames.next();
      } catch (error) {
        this.#failure = error;
        throw error;
      }
      if (step.done) throw new CodecError('INTERNAL', `the keyframe layer sequence ended before frame ${offset}`);
      if (this.#next >= this.#releasedBelow) this.#kept.set(this.#next, step.value);
      this.#next += 1;
    }
    const frame = this.#kept.get(offset);
    if (!frame) throw new CodecError('INTERNAL', `keyframe layer frame ${offset} was read after its release`);
    return frame;
  }
}

export function layerFrames(layer: KeyframeLayer, codec: LayerCodec, signal?: AbortSignal, working?: Size): LayerFrames {
  const size = working ?? { width: layer.width, height: layer.height };
  const starts: number[] = [];
  let total = 0;
  for (const segment of layer.segments) {
    starts.push(total);
    total += segment.frames;
  }
  const sequences = new Map<number, SequenceReader>();
  let released = 0;
  const segmentAt = (position: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  const load = (index: number): SequenceReader => {
    let sequence = sequences.get(index);
    if (!sequence) {
      const segment = layer.segments[index];
      if (!segment) throw new CodecError('INTERNAL', `no keyframe layer segment ${index}`);
      sequence = new SequenceReader(codec.decode(segment.obus, size.width, size.height, segment.frames, signal));
      sequence.release(released - starts[index]!);
      sequences.set(index, sequence);
    }
    return sequence;
  };
  return {
    async frame(position) {
      if (!Number.isInteger(position) || position < 0 || position >= total) throw new CodecError('INTERNAL', `no keyframe layer frame ${position}`);
      const index = segmentAt(position);
      return load(index).frame(position - starts[index]!);
    },
    async release(below) {
      released = Math.max(released, below);
      const keep = segmentAt(Math.max(0, Math.min(total - 1, below)));
      for (const [index, sequence] of sequences) {
        if (index > keep) continue;
        if (index === keep) sequence.release(below - starts[index]!);
        else {
          sequences.delete(index);
          await sequence.close();
        }
      }
    },
    async close() {
      const open = [...sequences.values()];
      sequences.clear();
      await Promise.all(open.map((sequence) => sequence.close()));
    },
  };
}
