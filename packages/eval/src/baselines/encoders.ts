import { stat } from 'node:fs/promises';
import type { MediaTools } from '@cmvc/media-io';
import { EvalError } from '../errors.ts';
import { ffmpeg } from '../media/process.ts';
import { fpsValue, type VideoInfo } from '../media/probe.ts';

export type BaselineEncoderId = 'x264' | 'x265' | 'svt-av1' | 'libaom-av1';

export interface BaselineEncoder {
  readonly id: BaselineEncoderId;
  /** Highest (coarsest) CRF the encoder accepts. */
  readonly maxCrf: number;
  /** CRFs swept (see `baselineVariants`). */
  readonly sweep: readonly number[];
  /**
   * `grid`: every CRF of the sweep × {full, ½, ¼} size × {full, ½, ¼} frame rate (the targets, whose
   * Pareto frontier is the anchor curve); `sweep`: the CRFs at full size plus the maximum CRF at ½ size
  (context only).
   */
  readonly variants: 'grid' | 'sweep';
  /**
   * Extension of the bare elementary stream written (Annex B for H.264/HEVC, low-overhead OBUs for AV1):
   * every stored byte is counted and no container byte is, as for the .cmvc stream.
   */
  readonly extension: string;
  /** Human-readable settings for the report. */
  readonly settings: string;
  /** Smallest side the encoder accepts (SVT-AV1: 64); reduced sizes are clamped to it. */
  readonly minSide?: number;
  args(crf: number): string[];
}

export const BASELINE_ENCODERS: Readonly<Record<BaselineEncoderId, BaselineEncoder>> = {
  x264: {
    id: 'x264',
    maxCrf: 51,
    sweep: [51],
    variants: 'sweep',
    extension: 'h264',
    settings: 'libx264 preset medium, CRF, Annex B',
    args: (crf) => ['-c:v', 'libx264', '-preset', 'medium', '-crf', String(crf), '-f', 'h264'],
  },
  x265: {
    id: 'x265',
    maxCrf: 51,
    sweep: [51],
    variants: 'sweep',
    extension: 'hevc',
    settings: 'libx265 preset medium, CRF, Annex B',
    args: (crf) => ['-c:v', 'libx265', '-preset', 'medium', '-crf', String(crf), '-x265-params', 'log-level=error', '-f', 'hevc'],
  },
  'svt-av1': {
    id: 'svt-av1',
    maxCrf: 63,
    sweep: [52, 63],
    variants: 'grid',
    extension: 'obu',
    settings: 'libsvtav1 preset 8, CRF, bare OBUs',
    minSide: 64,
    args: (crf) => ['-c:v', 'libsvtav1', '-preset', '8', '-crf', String(crf), '-svtav1-params', 'lp=1', '-f', 'obu'],
  },
  'libaom-av1': {
    id: 'libaom-av1',
    maxCrf: 63,
    sweep: [52, 63],
    variants: 'grid',
    extension: 'obu',
    settings: 'libaom-av1 cpu-used 6, constant quality (-b:v 0 -crf), bare OBUs',
    args: (crf) => ['-c:v', 'libaom-av1', '-cpu-used', '6', '-b:v', '0', '-crf', String(crf), '-f', 'obu'],
  },
};

/** The same encoder with another CRF list (`--av1-crfs`). */
export function withSweep(encoder: BaselineEncoder, sweep: readonly number[]): BaselineEncoder {
  for (const crf of sweep) {
    if (!Number.isInteger(crf) || crf < 0 || crf > encoder.maxCrf) throw new EvalError('INVALID_OPTIONS', `${encoder.id} CRF must be an integer 0..${encoder.maxCrf}`);
  }
  if (sweep.length === 0) throw new EvalError('INVALID_OPTIONS', `${encoder.id} needs at least one CRF`);
  return { ...encoder, sweep: [...new Set(sweep)].sort((a, b) => a - b) };
}

/** One encoder setting: CRF plus the spatial and temporal reduction applied before encoding. */
export interface BaselineVariant {
  readonly crf: number;
  /** Linear downscale factor (1, ½, ¼). */
  readonly scale: number;
  /** Frame-rate factor (1, ½, ¼). */
  readonly fpsFactor: number;
}

export const REDUCTIONS: readonly number[] = [1, 0.5, 0.25];

/**
 * The settings an extreme-low-bitrate user would try. `grid` encoders: every CRF × {full, ½, ¼} size
 * × {full, ½, ¼} frame rate, whose Pareto frontier is the curve compared with. `sweep` encoders: the
 * CRFs at full size, then the maximum CRF at ¼ size and ¼ rate.
 */
export function baselineVariants(encoder: BaselineEncoder): BaselineVariant[] {
  if (encoder.variants === 'grid') {
    return encoder.sweep.flatMap((crf) => REDUCTIONS.flatMap((scale) => REDUCTIONS.map((fpsFactor) => ({ crf, scale, fpsFactor }))));
  }
  const max = encoder.maxCrf;
  return [...encoder.sweep.map((crf) => ({ crf, scale: 1, fpsFactor: 1 })), { crf: max, scale: 0.25, fpsFactor: 0.25 }];
}

const fraction = (value: number): string => (value === 1 ? '1' : value === 0.5 ? '½' : value === 0.25 ? '¼' : String(value));

export function variantLabel(variant: BaselineVariant): string {
  const parts = [`crf${variant.crf}`];
  if (variant.scale !== 1) parts.push(`${fraction(variant.scale)}size`);
  if (variant.fpsFactor !== 1) parts.push(`${fraction(variant.fpsFactor)}fps`);
  return parts.join(' ');
}

/** Size after downscaling, even and at least `minSide` (default 16) pixels per side (what the encoders accept), never above the source. */
export function scaledSize(info: Pick<VideoInfo, 'width' | 'height'>, scale: number, minSide = 16): { width: number; height: number } {
  const side = (value: number): number => Math.min(value, Math.max(minSide, 2 * Math.round((value * scale) / 2)));
  return { width: side(info.width), height: side(info.height) };
}

export interface BaselineEncoding {
  readonly path: string;
  readonly bytes: number;
  /** Frame rate of the encoded stream (elementary streams do not all carry one). */
  readonly rate: number;
}

/** Encodes the reference with one variant into an elementary stream at `output`. */
export async function encodeBaseline(tools: MediaTools, reference: string, info: VideoInfo, encoder: BaselineEncoder, variant: BaselineVariant, output: string, signal?: AbortSignal): Promise<BaselineEncoding> {
  if (!(variant.scale > 0 && variant.scale <= 1 && variant.fpsFactor > 0 && variant.fpsFactor <= 1)) {
    throw new EvalError('INVALID_OPTIONS', 'scale and fpsFactor must be in (0, 1]');
  }
  if (!Number.isInteger(variant.crf) || variant.crf < 0 || variant.crf > encoder.maxCrf) {
    throw new EvalError('INVALID_OPTIONS', `${encoder.id} CRF must be an integer 0..${encoder.maxCrf}`);
  }
  const rate = fpsValue(info) * variant.fpsFactor;
  const size = scaledSize(info, variant.scale, encoder.minSide);
  const filters = [
    ...(variant.fpsFactor !== 1 ? [`fps=${rate}`] : []),
    ...(variant.scale !== 1 && (size.width !== info.width || size.height !== info.height) ? [`scale=${size.width}:${size.height}:flags=bicubic`] : []),
    'format=yuv420p',
  ].join(',');
  await ffmpeg(tools, ['-i', reference, '-vf', filters, '-an', ...encoder.args(variant.crf), output], signal ? { signal } : {});
  return { path: output, bytes: (await stat(output)).size, rate };
}
