/** The keyframe layer's reader hands out frames as the codec decodes them, and still fails on a sequence that breaks later. */
import { describe, expect, it } from 'vitest';
import type { KeyframeLayer } from '../src/bitstream/types.ts';
import type { RgbFrame } from '../src/contracts.ts';
import { layerFrames } from '../src/layer-frames.ts';
import type { LayerCodec } from '../src/media.ts';

const frame = (value: number): RgbFrame => ({ width: 1, height: 1, data: new Uint8Array([value, value, value]) });

/** A codec whose decode reports each frame at once and finishes only when the test says so. */
function heldCodec(frameCount: number, reportsFrames: boolean) {
  let finish: (outcome: Error | null) => void = () => {};
  const codec: LayerCodec = {
    maxCrf: 63,
    encoder: () => {
      throw new Error('not used');
    },
    decode: (_obus, _width, _height, _count, _signal, onFrame) => {
      const frames = Array.from({ length: frameCount }, (_, index) => frame(index));
      if (reportsFrames) frames.forEach((decoded, index) => onFrame?.(decoded, index));
      return new Promise((resolve, reject) => (finish = (outcome) => (outcome ? reject(outcome) : resolve(frames))));
    },
  };
  return { codec, finish: (outcome: Error | null) => finish(outcome) };
}

const layer = (frames: number): KeyframeLayer => ({
  width: 1,
  height: 1,
  frameIndices: Array.from({ length: frames }, (_, index) => index),
  segments: [{ frames, obus: new Uint8Array(1) }],
});

/** Whether the promise settles within a few event-loop turns. */
async function settles(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('layerFrames', () => {
  it('hands out a frame as soon as it is decoded, and the last one of a sequence once the sequence is whole', async () => {
    const { codec, finish } = heldCodec(4, true);
    const frames = layerFrames(layer(4), codec);
    expect((await frames.frame(0)).data[0]).toBe(0);
    expect((await frames.frame(2)).data[0]).toBe(2);
    const last = frames.frame(3);
    expect(await settles(last)).toBe(false);
    finish(null);
    expect((await last).data[0]).toBe(3);
  });

  it('fails on the last frame of a sequence that breaks after its first frames', async () => {
    const { codec, finish } = heldCodec(3, true);
    const frames = layerFrames(layer(3), codec);
    expect((await frames.frame(1)).data[0]).toBe(1);
    const last = frames.frame(2);
    finish(Object.assign(new Error('the AV1 keyframe layer does not decode'), { code: 'INVALID_MEDIA' }));
    await expect(last).rejects.toThrow(/does not decode/);
  });

  it('waits for the whole sequence from a codec that does not report frames one by one', async () => {
    const { codec, finish } = heldCodec(3, false);
    const frames = layerFrames(layer(3), codec);
    const first = frames.frame(0);
    expect(await settles(first)).toBe(false);
    finish(null);
    expect((await first).data[0]).toBe(0);
  });
});
