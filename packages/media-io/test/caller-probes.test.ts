/** The media-io runs ingest and the models make: the header probe, the packet count, cover-fit frames and speech PCM. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, mediaIo } from '../src/index.ts';
import { lavfi, tempDir } from './fixtures.ts';

const dir = tempDir();
const silent = join(dir.path, 'silent.mkv');
const withSound = join(dir.path, 'sound.mkv');
const text = join(dir.path, 'notes.mkv');
const media = mediaIo();
/** Tools whose ffmpeg/ffprobe do not exist: a function that ignores its tools would still succeed. */
const missing = mediaIo({ ffmpegPath: join(dir.path, 'no-such-ffmpeg'), ffprobePath: join(dir.path, 'no-such-ffprobe') });

beforeAll(() => {
  // Blue with a green band over the left 8 columns, which a cover fit into a square crops away.
  lavfi('color=blue:size=64x48:rate=10,drawbox=x=0:y=0:w=8:h=48:color=green:t=fill', silent, ['-frames:v', '10']);
  lavfi('testsrc=size=64x48:rate=10', withSound, ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-shortest']);
  writeFileSync(text, 'not a video at all\n');
});
afterAll(() => dir.cleanup());

describe('probeVideoHeader', () => {
  it('states the size and demuxes one packet', async () => {
    expect(await media.probeVideoHeader(silent)).toMatchObject({ width: 64, height: 48, avg_frame_rate: '10/1', nb_read_packets: '1' });
  });

  it('refuses a file that is not media with ffprobe\'s diagnostics, and uses the tools it is given', async () => {
    const refusal = await media.probeVideoHeader(text).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(MediaError);
    expect((refusal as MediaError).stderr).toContain('Invalid data');
    await expect(missing.probeVideoHeader(silent)).rejects.toMatchObject({ code: 'FFMPEG_UNAVAILABLE' });
  });
});

describe('countVideoPackets', () => {
  it('counts the packets of the first video stream', async () => {
    expect(await media.countVideoPackets(silent)).toBe(10);
    await expect(missing.countVideoPackets(silent)).rejects.toMatchObject({ code: 'FFMPEG_UNAVAILABLE' });
  });
});

describe('decodeFrames with a cover fit', () => {
  it('scales to cover the size, crops the centre and stops after maxFrames', async () => {
    const frames = [];
    for await (const frame of media.decodeFrames(silent, { width: 24, height: 24, fps: 10, fit: 'cover', maxFrames: 3 })) frames.push(frame);
    expect(frames.map((frame) => [frame.index, frame.width, frame.height, frame.data.length])).toEqual([0, 1, 2].map((index) => [index, 24, 24, 24 * 24 * 3]));
    // 64×48 covers 24×24 at 32×24, of which the centre 24 columns stay: the band (4 columns there) is cut off.
    const left = [...frames[0]!.data.subarray(12 * 24 * 3, 12 * 24 * 3 + 3)];
    expect(left[1]).toBeLessThan(100);
    expect(left[2]).toBeGreaterThan(150);
  });
});

describe('readPcmAudio', () => {
  it('reads the sound as mono float PCM at the rate asked for, at most maxSeconds, and null without sound', async () => {
    const samples = await media.readPcmAudio(withSound, { sampleRate: 16_000 });
    expect(samples!.length).toBeGreaterThan(15_000);
    expect(samples!.length).toBeLessThan(17_000);
    expect(Math.max(...samples!.subarray(0, 4000).map(Math.abs))).toBeGreaterThan(0.1);
    // Half a second, less the resampler's few samples of delay.
    const half = (await media.readPcmAudio(withSound, { sampleRate: 16_000, maxSeconds: 0.5 }))!.length;
    expect(half).toBeGreaterThan(7900);
    expect(half).toBeLessThanOrEqual(8000);
    expect(await media.readPcmAudio(silent, { sampleRate: 16_000 })).toBeNull();
    await expect(media.readPcmAudio(text, { sampleRate: 16_000 })).rejects.toBeInstanceOf(MediaError);
    await expect(missing.readPcmAudio(withSound, { sampleRate: 16_000 })).rejects.toMatchObject({ code: 'FFMPEG_UNAVAILABLE' });
  });
});
