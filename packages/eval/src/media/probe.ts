import { EvalError } from '../errors.ts';
import { ffprobePath, runTool } from './process.ts';

export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** Frame rate as a rational, e.g. 30000/1001. */
  readonly fps: { readonly num: number; readonly den: number };
  /** Frames actually decoded (counted, not read from the container). */
  readonly frameCount: number;
}

export const fpsValue = (info: Pick<VideoInfo, 'fps'>): number => info.fps.num / info.fps.den;
export const fpsText = (info: Pick<VideoInfo, 'fps'>): string => `${info.fps.num}/${info.fps.den}`;

/** Probes the first video stream, counting its frames by decoding (containers such as mkv omit the count). */
export async function probeVideo(path: string, signal?: AbortSignal): Promise<VideoInfo> {
  const { stdout } = await runTool(
    ffprobePath(),
    ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=width,height,r_frame_rate,nb_read_frames', '-of', 'json', path],
    signal ? { signal } : {},
  );
  let stream: { width?: number; height?: number; r_frame_rate?: string; nb_read_frames?: string } | undefined;
  try {
    stream = (JSON.parse(stdout.toString('utf8')) as { streams?: (typeof stream)[] }).streams?.[0];
  } catch (error) {
    throw new EvalError('BAD_INPUT', `ffprobe output for ${path} is not JSON`, { cause: error });
  }
  const [num, den] = (stream?.r_frame_rate ?? '').split('/').map(Number);
  const frameCount = Number(stream?.nb_read_frames);
  if (!stream?.width || !stream.height || !num || !den || !Number.isInteger(frameCount) || frameCount <= 0) {
    throw new EvalError('BAD_INPUT', `${path} has no decodable video stream`);
  }
  return { width: stream.width, height: stream.height, fps: { num, den }, frameCount };
}
