import { open, stat } from 'node:fs/promises';
import { EvalError } from '../errors.ts';
import { fpsText, type VideoInfo } from './probe.ts';

/**
 * A headerless yuv420p file: every metric reads it without decoding, and its size proves its frame
 * count. Used for the reference and for every restored reconstruction.
 */
export interface RawVideo {
  readonly path: string;
  readonly info: VideoInfo;
}

export const frameBytes = (info: Pick<VideoInfo, 'width' | 'height'>): number => (info.width * info.height * 3) / 2;

/** ffmpeg input arguments for a raw video or any container file. */
export function inputArgs(video: RawVideo | string): string[] {
  if (typeof video === 'string') return ['-i', video];
  const { info, path } = video;
  return ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${info.width}x${info.height}`, '-r', fpsText(info), '-i', path];
}

/** Checks that the file holds exactly `info.frameCount` frames of `info`'s size. */
export async function checkRawVideo(video: RawVideo): Promise<void> {
  const { size } = await stat(video.path);
  const expected = frameBytes(video.info) * video.info.frameCount;
  if (size !== expected) {
    throw new EvalError('SIZE_MISMATCH', `${video.path} holds ${size} bytes, expected ${video.info.frameCount} frames of ${video.info.width}x${video.info.height} (${expected} bytes)`);
  }
}

async function readFrame(video: RawVideo, index: number, offset: number, length: number): Promise<Uint8Array> {
  if (!Number.isInteger(index) || index < 0 || index >= video.info.frameCount) throw new EvalError('INVALID_OPTIONS', `frame ${index} is outside 0..${video.info.frameCount - 1}`);
  const handle = await open(video.path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, index * frameBytes(video.info) + offset);
    if (bytesRead !== length) throw new EvalError('BAD_INPUT', `${video.path} ends inside frame ${index}`);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** The Y plane of each frame at `indices`, exactly as coded. */
export function readLuma(video: RawVideo, indices: readonly number[]): Promise<Uint8Array[]> {
  return Promise.all(indices.map((index) => readFrame(video, index, 0, video.info.width * video.info.height)));
}

const clampByte = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));

/** RGB24 of each frame at `indices` (BT.601 limited range, chroma repeated 2×2), for the analyzers. */
export async function readRgb(video: RawVideo, indices: readonly number[]): Promise<Uint8Array[]> {
  const { width, height } = video.info;
  const frames = await Promise.all(indices.map((index) => readFrame(video, index, 0, frameBytes(video.info))));
  return frames.map((yuv) => {
    const rgb = new Uint8Array(width * height * 3);
    const uOffset = width * height;
    const vOffset = uOffset + (width / 2) * (height / 2);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const c = (y >> 1) * (width / 2) + (x >> 1);
        const luma = 1.164 * (yuv[y * width + x]! - 16);
        const u = yuv[uOffset + c]! - 128;
        const v = yuv[vOffset + c]! - 128;
        const o = (y * width + x) * 3;
        rgb[o] = clampByte(luma + 1.596 * v);
        rgb[o + 1] = clampByte(luma - 0.392 * u - 0.813 * v);
        rgb[o + 2] = clampByte(luma + 2.017 * u);
      }
    }
    return rgb;
  });
}
