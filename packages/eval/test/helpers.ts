import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_MEDIA_TOOLS } from '@cmvc/media-io';
import { ffmpeg } from '../src/media/process.ts';

/** ffmpeg and ffprobe on PATH, as the evaluation uses them by default. */
export const tools = DEFAULT_MEDIA_TOOLS;

/**
 * A temporary folder for the test file's media: made by a beforeAll (call this before registering
 * the hooks that write into it) and removed by an afterAll. Read `.path` in tests and hooks.
 */
export function useTemporaryFolder(prefix: string): { readonly path: string } {
  const folder = { path: '' };
  beforeAll(async () => {
    folder.path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (folder.path) await rm(folder.path, { recursive: true, force: true });
  });
  return folder;
}

export interface YuvFrames {
  readonly width: number;
  readonly height: number;
  /** One Y plane per frame; chroma is a flat 128. */
  readonly luma: readonly Uint8Array[];
}

/** Writes frames losslessly (FFV1) so that the file decodes to exactly these samples. */
export async function writeLossless(frames: YuvFrames, folder: string, name: string, fps = 10): Promise<string> {
  const { width, height } = frames;
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const raw = Buffer.concat(frames.luma.flatMap((y) => [Buffer.from(y), Buffer.from(chroma)]));
  const rawPath = join(folder, `${name}.yuv`);
  await writeFile(rawPath, raw);
  const output = join(folder, `${name}.mkv`);
  await ffmpeg(tools, ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', rawPath, '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', output]);
  return output;
}

/** A lavfi test pattern written losslessly. */
export async function lavfiSource(folder: string, name: string, source: string): Promise<string> {
  const output = join(folder, `${name}.mkv`);
  await ffmpeg(tools, ['-f', 'lavfi', '-i', source, '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', output]);
  return output;
}

/** Mean squared error between two sets of planes. */
export function meanSquaredError(a: readonly Uint8Array[], b: readonly Uint8Array[]): number {
  let sum = 0;
  let count = 0;
  a.forEach((plane, f) => {
    for (let i = 0; i < plane.length; i += 1) {
      const d = plane[i]! - b[f]![i]!;
      sum += d * d;
    }
    count += plane.length;
  });
  return sum / count;
}

export const psnr = (mse: number): number => 10 * Math.log10((255 * 255) / mse);
