import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { countVideoPackets, decodeFrames, type MediaTools } from '@cmvc/media-io';
import { decodeImageToRgb, evenlySpacedIndices } from '../frames.ts';
import type { RgbFrame } from '../../types.ts';

export interface DecodeTarget {
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
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
export async function decodeVideo(input: Uint8Array, extension: string, target: DecodeTarget, tools: MediaTools, signal?: AbortSignal): Promise<RgbFrame[]> {
  const folder = await mkdtemp(join(tmpdir(), 'cmvc-comfy-'));
  try {
    const path = join(folder, `output.${extension.replace(/[^a-z0-9]/gi, '') || 'bin'}`);
    await writeFile(path, input);
    const available = await countVideoPackets(path, { tools, ...(signal ? { signal } : {}) });
    if (!Number.isInteger(available) || available <= 0) throw new Error('the video has no decodable frames');
    if (available > MAX_SOURCE_FRAMES) throw new Error(`the video has ${available} frames, more than the ${MAX_SOURCE_FRAMES} accepted`);
    const wanted = evenlySpacedIndices(available, target.frameCount);
    const keep = new Set(wanted);
    const kept = new Map<number, RgbFrame>();
    // The frame rate only stamps times, which are not used here; giving one saves a probe.
    const frames = decodeFrames(path, { width: target.width, height: target.height, fps: 1, fit: 'cover', maxFrames: available, only: (index) => keep.has(index), tools, ...(signal ? { signal } : {}) });
    for await (const frame of frames) kept.set(frame.index, { width: target.width, height: target.height, data: frame.data });
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
