import { spawn } from 'node:child_process';
import { MediaError, StderrTail, classifyFfmpegFailure } from './errors.ts';

/** The ffmpeg and ffprobe binaries a spawn uses (a composition root passes its configuration's `ffmpeg`). */
export interface MediaTools {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
}

/** `ffmpeg` and `ffprobe` on PATH. */
export const DEFAULT_MEDIA_TOOLS: MediaTools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' };

/** Most output a probe may produce before it is treated as broken (ffprobe JSON of one stream is a few KiB). */
const MAX_PROBE_OUTPUT = 4 * 1024 * 1024;

export interface ToolOutput {
  readonly stdout: Buffer;
  /** The trailing part of stderr (ffmpeg can log a line per frame). */
  readonly stderr: string;
}

export interface RunToolOptions {
  readonly signal?: AbortSignal;
  /** Refuse stdout larger than this many bytes; default 4 MiB. */
  readonly maxStdout?: number;
  /** Keep this many trailing characters of stderr; default 8 KiB. */
  readonly stderrLimit?: number;
}

/** Runs a short-lived tool to completion and returns its stdout; failures become MediaErrors. */
export async function runTool(command: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  const { stdout } = await runToolOutput(command, args, signal ? { signal } : {});
  return stdout.toString('utf8');
}

/** Runs a tool to completion and returns its stdout bytes and stderr tail; failures become MediaErrors. */
export function runToolOutput(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolOutput> {
  const maxStdout = options.maxStdout ?? MAX_PROBE_OUTPUT;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    const stderr = new StderrTail(options.stderrLimit);
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxStdout) {
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
      if (size > maxStdout) {
        reject(new MediaError('FFMPEG_FAILED', `${command} produced more than ${maxStdout} bytes of output`));
      } else if (code === 0) {
        resolve({ stdout: Buffer.concat(chunks), stderr: stderr.toString() });
      } else {
        const tail = stderr.toString();
        reject(new MediaError(classifyFfmpegFailure(tail), `${command} exited with code ${code}: ${tail || '(no diagnostics)'}`, tail));
      }
    });
  });
}
