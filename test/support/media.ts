/** Synthetic test clips made with ffmpeg's lavfi sources, so tests never need ../shared. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClipOptions {
  /** A lavfi source graph, e.g. `testsrc2=size=320x240:rate=24`. */
  readonly source?: string;
  readonly seconds?: number;
  /** Put the moov atom first (faststart); leave it at the end to make truncation detectable. */
  readonly faststart?: boolean;
}

export async function makeClip(path: string, options: ClipOptions = {}): Promise<void> {
  const source = options.source ?? 'testsrc2=size=320x240:rate=24';
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `${source}:duration=${options.seconds ?? 2}`,
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast',
    ...(options.faststart ? ['-movflags', '+faststart'] : []),
    path,
  ]);
}
