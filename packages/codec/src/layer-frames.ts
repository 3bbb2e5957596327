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

export function layerFrames(layer: KeyframeLayer, codec: LayerCodec, signal?: AbortSignal, working?: Size): LayerFrames {
  const size = working ?? { width: layer.width, height: layer.height };
  const starts: number[] = [];
  let total = 0;
  for (const segment of layer.segments) {
    starts.push(total);
    total += segment.frames;
  }
  const decodedSegments = new Map<number, Promise<RgbFrame[]>>();
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
  const load = (index: number): Promise<RgbFrame[]> => {
    let frames = decodedSegments.get(index);
    if (!frames) {
      const segment = layer.segments[index];
      if (!segment) throw new CodecError('INTERNAL', `no keyframe layer segment ${index}`);
      frames = codec.decode(segment.obus, size.width, size.height, segment.frames, signal);
      frames.catch(() => undefined); // observed by whoever asks for a frame
      decodedSegments.set(index, frames);
    }
    return frames;
  };
  return {
    async frame(position) {
      if (!Number.isInteger(position) || position < 0 || position >= total) throw new CodecError('INTERNAL', `no keyframe layer frame ${position}`);
      const index = segmentAt(position);
      const frames = await load(index);
      const frame = frames[position - starts[index]!];
      if (!frame) throw new CodecError('INTERNAL', `no keyframe layer frame ${position}`);
      return frame;
    },
    async release(below) {
      const keep = segmentAt(Math.max(0, Math.min(total - 1, below)));
      for (const index of decodedSegments.keys()) if (index < keep) decodedSegments.delete(index);
    },
  };
}
