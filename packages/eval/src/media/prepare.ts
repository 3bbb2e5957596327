import { extname } from 'node:path';
import { EvalError } from '../errors.ts';
import type { MediaTools } from '@cmvc/media-io';
import { ffmpeg } from './process.ts';
import { fpsText, probeVideo, type VideoInfo } from './probe.ts';
import { checkRawVideo, type RawVideo } from './raw.ts';

/** Lossless intermediate: FFV1 in Matroska, 4:2:0, so that only the codec under test adds distortion. */
const LOSSLESS = ['-c:v', 'ffv1', '-pix_fmt', 'yuv420p', '-an', '-f', 'matroska'] as const;

export interface ReferenceOptions {
  /** Keep only the first `seconds` of the source; the whole clip when absent. */
  readonly seconds?: number;
  readonly signal?: AbortSignal;
}

/**
 * The reference every method is measured against: the whole of `source` (or its first `seconds`)
 * at a constant frame rate, even dimensions, yuv420p, stored losslessly.
 */
export async function prepareReference(tools: MediaTools, source: string, output: string, options: ReferenceOptions = {}): Promise<VideoInfo> {
  if (options.seconds !== undefined && !(options.seconds > 0)) throw new EvalError('INVALID_OPTIONS', 'seconds must be positive');
  const info = await probeVideo(tools, source, options.signal);
  const filters = [`fps=${fpsText(info)}`, 'scale=trunc(iw/2)*2:trunc(ih/2)*2', 'format=yuv420p'].join(',');
  const cap = options.seconds !== undefined ? ['-t', String(options.seconds)] : [];
  await ffmpeg(tools, ['-i', source, ...cap, '-vf', filters, ...LOSSLESS, output], options.signal ? { signal: options.signal } : {});
  return probeVideo(tools, output, options.signal);
}

/**
 * Brings a reconstruction back to the reference's size, frame rate and exact frame count
 * (bicubic upscaling, frame repetition for reduced rates, the last frame held if it is short),
 * as a raw yuv420p file, so that every metric compares like with like.
 *
 * Timestamps are rebuilt from frame numbers at `frameRate` (the rate the stream was encoded at):
 * raw elementary streams carry none, and a broken timestamp must not make the fps filter invent
 * frames without bound. Bare AV1 OBU streams (.obu) are read with ffmpeg's `obu` demuxer explicitly.
 */
export async function restoreToReference(
  tools: MediaTools,
  distorted: string,
  reference: VideoInfo,
  output: string,
  options: { readonly frameRate: number; readonly signal?: AbortSignal },
): Promise<RawVideo> {
  const { signal, frameRate } = options;
  if (!(frameRate > 0 && Number.isFinite(frameRate))) throw new EvalError('INVALID_OPTIONS', 'frameRate must be positive');
  const filters = [
    `setpts=N/(${frameRate}*TB)`,
    `fps=${fpsText(reference)}`,
    `scale=${reference.width}:${reference.height}:flags=bicubic`,
    `tpad=stop_mode=clone:stop=${reference.frameCount}`,
    'format=yuv420p',
  ].join(',');
  const demuxer = extname(distorted).toLowerCase() === '.obu' ? ['-f', 'obu'] : [];
  await ffmpeg(tools, [...demuxer, '-i', distorted, '-vf', filters, '-frames:v', String(reference.frameCount), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', output], signal ? { signal } : {});
  const restored: RawVideo = { path: output, info: reference };
  await checkRawVideo(restored);
  return restored;
}

/** `count` frame indices spread evenly over `frameCount` frames (all of them when there are fewer). */
export function sampleIndices(frameCount: number, count: number): number[] {
  if (frameCount <= 0 || count <= 0) return [];
  if (count >= frameCount) return Array.from({ length: frameCount }, (_, i) => i);
  if (count === 1) return [Math.floor(frameCount / 2)];
  return Array.from({ length: count }, (_, k) => Math.round((k * (frameCount - 1)) / (count - 1)));
}
