import { MediaError, mediaIo, type MediaTools } from '@cmvc/media-io';
import { EvalError } from '../errors.ts';

export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** Frame rate as a rational, e.g. 30000/1001. */
  readonly fps: { readonly num: number; readonly den: number };
  /** Exact count of decodable frames. */
  readonly frameCount: number;
}

export const fpsValue = (info: Pick<VideoInfo, 'fps'>): number => info.fps.num / info.fps.den;
export const fpsText = (info: Pick<VideoInfo, 'fps'>): string => `${info.fps.num}/${info.fps.den}`;

/** @cmvc/media-io's probe of the first video stream; unreadable media is `BAD_INPUT`. */
export async function probeVideo(tools: MediaTools, path: string, signal?: AbortSignal): Promise<VideoInfo> {
  try {
    const info = await mediaIo(tools).probe(path, signal);
    return { width: info.width, height: info.height, fps: info.fpsRational, frameCount: info.frameCount };
  } catch (error) {
    if (!(error instanceof MediaError)) throw error;
    const code = error.code === 'ABORTED' || error.code === 'FFMPEG_UNAVAILABLE' ? error.code : 'BAD_INPUT';
    throw new EvalError(code, error.message, { cause: error });
  }
}
