import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_ENCODERS, EvalError, baselineVariants, encodeBaseline, frameBytes, measurePsnrSsim, prepareReference, probeVideo, readLuma, restoreToReference, scaledSize, variantLabel, type VideoInfo } from '../src/index.ts';
import { lavfiSource } from './helpers.ts';

let folder: string;
let reference: string;
let info: VideoInfo;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cmvc-eval-restore-'));
  const source = await lavfiSource(folder, 'source', 'testsrc2=s=162x120:r=24:d=2');
  reference = join(folder, 'reference.mkv');
  info = await prepareReference(source, reference, { seconds: 1 });
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('reference and restoration', () => {
  it('trims the reference to the requested seconds at the source rate', () => {
    expect(info).toEqual({ width: 162, height: 120, fps: { num: 24, den: 1 }, frameCount: 24 });
  });

  it('brings a quarter-size, quarter-rate x264 stream back to the exact size and frame count', async () => {
    const encoded = await encodeBaseline(reference, info, BASELINE_ENCODERS.x264, { crf: 51, scale: 0.25, fpsFactor: 0.25 }, join(folder, 'tiny.h264'));
    expect(encoded.bytes).toBeGreaterThan(0);
    expect(encoded.rate).toBe(6);
    const small = await probeVideo(encoded.path);
    expect([small.width, small.height]).toEqual([40, 30]);
    const restored = await restoreToReference(encoded.path, info, join(folder, 'restored.yuv'), { frameRate: encoded.rate });
    expect((await stat(restored.path)).size).toBe(frameBytes(info) * 24);
    // It now compares frame by frame with the reference: degraded, but the same picture.
    const scores = await measurePsnrSsim(restored, reference);
    expect(scores.psnrY).toBeGreaterThan(10);
    expect(scores.psnrY).toBeLessThan(40);
  });

  it('pads a short stream by holding its last frame', async () => {
    const short = join(folder, 'short.mkv');
    const { ffmpeg } = await import('../src/media/process.ts');
    await ffmpeg(['-i', reference, '-frames:v', '10', '-c:v', 'ffv1', short]);
    const padded = await restoreToReference(short, info, join(folder, 'padded.yuv'), { frameRate: 24 });
    expect((await stat(padded.path)).size).toBe(frameBytes(info) * 24);
    // The held frames repeat frame 9.
    const [ninth, last] = await readLuma(padded, [9, 23]);
    expect(last).toEqual(ninth);
  });

  it('validates variants and rates', async () => {
    await expect(encodeBaseline(reference, info, BASELINE_ENCODERS.x264, { crf: 52, scale: 1, fpsFactor: 1 }, join(folder, 'bad.h264'))).rejects.toThrow(EvalError);
    await expect(restoreToReference(reference, info, join(folder, 'x.yuv'), { frameRate: 0 })).rejects.toThrow(/frameRate/);
  });
});

describe('baseline sweep', () => {
  it('reaches each encoder maximum CRF with ½/¼ size and rate variants', () => {
    for (const encoder of Object.values(BASELINE_ENCODERS)) {
      const variants = baselineVariants(encoder);
      expect(variants.some((v) => v.crf === encoder.maxCrf && v.scale === 0.25 && v.fpsFactor === 0.25)).toBe(true);
      expect(new Set(variants.map(variantLabel)).size).toBe(variants.length);
    }
    expect(scaledSize({ width: 640, height: 360 }, 0.25)).toEqual({ width: 160, height: 90 });
    expect(scaledSize({ width: 50, height: 30 }, 0.25)).toEqual({ width: 16, height: 16 });
  });
});
