import { MediaError } from './errors.ts';
import { DEFAULT_MEDIA_TOOLS, runToolOutput, type MediaTools } from './tools.ts';

/** What ffprobe states about the first video stream from the container header and one demuxed packet. */
export interface VideoHeader {
  readonly width?: number;
  readonly height?: number;
  readonly avg_frame_rate?: string;
  readonly nb_frames?: string;
  readonly duration?: string;
  /** Packets demuxed (at most one): 0 means the stream has no frame at all. */
  readonly nb_read_packets?: string;
}

/**
 * Reads the container header of `path` and demuxes one packet of its first video stream, decoding
 * nothing (ingest's media-limit check runs it before anything allocates a frame). Undefined when
 * there is no video stream; ffprobe's refusal is a MediaError with its stderr.
 */
export async function probeVideoHeader(path: string, options: { readonly signal?: AbortSignal; readonly tools?: MediaTools } = {}): Promise<VideoHeader | undefined> {
  const args = ['-v', 'error', '-select_streams', 'V', '-count_packets', '-read_intervals', '%+#1', '-of', 'json',
    '-show_entries', 'stream=width,height,avg_frame_rate,nb_frames,duration,nb_read_packets', '--', path];
  const { stdout } = await runToolOutput((options.tools ?? DEFAULT_MEDIA_TOOLS).ffprobePath, args, { maxStdout: 1024 * 1024, ...(options.signal ? { signal: options.signal } : {}) });
  try {
    return (JSON.parse(stdout.toString('utf8')) as { streams?: VideoHeader[] }).streams?.[0];
  } catch {
    throw new MediaError('INVALID_MEDIA', `ffprobe returned unreadable output for ${path}`);
  }
}

/** The packets of the first video stream of `path`, counted by ffprobe without decoding; NaN when it states none. */
export async function countVideoPackets(path: string, options: { readonly signal?: AbortSignal; readonly tools?: MediaTools } = {}): Promise<number> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path];
  const { stdout } = await runToolOutput((options.tools ?? DEFAULT_MEDIA_TOOLS).ffprobePath, args, { maxStdout: 1 << 16, ...(options.signal ? { signal: options.signal } : {}) });
  return Number.parseInt(stdout.toString('utf8').trim(), 10);
}
