import { describe, expect, it } from 'vitest';
import { FrameResults } from '../src/runtime/frame-results.ts';
import type { RgbFrame } from '../src/types.ts';

const frame = (seed: number, width = 16, height = 8): RgbFrame => ({ width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 31 + seed) & 255) });

describe('results remembered by frame content', () => {
  it('computes once for the same pixels in another buffer, again for other pixels or another size', async () => {
    const results = new FrameResults<number>(8);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await results.get(frame(1), compute)).toBe(1);
    expect(await results.get(frame(1), compute)).toBe(1);
    expect(await results.get(frame(2), compute)).toBe(2);
    // The same bytes read as another shape are another picture.
    expect(await results.get(frame(1, 8, 16), compute)).toBe(3);
    const changed = frame(1);
    changed.data[0] = changed.data[0]! ^ 1;
    expect(await results.get(changed, compute)).toBe(4);
    expect(calls).toBe(4);
  });

  it('keeps only the most recently used results', async () => {
    const results = new FrameResults<number>(2);
    let calls = 0;
    const compute = async () => ++calls;
    await results.get(frame(1), compute);
    await results.get(frame(2), compute);
    await results.get(frame(1), compute); // frame 1 used last, frame 2 is the oldest
    await results.get(frame(3), compute); // evicts frame 2
    expect(calls).toBe(3);
    expect(await results.get(frame(1), compute)).toBe(1);
    expect(await results.get(frame(2), compute)).toBe(4);
  });

  it('does not remember a failure', async () => {
    const results = new FrameResults<number>(4);
    await expect(results.get(frame(1), async () => Promise.reject(new Error('model failed')))).rejects.toThrow('model failed');
    expect(await results.get(frame(1), async () => 7)).toBe(7);
  });
});
