import { MediaError, runToolOutput, type MediaTools, type ToolOutput } from '@cmvc/media-io';
import { EvalError, type EvalErrorCode } from '../errors.ts';

/** stderr is kept only up to this many trailing characters (ffmpeg can log a line per frame). */
const STDERR_TAIL = 64 * 1024;

export type ToolResult = ToolOutput;

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Refuse stdout larger than this (bytes); default 64 MiB. */
  readonly maxStdout?: number;
}

/** @cmvc/media-io's runner (the one for the whole archive), with its failures as `EvalError`s. */
export async function runTool(command: string, args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  try {
    return await runToolOutput(command, args, {
      ...(options.signal ? { signal: options.signal } : {}),
      maxStdout: options.maxStdout ?? 64 * 1024 * 1024,
      stderrLimit: STDERR_TAIL,
    });
  } catch (error) {
    if (!(error instanceof MediaError)) throw error;
    throw new EvalError(evalCode(error), error.message, { cause: error });
  }
}

function evalCode(error: MediaError): EvalErrorCode {
  if (error.code === 'ABORTED' || error.code === 'FFMPEG_UNAVAILABLE') return error.code;
  return 'FFMPEG_FAILED';
}

export const ffmpeg = (tools: MediaTools, args: readonly string[], options?: RunOptions): Promise<ToolResult> =>
  runTool(tools.ffmpegPath, ['-hide_banner', '-nostdin', '-y', ...args], options);
