import { spawn } from 'node:child_process';
import { MediaError, StderrTail, classifyFfmpegFailure } from './errors.ts';

/** ffmpeg/ffprobe binaries; overridable for hosts where they are not on PATH. */
export const ffmpegPath = (): string => process.env.CMVC_FFMPEG ?? 'ffmpeg';
export const ffprobePath = (): string => process.env.CMVC_FFPROBE ?? 'ffprobe';

/** Most output a probe may produce before it is treated as broken (ffprobe JSON of one stream is a few KiB). */
const MAX_PROBE_OUTPUT = 4 * 1024 * 1024;

/** Runs a short-lived tool to completion and returns its stdout; failures become MediaErrors. */
export function runTool(command: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const stderr = new StderrTail();
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PROBE_OUTPUT) {
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new MediaError('ABORTED', `${command} aborted`));
      else if (error.code === 'ENOENT') reject(new MediaError('FFMPEG_UNAVAILABLE', `${command} is not installed or not on PATH`));
      else reject(new MediaError('FFMPEG_FAILED', `${command} failed to start: ${error.message}`));
    });
    child.on('close', (code) => {
      if (size > MAX_PROBE_OUTPUT) {
        reject(new MediaError('FFMPEG_FAILED', `${command} produced more than ${MAX_PROBE_OUTPUT} bytes of output`));
      } else if (code === 0) {
        resolve(Buffer.concat(chunks).toString('utf8'));
      } else {
        const tail = stderr.toString();
        reject(new MediaError(classifyFfmpegFailure(tail), `${command} exited with code ${code}: ${tail || '(no diagnostics)'}`, tail));
      }
    });
  });
}
