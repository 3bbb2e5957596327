import { join } from 'node:path';
import { mediaIo } from '@cmvc/media-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAnalyzers } from '../src/analyzers/provider.ts';
import type { RgbFrame, TimedFrame } from '../src/contracts.ts';
import { decodeBitstream } from '../src/decoder.ts';
import { encodeVideo, type EncodeOptions, type EncodeResult } from '../src/encoder.ts';
import type { FrameReadOptions, VideoOutputSpec, VideoSource, VideoTarget } from '../src/media.ts';
import { lavfi, SPARSE_LAYER, tempDir } from './fixtures.ts';

const media = mediaIo();

const dir = tempDir();
const clip = join(dir.path, 'clip.mkv');
const options: EncodeOptions = { layerCodec: media.av1LayerCodec, strategy: 'uniform', keyframes: 2, audioKbps: 0, layerTarget: SPARSE_LAYER };
let fromFile: EncodeResult;

beforeAll(async () => {
  lavfi('testsrc2=size=96x64:rate=8:duration=1.5', clip, ['-c:v', 'ffv1']);
  fromFile = await encodeVideo(media.videoFile(clip), options, builtinAnalyzers());
}, 120_000);
afterAll(() => dir.cleanup());

/** A source held in memory: every pass is served from frames decoded once, and each read is logged. */
async function memorySource(): Promise<{ source: VideoSource; reads: FrameReadOptions[] }> {
  const info = await media.probe(clip);
  const reads: FrameReadOptions[] = [];
  const cache = new Map<string, TimedFrame[]>();
  const source: VideoSource = {
    name: 'in-memory clip',
    probe: async () => info,
    async *frames(read) {
      reads.push(read);
      const key = `${read.width}x${read.height}-${read.pixelFormat}`;
      if (!cache.has(key)) {
        const frames: TimedFrame[] = [];
        for await (const frame of media.decodeFrames(clip, { width: read.width, height: read.height, fps: read.fps, pixelFormat: read.pixelFormat })) frames.push(frame);
        cache.set(key, frames);
      }
      for (const frame of cache.get(key)!) if (!read.only || read.only(frame.index)) yield frame;
    },
    opus: async () => undefined,
  };
  return { source, reads };
}

/** A target that keeps the frames it is given; `failAfter` makes the n-th write fail. */
function memoryTarget(failAfter = Number.POSITIVE_INFINITY) {
  const state = { specs: [] as VideoOutputSpec[], frames: [] as RgbFrame[], closed: 0, aborted: 0 };
  const target: VideoTarget = {
    keepSound: async () => 'memory:sound',
    open(spec) {
      state.specs.push(spec);
      return {
        async write(frame) {
          if (state.frames.length >= failAfter) throw new Error('target is full');
          state.frames.push(frame);
        },
        close: async () => (state.closed += 1, state.frames.length),
        abort: async () => void (state.aborted += 1),
      };
    },
  };
  return { target, state };
}

describe('the codec reads and writes media only through the ports it is given', () => {
  it('encodes a source served from memory to the same bytes as the file it was read from', async () => {
    const { source, reads } = await memorySource();
    const fromMemory = await encodeVideo(source, options, builtinAnalyzers());
    expect(Buffer.from(fromMemory.bitstream).equals(Buffer.from(fromFile.bitstream))).toBe(true);
    // The plan, keyframe-layer and weights passes each read the source again.
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.some((read) => read.only !== undefined)).toBe(true);
  }, 120_000);

  it('names the source in its errors when a pass delivers a different frame count', async () => {
    const { source } = await memorySource();
    let pass = 0;
    const shrinking: VideoSource = {
      ...source,
      async *frames(read) {
        pass += 1;
        let delivered = 0;
        for await (const frame of source.frames(read)) if (pass === 1 || delivered++ < 5) yield frame;
      },
    };
    await expect(encodeVideo(shrinking, options, builtinAnalyzers())).rejects.toThrow(/in-memory clip/);
  }, 120_000);

  it('decodes into any target: every frame at the stream rate, in Y′CbCr for the keyframe layer', async () => {
    const { target, state } = memoryTarget();
    const result = await decodeBitstream(fromFile.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target });
    const { header } = fromFile.representation;
    expect(result.frameCount).toBe(header.frameCount);
    expect(state.frames).toHaveLength(header.frameCount);
    expect(state.specs).toEqual([expect.objectContaining({ width: header.workingWidth, height: header.workingHeight, fps: header.fps, pixelFormat: 'yuv444' })]);
    expect(state.specs[0]!.sound).toBeUndefined();
    expect(state).toMatchObject({ closed: 1, aborted: 0 });
  }, 120_000);

  it('aborts the target, and closes nothing, when writing fails part way', async () => {
    const { target, state } = memoryTarget(3);
    await expect(decodeBitstream(fromFile.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target })).rejects.toThrow('target is full');
    expect(state).toMatchObject({ closed: 0, aborted: 1 });
  }, 120_000);
});
