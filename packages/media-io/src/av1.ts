import type { RgbFrame } from './frame.ts';
import { MediaError } from './errors.ts';
import { startFfmpeg, type FfmpegSink } from './ffmpeg-process.ts';
import { packYuv444, planarYuv444 } from './pixels.ts';
import type { MediaTools } from './tools.ts';

/**
 * The keyframe layer's AV1 coding (bitstream section 9): a run of keyframes is coded as one AV1
 * sequence (a key frame, then inter frames) and kept as bare OBUs in the low-overhead format, so
 * no IVF, HEIF or MP4 bytes are stored. Encoding goes through Debian's ffmpeg with SVT-AV1
 * (libaom-av1 below SVT-AV1's 64-pixel minimum), decoding through libdav1d, whose output is
 * bit-exact by the AV1 specification.
 */

/** Encoder settings of the keyframe layer; see docs/bitstream.md for the measurements behind them. */
export interface Av1LayerSettings {
  /** Constant-quality level, 0..63. */
  readonly crf: number;
  /** SVT-AV1 preset, 0..13: lower is slower and smaller. */
  readonly preset: number;
  /** SVT-AV1's lookahead (and its temporal-dependency model); default true. Without it the encoder holds fewer pictures. */
  readonly lookahead?: boolean;
}

/** SVT-AV1 refuses frames narrower or lower than this. */
const SVT_MIN_SIDE = 64;

function encoderArgs({ crf, preset, lookahead = true }: Av1LayerSettings, width: number, height: number): string[] {
  // One key frame per sequence: the layer starts a new sequence where it wants one.
  if (width >= SVT_MIN_SIDE && height >= SVT_MIN_SIDE)
    return ['-c:v', 'libsvtav1', '-preset', String(preset), '-crf', String(crf), '-g', '1000', '-svtav1-params', lookahead ? 'lp=2' : 'lp=2:lookahead=0'];
  return ['-c:v', 'libaom-av1', '-cpu-used', '6', '-crf', String(crf), '-b:v', '0', '-g', '1000', '-threads', '2'];
}

export const AV1_MAX_CRF = 63;

export interface Av1SegmentEncoderOptions extends Av1LayerSettings {
  /** Size of the frames written. */
  readonly width: number;
  readonly height: number;
  /** Size the sequence is coded at (lanczos); default the frame size. */
  readonly codedWidth?: number;
  readonly codedHeight?: number;
  readonly signal?: AbortSignal;
}

/** Takes packed Y′CbCr 4:4:4 frames of the size it was made for; `close` ends the sequence and returns its OBUs. */
export type Av1SegmentEncoder = FfmpegSink<Uint8Array>;

/** Starts coding one AV1 sequence from packed Y′CbCr 4:4:4 frames, streamed to ffmpeg as they are written (only chroma is resampled). */
export function createAv1SegmentEncoder(tools: MediaTools, options: Av1SegmentEncoderOptions): Av1SegmentEncoder {
  const { width, height, crf } = options;
  const codedWidth = options.codedWidth ?? width;
  const codedHeight = options.codedHeight ?? height;
  if (!Number.isInteger(crf) || crf < 0 || crf > AV1_MAX_CRF) throw new MediaError('FFMPEG_FAILED', `AV1 crf must be an integer 0..${AV1_MAX_CRF}`);
  const args = [
    '-f', 'rawvideo', '-pix_fmt', 'yuv444p', '-s', `${width}x${height}`, '-r', '25', '-i', 'pipe:0',
    '-vf', `${codedWidth === width && codedHeight === height ? '' : `scale=${codedWidth}:${codedHeight}:flags=lanczos,`}format=yuv420p`,
    ...encoderArgs(options, codedWidth, codedHeight),
    '-f', 'obu', 'pipe:1',
  ];
  const ffmpeg = startFfmpeg(tools, args, 'AV1 keyframe encoding', options.signal);
  const chunks: Buffer[] = [];
  ffmpeg.child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const frameBytes = width * height * 3;
  let frames = 0;
  return {
    async write(frame) {
      if (frame.width !== width || frame.height !== height || frame.data.length !== frameBytes || frame.pixelFormat !== 'yuv444')
        throw new MediaError('FFMPEG_FAILED', `keyframe is ${frame.width}x${frame.height} ${frame.pixelFormat ?? 'rgb'}, the AV1 layer takes ${width}x${height} yuv444`);
      frames += 1;
      await ffmpeg.writeChunk(planarYuv444(frame));
    },
    async close() {
      ffmpeg.child.stdin.end();
      await ffmpeg.finish();
      if (frames === 0) throw new MediaError('FFMPEG_FAILED', 'an AV1 sequence needs at least one frame');
      return new Uint8Array(Buffer.concat(chunks));
    },
    abort: ffmpeg.kill,
  };
}

/** Decoded frames a sequence keeps ready ahead of its reader; dav1d pauses beyond them. */
const DECODE_READ_AHEAD = 2;

/**
 * Decodes one AV1 sequence (bare OBUs) with libdav1d into exactly `frameCount` packed Y′CbCr 4:4:4
 * frames of `width`×`height` (the coded size is scaled to it when they differ; luma passes unchanged
 * otherwise), each yielded as soon as it is decoded. The decode runs only a few frames ahead of the
 * reader: ffmpeg's output pipe is paused beyond them, so a long sequence never sits in memory whole.
 * Fewer or more frames, or anything dav1d rejects, is an `INVALID_MEDIA` error (the caller turns it
 * into a BitstreamError), thrown before the last frame is handed out. Ending the iteration early
 * stops ffmpeg.
 */
export async function* decodeAv1Segment(
  tools: MediaTools,
  obus: Uint8Array,
  width: number,
  height: number,
  frameCount: number,
  signal?: AbortSignal,
): AsyncGenerator<RgbFrame, void, undefined> {
  const args = [
    '-c:v', 'libdav1d', '-f', 'obu', '-i', 'pipe:0',
    '-vf', `scale=${width}:${height}:flags=lanczos,format=yuv444p`,
    '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv444p', 'pipe:1',
  ];
  const ffmpeg = startFfmpeg(tools, args, 'AV1 keyframe decoding', signal);
  const output = ffmpeg.child.stdout;
  const frameBytes = width * height * 3;
  const ready: RgbFrame[] = [];
  let decoded = 0;
  // Packing copies each frame out, so one planar buffer serves the whole sequence.
  const current = new Uint8Array(frameBytes);
  let filled = 0;
  let overflow = false;
  let reading = true;
  let exited = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  output.on('data', (chunk: Buffer) => {
    if (!reading) return;
    let offset = 0;
    while (offset < chunk.length) {
      if (decoded >= frameCount) {
        // A hostile stream may declare far more frames than the section says: stop at once.
        overflow = true;
        ffmpeg.kill();
        return;
      }
      const take = Math.min(frameBytes - filled, chunk.length - offset);
      current.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === frameBytes) {
        ready.push(packYuv444(current, width, height));
        decoded += 1;
        filled = 0;
      }
    }
    // Once every declared frame is in, the pipe stays open so that extra frames are seen and ffmpeg can exit.
    if (ready.length >= DECODE_READ_AHEAD && decoded < frameCount) output.pause();
    notify();
  });
  const finished = ffmpeg
    .writeChunk(obus)
    .then(() => ffmpeg.child.stdin.end())
    .then(() => ffmpeg.finish())
    .catch((error: unknown) => {
      if (overflow) return;
      if (error instanceof MediaError && (error.code === 'ABORTED' || error.code === 'FFMPEG_UNAVAILABLE')) throw error;
      throw new MediaError('INVALID_MEDIA', `the AV1 keyframe layer does not decode: ${(error as Error).message}`);
    })
    .finally(() => {
      exited = true;
      notify();
    });
  finished.catch(() => undefined); // awaited below, unless the reader stops first
  try {
    for (let index = 0; index < frameCount - 1; index += 1) {
      while (ready.length === 0 && !exited) await new Promise<void>((resolve) => (wake = resolve));
      const frame = ready.shift();
      if (!frame) break; // ffmpeg ended early: reported below
      if (ready.length < DECODE_READ_AHEAD) output.resume();
      yield frame;
    }
    await finished;
    if (overflow || decoded !== frameCount || filled !== 0)
      throw new MediaError('INVALID_MEDIA', `the AV1 keyframe layer decodes to ${overflow ? 'more than ' : ''}${decoded} frames, the stream declares ${frameCount}`);
    if (frameCount > 0) yield ready.shift()!;
  } finally {
    if (!exited) {
      // A paused pipe would keep ffmpeg's exit from being reported: drain it into nothing.
      reading = false;
      output.resume();
      ffmpeg.kill();
      await finished.catch(() => undefined);
    }
  }
}
