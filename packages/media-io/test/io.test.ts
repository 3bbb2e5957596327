import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaError } from '../src/errors.ts';
import { mediaIo } from '../src/media-io.ts';
import { packYuv444, planarYuv444, yuvToRgb } from '../src/pixels.ts';
import { ffprobeStream, lavfi, tempDir } from './fixtures.ts';

const media = mediaIo();
const dir = tempDir();
afterAll(() => dir.cleanup());

async function mediaError(promise: Promise<unknown>): Promise<MediaError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MediaError);
    return error as MediaError;
  }
  throw new Error('expected a MediaError');
}

async function decodedCount(frames: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of frames) count += 1;
  return count;
}

/** ffmpeg processes this test process started that are still running. */
function ffmpegChildren(): string[] {
  let listed = '';
  try {
    listed = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    // ps exits 1 when the process has no children.
  }
  return listed.split('\n').filter((name) => name.trim() === 'ffmpeg');
}

async function countFrames(path: string, width: number, height: number): Promise<number> {
  let count = 0;
  for await (const frame of media.decodeFrames(path, { width, height, fps: 25 })) {
    expect(frame.index).toBe(count);
    expect(frame.data.length).toBe(width * height * 3);
    count += 1;
  }
  return count;
}

describe('probe and decodeFrames', () => {
  it('probes an MP4 exactly and streams every frame at the requested size', async () => {
    const path = lavfi('testsrc2=size=320x240:rate=24:duration=2', join(dir.path, 'a.mp4'), ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const info = await media.probe(path);
    expect(info).toMatchObject({ width: 320, height: 240, fps: 24, fpsRational: { num: 24, den: 1 }, frameCount: 48, codec: 'h264' });
    expect(info.durationSeconds).toBeCloseTo(2, 1);
    expect(info.bytes).toBe(readFileSync(path).length);
    expect(await countFrames(path, 160, 120)).toBe(48);
  });

  it('counts frames of containers without a frame count (MKV, GIF) and of odd sizes', async () => {
    const mkv = lavfi('testsrc2=size=160x98:rate=15:duration=1', join(dir.path, 'odd.mkv'), ['-vf', 'scale=161:99', '-c:v', 'libx264', '-pix_fmt', 'yuv444p']);
    const mkvInfo = await media.probe(mkv);
    expect(mkvInfo).toMatchObject({ width: 161, height: 99, frameCount: 15, fps: 15 });
    expect(await countFrames(mkv, 80, 50)).toBe(15);
    const gif = lavfi('testsrc2=size=120x80:rate=10:duration=1', join(dir.path, 'a.gif'));
    const gifInfo = await media.probe(gif);
    expect(gifInfo.frameCount).toBe(10);
    expect(gifInfo.fps).toBeCloseTo(10, 5);
    expect(await countFrames(gif, 120, 80)).toBe(10);
    // Without an explicit rate the frames are stamped with the probed one.
    const times: number[] = [];
    for await (const frame of media.decodeFrames(gif, { width: 40, height: 20 })) times.push(frame.time);
    expect(times[5]).toBeCloseTo(0.5, 6);
  });

  it('yields only the frames asked for, with the same pixels and indices as a full decode', async () => {
    const path = lavfi('testsrc2=size=160x120:rate=25:duration=1', join(dir.path, 'only.mp4'), ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const options = { width: 80, height: 60, fps: 25, pixelFormat: 'yuv444' as const };
    const every = new Map<number, Uint8Array>();
    for await (const frame of media.decodeFrames(path, options)) every.set(frame.index, frame.data);
    const picked: number[] = [];
    for await (const frame of media.decodeFrames(path, { ...options, only: (index) => index % 7 === 3 })) {
      picked.push(frame.index);
      expect(frame.time).toBeCloseTo(frame.index / 25, 9);
      expect(Buffer.from(frame.data).equals(Buffer.from(every.get(frame.index)!))).toBe(true);
    }
    expect(picked).toEqual([3, 10, 17, 24]);
  });

  it('reuses one buffer when asked, with the pixels a fresh buffer per frame gets', async () => {
    const path = lavfi('testsrc2=size=160x120:rate=25:duration=1', join(dir.path, 'reuse.mp4'), ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    for (const pixelFormat of ['yuv444', 'rgb24'] as const) {
      const options = { width: 80, height: 60, fps: 25, pixelFormat };
      const fresh: Uint8Array[] = [];
      for await (const frame of media.decodeFrames(path, options)) fresh.push(frame.data);
      expect(new Set(fresh.map((data) => data.buffer)).size).toBe(fresh.length);
      const buffers = new Set<ArrayBufferLike>();
      let count = 0;
      for await (const frame of media.decodeFrames(path, { ...options, reuseBuffer: true, only: (index) => index !== 4 })) {
        buffers.add(frame.data.buffer);
        expect(Buffer.from(frame.data).equals(Buffer.from(fresh[frame.index]!))).toBe(true);
        count += 1;
      }
      expect(count).toBe(fresh.length - 1);
      expect(buffers.size).toBe(1);
    }
  });

  it('stops ffmpeg when the consumer stops early', async () => {
    const path = lavfi('mandelbrot=size=320x240:rate=25', join(dir.path, 'long.mkv'), ['-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast']);
    const started = Date.now();
    let seen = 0;
    for await (const frame of media.decodeFrames(path, { width: 320, height: 240, fps: 25 })) {
      seen = frame.index + 1;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
    const controller = new AbortController();
    const frames = media.decodeFrames(path, { width: 64, height: 48, fps: 25, signal: controller.signal });
    const error = await mediaError(
      (async () => {
        for await (const frame of frames) if (frame.index === 1) controller.abort();
      })(),
    );
    expect(error.code).toBe('ABORTED');
  }, 30_000);

  it('raises typed errors for missing, corrupt, video-less and truncated inputs', async () => {
    expect((await mediaError(media.probe(join(dir.path, 'missing.mp4')))).code).toBe('NOT_FOUND');
    const garbage = join(dir.path, 'garbage.mp4');
    writeFileSync(garbage, Buffer.from('this is not a video at all, just some text bytes'.repeat(20)));
    expect((await mediaError(media.probe(garbage))).code).toBe('INVALID_MEDIA');
    const audio = lavfi('sine=frequency=440:duration=1', join(dir.path, 'tone.wav'));
    expect((await mediaError(media.probe(audio))).code).toBe('NO_VIDEO_STREAM');

    // Without +faststart the moov atom is at the end, so the first half has no index.
    const whole = lavfi('testsrc2=size=320x240:rate=24:duration=2', join(dir.path, 'slow.mp4'), ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const truncated = join(dir.path, 'half.mp4');
    execFileSync('sh', ['-c', `head -c $(( $(stat -c %s "${whole}") / 2 )) "${whole}" > "${truncated}"`]);
    expect((await mediaError(media.probe(truncated))).code).toBe('TRUNCATED_MEDIA');
    const error = await mediaError(countFrames(truncated, 32, 24));
    expect(['TRUNCATED_MEDIA', 'INVALID_MEDIA']).toContain(error.code);
  });
});

describe('packYuv444', () => {
  /** Pixel by pixel, as the layout is defined: Y, Cb, Cr of pixel i at 3i, 3i + 1, 3i + 2. */
  const byPixel = (planar: Uint8Array, pixels: number): Uint8Array =>
    Uint8Array.from({ length: pixels * 3 }, (_, o) => planar[(o % 3) * pixels + Math.floor(o / 3)]!);

  it('interleaves the three planes for any pixel count, into a given buffer too, and planarYuv444 undoes it', () => {
    for (const [width, height] of [[1, 1], [3, 3], [5, 2], [7, 5], [768, 3]] as const) {
      const pixels = width * height;
      const planar = Uint8Array.from({ length: pixels * 3 }, (_, i) => (i * 197 + 31) % 256);
      const expected = byPixel(planar, pixels);
      const fresh = packYuv444(planar, width, height);
      expect(fresh).toMatchObject({ width, height, pixelFormat: 'yuv444' });
      expect(Buffer.from(fresh.data).equals(Buffer.from(expected))).toBe(true);
      const into = new Uint8Array(pixels * 3).fill(7);
      expect(packYuv444(planar, width, height, into).data).toBe(into);
      expect(Buffer.from(into).equals(Buffer.from(expected))).toBe(true);
      expect(Buffer.from(planarYuv444(fresh)).equals(Buffer.from(planar))).toBe(true);
    }
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => packYuv444(new Uint8Array(12), 2, 2, new Uint8Array(11))).toThrow(RangeError);
  });
});

describe('yuvToRgb', () => {
  /** BT.601 limited range, as documented, one pixel at a time. */
  const reference = (y: number, cb: number, cr: number): number[] => {
    const luma = 1.164383 * (y - 16);
    const rounded = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));
    return [rounded(luma + 1.596027 * (cr - 128)), rounded(luma - 0.391762 * (cb - 128) - 0.812968 * (cr - 128)), rounded(luma + 2.017232 * (cb - 128))];
  };

  it('converts every Y and Cb with Cr in steps of 3 (and both ends) exactly as the formula does', () => {
    const crs = [...Array.from({ length: 86 }, (_, i) => i * 3), 255];
    const pixels = 256 * 256 * crs.length;
    const data = new Uint8Array(pixels * 3);
    let o = 0;
    for (let y = 0; y < 256; y += 1) {
      for (let cb = 0; cb < 256; cb += 1) {
        for (const cr of crs) {
          data[o++] = y;
          data[o++] = cb;
          data[o++] = cr;
        }
      }
    }
    const rgb = yuvToRgb({ width: crs.length, height: 256 * 256, data, pixelFormat: 'yuv444' });
    expect(rgb).toMatchObject({ width: crs.length, height: 256 * 256 });
    expect(rgb.pixelFormat).toBeUndefined();
    let mismatches = 0;
    for (let i = 0; i < pixels; i += 1) {
      const [r, g, b] = reference(data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!);
      if (rgb.data[i * 3] !== r || rgb.data[i * 3 + 1] !== g || rgb.data[i * 3 + 2] !== b) mismatches += 1;
    }
    expect(mismatches).toBe(0);
  });

  it('returns an RGB frame as it is', () => {
    const frame = { width: 1, height: 1, data: Uint8Array.of(1, 2, 3) };
    expect(yuvToRgb(frame)).toBe(frame);
  });
});

describe('AV1 keyframe layer', () => {
  /** A bright square moving over a ramp, as packed Y′CbCr 4:4:4. */
  function movingFrames(count: number, width: number, height: number) {
    return Array.from({ length: count }, (_, index) => {
      const planar = new Uint8Array(width * height * 3).fill(128);
      for (let y = 0; y < height; y += 1)
        for (let x = 0; x < width; x += 1) {
          const inSquare = x >= index * 6 && x < index * 6 + 24 && y >= 20 && y < 44;
          planar[y * width + x] = inSquare ? 235 : 16 + ((x + y) % 200);
        }
      return packYuv444(planar, width, height);
    });
  }

  async function code(lookahead: boolean | undefined, width: number, height: number): Promise<Uint8Array> {
    const encoder = media.av1LayerCodec.encoder({ width, height, crf: 40, preset: 8, ...(lookahead === undefined ? {} : { lookahead }) });
    for (const frame of movingFrames(8, width, height)) await encoder.write(frame);
    return encoder.close();
  }

  /** A sequence of `count` identical frames, quick to code. */
  async function stillSequence(count: number, width: number, height: number): Promise<Uint8Array> {
    const encoder = media.av1LayerCodec.encoder({ width, height, crf: 40, preset: 10 });
    const [frame] = movingFrames(1, width, height);
    for (let index = 0; index < count; index += 1) await encoder.write(frame!);
    return encoder.close();
  }

  it('codes a sequence without lookahead that decodes to every frame, and differs from the default', async () => {
    const [width, height] = [128, 96];
    const plain = await code(undefined, width, height);
    const withoutLookahead = await code(false, width, height);
    expect(Buffer.from(await code(true, width, height)).equals(Buffer.from(plain))).toBe(true);
    expect(Buffer.from(withoutLookahead).equals(Buffer.from(plain))).toBe(false);
    expect(await decodedCount(media.av1LayerCodec.decode(withoutLookahead, width, height, 8))).toBe(8);
  });

  it('decodes only a few frames ahead of its reader, and stops ffmpeg when the reader stops early', async () => {
    const [width, height, count] = [128, 96, 60];
    const obus = await stillSequence(count, width, height);
    const frames = media.av1LayerCodec.decode(obus, width, height, count)[Symbol.asyncIterator]();
    expect((await frames.next()).done).toBe(false);
    // A decode that ran to the end would have exited by now; a paused one waits for its reader.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(ffmpegChildren()).toHaveLength(1);
    await frames.return?.();
    expect(ffmpegChildren()).toHaveLength(0);
  }, 30_000);

  it('ends a paused decode on abort: the reader gets ABORTED and no ffmpeg is left', async () => {
    const [width, height, count] = [128, 96, 60];
    const obus = await stillSequence(count, width, height);
    const controller = new AbortController();
    const frames = media.av1LayerCodec.decode(obus, width, height, count, controller.signal)[Symbol.asyncIterator]();
    expect((await frames.next()).done).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    const reading = (async () => {
      for (let index = 1; index < count; index += 1) await frames.next();
    })();
    expect((await mediaError(reading)).code).toBe('ABORTED');
    expect(ffmpegChildren()).toHaveLength(0);
  }, 30_000);

  it('refuses a sequence with fewer frames than declared before handing out the last one', async () => {
    const [width, height] = [128, 96];
    const obus = await code(undefined, width, height);
    const frames = media.av1LayerCodec.decode(obus, width, height, 9)[Symbol.asyncIterator]();
    for (let index = 0; index < 8; index += 1) expect((await frames.next()).done).toBe(false);
    expect((await mediaError(frames.next())).code).toBe('INVALID_MEDIA');
    expect((await mediaError(decodedCount(media.av1LayerCodec.decode(obus, width, height, 7)))).code).toBe('INVALID_MEDIA');
  });
});

describe('createVideoEncoder', () => {
  const frame = (width: number, height: number, value: number) => ({ width, height, data: new Uint8Array(width * height * 3).fill(value) });

  for (const format of ['mp4', 'webm'] as const) {
    it(`writes exactly the given frames at the given rate (${format})`, async () => {
      const out = join(dir.path, `sink.${format}`);
      // The MP4 case passes the rate as a number, which must still come out as the exact fraction.
      const fps = format === 'mp4' ? 30000 / 1001 : { num: 30000, den: 1001 };
      const sink = media.createVideoEncoder(out, { width: 64, height: 48, fps, format });
      for (let i = 0; i < 37; i += 1) await sink.write(frame(64, 48, i * 6));
      expect(await sink.close()).toBe(37);
      const stream = ffprobeStream(out);
      expect(stream).toMatchObject({ frames: 37, rate: '30000/1001', width: 64, height: 48, codec: format === 'mp4' ? 'h264' : 'vp9' });
    }, 30_000);
  }

  it('makes odd sizes even for yuv420p and can scale on output', async () => {
    const out = join(dir.path, 'odd.mp4');
    const sink = media.createVideoEncoder(out, { width: 33, height: 17, fps: { num: 12, den: 1 }, format: 'mp4', outputWidth: 67, outputHeight: 35 });
    for (let i = 0; i < 5; i += 1) await sink.write(frame(33, 17, 100));
    await sink.close();
    expect(ffprobeStream(out)).toMatchObject({ frames: 5, width: 66, height: 34, rate: '12/1' });
  });

  it('rejects frames of the wrong size', async () => {
    const sink = media.createVideoEncoder(join(dir.path, 'bad.mp4'), { width: 16, height: 16, fps: { num: 24, den: 1 }, format: 'mp4' });
    await expect(sink.write(frame(8, 8, 0))).rejects.toBeInstanceOf(MediaError);
    sink.abort();
  });
});

describe('sound track', () => {
  it('codes the same source to the same bytes every time', async () => {
    const path = lavfi('sine=frequency=440:duration=2', join(dir.path, 'tone.wav'), []);
    const first = await media.videoFile(path).opus(10);
    const second = await media.videoFile(path).opus(10);
    expect(first?.length).toBeGreaterThan(0);
    expect(Buffer.from(second!).equals(Buffer.from(first!))).toBe(true);
  });
});
