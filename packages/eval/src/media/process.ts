import { spawn } from 'node:child_process';
import { EvalError } from '../errors.ts';

/** Debian ffmpeg 5.1 (x264, x265, SVT-AV1, psnr, ssim); overridable where it is not on PATH. */
export const ffmpegPath = (): string => process.env.CMVC_FFMPEG ?? 'ffmpeg';
export const ffprobePath = (): string => process.env.CMVC_FFPROBE ?? 'ffprobe';

/** stderr is kept only up to this many trailing bytes (ffmpeg can log a line per frame). */
const STDERR_TAIL = 64 * 1024;

export interface ToolResult {
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Refuse stdout larger than this (bytes); default 64 MiB. */
  readonly maxStdout?: number;
}

/** Runs a tool to completion; a non-zero exit, a missing binary or oversized output become `EvalError`s. */
export function runTool(command: string, args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  const maxStdout = options.maxStdout ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let overflow = false;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxStdout) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new EvalError('ABORTED', `${command} aborted`));
      else if (error.code === 'ENOENT') reject(new EvalError('FFMPEG_UNAVAILABLE', `${command} is not installed or not on PATH`));
      else reject(new EvalError('FFMPEG_FAILED', `${command} failed to start: ${error.message}`));
    });
    child.on('close', (code) => {
      if (overflow) reject(new EvalError('FFMPEG_FAILED', `${command} produced more than ${maxStdout} bytes of output`));
      else if (code === 0) resolve({ stdout: Buffer.concat(chunks), stderr });
      else reject(new EvalError('FFMPEG_FAILED', `${command} ${args.join(' ')} exited with code ${code}: ${stderr.slice(-2000) || '(no diagnostics)'}`));
    });
  });
}

export const ffmpeg = (args: readonly string[], options?: RunOptions): Promise<ToolResult> =>
  runTool(ffmpegPath(), ['-hide_banner', '-nostdin', '-y', ...args], options);
