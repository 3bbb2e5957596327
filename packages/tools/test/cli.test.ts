import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaIo } from '@cmvc/media-io';
import { runCli } from '../src/cli/main.ts';
import { ffprobeStream, lavfi, tempDir } from '../../codec/test/fixtures.ts';

const run = promisify(execFile);
const dir = tempDir();
const source = join(dir.path, 'in.mkv');
const stream = join(dir.path, 'in.cmvc');
beforeAll(() => {
  lavfi('mandelbrot=size=160x120:rate=12', source, ['-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast']);
});
afterAll(() => dir.cleanup());

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          append(chunk.toString());
          done();
        },
      }),
      { isTTY: false },
    ) as unknown as NodeJS.WriteStream;
  const code = await runCli(argv, {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    signal: new AbortController().signal,
    mediaIo: mediaIo(),
  });
  return { code, stdout, stderr };
}

describe('cmvc CLI', () => {
  it('encodes, shows info and decodes, with JSON output', async () => {
    const encoded = await cli('encode', source, '-o', stream, '--keyframes', '2', '--strategy', 'uniform', '--analyzers', 'builtin', '--json');
    expect(encoded.code, encoded.stderr).toBe(0);
    const summary = JSON.parse(encoded.stdout) as { frameCount: number; keyframes: unknown[]; rate: { totalBytes: number } };
    expect(summary.frameCount).toBe(24);
    expect(summary.keyframes).toHaveLength(2);

    const info = await cli('info', stream, '--json');
    expect(info.code).toBe(0);
    const parsed = JSON.parse(info.stdout) as { rate: { totalBytes: number }; sections: { kind: string }[] };
    expect(parsed.rate.totalBytes).toBe(summary.rate.totalBytes);
    expect(parsed.sections.map((s) => s.kind)).toEqual(expect.arrayContaining(['keyframes', 'contentText', 'motionText', 'cameraMotion', 'keyframeLayer']));
    const text = await cli('info', stream);
    expect(text.stdout).toMatch(/it2vWeights/);
    expect(text.stdout).toMatch(/Keyframe at 0\.00 s/);

    const noBackend = await cli('decode', stream, '-o', join(dir.path, 'tt2v.mp4'), '--mode', 'tt2v', '--analyzers', 'builtin');
    expect(noBackend.code).toBe(4);
    expect(noBackend.stderr).toMatch(/GENERATOR_UNAVAILABLE/);

    const out = join(dir.path, 'out.mp4');
    const decoded = await cli('decode', stream, '-o', out, '--mode', 'it2v', '--upscale');
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(ffprobeStream(out)).toMatchObject({ frames: 24, rate: '12/1', width: 160, height: 120 });
  }, 60_000);

  it('sends the motion side channel with --motion-side-channel coarse and shows it in info', async () => {
    const withMotion = join(dir.path, 'motion.cmvc');
    const encoded = await cli('encode', source, '-o', withMotion, '--keyframes', '2', '--strategy', 'uniform', '--analyzers', 'builtin', '--motion-side-channel', 'coarse', '--interpolation-psnr', '0');
    expect(encoded.code, encoded.stderr).toBe(0);
    const info = JSON.parse((await cli('info', withMotion, '--json')).stdout) as { sections: { kind: string }[]; motionSideChannel: { columns: number; interpolatedFrames: number } | null };
    expect(info.sections.map((s) => s.kind)).toContain('motionSideChannel');
    expect(info.motionSideChannel).toMatchObject({ columns: 8, rows: 6, unitsPerPixel: 2 });
    expect(info.motionSideChannel!.interpolatedFrames).toBeGreaterThan(0);
    expect((await cli('info', withMotion)).stdout).toMatch(new RegExp(`motion side channel: 8x6 grid in 1/2 px, fields for \\d+ of ${info.motionSideChannel!.interpolatedFrames} interpolated frames`));
    const decoded = await cli('decode', withMotion, '-o', join(dir.path, 'motion.mp4'));
    expect(decoded.code, decoded.stderr).toBe(0);
  }, 60_000);

  it('maps failures to exit codes', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('encode', source)).code).toBe(2);
    expect((await cli('encode', source, '-o', stream, '--strategy', 'nearest')).code).toBe(2);
    expect((await cli('encode', source, '-o', stream, '--motion-side-channel', 'fine')).code).toBe(2);
    const corrupt = join(dir.path, 'corrupt.cmvc');
    writeFileSync(corrupt, 'CMVC\x01\x00 definitely not a valid stream');
    const bad = await cli('info', corrupt);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/BitstreamError/);
    const missing = await cli('encode', join(dir.path, 'missing.mp4'), '-o', join(dir.path, 'x.cmvc'));
    expect(missing.code).toBe(3);
  });

  it('runs as `npm run cmvc`, taking FFPROBE_PATH from the environment through packages/config', async () => {
    const bin = new URL('../bin/cmvc.mjs', import.meta.url).pathname;
    const failure = await run(process.execPath, [bin, 'encode', source, '-o', join(dir.path, 'tools.cmvc'), '--analyzers', 'builtin'], {
      env: { ...process.env, FFPROBE_PATH: '/nonexistent/ffprobe' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure && failure.code).toBe(4);
    expect((failure as { stderr: string }).stderr).toContain('/nonexistent/ffprobe');
    const help = await run(process.execPath, [bin, 'help']);
    expect(help.stdout).toMatch(/models .*\n.*eval/s);
  });
});
