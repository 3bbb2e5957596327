import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RawFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly index: number;
  readonly time: number;
}

/**
 * Renders an ffmpeg lavfi filter graph to RGB24 frames at `fps` for `seconds` (the graph must end
 * in an unlabelled chain producing `width`×`height` video). The fps filter picks the source frame
 * nearest each sample time, so frame i shows time i / fps exactly.
 */
export async function renderLavfi(graph: string, width: number, height: number, fps: number, seconds: number): Promise<RawFrame[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', `${graph},fps=${fps}`, '-t', String(seconds), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  const bytes = width * height * 3;
  const count = Math.floor(stdout.length / bytes);
  return Array.from({ length: count }, (_, index) => ({
    width,
    height,
    index,
    time: index / fps,
    data: new Uint8Array(stdout.subarray(index * bytes, (index + 1) * bytes)),
  }));
}

/** A smooth, non-repeating 2-D texture flow can latch onto everywhere (`w`×`h`, 25 fps). */
export function texture(width: number, height: number): string {
  return `nullsrc=s=${width}x${height}:r=25,geq=lum='128+40*sin(X/9)*cos(Y/7)+30*sin((X+2*Y)/23)+30*cos((3*X-Y)/31)':cb=128:cr=128`;
}

/** Bounding box (normalised) of pixels that differ from the flat backdrop colour, or undefined. */
export function boxOffBackdrop(frame: RawFrame, backdrop: readonly [number, number, number], tolerance = 40) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < frame.height; y += 1) {
    for (let x = 0; x < frame.width; x += 1) {
      const i = 3 * (y * frame.width + x);
      const off =
        Math.abs((frame.data[i] ?? 0) - backdrop[0]) + Math.abs((frame.data[i + 1] ?? 0) - backdrop[1]) + Math.abs((frame.data[i + 2] ?? 0) - backdrop[2]);
      if (off <= tolerance) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  if (maxX < 0) return undefined;
  return { x: minX / frame.width, y: minY / frame.height, width: (maxX - minX + 1) / frame.width, height: (maxY - minY + 1) / frame.height };
}
