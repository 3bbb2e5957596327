import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configureMediaTools, MediaError, probe, runToolOutput } from '../src/index.ts';
import { lavfi, tempDir } from './fixtures.ts';

const dir = tempDir();
const clip = join(dir.path, 'clip.mkv');
beforeAll(() => lavfi('testsrc=size=64x48:rate=5', clip, ['-t', '1']));
afterAll(() => dir.cleanup());
afterEach(() => configureMediaTools());

describe('media tools', () => {
  it('spawns the configured ffprobe, not the one on PATH', async () => {
    expect((await probe(clip)).width).toBe(64);
    configureMediaTools({ ffmpegPath: 'ffmpeg', ffprobePath: join(dir.path, 'no-such-ffprobe') });
    const failure = await probe(clip).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MediaError);
    expect((failure as MediaError).code).toBe('FFMPEG_UNAVAILABLE');
    expect((failure as MediaError).message).toContain('no-such-ffprobe');
  });

  it('refuses output beyond the limit and keeps only the stderr tail', async () => {
    const failure = await runToolOutput('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-t', '1', '-f', 'rawvideo', '-'], { maxStdout: 1000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MediaError);
    expect((failure as MediaError).message).toMatch(/more than 1000 bytes/);
    const ok = await runToolOutput('ffmpeg', ['-hide_banner', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-t', '1', '-f', 'null', '-'], { stderrLimit: 100 });
    expect(ok.stdout.length).toBe(0);
    expect(ok.stderr.length).toBeLessThanOrEqual(100);
    expect(ok.stderr.length).toBeGreaterThan(0);
  });
});
