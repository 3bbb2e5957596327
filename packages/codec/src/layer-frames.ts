import type { KeyframeLayer } from './bitstream/types.ts';
import type { RgbFrame } from './contracts.ts';
import { CodecError } from './errors.ts';
import type { Size } from '@cmvc/media-io/frames';
import type { LayerCodec } from './media.ts';

/**
 * The decoded frames of the keyframe layer by position, decoding one AV1 sequence at a time as the
 * caller moves forward and forgetting frames behind it. The decoder uses the same reader, so both
 * sides interpolate from identical pixels.
 */
export interface LayerFrames {
  /** The decoded frame at `position` in the layer (0-based). */
  frame(position: number): Promise<RgbFrame>;
  /** Forgets the sequences wholly before `position`. */
  release(position: number): Promise<void>;
}

/** One AV1 sequence being decoded. */
interface DecodingSequence {
  /** Frame `offset` of the sequence, as soon as it is decoded. */
  frame(offset: number): Promise<RgbFrame | undefined>;
}

/**
 * Starts decoding a sequence. A frame is handed out as soon as the codec has decoded it (a render
 * needs the first frames of a sequence long before its last), except the last one, which waits for
 * the whole sequence: a sequence that turns out broken fails its reader before it moves past it.
 */
function decodeSequence(codec: LayerCodec, obus: Uint8Array, size: Size, frameCount: number, signal?: AbortSignal): DecodingSequence {
  const arrived: RgbFrame[] = [];
  let announce = () => {};
  let arrival = new Promise<void>((resolve) => (announce = resolve));
  const whole = codec.decode(obus, size.width, size.height, frameCount, signal, (frame, index) => {
    arrived[index] = frame;
    const announced = announce;
    arrival = new Promise<void>((resolve) => (announce = resolve));
    announced();
  });
  whole.catch(() => undefined); // observed by whoever asks for a frame
  return {
    async frame(offset) {
      if (offset === frameCount - 1) return (await whole)[offset];
      for (;;) {
        const early = arrived[offset];
        if (early) return early;
        // A codec that does not report frames one by one hands them all over at the end.
        const all = await Promise.race([whole, arrival.then(() => null)]);
        if (all) return all[offset];
      }
    },
  };
}

export function layerFrames(layer: KeyframeLayer, codec: LayerCodec, signal?: AbortSignal, working?: Size): LayerFrames {
  const size = working ?? { width: layer.width, height: layer.height };
  const starts: number[] = [];
  let total = 0;
  for (const segment of layer.segments) {
    starts.push(total);
    total += segment.frames;
  }
  const decodedSegments = new Map<number, DecodingSequence>();
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
  const load = (index: number): DecodingSequence => {
    let sequence = decodedSegments.get(index);
    if (!sequence) {
      const segment = layer.segments[index];
      if (!segment) throw new CodecError('INTERNAL', `no keyframe layer segment ${index}`);
      sequence = decodeSequence(codec, segment.obus, size, segment.frames, signal);
      decodedSegments.set(index, sequence);
    }
    return sequence;
  };
  return {
    async frame(position) {
      if (!Number.isInteger(position) || position < 0 || position >= total) throw new CodecError('INTERNAL', `no keyframe layer frame ${position}`);
      const index = segmentAt(position);
      const frame = await load(index).frame(position - starts[index]!);
      if (!frame) throw new CodecError('INTERNAL', `no keyframe layer frame ${position}`);
      return frame;
    },
    async release(below) {
      const keep = segmentAt(Math.max(0, Math.min(total - 1, below)));
      for (const index of decodedSegments.keys()) if (index < keep) decodedSegments.delete(index);
    },
  };
}
