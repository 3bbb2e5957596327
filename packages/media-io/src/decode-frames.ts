import { spawn } from 'node:child_process';
import type { TimedFrame } from './frame.ts';
import { MediaError, StderrTail, classifyFfmpegFailure } from './errors.ts';
import { packYuv444 } from './pixels.ts';
import { probe } from './probe.ts';
import { DEFAULT_MEDIA_TOOLS, type MediaTools } from './tools.ts';

export interface DecodeOptions {
  /** Output size; frames are scaled (area filter) to exactly this, or as `fit` says. */
  readonly width: number;
  readonly height: number;
  /** `cover`: scaled (bicubic) to cover the output size, keeping the aspect ratio, and centre-cropped; default `exact`. */
  readonly fit?: 'exact' | 'cover';
  /** Stop after this many frames; default all. */
  readonly maxFrames?: number;
  /** The binaries; `ffmpeg`/`ffprobe` on PATH by default. */
  readonly tools?: MediaTools;
  /** Frame rate used to stamp `TimedFrame.time` (index / fps); probed when absent. Frames are never dropped or duplicated. */
  readonly fps?: number;
  /** `yuv444`: the source's Y′CbCr samples, chroma upsampled (see `RgbFrame.pixelFormat`); default RGB24. */
  readonly pixelFormat?: 'rgb24' | 'yuv444';
  /**
   * Only the frames whose index this accepts are yielded; the others are read past without being
   * copied or converted (indices still count every frame). Default: every frame.
   */
  readonly only?: (index: number) => boolean;
  /**
   * Every frame is yielded in the same buffer, overwritten when the next one is asked for, so the
   * consumer copies what it keeps. Default: a new buffer per frame.
   */
  readonly reuseBuffer?: boolean;
  readonly signal?: AbortSignal;
}

const MAX_DIMENSION = 16384;

/**
 * Streams every decoded frame of the first video stream as packed RGB24, one frame at a time.
 * ffmpeg's stdout is consumed in exact frame-size chunks, so memory stays at about one frame
 * plus the pipe buffer; stopping the iteration early kills ffmpeg.
 */
export async function* decodeFrames(path: string, options: DecodeOptions): AsyncGenerator<TimedFrame, void, undefined> {
  const { width, height, signal } = options;
  const tools = options.tools ?? DEFAULT_MEDIA_TOOLS;
  const fps = options.fps ?? (await probe(tools, path, signal)).fps;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION)
    throw new MediaError('FFMPEG_FAILED', `invalid decode size ${width}x${height}`);
  if (!(fps > 0)) throw new MediaError('FFMPEG_FAILED', `invalid frame rate ${fps}`);
  if (signal?.aborted) throw new MediaError('ABORTED', 'decoding aborted');

  const yuv = options.pixelFormat === 'yuv444';
  const ffmpegFormat = yuv ? 'yuv444p' : 'rgb24';
  const scale = options.fit === 'cover'
    ? `scale=${width}:${height}:force_original_aspect_ratio=increase:flags=bicubic,crop=${width}:${height}`
    : `scale=${width}:${height}:flags=area`;
  const args = [
    '-v', 'error', '-nostdin',
    '-i', path,
    '-map', '0:V:0', '-an', '-sn', '-dn',
    '-vf', `${scale},format=${ffmpegFormat}`,
    '-fps_mode', 'passthrough',
    ...(options.maxFrames !== undefined ? ['-frames:v', String(options.maxFrames)] : []),
    '-f', 'rawvideo', '-pix_fmt', ffmpegFormat, 'pipe:1',
  ];
  const child = spawn(tools.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = new StderrTail();
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const frameBytes = width * height * 3;
  const wanted = options.only ?? ((): boolean => true);
  // Planar Y′CbCr is packed into the yielded array, so one buffer receives every frame; RGB is yielded as read.
  const received = yuv || options.reuseBuffer ? new Uint8Array(frameBytes) : undefined;
  const packed = yuv && options.reuseBuffer ? new Uint8Array(frameBytes) : undefined;
  const buffer = (): Uint8Array => received ?? new Uint8Array(frameBytes);
  let frame: Uint8Array | undefined = wanted(0) ? buffer() : undefined;
  let filled = 0;
  let index = 0;
  let completed = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        frame?.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === frameBytes) {
          if (frame) yield { ...(yuv ? packYuv444(frame, width, height, packed) : { width, height, data: frame }), index, time: index / fps };
          index += 1;
          frame = wanted(index) ? buffer() : undefined;
          filled = 0;
        }
      }
    }
    const code = await exited;
    if (signal?.aborted) throw new MediaError('ABORTED', 'decoding aborted');
    if (spawnError) {
      throw spawnError.code === 'ENOENT'
        ? new MediaError('FFMPEG_UNAVAILABLE', 'ffmpeg is not installed or not on PATH')
        : new MediaError('FFMPEG_FAILED', `ffmpeg failed to start: ${spawnError.message}`);
    }
    const tail = stderr.toString();
    if (code !== 0) throw new MediaError(classifyFfmpegFailure(tail), `ffmpeg could not decode ${path}: ${tail || `exit code ${code}`}`, tail);
    if (index === 0) throw new MediaError(classifyFfmpegFailure(tail) === 'FFMPEG_FAILED' ? 'INVALID_MEDIA' : classifyFfmpegFailure(tail), `${path} has no decodable frames`, tail);
    if (filled !== 0) throw new MediaError('TRUNCATED_MEDIA', `ffmpeg output ended inside a frame of ${path}`, tail);
    completed = true;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!completed && child.exitCode === null) child.kill('SIGKILL');
  }
}
