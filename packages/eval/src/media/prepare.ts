import { EvalError } from '../errors.ts';
import { ffmpeg } from './process.ts';
import { fpsText, probeVideo, type VideoInfo } from './probe.ts';

/** Lossless intermediate: FFV1 in Matroska, 4:2:0, so that only the codec under test adds distortion. */
const LOSSLESS = ['-c:v', 'ffv1', '-pix_fmt', 'yuv420p', '-an', '-f', 'matroska'] as const;

export interface ReferenceOptions {
  /** Keep only the first `seconds` of the source. */
  readonly seconds: number;
  readonly signal?: AbortSignal;
}

/**
 * The reference every method is measured against: the first `seconds` of `source` at a constant
 * frame rate, even dimensions, yuv420p, stored losslessly.
 */
export async function prepareReference(source: string, output: string, options: ReferenceOptions): Promise<VideoInfo> {
  if (!(options.seconds > 0)) throw new EvalError('INVALID_OPTIONS', 'seconds must be positive');
  const info = await probeVideo(source, options.signal);
  const filters = [`fps=${fpsText(info)}`, 'scale=trunc(iw/2)*2:trunc(ih/2)*2', 'format=yuv420p'].join(',');
  await ffmpeg(['-i', source, '-t', String(options.seconds), '-vf', filters, ...LOSSLESS, output], options.signal ? { signal: options.signal } : {});
  return probeVideo(output, options.signal);
}

/**
 * Brings a reconstruction back to the reference's size, frame rate and exact frame count
 * (bicubic upscaling, frame repetition for reduced rates, the last frame held if it is short),
 * stored losslessly, so that every metric compares like with like.
 */
export async function restoreToReference(distorted: string, reference: VideoInfo, output: string, signal?: AbortSignal): Promise<VideoInfo> {
  const filters = [
    'setpts=PTS-STARTPTS',
    `fps=${fpsText(reference)}`,
    `scale=${reference.width}:${reference.height}:flags=bicubic`,
    `tpad=stop_mode=clone:stop=${reference.frameCount}`,
    'format=yuv420p',
  ].join(',');
  await ffmpeg(['-i', distorted, '-vf', filters, '-frames:v', String(reference.frameCount), ...LOSSLESS, output], signal ? { signal } : {});
  const restored = await probeVideo(output, signal);
  if (restored.width !== reference.width || restored.height !== reference.height || restored.frameCount !== reference.frameCount) {
    throw new EvalError(
      'SIZE_MISMATCH',
      `${distorted} restored to ${restored.width}x${restored.height}×${restored.frameCount}, expected ${reference.width}x${reference.height}×${reference.frameCount}`,
    );
  }
  return restored;
}

export type PlaneFormat = 'gray' | 'rgb24';

/**
 * Decodes the frames at `indices` (ascending, 0-based) of a video whose size is `info`, as packed
 * planes: luma only (`gray`) or RGB24.
 */
export async function readFrames(path: string, info: Pick<VideoInfo, 'width' | 'height'>, indices: readonly number[], format: PlaneFormat, signal?: AbortSignal): Promise<Uint8Array[]> {
  if (indices.length === 0) return [];
  if (indices.some((index, i) => !Number.isInteger(index) || index < 0 || (i > 0 && index <= indices[i - 1]!))) {
    throw new EvalError('INVALID_OPTIONS', 'frame indices must be distinct, ascending, non-negative integers');
  }
  const frameBytes = info.width * info.height * (format === 'gray' ? 1 : 3);
  const select = `select='${indices.map((index) => `eq(n,${index})`).join('+')}'`;
  const { stdout } = await ffmpeg(
    ['-v', 'error', '-i', path, '-vf', select, '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', format, 'pipe:1'],
    { maxStdout: frameBytes * indices.length, ...(signal ? { signal } : {}) },
  );
  if (stdout.length !== frameBytes * indices.length) {
    throw new EvalError('BAD_INPUT', `${path}: expected ${indices.length} frames of ${info.width}x${info.height}, got ${stdout.length} bytes`);
  }
  return indices.map((_, i) => new Uint8Array(stdout.buffer, stdout.byteOffset + i * frameBytes, frameBytes));
}

/** `count` frame indices spread evenly over `frameCount` frames (all of them when there are fewer). */
export function sampleIndices(frameCount: number, count: number): number[] {
  if (frameCount <= 0 || count <= 0) return [];
  if (count >= frameCount) return Array.from({ length: frameCount }, (_, i) => i);
  if (count === 1) return [Math.floor(frameCount / 2)];
  return Array.from({ length: count }, (_, k) => Math.round((k * (frameCount - 1)) / (count - 1)));
}
