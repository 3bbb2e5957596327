import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAnalyzers } from '../src/analyzers/provider.ts';
import { parseBitstream, writeBitstream } from '../src/bitstream/container.ts';
import type { Generator, RgbFrame } from '../src/contracts.ts';
import { decodeBitstream, renderFrames } from '../src/decoder.ts';
import { encodeVideo, type EncodeResult } from '../src/encoder.ts';
import { CodecError } from '../src/errors.ts';
import { rateReport } from '../src/representation/rate.ts';
import { ffprobeStream, lavfi, SPARSE_LAYER, tempDir } from './fixtures.ts';
import { mediaIo } from '@cmvc/media-io';

const media = mediaIo();

const dir = tempDir();
const source = join(dir.path, 'testsrc2.mp4');
let encoded: EncodeResult;
const stages = new Set<string>();

beforeAll(async () => {
  lavfi('testsrc2=size=320x240:rate=24:duration=3', source, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
  encoded = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, keyframes: 3, strategy: 'mse', quality: 'low' }, builtinAnalyzers(), (event) => {
    stages.add(event.stage);
    expect(event.fraction).toBeGreaterThanOrEqual(0);
    expect(event.fraction).toBeLessThanOrEqual(1);
  });
}, 60_000);
afterAll(() => dir.cleanup());

async function frameHashes(bytes: Uint8Array): Promise<string[]> {
  const hashes: string[] = [];
  for await (const frame of renderFrames(parseBitstream(bytes).representation, { mode: 'it2v', layerCodec: media.av1LayerCodec })) hashes.push(createHash('sha256').update(frame.data).digest('hex'));
  return hashes;
}

describe('encodeVideo', () => {
  it('produces n keyframes, n-1 clips and one weight pair per other frame', () => {
    const rep = encoded.representation;
    expect(rep.header).toMatchObject({ sourceWidth: 320, sourceHeight: 240, fps: { num: 24, den: 1 }, frameCount: 72, workingWidth: 320, workingHeight: 240 });
    expect(rep.keyframes.map((k) => k.frameIndex)[0]).toBe(0);
    expect(rep.keyframes.at(-1)?.frameIndex).toBe(71);
    expect(rep.keyframes).toHaveLength(3);
    expect(rep.clips).toHaveLength(2);
    expect(rep.clips[1]?.startFrame).toBe(rep.keyframes[1]?.frameIndex);
    const layer = rep.layer!;
    expect(layer.frameIndices[0]).toBe(0);
    expect(layer.frameIndices.at(-1)).toBe(71);
    expect(rep.keyframes.every((k) => layer.frameIndices.includes(k.frameIndex))).toBe(true);
    expect(layer.segments.reduce((sum, segment) => sum + segment.frames, 0)).toBe(layer.frameIndices.length);
    expect(rep.weights!.values.length).toBe(2 * (72 - layer.frameIndices.length));
    expect(rep.keyframes[0]?.content).toMatch(/^Keyframe at 0\.00 s: mean colour rgb\(/);
    expect(rep.clips[0]?.motion).toMatch(/^Global motion over /);
    expect(rep.keyframes[0]).toMatchObject({ format: 'layer', width: 320, height: 240 });
    expect(encoded.thumbnails.map((t) => t.frameIndex)).toEqual(rep.keyframes.map((k) => k.frameIndex));
    expect([...stages]).toEqual(expect.arrayContaining(['probe', 'plan', 'keyframes', 'weights', 'write']));
  });

  it('profiles where the time went: every pass, the describer and the weight fitting, each with its calls', () => {
    // 72 frames: each decode pass is 72 reads plus the one that finds the end.
    const { stages: timings, wallSeconds, cpuSeconds } = encoded.profile;
    const byStage = new Map(timings.map((timing) => [timing.stage, timing]));
    expect([...byStage.keys()]).toEqual(
      expect.arrayContaining(['decode (plan pass)', 'plan (R-D planner)', 'layer coding (whole pass)', 'decode (weights pass)', 'describe keyframe', 'describe motion']),
    );
    expect(byStage.get('describe keyframe')?.calls).toBe(3);
    expect(byStage.get('describe motion')?.calls).toBe(2);
    // One fit per frame the layer does not code (none when it codes them all).
    expect(byStage.get('weights: fit')?.calls ?? 0).toBe(72 - encoded.representation.layer!.frameIndices.length);
    expect(byStage.get('decode (weights pass)')?.calls).toBe(73);
    for (const timing of timings) {
      expect(timing.wallSeconds).toBeGreaterThanOrEqual(0);
      expect(timing.cpuSeconds).toBeGreaterThanOrEqual(0);
      expect(timing.wallSeconds).toBeLessThanOrEqual(wallSeconds * 2);
    }
    expect(byStage.get('plan (R-D planner)')!.wallSeconds).toBeLessThanOrEqual(wallSeconds);
    expect(cpuSeconds).toBeGreaterThan(0);
  });

  it('reports section bytes that add up to the file size', () => {
    const { rate, bitstream, sections } = encoded;
    const parsed = parseBitstream(bitstream);
    expect(parsed.headerBytes + sections.reduce((sum, s) => sum + s.length, 0)).toBe(bitstream.length);
    expect(rate.totalBytes).toBe(bitstream.length);
    expect(rate.keyframeBytes + rate.motionBytes + rate.audioBytes + rate.weightBytes + rate.overheadBytes).toBe(bitstream.length);
    expect(rate.kbps).toBeCloseTo((bitstream.length * 8) / 3 / 1000, 1);
    expect(rateReport(parsed)).toEqual(rate);
  });
});

describe('structured descriptions', () => {
  it('stores the structured form instead of the texts and expands it back on decode', async () => {
    const analyzers = builtinAnalyzers();
    const semanticCodec = analyzers.semanticCodecs[0];
    const result = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, keyframes: 3, strategy: 'uniform', textForm: 'semantic' }, { describer: analyzers.describer, ...(semanticCodec ? { semanticCodec } : {}) });
    const kinds = result.sections.map((s) => s.kind);
    expect(kinds).toContain('contentSemantic');
    expect(kinds).not.toContain('contentText');
    const plain = writeBitstream(result.representation, { textForm: 'text' }).sections;
    const size = (sections: readonly { kind: string; length: number }[], kind: string): number => sections.find((s) => s.kind === kind)?.length ?? 0;
    console.log(
      `[descriptions] content: text ${size(plain, 'contentText')} B vs structured ${size(result.sections, 'contentSemantic')} B; ` +
        `motion: text ${size(plain, 'motionText')} B vs structured ${size(result.sections, 'motionSemantic')} B`,
    );
    const withoutCodec = parseBitstream(result.bitstream).representation;
    expect(withoutCodec.keyframes[0]?.content).toBeNull();
    const expanded = parseBitstream(result.bitstream, { semanticCodecs: analyzers.semanticCodecs }).representation;
    expect(expanded.keyframes.map((k) => k.content)).toEqual(result.representation.keyframes.map((k) => k.content));
    expect(expanded.clips.map((c) => c.motion)).toEqual(result.representation.clips.map((c) => c.motion));
  }, 60_000);
});

describe('degenerate lengths', () => {
  it('codes one- and two-frame videos with the exact frame count', async () => {
    for (const frames of [1, 2]) {
      const path = lavfi('testsrc2=size=96x64:rate=10', join(dir.path, `short${frames}.mp4`), ['-frames:v', String(frames), '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
      const result = await encodeVideo(media.videoFile(path), { layerCodec: media.av1LayerCodec,}, builtinAnalyzers());
      expect(result.representation.keyframes).toHaveLength(frames);
      expect(result.representation.clips).toHaveLength(frames - 1);
      const out = join(dir.path, `short${frames}.out.mp4`);
      expect((await decodeBitstream(result.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(out) })).frameCount).toBe(frames);
      expect(ffprobeStream(out).frames).toBe(frames);
    }
  }, 60_000);
});

describe('rate control', () => {
  it('steers the keyframe layer towards a target bitrate: a lower target gives a smaller stream near it', async () => {
    const rates: number[] = [];
    for (const targetKbps of [30, 120]) {
      const result = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, targetKbps, strategy: 'uniform', quality: 'high' }, builtinAnalyzers());
      rates.push(result.rate.kbps);
      expect(result.rate.kbps).toBeLessThanOrEqual(targetKbps * 1.5);
    }
    expect(rates[0]).toBeLessThan(rates[1]!);
  }, 120_000);
});

describe('the keyframe layer', () => {
  it('is dense where the picture moves fast and sparse where it stands still', async () => {
    const still = join(dir.path, 'still.mkv');
    lavfi('color=c=gray:size=160x120:rate=24:duration=2,drawbox=x=40:y=30:w=40:h=40:c=white:t=fill', still, ['-c:v', 'ffv1']);
    const moving = join(dir.path, 'moving.mkv');
    lavfi('testsrc2=size=160x120:rate=24:duration=2,hue=H=2*PI*t*3', moving, ['-c:v', 'ffv1']);
    const spacing = async (path: string): Promise<number> => {
      const result = await encodeVideo(media.videoFile(path), { layerCodec: media.av1LayerCodec, strategy: 'uniform', quality: 'middle' }, builtinAnalyzers());
      return result.representation.header.frameCount / result.representation.layer!.frameIndices.length;
    };
    expect(await spacing(still)).toBeGreaterThan(await spacing(moving));
  }, 120_000);

  it('honours an explicit interpolation target: every other frame interpolated between the described keyframes', async () => {
    const result = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, keyframes: 3, strategy: 'uniform', layerTarget: SPARSE_LAYER }, builtinAnalyzers());
    expect(result.representation.layer!.frameIndices).toEqual(result.representation.keyframes.map((k) => k.frameIndex));
  }, 60_000);
});

describe('decodeBitstream', () => {
  it('IT2V reconstructs exactly the source frame count and frame rate', async () => {
    const out = join(dir.path, 'it2v.mp4');
    const result = await decodeBitstream(encoded.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(out) });
    expect(result).toMatchObject({ frameCount: 72, width: 320, height: 240 });
    expect(ffprobeStream(out)).toMatchObject({ frames: 72, rate: '24/1', width: 320, height: 240, codec: 'h264' });
    expect(readFileSync(out).subarray(4, 8).toString('latin1')).toBe('ftyp');
  }, 60_000);

  it('is deterministic: the same bytes give identical frames', async () => {
    const first = await frameHashes(encoded.bitstream);
    const second = await frameHashes(Uint8Array.from(encoded.bitstream));
    expect(first).toHaveLength(72);
    expect(second).toEqual(first);
    // Keyframes are reproduced, intermediate frames are not all copies of them.
    expect(new Set(first).size).toBeGreaterThan(3);
  }, 60_000);

  it('TT2V needs a generator and fails with a typed error without one', async () => {
    const error = await decodeBitstream(encoded.bitstream, { mode: 'tt2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(join(dir.path, 'none.mp4')) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe('GENERATOR_UNAVAILABLE');
  });

  it('TT2V passes texts to the generator clip by clip and keeps the frame count', async () => {
    const requests: { frameCount: number; motionText: string; contentTexts: readonly string[] }[] = [];
    const generator: Generator = {
      id: 'test-solid',
      modes: ['tt2v'],
      async generateClip(request) {
        requests.push({ frameCount: request.frameCount, motionText: request.motionText, contentTexts: request.contentTexts });
        return Array.from({ length: request.frameCount }, (_, i): RgbFrame => ({
          width: request.width,
          height: request.height,
          data: new Uint8Array(request.width * request.height * 3).fill(i * 3),
        }));
      },
    };
    const out = join(dir.path, 'tt2v.webm');
    const result = await decodeBitstream(encoded.bitstream, { mode: 'tt2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(out), generator });
    expect(result.frameCount).toBe(72);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.contentTexts[0]).toBe(encoded.representation.keyframes[0]?.content);
    expect(requests[1]?.motionText).toBe(encoded.representation.clips[1]?.motion);
    expect((requests[0]?.frameCount ?? 0) + (requests[1]?.frameCount ?? 0)).toBe(73);
    expect(ffprobeStream(out)).toMatchObject({ frames: 72, rate: '24/1', codec: 'vp9' });
  }, 60_000);
});
