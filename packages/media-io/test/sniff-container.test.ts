import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaError } from '../src/errors.ts';
import { mediaIo } from '../src/media-io.ts';
import { sniffContainer, type ContainerFormat } from '../src/sniff-container.ts';
import { lavfi, tempDir } from './fixtures.ts';

const dir = tempDir();
afterAll(() => dir.cleanup());

const SOURCE = 'testsrc2=size=96x64:rate=10:duration=1';
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

/** Sniffs from the file and from its bytes in memory; both must agree. */
async function sniffBothWays(path: string) {
  const fromFile = await sniffContainer(path);
  expect(await sniffContainer(path, readFileSync(path))).toEqual(fromFile);
  return fromFile;
}

async function sniffError(path: string): Promise<MediaError> {
  const refusal = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      expect(error).toBeInstanceOf(MediaError);
      expect((error as MediaError).message).toContain(path);
      return error as MediaError;
    }
    throw new Error(`expected ${path} to be refused`);
  };
  const fromFile = await refusal(sniffContainer(path));
  if (fromFile.code !== 'NOT_FOUND') {
    const fromMemory = await refusal(sniffContainer(path, readFileSync(path)));
    expect({ code: fromMemory.code, message: fromMemory.message }).toEqual({ code: fromFile.code, message: fromFile.message });
  }
  return fromFile;
}

/** Writes the first `fraction` of `source` to a new file. */
function cut(source: string, name: string, fraction: number): string {
  const bytes = readFileSync(source);
  const path = join(dir.path, name);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return path;
}

describe('sniffContainer: containers ffmpeg writes', () => {
  const cases: [name: string, extra: string[], format: ContainerFormat][] = [
    ['a.mp4', H264, 'iso-bmff'],
    ['faststart.mp4', [...H264, '-movflags', '+faststart'], 'iso-bmff'],
    ['fragmented.mp4', [...H264, '-movflags', 'frag_keyframe+empty_moov'], 'iso-bmff'],
    ['a.mov', H264, 'iso-bmff'],
    ['a.mkv', H264, 'matroska'],
    ['a.webm', ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '200k'], 'matroska'],
    ['a.avi', ['-c:v', 'mpeg4'], 'avi'],
    ['a.ts', H264, 'mpeg-ts'],
    ['a.mpg', ['-c:v', 'mpeg2video'], 'mpeg-ps'],
    ['a.m2v', ['-c:v', 'mpeg2video', '-f', 'mpeg2video'], 'mpeg-video'],
    ['a.h264', [...H264, '-f', 'h264'], 'h26x-annexb'],
    ['a.flv', ['-c:v', 'flv1'], 'flv'],
    ['a.ogv', ['-c:v', 'libtheora'], 'ogg'],
    ['a.wmv', ['-c:v', 'wmv2'], 'asf'],
    ['a.gif', [], 'gif'],
    ['a.ivf', ['-c:v', 'libvpx', '-deadline', 'realtime'], 'ivf'],
    ['a.y4m', ['-pix_fmt', 'yuv420p'], 'y4m'],
  ];
  for (const [name, extra, format] of cases) {
    it(`recognises ${name} as ${format}, and ffprobe agrees it is a video`, async () => {
      const path = lavfi(SOURCE, join(dir.path, name), extra);
      const sniff = await sniffBothWays(path);
      expect(sniff.format).toBe(format);
      expect(sniff.bytes).toBe(readFileSync(path).length);
      expect((await mediaIo().probe(path)).width).toBe(96);
    });
  }

  it('reports the ISO-BMFF major brand and the Matroska DocType', async () => {
    expect((await sniffContainer(join(dir.path, 'a.mp4'))).brand).toBe('isom');
    expect((await sniffContainer(join(dir.path, 'a.mov'))).brand).toBe('qt');
    expect((await sniffContainer(join(dir.path, 'a.mkv'))).brand).toBe('matroska');
    expect((await sniffContainer(join(dir.path, 'a.webm'))).brand).toBe('webm');
  });
});

describe('sniffContainer: truncated and damaged files', () => {
  const mp4 = () => join(dir.path, 'a.mp4');

  it('finds a cut-off MP4 at every cut point, whether the moov is at the end or the start', async () => {
    const faststart = lavfi(SOURCE, join(dir.path, 'cut-source-fast.mp4'), [...H264, '-movflags', '+faststart']);
    for (const source of [mp4(), faststart]) {
      for (const fraction of [0.01, 0.1, 0.5, 0.9, 0.999]) {
        const error = await sniffError(cut(source, `cut-${fraction}.mp4`, fraction));
        expect(error.code, `${source} cut at ${fraction}`).toBe('TRUNCATED_MEDIA');
      }
    }
  });

  it('finds an MP4 whose moov was never written, and a fragmented MP4 cut inside a fragment', async () => {
    const whole = readFileSync(mp4());
    const moovAt = whole.indexOf('moov') - 4;
    expect(moovAt).toBeGreaterThan(0);
    const path = join(dir.path, 'no-moov.mp4');
    writeFileSync(path, whole.subarray(0, moovAt));
    const error = await sniffError(path);
    expect(error.code).toBe('TRUNCATED_MEDIA');
    expect(error.message).toContain('moov');
    expect((await sniffError(cut(join(dir.path, 'fragmented.mp4'), 'fragmented-cut.mp4', 0.7))).code).toBe('TRUNCATED_MEDIA');
  });

  it('accepts a complete MP4 with a few junk bytes appended after the moov', async () => {
    const path = join(dir.path, 'junk-tail.mp4');
    writeFileSync(path, Buffer.concat([readFileSync(mp4()), Buffer.from([0, 0, 0])]));
    expect((await sniffBothWays(path)).format).toBe('iso-bmff');
  });

  it('finds a cut-off Matroska segment and AVI RIFF chunk', async () => {
    expect((await sniffError(cut(join(dir.path, 'a.mkv'), 'cut.mkv', 0.5))).code).toBe('TRUNCATED_MEDIA');
    expect((await sniffError(cut(join(dir.path, 'a.webm'), 'cut.webm', 0.5))).code).toBe('TRUNCATED_MEDIA');
    expect((await sniffError(cut(join(dir.path, 'a.avi'), 'cut.avi', 0.5))).code).toBe('TRUNCATED_MEDIA');
  });

  it('refuses text, images, audio-only formats and empty files as not a video container', async () => {
    const text = join(dir.path, 'notes.mp4');
    writeFileSync(text, 'These are meeting notes, not a video.\n'.repeat(20));
    const freeText = join(dir.path, 'free.txt');
    writeFileSync(freeText, 'The free software movement.\n');
    const empty = join(dir.path, 'empty.mp4');
    writeFileSync(empty, '');
    const png = lavfi('testsrc2=size=32x32', join(dir.path, 'still.png'), ['-frames:v', '1']);
    const wav = lavfi('sine=duration=0.2', join(dir.path, 'tone.wav'));
    for (const path of [text, freeText, empty, png, wav]) expect((await sniffError(path)).code, path).toBe('INVALID_MEDIA');
  });

  it('refuses a missing file with NOT_FOUND', async () => {
    expect((await sniffError(join(dir.path, 'missing.mp4'))).code).toBe('NOT_FOUND');
  });
});
