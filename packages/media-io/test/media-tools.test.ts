import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, mediaIo, runToolOutput, type MediaIo } from '../src/index.ts';
import { lavfi, tempDir } from './fixtures.ts';

const dir = tempDir();
const clip = join(dir.path, 'clip.mkv');
beforeAll(() => lavfi('testsrc=size=64x48:rate=5', clip, ['-t', '1', '-f', 'lavfi', '-i', 'sine=frequency=440', '-shortest']));
afterAll(() => dir.cleanup());

async function failure(promise: Promise<unknown>): Promise<MediaError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

async function firstFrame(media: MediaIo): Promise<unknown> {
  for await (const frame of media.videoFile(clip).frames({ width: 16, height: 16, fps: 5 })) return frame;
  return undefined;
}

describe('media tools', () => {
  it('spawns the ffprobe of its tools, not the one on PATH', async () => {
    expect((await mediaIo().probe(clip)).width).toBe(64);
    const refusal = await failure(mediaIo({ ffmpegPath: 'ffmpeg', ffprobePath: join(dir.path, 'no-such-ffprobe') }).probe(clip));
    expect(refusal.code).toBe('FFMPEG_UNAVAILABLE');
    expect(refusal.message).toContain('no-such-ffprobe');
  });

  it('runs every port from its tools: with binaries that do not exist, each fails as unavailable', async () => {
    const working = mediaIo();
    expect(await firstFrame(working)).toMatchObject({ width: 16, height: 16, index: 0 });
    expect((await working.videoFile(clip).opus(24))?.length).toBeGreaterThan(0);

    const missing = mediaIo({ ffmpegPath: join(dir.path, 'no-such-ffmpeg'), ffprobePath: join(dir.path, 'no-such-ffprobe') });
    const source = missing.videoFile(clip);
    expect((await failure(source.probe())).code).toBe('FFMPEG_UNAVAILABLE');
    expect((await failure(firstFrame(missing))).code).toBe('FFMPEG_UNAVAILABLE');
    expect((await failure(source.opus(24))).code).toBe('FFMPEG_UNAVAILABLE');
    const layer = missing.av1LayerCodec.encoder({ width: 64, height: 64, crf: 30, preset: 10 });
    expect((await failure(layer.close())).code).toBe('FFMPEG_UNAVAILABLE');
    expect((await failure(missing.av1LayerCodec.decode(new Uint8Array(16), 64, 64, 1)[Symbol.asyncIterator]().next())).code).toBe('FFMPEG_UNAVAILABLE');
    const sink = missing.videoFileTarget(join(dir.path, 'out.mp4')).open({ width: 16, height: 16, fps: 5 });
    expect((await failure(sink.close())).code).toBe('FFMPEG_UNAVAILABLE');
    const segment = missing.segmentFiles(dir.path).open(0, { width: 16, height: 16, fps: 5 });
    expect((await failure(segment.close())).code).toBe('FFMPEG_UNAVAILABLE');
    expect((await failure(missing.joinSegments([clip], join(dir.path, 'joined.mp4'), 'mp4'))).code).toBe('FFMPEG_UNAVAILABLE');
  });

  it('refuses output beyond the limit and keeps only the stderr tail', async () => {
    const refusal = await runToolOutput('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-t', '1', '-f', 'rawvideo', '-'], { maxStdout: 1000 }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(MediaError);
    expect((refusal as MediaError).message).toMatch(/more than 1000 bytes/);
    const ok = await runToolOutput('ffmpeg', ['-hide_banner', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-t', '1', '-f', 'null', '-'], { stderrLimit: 100 });
    expect(ok.stdout.length).toBe(0);
    expect(ok.stderr.length).toBeLessThanOrEqual(100);
    expect(ok.stderr.length).toBeGreaterThan(0);
  });
});
