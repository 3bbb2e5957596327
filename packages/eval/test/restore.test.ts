import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_ENCODERS, DEFAULTS, EvalError, baselineVariants, encodeBaseline, evaluatedEncoders, frameBytes, measurePsnrSsim, parseEvalArgs, prepareReference, probeVideo, readLuma, restoreToReference, scaledSize, variantLabel, withSweep, type VideoInfo } from '../src/index.ts';
import { lavfiSource, tools, useTemporaryFolder } from './helpers.ts';

const folder = useTemporaryFolder('cmvc-eval-restore-');
let source: string;
let reference: string;
let info: VideoInfo;

beforeAll(async () => {
  source = await lavfiSource(folder.path, 'source', 'testsrc2=s=162x120:r=24:d=2');
  reference = join(folder.path, 'reference.mkv');
  info = await prepareReference(tools, source, reference, { seconds: 1 });
});

describe('reference and restoration', () => {
  it('trims the reference to the requested seconds at the source rate', () => {
    expect(info).toEqual({ width: 162, height: 120, fps: { num: 24, den: 1 }, frameCount: 24 });
  });

  it('keeps the whole clip when no cap is given', async () => {
    const whole = await prepareReference(tools, source, join(folder.path, 'whole.mkv'));
    expect(whole.frameCount).toBe(48);
    await expect(prepareReference(tools, source, join(folder.path, 'bad.mkv'), { seconds: 0 })).rejects.toThrow(/seconds/);
  });

  for (const id of ['svt-av1', 'libaom-av1'] as const) {
    it(`writes ${id} as bare OBUs (no IVF header) and restores them to the reference`, async () => {
      const encoder = BASELINE_ENCODERS[id];
      expect(encoder.extension).toBe('obu');
      const encoded = await encodeBaseline(tools, reference, info, encoder, { crf: 63, scale: 0.5, fpsFactor: 0.5 }, join(folder.path, `${id}.obu`));
      const bytes = await readFile(encoded.path);
      // An IVF file starts with "DKIF"; a low-overhead OBU stream with a temporal delimiter OBU (type 2: 0x12 0x00).
      expect(bytes.subarray(0, 4).toString('latin1')).not.toBe('DKIF');
      expect([bytes[0], bytes[1]]).toEqual([0x12, 0x00]);
      expect(encoded.bytes).toBe(bytes.length);
      const restored = await restoreToReference(tools, encoded.path, info, join(folder.path, `${id}.yuv`), { frameRate: encoded.rate });
      expect((await stat(restored.path)).size).toBe(frameBytes(info) * 24);
      const scores = await measurePsnrSsim(tools, restored, reference);
      expect(scores.psnrY).toBeGreaterThan(12);
    });
  }

  it('brings a quarter-size, quarter-rate x264 stream back to the exact size and frame count', async () => {
    const encoded = await encodeBaseline(tools, reference, info, BASELINE_ENCODERS.x264, { crf: 51, scale: 0.25, fpsFactor: 0.25 }, join(folder.path, 'tiny.h264'));
    expect(encoded.bytes).toBeGreaterThan(0);
    expect(encoded.rate).toBe(6);
    const small = await probeVideo(tools, encoded.path);
    expect([small.width, small.height]).toEqual([40, 30]);
    const restored = await restoreToReference(tools, encoded.path, info, join(folder.path, 'restored.yuv'), { frameRate: encoded.rate });
    expect((await stat(restored.path)).size).toBe(frameBytes(info) * 24);
    // It now compares frame by frame with the reference: degraded, but the same picture.
    const scores = await measurePsnrSsim(tools, restored, reference);
    expect(scores.psnrY).toBeGreaterThan(10);
    expect(scores.psnrY).toBeLessThan(40);
  });

  it('pads a short stream by holding its last frame', async () => {
    const short = join(folder.path, 'short.mkv');
    const { ffmpeg } = await import('../src/media/process.ts');
    await ffmpeg(tools, ['-i', reference, '-frames:v', '10', '-c:v', 'ffv1', short]);
    const padded = await restoreToReference(tools, short, info, join(folder.path, 'padded.yuv'), { frameRate: 24 });
    expect((await stat(padded.path)).size).toBe(frameBytes(info) * 24);
    // The held frames repeat frame 9.
    const [ninth, last] = await readLuma(padded, [9, 23]);
    expect(last).toEqual(ninth);
  });

  it('validates variants and rates', async () => {
    await expect(encodeBaseline(tools, reference, info, BASELINE_ENCODERS.x264, { crf: 52, scale: 1, fpsFactor: 1 }, join(folder.path, 'bad.h264'))).rejects.toThrow(EvalError);
    await expect(restoreToReference(tools, reference, info, join(folder.path, 'x.yuv'), { frameRate: 0 })).rejects.toThrow(/frameRate/);
  });
});

describe('baseline sweep', () => {
  it('sweeps the AV1 encoders over CRF × {1, ½, ¼} size × {1, ½, ¼} rate, the others at their maximum CRF', () => {
    for (const encoder of Object.values(BASELINE_ENCODERS)) {
      const variants = baselineVariants(encoder);
      expect(variants.some((v) => v.crf === encoder.maxCrf && v.scale === 0.25 && v.fpsFactor === 0.25)).toBe(true);
      expect(new Set(variants.map(variantLabel)).size).toBe(variants.length);
    }
    const svt = withSweep(BASELINE_ENCODERS['svt-av1'], [63, 50]);
    const grid = baselineVariants(svt);
    expect(grid).toHaveLength(18);
    for (const crf of [50, 63]) for (const scale of [1, 0.5, 0.25]) for (const fpsFactor of [1, 0.5, 0.25]) expect(grid).toContainEqual({ crf, scale, fpsFactor });
    expect(() => withSweep(BASELINE_ENCODERS['libaom-av1'], [64])).toThrow(EvalError);
    expect(scaledSize({ width: 640, height: 360 }, 0.25)).toEqual({ width: 160, height: 90 });
    expect(scaledSize({ width: 50, height: 30 }, 0.25)).toEqual({ width: 16, height: 16 });
  });
});

describe('command line', () => {
  it('evaluates whole clips by default, against SVT-AV1 and libaom, at the presets and the floor', () => {
    const { options } = parseEvalArgs([]);
    expect(options.seconds).toBeUndefined();
    expect(options.encoders).toContain('libaom-av1');
    expect(options.anchors).toEqual(['svt-av1', 'libaom-av1']);
    expect(options.cmvcPoints).toEqual(['low', 'middle', 'high', 'floor']);
    expect(evaluatedEncoders(options).find((e) => e.id === 'libaom-av1')!.sweep).toEqual([...DEFAULTS.av1Crfs]);
  });

  it('takes a cap, CRFs, points and anchors, and refuses inconsistent ones', () => {
    const { options } = parseEvalArgs(['--seconds', '2.5', '--av1-crfs', '45,63', '--cmvc-points', 'middle,floor', '--motion-points', 'none', '--anchors', 'svt-av1']);
    expect(options).toMatchObject({ seconds: 2.5, av1Crfs: [45, 63], cmvcPoints: ['middle', 'floor'], motionPoints: [], anchors: ['svt-av1'] });
    expect(parseEvalArgs(['--encoders', 'x264,svt-av1']).options.anchors).toEqual(['svt-av1']);
    expect(() => parseEvalArgs(['--encoders', 'x264', '--anchors', 'libaom-av1'])).toThrow(/not among --encoders/);
    expect(() => parseEvalArgs(['--cmvc-points', 'low', '--motion-points', 'middle'])).toThrow(/must also be in/);
    expect(() => parseEvalArgs(['--av1-crfs', '70'])).toThrow(EvalError);
    expect(() => parseEvalArgs(['--keyframes', '2,3'])).toThrow(EvalError);
  });
});
