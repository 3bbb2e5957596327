import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EvalError,
  MS_SSIM_MIN_SIDE,
  MS_SSIM_WEIGHTS,
  measureMsSsim,
  measurePsnrSsim,
  measureVmaf,
  msSsim,
  probeVideo,
  readLuma,
  restoreToReference,
  resolveVmaf,
  semanticProfile,
  type SemanticAnalyzers,
  type VideoInfo,
} from '../src/index.ts';
import { lavfiSource, meanSquaredError, psnr, tools, useTemporaryFolder, writeLossless, type YuvFrames } from './helpers.ts';

const WIDTH = 192;
const HEIGHT = 176;
const FRAMES = 4;

/** A textured luma pattern that stays inside 20..235, so ±d noise never clips. */
function pattern(frame: number): Uint8Array {
  const y = new Uint8Array(WIDTH * HEIGHT);
  for (let r = 0; r < HEIGHT; r += 1) for (let c = 0; c < WIDTH; c += 1) y[r * WIDTH + c] = 20 + ((c * 3 + r * 5 + frame * 7 + ((c * r) % 13) * 4) % 200);
  return y;
}

const folder = useTemporaryFolder('cmvc-eval-metrics-');
let reference: string;
let referenceFrames: YuvFrames;
let info: VideoInfo;

beforeAll(async () => {
  referenceFrames = { width: WIDTH, height: HEIGHT, luma: Array.from({ length: FRAMES }, (_, f) => pattern(f)) };
  reference = await writeLossless(referenceFrames, folder.path, 'reference');
  info = await probeVideo(tools, reference);
});

describe('PSNR and SSIM (ffmpeg)', () => {
  it('identical videos: infinite PSNR, SSIM 1', async () => {
    const scores = await measurePsnrSsim(tools, reference, reference);
    expect(scores.psnrY).toBe(Number.POSITIVE_INFINITY);
    expect(scores.psnrYuv).toBe(Number.POSITIVE_INFINITY);
    expect(scores.ssim).toBe(1);
    expect(scores.ssimY).toBe(1);
  });

  it('known ±3 noise on luma gives 10·log10(255²/9) on Y and the 4:2:0-weighted value on YUV', async () => {
    const noisy = referenceFrames.luma.map((plane, f) => plane.map((v, i) => v + (((i * 7 + f) % 3) - 1) * 3));
    const distorted = await writeLossless({ width: WIDTH, height: HEIGHT, luma: noisy }, folder.path, 'noisy');
    const mseY = meanSquaredError(referenceFrames.luma, noisy);
    const scores = await measurePsnrSsim(tools, distorted, reference);
    expect(scores.psnrY).toBeCloseTo(psnr(mseY), 2);
    // Chroma is untouched: the YUV error is the luma error spread over 1.5× as many samples.
    expect(scores.psnrYuv).toBeCloseTo(psnr(mseY / 1.5), 2);
    expect(scores.ssim).toBeLessThan(1);
  });

  it('a one-pixel horizontal shift gives the PSNR of the shifted planes', async () => {
    const shifted = referenceFrames.luma.map((plane) => plane.map((_, i) => plane[i - (i % WIDTH) + (((i % WIDTH) + 1) % WIDTH)]!));
    const distorted = await writeLossless({ width: WIDTH, height: HEIGHT, luma: shifted }, folder.path, 'shifted');
    const scores = await measurePsnrSsim(tools, distorted, reference);
    expect(scores.psnrY).toBeCloseTo(psnr(meanSquaredError(referenceFrames.luma, shifted)), 2);
  });

  it('restores to raw yuv420p whose luma is exactly the samples that were written', async () => {
    const raw = await restoreToReference(tools, reference, info, join(folder.path, 'reference.yuv'), { frameRate: 10 });
    const planes = await readLuma(raw, [0, 3]);
    expect(planes).toEqual([referenceFrames.luma[0], referenceFrames.luma[3]]);
    expect(await measurePsnrSsim(tools, raw, reference)).toMatchObject({ psnrY: Number.POSITIVE_INFINITY, ssim: 1 });
  });
});

describe('MS-SSIM', () => {
  it('is 1 for identical frames of a lavfi test pattern', async () => {
    const pattern = await lavfiSource(folder.path, 'testsrc', `testsrc2=s=${WIDTH}x${HEIGHT}:r=10:d=0.4`);
    const raw = await restoreToReference(tools, pattern, await probeVideo(tools, pattern), join(folder.path, 'testsrc.yuv'), { frameRate: 10 });
    expect(await measureMsSsim(raw, raw, 3)).toBeCloseTo(1, 12);
  });

  it('matches the closed form for flat planes: only the coarsest luminance term differs from 1', () => {
    const a = new Uint8Array(WIDTH * HEIGHT).fill(100);
    const b = new Uint8Array(WIDTH * HEIGHT).fill(110);
    const c1 = (0.01 * 255) ** 2;
    const luminance = (2 * 100 * 110 + c1) / (100 ** 2 + 110 ** 2 + c1);
    expect(msSsim(a, b, WIDTH, HEIGHT)).toBeCloseTo(luminance ** MS_SSIM_WEIGHTS[4], 12);
  });

  it('measures videos against the reference frames it prepared once, as the plane-by-plane mean', async () => {
    const raw = await restoreToReference(tools, reference, info, join(folder.path, 'msssim-reference.yuv'), { frameRate: 10 });
    const noisy = referenceFrames.luma.map((plane, f) => plane.map((v, i) => v + (((i * 7 + f) % 3) - 1) * 6));
    const distortedFile = await writeLossless({ width: WIDTH, height: HEIGHT, luma: noisy }, folder.path, 'msssim-noisy');
    const distorted = await restoreToReference(tools, distortedFile, info, join(folder.path, 'msssim-noisy.yuv'), { frameRate: 10 });
    const expected = (msSsim(referenceFrames.luma[0]!, noisy[0]!, WIDTH, HEIGHT) + msSsim(referenceFrames.luma[3]!, noisy[3]!, WIDTH, HEIGHT)) / 2;
    const first = await measureMsSsim(distorted, raw, 2);
    expect(first).toBeLessThan(1);
    expect(first).toBeCloseTo(expected, 12);
    expect(await measureMsSsim(raw, raw, 2)).toBeCloseTo(1, 12);
    expect(await measureMsSsim(distorted, raw, 2)).toBe(first);
  });

  it('decreases with stronger noise', () => {
    const base = pattern(0);
    const noisy = (amplitude: number): Uint8Array => base.map((v, i) => Math.min(255, Math.max(0, v + (((i * 7919) % 5) - 2) * amplitude)));
    const weak = msSsim(base, noisy(2), WIDTH, HEIGHT);
    const strong = msSsim(base, noisy(10), WIDTH, HEIGHT);
    expect(weak).toBeLessThan(1);
    expect(strong).toBeLessThan(weak);
  });

  it('refuses frames too small for five scales, or of different sizes', () => {
    const small = new Uint8Array(100 * 100);
    expect(() => msSsim(small, small, 100, 100)).toThrow(EvalError);
    expect(MS_SSIM_MIN_SIDE).toBe(176);
    expect(() => msSsim(new Uint8Array(WIDTH * HEIGHT), new Uint8Array(10), WIDTH, HEIGHT)).toThrow(/must both be/);
  });
});

describe('VMAF', () => {
  it('is skipped with a reason when no model is configured', () => {
    const saved = process.env.VMAF_MODEL_PATH;
    delete process.env.VMAF_MODEL_PATH;
    try {
      const result = resolveVmaf({});
      expect(result.available).toBe(false);
      if (!result.available) expect(result.reason).toMatch(/VMAF_MODEL_PATH/);
      const missing = resolveVmaf({ modelPath: join(folder.path, 'nope.pkl') });
      expect(missing.available).toBe(false);
    } finally {
      if (saved !== undefined) process.env.VMAF_MODEL_PATH = saved;
    }
  });

  const modelPath = process.env.VMAF_MODEL_PATH ?? '/work/shared/vmaf/vmaf_v0.6.1.pkl';
  const vmaf = resolveVmaf({ modelPath: existsSync(modelPath) ? modelPath : undefined, subsample: 1 });
  if (!vmaf.available) console.info(`VMAF test skipped: ${vmaf.reason}`);
  it.skipIf(!vmaf.available)('scores identical videos near 100 and noisy ones lower', async () => {
    if (!vmaf.available) return;
    const identical = await measureVmaf(reference, reference, vmaf.settings);
    const noisy = referenceFrames.luma.map((plane, f) => plane.map((v, i) => v + (((i * 7 + f) % 3) - 1) * 12));
    const distorted = await writeLossless({ width: WIDTH, height: HEIGHT, luma: noisy }, folder.path, 'vmaf-noisy');
    const degraded = await measureVmaf(distorted, reference, vmaf.settings);
    expect(identical).toBeGreaterThan(95);
    expect(degraded).toBeLessThan(identical);
  });
});

describe('semantic profile', () => {
  const embedder: SemanticAnalyzers['textEmbedder'] = { id: 'lengths', dimensions: 2, embed: async (texts) => texts.map((text) => Float32Array.of(text.length, 1)) };
  const frameDescriber = (objects?: string[]): SemanticAnalyzers['describer'] => ({
    id: 'fixed',
    describeKeyframe: async (frame) => ({ text: `frame ${frame.index}`, ...(objects ? { objects } : {}) }),
    describeMotion: async () => ({ text: '', camera: { kind: 'static', dx: 0, dy: 0, zoom: 1 } }),
  });

  it('takes the object sets from a describer that reports them, without running the detector again', async () => {
    const raw = await restoreToReference(tools, reference, info, join(folder.path, 'semantic.yuv'), { frameRate: 10 });
    const detector = { id: 'unused', detect: async () => { throw new Error('the detector ran'); } };
    const profile = await semanticProfile(raw, [0, 2], { describer: frameDescriber(['person', 'cup', 'person']), textEmbedder: embedder, detector });
    expect(profile.captions).toEqual(['frame 0', 'frame 2']);
    expect(profile.classSets).toEqual([new Set(['person', 'cup']), new Set(['person', 'cup'])]);
  });

  it('runs the detector for a describer that reports no objects, and measures none without either', async () => {
    const raw = await restoreToReference(tools, reference, info, join(folder.path, 'semantic.yuv'), { frameRate: 10 });
    const seen: number[] = [];
    const detector = {
      id: 'counting',
      detect: async (frames: readonly { width: number }[]) => frames.map(() => { seen.push(frames.length); return [{ classId: 2, label: 'car', score: 0.9, box: { x: 0, y: 0, width: 1, height: 1 } }]; }),
    };
    const detected = await semanticProfile(raw, [1], { describer: frameDescriber(), textEmbedder: embedder, detector });
    expect(seen).toEqual([1]);
    expect(detected.classSets).toEqual([new Set(['car'])]);
    const undetected = await semanticProfile(raw, [1], { describer: frameDescriber(), textEmbedder: embedder });
    expect(undetected.classSets).toBeUndefined();
  });
});
