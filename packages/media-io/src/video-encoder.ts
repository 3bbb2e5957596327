import { MediaError } from './errors.ts';
import { startFfmpeg, type FfmpegSink } from './ffmpeg-process.ts';
import { planarYuv444 } from './pixels.ts';
import { toRational, type Rational } from './media-info.ts';
import type { MediaTools } from './tools.ts';

/**
 * `y4m`: uncompressed YUV 4:2:0 (for measuring, not for watching). `ts`: one H.264 MPEG-TS segment
 * of an HLS stream, starting with an IDR frame, placed on the stream's clock by `timeOffsetSeconds`.
 */
export type VideoFormat = 'mp4' | 'webm' | 'y4m' | 'ts';

export interface VideoEncoderOptions {
  /** Size of the frames that will be written. */
  readonly width: number;
  readonly height: number;
  /** Frames per second; a number is turned into an exact fraction where it is one (30000 / 1001 → 30000/1001). */
  readonly fps: Rational | number;
  readonly format: VideoFormat;
  /** Scale to this size on output (rounded down to even for yuv420p); defaults to the input size. */
  readonly outputWidth?: number;
  readonly outputHeight?: number;
  /** x264 CRF / VP9 CRF; lower is better quality. */
  readonly crf?: number;
  /** Pixel layout of the frames written: RGB24 (default) or packed Y′CbCr 4:4:4 (`RgbFrame.pixelFormat`). */
  readonly pixelFormat?: 'rgb24' | 'yuv444';
  /** A sound track to mux in (any file ffmpeg reads; Ogg Opus from the stream). Not for `y4m`. */
  readonly audioPath?: string;
  /** Where in the sound track this file starts, and how much of it to take (an HLS segment's share). */
  readonly audioWindow?: { readonly startSeconds: number; readonly seconds: number };
  /** Shifts every output timestamp (HLS segments: the segment's start in the stream). */
  readonly timeOffsetSeconds?: number;
  readonly signal?: AbortSignal;
}

/** `close` waits for ffmpeg to finish the file and returns the number of frames written. */
export type VideoSink = FfmpegSink<number>;

const even = (value: number): number => Math.max(2, value - (value % 2));

function codecArgs(format: VideoFormat, crf: number | undefined): string[] {
  if (format === 'y4m') return ['-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe'];
  // Timestamps exactly as given: shifting a segment whose B-frames start before zero would move only the first segment.
  if (format === 'ts') return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(crf ?? 18), '-pix_fmt', 'yuv420p', '-avoid_negative_ts', 'disabled', '-f', 'mpegts'];
  if (format === 'mp4')
    return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(crf ?? 18), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4'];
  return ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', String(crf ?? 32), '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-pix_fmt', 'yuv420p', '-f', 'webm'];
}

function audioInput(path: string, window: VideoEncoderOptions['audioWindow']): string[] {
  return window ? ['-ss', window.startSeconds.toFixed(6), '-t', window.seconds.toFixed(6), '-i', path] : ['-i', path];
}

/** Writes RGB24 frames to an H.264 MP4 or VP9 WebM with exactly the frames given, at exactly `fps`. */
export function createVideoEncoder(tools: MediaTools, outPath: string, options: VideoEncoderOptions): VideoSink {
  const { width, height, format } = options;
  const fps = toRational(options.fps);
  const outWidth = even(options.outputWidth ?? width);
  const outHeight = even(options.outputHeight ?? height);
  const rate = `${fps.num}/${fps.den}`;
  const yuv = options.pixelFormat === 'yuv444';
  const args = [
    '-y',
    '-f', 'rawvideo', '-pix_fmt', yuv ? 'yuv444p' : 'rgb24', '-s', `${width}x${height}`, '-r', rate, '-i', 'pipe:0',
    ...(options.audioPath ? [...audioInput(options.audioPath, options.audioWindow), '-map', '0:v', '-map', '1:a', ...(format === 'webm' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '64k'])] : []),
    '-vf', `scale=${outWidth}:${outHeight}:flags=lanczos`,
    '-fps_mode', 'passthrough', '-r', rate,
    ...codecArgs(format, options.crf),
    ...(options.timeOffsetSeconds ? ['-output_ts_offset', options.timeOffsetSeconds.toFixed(6)] : []),
    outPath,
  ];
  const ffmpeg = startFfmpeg(tools, args, `writing ${outPath}`, options.signal);
  const frameBytes = width * height * 3;
  let written = 0;
  let closed = false;
  return {
    async write(frame) {
      if (closed) throw new MediaError('FFMPEG_FAILED', 'video sink is closed');
      if (frame.width !== width || frame.height !== height || frame.data.length !== frameBytes || (frame.pixelFormat === 'yuv444') !== yuv)
        throw new MediaError('FFMPEG_FAILED', `frame is ${frame.width}x${frame.height} ${frame.pixelFormat ?? 'rgb24'}, sink expects ${width}x${height} ${yuv ? 'yuv444' : 'rgb24'}`);
      written += 1;
      await ffmpeg.writeChunk(yuv ? planarYuv444(frame) : frame.data);
    },
    async close() {
      if (closed) throw new MediaError('FFMPEG_FAILED', 'video sink is already closed');
      closed = true;
      ffmpeg.child.stdin.end();
      await ffmpeg.finish();
      return written;
    },
    abort() {
      closed = true;
      ffmpeg.kill();
    },
  };
}

/**
 * Joins HLS MPEG-TS segments (in stream order) into one MP4 without re-encoding, or into a VP9
 * WebM (re-encoded; its sound copied from `audioPath`, the stream's Ogg Opus track, when given).
 */
export async function joinSegments(
  tools: MediaTools,
  segmentPaths: readonly string[], outPath: string, format: 'mp4' | 'webm', options: { audioPath?: string; signal?: AbortSignal } = {}): Promise<void> {
  if (segmentPaths.length === 0) throw new MediaError('FFMPEG_FAILED', 'no segments to join');
  const input = ['-i', `concat:${segmentPaths.join('|')}`];
  const args =
    format === 'mp4'
      ? ['-y', ...input, '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', outPath]
      : [
          '-y', ...input,
          ...(options.audioPath ? ['-i', options.audioPath, '-map', '0:v', '-map', '1:a', '-c:a', 'copy'] : ['-map', '0:v']),
          '-fps_mode', 'passthrough',
          ...codecArgs('webm', undefined),
          outPath,
        ];
  const ffmpeg = startFfmpeg(tools, args, `joining segments into ${outPath}`, options.signal);
  ffmpeg.child.stdin.end();
  await ffmpeg.finish();
}
