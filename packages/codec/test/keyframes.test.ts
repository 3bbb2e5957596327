import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/contracts.ts';
import { mediaIo } from '@cmvc/media-io';
import { randomKeyframes, searchIntervals, uniformKeyframes } from '../src/keyframes/plan.ts';
import { planLayer } from '../src/keyframes/segments.ts';
import { selectKeyframes } from '../src/keyframes/select.ts';
import { loadOpenCv } from '../src/it2v/opencv.ts';
import { LAYER_TARGETS } from '../src/settings.ts';
import { keyframeCountForRate } from '../src/representation/rate.ts';
import { colourLayoutExtractor, tempDir } from './fixtures.ts';

const media = mediaIo();

const WIDTH = 96;
const HEIGHT = 64;
const FRAMES = 60;
const CUT = 37;

/**
 * Scene A (frames < CUT): blue field with a drifting white square. Scene B: starts orange and fades
 * back toward scene A's blue, so frame CUT is the single frame least like the first keyframe.
 */
function sceneFrame(index: number): RgbFrame {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  const fade = index < CUT ? 0 : 1 - ((index - CUT) / (FRAMES - CUT)) * 0.7;
  const background = index < CUT ? [20, 40, 200] : [Math.round(20 + 215 * fade), Math.round(40 + 100 * fade), Math.round(200 - 180 * fade)];
  const squareX = 8 + (index % 40);
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      const inSquare = x >= squareX && x < squareX + 16 && y >= 20 && y < 36;
      const o = (y * WIDTH + x) * 3;
      data[o] = inSquare ? 255 : (background[0] ?? 0);
      data[o + 1] = inSquare ? 255 : (background[1] ?? 0);
      data[o + 2] = inSquare ? 255 : (background[2] ?? 0);
    }
  }
  return { width: WIDTH, height: HEIGHT, data };
}

const dir = tempDir();
const clip = join(dir.path, 'cut.mp4');
beforeAll(async () => {
  const sink = media.createVideoEncoder(clip, { width: WIDTH, height: HEIGHT, fps: { num: 24, den: 1 }, format: 'mp4' });
  for (let i = 0; i < FRAMES; i += 1) await sink.write(sceneFrame(i));
  await sink.close();
});
afterAll(() => dir.cleanup());

const frames = () => media.decodeFrames(clip, { width: WIDTH, height: HEIGHT, fps: 24 });

describe('keyframe plan', () => {
  it('splits the interior into contiguous non-empty windows', () => {
    for (const [frameCount, n] of [[60, 2], [60, 3], [60, 7], [10, 10], [5, 40], [1000, 13]] as const) {
      const windows = searchIntervals(frameCount, n);
      const interior = Math.min(n, frameCount) - 2;
      expect(windows).toHaveLength(Math.max(0, interior));
      let next = 1;
      for (const w of windows) {
        expect(w.start).toBe(next);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
        next = w.end + 1;
      }
      if (windows.length > 0) expect(next).toBe(frameCount - 1);
    }
  });

  it('uniform and random plans start at 0, end at N-1, increase strictly, and random is reproducible', () => {
    for (const [indices, last] of [[uniformKeyframes(100, 5), 99], [randomKeyframes(100, 5, 42), 99], [randomKeyframes(7, 7, 1), 6]] as const) {
      expect(indices[0]).toBe(0);
      expect(indices.at(-1)).toBe(last);
      for (let i = 1; i < indices.length; i += 1) expect(indices[i]).toBeGreaterThan(indices[i - 1] ?? -1);
    }
    expect(uniformKeyframes(100, 5)).toEqual([0, 25, 50, 74, 99]);
    expect(randomKeyframes(100, 5, 42)).toEqual(randomKeyframes(100, 5, 42));
    expect(randomKeyframes(100, 5, 42)).not.toEqual(randomKeyframes(100, 5, 43));
    expect(uniformKeyframes(1, 4)).toEqual([0]);
  });

  it('derives more keyframes from a higher target bitrate', () => {
    const budget = { durationSeconds: 10, frameCount: 240, bytesPerKeyframe: 3000, contentBytes: 40, motionBytes: 30, weightBytesPerFrame: 0.5, overheadBytes: 120 };
    const low = keyframeCountForRate({ ...budget, targetKbps: 5 });
    const high = keyframeCountForRate({ ...budget, targetKbps: 20 });
    expect(low).toBeGreaterThanOrEqual(2);
    expect(high).toBeGreaterThan(low);
    expect(keyframeCountForRate({ ...budget, targetKbps: 0.01 })).toBe(2);
  });
});

describe('keyframe selection (Eq. 1) on a hard scene change', () => {
  for (const strategy of ['cs', 'mse'] as const) {
    it(`${strategy}: places a keyframe within ±2 frames of the cut`, async () => {
      for (const n of [3, 4]) {
        const selection = await selectKeyframes(frames(), {
          frameCount: FRAMES,
          keyframeCount: n,
          strategy,
          featureExtractor: colourLayoutExtractor(),
          analysisSize: { width: 48, height: 32 },
          batchSize: 8,
        });
        expect(selection.deliveredFrames).toBe(FRAMES);
        expect(selection.indices).toHaveLength(n);
        expect(selection.indices[0]).toBe(0);
        expect(selection.indices[n - 1]).toBe(FRAMES - 1);
        expect(selection.indices.some((index) => Math.abs(index - CUT) <= 2), `${strategy} n=${n}: ${selection.indices.join(",")}`).toBe(true);
        expect(selection.frames.map((f) => f.index)).toEqual(selection.indices);
        expect(selection.frames[0]?.width).toBe(WIDTH);
      }
    });
  }

  it('cs planning embeds about fifteen frames a second, not every frame, and still starts a segment at the cut', async () => {
    const extractor = colourLayoutExtractor();
    let embedded = 0;
    const counting = { ...extractor, embed: (batch: readonly RgbFrame[]) => ((embedded += batch.length), extractor.embed(batch)) };
    const { cv } = await loadOpenCv();
    const plan = await planLayer(frames(), {
      fps: 24,
      strategy: 'cs',
      featureExtractor: counting,
      target: LAYER_TARGETS.middle,
      describeEverySeconds: 1,
      maxSegmentSeconds: 10,
      cv,
    });
    expect(plan.frameCount).toBe(FRAMES);
    // 24 fps sampled every 2nd frame (15 a second rounds to a stride of 2), plus each segment's last frame.
    expect(embedded).toBeLessThanOrEqual(FRAMES / 2 + 2 * plan.segments.length);
    expect(embedded).toBeGreaterThan(0);
    expect(plan.segments.map((segment) => segment.start)).toContain(CUT);
    for (const segment of plan.segments) {
      expect(segment.described[0]).toBe(segment.start);
      expect(segment.coded).toContain(segment.end);
    }
  });

  it('reports a frame-count mismatch instead of a wrong plan', async () => {
    const selection = await selectKeyframes(frames(), { frameCount: FRAMES + 5, keyframeCount: 3, strategy: 'mse', analysisSize: { width: 48, height: 32 } });
    expect(selection.deliveredFrames).toBe(FRAMES);
    expect(selection.indices).toEqual([]);
  });

  it('needs a feature extractor for cs', async () => {
    await expect(selectKeyframes(frames(), { frameCount: FRAMES, keyframeCount: 3, strategy: 'cs', analysisSize: { width: 48, height: 32 } })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});
