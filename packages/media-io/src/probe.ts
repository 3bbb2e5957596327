import { open, stat } from 'node:fs/promises';
import { MediaError } from './errors.ts';
import { parseRational, type MediaInfo } from './media-info.ts';
import { runTool, type MediaTools } from './tools.ts';

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  nb_read_frames?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { duration?: string };
}

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

async function probeJson(tools: MediaTools, path: string, countFrames: boolean, signal?: AbortSignal): Promise<ProbeOutput> {
  const args = ['-v', 'error', '-select_streams', 'V', '-print_format', 'json', '-show_streams', '-show_format'];
  if (countFrames) args.push('-count_frames');
  const stdout = await runTool(tools.ffprobePath, [...args, '--', path], signal);
  try {
    return JSON.parse(stdout) as ProbeOutput;
  } catch {
    throw new MediaError('INVALID_MEDIA', `ffprobe returned unreadable output for ${path}`);
  }
}

function firstVideoStream(output: ProbeOutput): ProbeStream | undefined {
  return output.streams?.find((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1);
}

/** ffprobe reports a missing MP4 index for any unreadable file named .mp4; a real (cut-off) MP4 starts with an ftyp box. */
async function looksLikeMp4(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    return head.subarray(4, 8).toString('latin1') === 'ftyp';
  } finally {
    await handle.close();
  }
}

/** Reads the first video stream's geometry, rate and exact frame count. */
export async function probe(tools: MediaTools, path: string, signal?: AbortSignal): Promise<MediaInfo> {
  const bytes = await stat(path).then(
    (stats) => {
      if (!stats.isFile()) throw new MediaError('INVALID_MEDIA', `${path} is not a regular file`);
      return stats.size;
    },
    () => {
      throw new MediaError('NOT_FOUND', `${path} does not exist or cannot be read`);
    },
  );
  if (bytes === 0) throw new MediaError('INVALID_MEDIA', `${path} is empty`);

  const output = await probeJson(tools, path, false, signal).catch(async (error: unknown) => {
    throw error instanceof MediaError && error.code === 'TRUNCATED_MEDIA' && !(await looksLikeMp4(path))
      ? new MediaError('INVALID_MEDIA', error.message, error.stderr)
      : error;
  });
  const stream = firstVideoStream(output);
  if (!stream) throw new MediaError('NO_VIDEO_STREAM', `${path} has no video stream`);
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (width <= 0 || height <= 0) throw new MediaError('INVALID_MEDIA', `${path}: video stream has no dimensions`);

  const fpsRational = parseRational(stream.avg_frame_rate) ?? parseRational(stream.r_frame_rate);
  if (!fpsRational) throw new MediaError('INVALID_MEDIA', `${path}: video stream has no frame rate`);

  let frameCount = positiveInteger(stream.nb_frames);
  if (frameCount === undefined) {
    const counted = firstVideoStream(await probeJson(tools, path, true, signal));
    frameCount = positiveInteger(counted?.nb_read_frames);
  }
  if (frameCount === undefined) throw new MediaError('TRUNCATED_MEDIA', `${path}: no decodable video frames`);

  const fps = fpsRational.num / fpsRational.den;
  const statedDuration = Number(stream.duration ?? output.format?.duration);
  const durationSeconds = Number.isFinite(statedDuration) && statedDuration > 0 ? statedDuration : frameCount / fps;
  return { width, height, fps, fpsRational, frameCount, durationSeconds, codec: stream.codec_name ?? 'unknown', bytes };
}
