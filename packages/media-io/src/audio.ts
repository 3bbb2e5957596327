import { runTool, runToolOutput, type MediaTools } from './tools.ts';

/**
 * The first audio stream of `path`, mixed to mono and coded with libopus in Ogg at `kbps`, tuned
 * for speech (the codec's sound track, bitstream section 10). Resolves to undefined when the
 * source has no sound.
 */
export async function encodeOpus(tools: MediaTools, path: string, kbps: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const streams = await runTool(tools.ffprobePath, ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=index', '-of', 'csv=p=0', path], signal);
  if (streams.trim() === '') return undefined;
  // bitexact: the Ogg muxer otherwise draws a random stream serial number, so the same source would
  // give a different archive on every encode.
  const args = ['-v', 'error', '-nostdin', '-i', path, '-map', '0:a:0', '-vn', '-ac', '1', '-c:a', 'libopus', '-b:a', `${kbps}k`, '-application', 'voip', '-fflags', '+bitexact', '-f', 'ogg', 'pipe:1'];
  const { stdout } = await runToolOutput(tools.ffmpegPath, args, { maxStdout: Number.POSITIVE_INFINITY, ...(signal ? { signal } : {}) });
  return stdout.length > 0 ? new Uint8Array(stdout) : undefined;
}
