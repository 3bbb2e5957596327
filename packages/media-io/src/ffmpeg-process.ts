import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { MediaError, StderrTail, classifyFfmpegFailure } from './errors.ts';
import type { RgbFrame } from './frame.ts';
import type { MediaTools } from './tools.ts';

export interface FfmpegProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Feeds ffmpeg's stdin, waiting while its pipe is full. */
  writeChunk(bytes: Uint8Array): Promise<void>;
  /** Waits for the exit; any failure becomes a MediaError naming `what`. */
  finish(): Promise<void>;
  kill(): void;
}

/**
 * Frames streamed into ffmpeg. `write` checks the frame against the size and layout the sink was
 * made for and resolves once ffmpeg has taken it (backpressure); `close` ends the input and resolves
 * with what ffmpeg made; `abort` stops ffmpeg and discards it.
 */
export interface FfmpegSink<Result> {
  write(frame: RgbFrame): Promise<void>;
  close(): Promise<Result>;
  abort(): void;
}

/** Starts ffmpeg with its stdin open for frames or bytes; `child.stdout` carries what it writes to `pipe:1`. */
export function startFfmpeg(tools: MediaTools, args: readonly string[], what: string, signal?: AbortSignal): FfmpegProcess {
  const child = spawn(tools.ffmpegPath, ['-v', 'error', '-nostdin', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = new StderrTail();
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // EPIPE when ffmpeg dies early; its exit status carries the real reason.
  child.stdin.on('error', () => undefined);
  let failure: MediaError | undefined;
  child.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= error.code === 'ENOENT' ? new MediaError('FFMPEG_UNAVAILABLE', 'ffmpeg is not installed or not on PATH') : new MediaError('FFMPEG_FAILED', `ffmpeg failed: ${error.message}`);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const onAbort = (): void => {
    failure ??= new MediaError('ABORTED', `${what} aborted`);
    child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const finish = async (): Promise<void> => {
    const code = await exited;
    signal?.removeEventListener('abort', onAbort);
    if (failure) throw failure;
    if (code !== 0) {
      const tail = stderr.toString();
      throw new MediaError(classifyFfmpegFailure(tail), `${what} failed: ${tail || `exit code ${code}`}`, tail);
    }
  };
  const writeChunk = async (bytes: Uint8Array): Promise<void> => {
    if (failure) throw failure;
    if (child.exitCode !== null || child.stdin.destroyed) {
      await finish();
      throw new MediaError('FFMPEG_FAILED', `${what}: ffmpeg stopped reading its input`);
    }
    if (!child.stdin.write(bytes)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          child.stdin.off('drain', done);
          child.off('close', done);
          resolve();
        };
        child.stdin.on('drain', done);
        child.on('close', done);
      });
    }
  };
  return { child, finish, writeChunk, kill: () => child.kill('SIGKILL') };
}
