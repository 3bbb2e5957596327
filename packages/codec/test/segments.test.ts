import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAnalyzers } from '../src/analyzers/provider.ts';
import { parseBitstream } from '../src/bitstream/container.ts';
import { decodeSegments, nextSegment, segmentGrid, segmentSpan, type SegmentGrid } from '../src/decoder.ts';
import { encodeVideo, type EncodeResult } from '../src/encoder.ts';
import { mediaIo } from '@cmvc/media-io';
import { clipWithSound, ffprobeStream, SPARSE_LAYER, tempDir } from './fixtures.ts';

const media = mediaIo();

const dir = tempDir();
let encoded: EncodeResult;

beforeAll(async () => {
  const source = clipWithSound(join(dir.path, 'source.mkv'), 5);
  encoded = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, strategy: 'uniform', keyframes: 3, layerTarget: { ...SPARSE_LAYER, maxSpacingSeconds: 0.5 } }, builtinAnalyzers());
}, 120_000);
afterAll(() => dir.cleanup());

describe('the segment grid', () => {
  it('cuts the frames into equal segments with a shorter last one, on the stream clock', () => {
    const grid = segmentGrid(61, { num: 12, den: 1 }, 2);
    expect(grid).toMatchObject({ framesPerSegment: 24, count: 3 });
    expect(segmentSpan(grid, 2)).toEqual({ start: 48, end: 61, startSeconds: 4, seconds: 13 / 12 });
  });

  it('renders the wanted segment first, then goes forward, then fills in what is missing', () => {
    const done = new Set<number>();
    const order: number[] = [];
    let previous: number | null = null;
    let wanted: number | null = 3;
    for (let index = nextSegment(5, done, previous, wanted); index !== null; index = nextSegment(5, done, previous, wanted)) {
      order.push(index);
      done.add(index);
      previous = index;
      wanted = null;
    }
    expect(order).toEqual([3, 4, 0, 1, 2]);
  });
});

describe('segmented decoding', () => {
  it('renders a late segment first when it is wanted, and the segments join into exactly the source frames', async () => {
    const workDir = join(dir.path, 'segments');
    mkdirSync(workDir);
    const finished: number[] = [];
    let grid: SegmentGrid | undefined;
    const result = await decodeSegments(
      encoded.bitstream,
      { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.segmentFiles(workDir), segmentSeconds: 1 },
      {
        start: async (known) => {
          grid = known;
        },
        wanted: async () => (finished.length === 0 ? 3 : null),
        finished: async (index, path) => {
          expect(ffprobeStream(path).frames).toBe(segmentSpan(grid!, index).end - segmentSpan(grid!, index).start);
          finished.push(index);
        },
      },
    );
    expect(result.grid.count).toBe(5);
    expect(finished).toEqual([3, 4, 0, 1, 2]);
    expect(result.audioPath).not.toBeNull();

    const mp4 = join(dir.path, 'joined.mp4');
    await media.joinSegments(result.paths, mp4, 'mp4');
    const joined = ffprobeStream(mp4);
    expect(joined.frames).toBe(parseBitstream(encoded.bitstream).representation.header.frameCount);
    expect(joined.codec).toBe('h264');
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', mp4]).toString().trim().split('\n');
    expect(streams.sort()).toEqual(['aac', 'h264']);
    const webm = join(dir.path, 'joined.webm');
    await media.joinSegments(result.paths, webm, 'webm', { audioPath: result.audioPath! });
    expect(ffprobeStream(webm)).toMatchObject({ frames: joined.frames, codec: 'vp9' });
  }, 120_000);

  it('leaves a segment half-made when a viewer seeks elsewhere, serves that first, and makes the first one later', async () => {
    const workDir = join(dir.path, 'switch');
    mkdirSync(workDir);
    const finished: number[] = [];
    let asked = 0;
    const result = await decodeSegments(
      encoded.bitstream,
      { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.segmentFiles(workDir), segmentSeconds: 1, wantedCheckMs: 0, firstWantedWaitMs: 0 },
      {
        start: async () => undefined,
        // Nobody waits when the job starts; a seek to segment 4 arrives while segment 0 renders.
        wanted: async () => (asked++ === 0 ? null : 4),
        finished: async (index) => void finished.push(index),
      },
    );
    expect(finished).toEqual([4, 0, 1, 2, 3]);
    const joined = join(dir.path, 'switch.mp4');
    await media.joinSegments(result.paths, joined, 'mp4');
    expect(ffprobeStream(joined).frames).toBe(parseBitstream(encoded.bitstream).representation.header.frameCount);
  }, 120_000);
});
