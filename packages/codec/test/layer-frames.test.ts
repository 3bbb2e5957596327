/** The keyframe layer's reader decodes each sequence only as far as it is asked, forgets what it has passed, and stops decodes it no longer needs. */
import { describe, expect, it } from 'vitest';
import type { KeyframeLayer } from '../src/bitstream/types.ts';
import type { RgbFrame } from '../src/contracts.ts';
import { layerFrames } from '../src/layer-frames.ts';
import type { LayerCodec } from '../src/media.ts';

const frame = (value: number): RgbFrame => ({ width: 1, height: 1, data: new Uint8Array([value, value, value]) });

/** A codec whose sequences count the frames taken from them and whether they were stopped; `breakAt` fails a sequence there. */
function countingCodec(breakAt?: number) {
  const sequences: { taken: number; stopped: boolean; ended: boolean }[] = [];
  const codec: LayerCodec = {
    maxCrf: 63,
    encoder: () => {
      throw new Error('not used');
    },
    async *decode(obus, _width, _height, frameCount) {
      const sequence = { taken: 0, stopped: true, ended: false };
      sequences.push(sequence);
      try {
        for (let offset = 0; offset < frameCount; offset += 1) {
          if (offset === breakAt) throw Object.assign(new Error('the AV1 keyframe layer does not decode'), { code: 'INVALID_MEDIA' });
          sequence.taken += 1;
          yield frame(obus[0]! * 100 + offset);
        }
        sequence.stopped = false;
      } finally {
        sequence.ended = true;
      }
    },
  };
  return { codec, sequences };
}

/** Two sequences: frames 0–3 and 4–6. */
const layer: KeyframeLayer = {
  width: 1,
  height: 1,
  frameIndices: [0, 2, 4, 6, 8, 10, 12],
  segments: [
    { frames: 4, obus: new Uint8Array([1]) },
    { frames: 3, obus: new Uint8Array([2]) },
  ],
};

describe('layerFrames', () => {
  it('decodes a sequence only up to the frame asked for, and starts the next one only when reached', async () => {
    const { codec, sequences } = countingCodec();
    const frames = layerFrames(layer, codec);
    expect((await frames.frame(1)).data[0]).toBe(101);
    expect(sequences.map((sequence) => sequence.taken)).toEqual([2]);
    expect((await frames.frame(0)).data[0]).toBe(100);
    expect((await frames.frame(4)).data[0]).toBe(200);
    expect(sequences.map((sequence) => sequence.taken)).toEqual([2, 1]);
    await frames.close();
  });

  it('forgets the frames before a release and stops the decode of a sequence it has moved past', async () => {
    const { codec, sequences } = countingCodec();
    const frames = layerFrames(layer, codec);
    await frames.frame(1);
    await frames.release(1);
    await expect(frames.frame(0)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await frames.frame(1)).data[0]).toBe(101);
    await frames.release(5);
    expect(sequences[0]).toMatchObject({ ended: true, stopped: true });
    expect((await frames.frame(5)).data[0]).toBe(201);
    // A frame skipped over after its release is never kept.
    await expect(frames.frame(4)).rejects.toMatchObject({ code: 'INTERNAL' });
    await frames.close();
    expect(sequences[1]).toMatchObject({ ended: true, stopped: true });
  });

  it('reports a sequence that breaks to the read that reaches the break, and to every later one', async () => {
    const { codec } = countingCodec(2);
    const frames = layerFrames(layer, codec);
    expect((await frames.frame(1)).data[0]).toBe(101);
    await expect(frames.frame(2)).rejects.toThrow(/does not decode/);
    await expect(frames.frame(3)).rejects.toThrow(/does not decode/);
    await frames.close();
  });

  it('hands out frames of reads asked for at once in order', async () => {
    const { codec } = countingCodec();
    const frames = layerFrames(layer, codec);
    const values = await Promise.all([frames.frame(3), frames.frame(0), frames.frame(2)]);
    expect(values.map((value) => value.data[0])).toEqual([103, 100, 102]);
    await frames.close();
  });
});
