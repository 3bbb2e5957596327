import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configureMediaTools, MediaError, probe, runToolOutput } from '../src/index.ts';
import { lavfi, tempDir } from './fixtures.ts';

const run = promisify(execFile);
const cliBin = new URL('../bin/cmvc.mjs', import.meta.url).pathname;

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

  it('the cmvc CLI takes FFPROBE_PATH from the environment through packages/config', async () => {
    const failure = await run(process.execPath, [cliBin, 'encode', clip, '-o', join(dir.path, 'clip.cmvc'), '--analyzers', 'builtin'], {
      env: { ...process.env, FFPROBE_PATH: '/nonexistent/ffprobe' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure && failure.code).toBe(4);
    expect((failure as { stderr: string }).stderr).toContain('/nonexistent/ffprobe');
  });
});
