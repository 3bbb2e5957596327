import type { AudioTrack } from '../bitstream/types.ts';
import { runTool, ffmpegPath, ffprobePath } from './tools.ts';
import { spawn } from 'node:child_process';
import { MediaError, StderrTail, classifyFfmpegFailure } from './errors.ts';

/**
 * The sound track (bitstream section 10): the first audio stream, mixed to mono and coded with
 * libopus in Ogg at `kbps`, tuned for speech. Resolves to undefined when the source has no sound.
 */
export async function encodeAudio(path: string, kbps: number, signal?: AbortSignal): Promise<AudioTrack | undefined> {
  const streams = await runTool(ffprobePath(), ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=index', '-of', 'csv=p=0', path], signal);
  if (streams.trim() === '') return undefined;
  const bytes = await collectStdout(['-i', path, '-map', '0:a:0', '-vn', '-ac', '1', '-c:a', 'libopus', '-b:a', `${kbps}k`, '-application', 'voip', '-f', 'ogg', 'pipe:1'], signal);
  return bytes.length > 0 ? { codec: 'opus', bytes } : undefined;
}

function collectStdout(args: readonly string[], signal?: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), ['-v', 'error', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const stderr = new StderrTail();
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new MediaError('ABORTED', 'audio encoding aborted'));
      else if (error.code === 'ENOENT') reject(new MediaError('FFMPEG_UNAVAILABLE', 'ffmpeg is not installed or not on PATH'));
      else reject(new MediaError('FFMPEG_FAILED', `ffmpeg failed to start: ${error.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) resolve(new Uint8Array(Buffer.concat(chunks)));
      else {
        const tail = stderr.toString();
        reject(new MediaError(classifyFfmpegFailure(tail), `ffmpeg could not code the sound: ${tail || `exit code ${code}`}`, tail));
      }
    });
  });
}
