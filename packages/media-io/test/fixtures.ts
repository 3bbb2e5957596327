import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'cmvc-test-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Renders a lavfi source to a file with ffmpeg (extra args go before the output). */
export function lavfi(source: string, output: string, extra: readonly string[] = []): string {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...extra, output]);
  return output;
}

export function ffprobeStream(path: string): { frames: number; rate: string; width: number; height: number; codec: string } {
  const out = execFileSync('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=nb_read_frames,r_frame_rate,avg_frame_rate,width,height,codec_name', '-of', 'json', path,
  ]).toString();
  const stream = (JSON.parse(out) as { streams: Record<string, string | number>[] }).streams[0] ?? {};
  return {
    frames: Number(stream.nb_read_frames),
    rate: String(stream.avg_frame_rate),
    width: Number(stream.width),
    height: Number(stream.height),
    codec: String(stream.codec_name),
  };
}
