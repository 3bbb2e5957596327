import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImageToRgb, evenlySpacedIndices } from '../frames.ts';
import type { RgbFrame } from '../../types.ts';

export interface DecodeTarget {
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
}

export interface Tools {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
}

/** Largest number of frames read from one video answer; longer ones are refused rather than decoded. */
const MAX_SOURCE_FRAMES = 20_000;

/** Frames of an animated WebP/GIF/PNG decoded with sharp, evenly resampled to `frameCount`. */
export async function decodeAnimatedImage(input: Uint8Array, target: DecodeTarget): Promise<RgbFrame[]> {
  const pages = (await sharp(input).metadata()).pages ?? 1;
  const indices = evenlySpacedIndices(pages, target.frameCount);
  const decoded = new Map<number, RgbFrame>();
  for (const index of new Set(indices)) decoded.set(index, await decodeImageToRgb(input, target.width, target.height, { index }));
  return indices.map((index) => decoded.get(index) as RgbFrame);
}

export async function countImagePages(input: Uint8Array): Promise<number> {
  return (await sharp(input).metadata()).pages ?? 1;
}

/**
 * Decodes a video file with ffmpeg (scaled to cover the target and centre-cropped), keeping only the frames
 * needed to resample it to `frameCount`; at most `frameCount` frames are held in memory.
 */
export async function decodeVideo(input: Uint8Array, extension: string, target: DecodeTarget, tools: Tools, signal?: AbortSignal): Promise<RgbFrame[]> {
  const folder = await mkdtemp(join(tmpdir(), 'cmvc-comfy-'));
  try {
    const path = join(folder, `output.${extension.replace(/[^a-z0-9]/gi, '') || 'bin'}`);
    await writeFile(path, input);
    const probe = await runTool(
      tools.ffprobePath,
      ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path],
      1 << 16,
      signal,
    );
    const available = Number.parseInt(probe.toString('utf8').trim(), 10);
    if (!Number.isInteger(available) || available <= 0) throw new Error('the video has no decodable frames');
    if (available > MAX_SOURCE_FRAMES) throw new Error(`the video has ${available} frames, more than the ${MAX_SOURCE_FRAMES} accepted`);
    const wanted = evenlySpacedIndices(available, target.frameCount);
    const keep = new Set(wanted);
    const frameBytes = target.width * target.height * 3;
    const kept = new Map<number, RgbFrame>();
    let decodedCount = 0;
    let pending: Buffer = Buffer.alloc(0);
    const filter = `scale=${target.width}:${target.height}:force_original_aspect_ratio=increase:flags=bicubic,crop=${target.width}:${target.height}`;
    await streamTool(
      tools.ffmpegPath,
      ['-v', 'error', '-nostdin', '-i', path, '-map', '0:v:0', '-vf', filter, '-frames:v', String(available), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      (chunk) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        while (pending.length >= frameBytes) {
          if (keep.has(decodedCount)) {
            kept.set(decodedCount, { width: target.width, height: target.height, data: new Uint8Array(pending.subarray(0, frameBytes)) });
          }
          decodedCount += 1;
          pending = pending.subarray(frameBytes);
        }
      },
      signal,
    );
    if (kept.size === 0) throw new Error('ffmpeg decoded no frames');
    // The packet count can exceed the frames actually decoded by one or two; reuse the last decoded frame for those.
    let last = kept.get(Math.min(...kept.keys())) as RgbFrame;
    return wanted.map((index) => {
      last = kept.get(index) ?? last;
      return last;
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function runTool(command: string, args: string[], maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  return streamTool(
    command,
    args,
    (chunk) => {
      total += chunk.length;
      if (total > maxBytes) throw new Error(`${command} printed more than ${maxBytes} bytes`);
      chunks.push(chunk);
    },
    signal,
  ).then(() => Buffer.concat(chunks));
}

function streamTool(command: string, args: string[], onStdout: (chunk: Buffer) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stderr = '';
    let failure: unknown;
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      try {
        onStdout(chunk);
      } catch (error) {
        failure = error;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => reject(failure ?? error));
    child.on('close', (code) => {
      if (failure !== undefined) reject(failure);
      else if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}
