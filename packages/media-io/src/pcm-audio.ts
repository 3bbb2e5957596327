import { MediaError } from './errors.ts';
import { DEFAULT_MEDIA_TOOLS, runToolOutput, type MediaTools } from './tools.ts';

export interface PcmAudioOptions {
  readonly sampleRate: number;
  /** Read at most this many seconds, so a long source cannot exhaust memory. */
  readonly maxSeconds?: number;
  readonly signal?: AbortSignal;
  /** The binaries; `ffmpeg` on PATH by default. */
  readonly tools?: MediaTools;
}

/** The first audio stream of `path` mixed to mono float PCM at `sampleRate`, or null when the file has none. */
export async function readPcmAudio(path: string, options: PcmAudioOptions): Promise<Float32Array | null> {
  const args = ['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0?', '-vn', '-ac', '1', '-ar', String(options.sampleRate)];
  if (options.maxSeconds !== undefined) args.push('-t', String(options.maxSeconds));
  args.push('-f', 'f32le', 'pipe:1');
  const output = await runToolOutput((options.tools ?? DEFAULT_MEDIA_TOOLS).ffmpegPath, args, { maxStdout: Number.POSITIVE_INFINITY, ...(options.signal ? { signal: options.signal } : {}) }).catch(
    (error: unknown) => {
      // "-map 0:a:0?" maps nothing when there is no audio stream, and ffmpeg then refuses to write an empty output.
      if (error instanceof MediaError && error.stderr !== undefined && /does not contain any stream/u.test(error.stderr)) return null;
      throw error;
    },
  );
  if (!output || output.stdout.length < 4) return null;
  const bytes = output.stdout;
  const samples = new Float32Array(bytes.length >> 2);
  for (let i = 0; i < samples.length; i += 1) samples[i] = bytes.readFloatLE(i * 4);
  return samples;
}
