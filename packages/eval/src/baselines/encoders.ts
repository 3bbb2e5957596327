import { stat } from 'node:fs/promises';
import { EvalError } from '../errors.ts';
import { ffmpeg } from '../media/process.ts';
import { fpsValue, type VideoInfo } from '../media/probe.ts';

export type BaselineEncoderId = 'x264' | 'x265' | 'svt-av1';

export interface BaselineEncoder {
  readonly id: BaselineEncoderId;
  /** Highest (coarsest) CRF the encoder accepts. */
  readonly maxCrf: number;
  /** CRFs swept at full size and frame rate, ending at `maxCrf`. */
  readonly sweep: readonly number[];
  /** Elementary-stream extension: bytes are counted without container overhead, as for the .cmvc stream. */
  readonly extension: string;
  /** Human-readable settings for the report. */
  readonly settings: string;
  args(crf: number): string[];
}

export const BASELINE_ENCODERS: Readonly<Record<BaselineEncoderId, BaselineEncoder>> = {
  x264: {
    id: 'x264',
    maxCrf: 51,
    sweep: [35, 43, 51],
    extension: 'h264',
    settings: 'libx264 preset medium, CRF',
    args: (crf) => ['-c:v', 'libx264', '-preset', 'medium', '-crf', String(crf), '-f', 'h264'],
  },
  x265: {
    id: 'x265',
    maxCrf: 51,
    sweep: [35, 43, 51],
    extension: 'hevc',
    settings: 'libx265 preset medium, CRF',
    args: (crf) => ['-c:v', 'libx265', '-preset', 'medium', '-crf', String(crf), '-x265-params', 'log-level=error', '-f', 'hevc'],
  },
  'svt-av1': {
    id: 'svt-av1',
    maxCrf: 63,
    sweep: [45, 55, 63],
    extension: 'ivf',
    settings: 'libsvtav1 preset 8, CRF',
    args: (crf) => ['-c:v', 'libsvtav1', '-preset', '8', '-crf', String(crf), '-svtav1-params', 'lp=1', '-f', 'ivf'],
  },
};

/** One encoder setting: CRF plus the spatial and temporal reduction applied before encoding. */
export interface BaselineVariant {
  readonly crf: number;
  /** Linear downscale factor (1, ½, ¼). */
  readonly scale: number;
  /** Frame-rate factor (1, ½, ¼). */
  readonly fpsFactor: number;
}

/**
 * The sweep an extreme-low-bitrate user would try: the CRF sweep at full size, then at the
 * encoder's maximum CRF the downscaled (½, ¼), frame-rate-reduced (½, ¼) and combined variants.
 */
export function baselineVariants(encoder: BaselineEncoder): BaselineVariant[] {
  const max = encoder.maxCrf;
  return [
    ...encoder.sweep.map((crf) => ({ crf, scale: 1, fpsFactor: 1 })),
    { crf: max, scale: 0.5, fpsFactor: 1 },
    { crf: max, scale: 0.25, fpsFactor: 1 },
    { crf: max, scale: 1, fpsFactor: 0.5 },
    { crf: max, scale: 1, fpsFactor: 0.25 },
    { crf: max, scale: 0.25, fpsFactor: 0.25 },
  ];
}

const fraction = (value: number): string => (value === 1 ? '1' : value === 0.5 ? '½' : value === 0.25 ? '¼' : String(value));

export function variantLabel(variant: BaselineVariant): string {
  const parts = [`crf${variant.crf}`];
  if (variant.scale !== 1) parts.push(`${fraction(variant.scale)}size`);
  if (variant.fpsFactor !== 1) parts.push(`${fraction(variant.fpsFactor)}fps`);
  return parts.join(' ');
}

/** Size after downscaling, even and at least 16 pixels per side (what the encoders accept). */
export function scaledSize(info: Pick<VideoInfo, 'width' | 'height'>, scale: number): { width: number; height: number } {
  const side = (value: number): number => Math.max(16, 2 * Math.round((value * scale) / 2));
  return { width: side(info.width), height: side(info.height) };
}

export interface BaselineEncoding {
  readonly path: string;
  readonly bytes: number;
  /** Frame rate of the encoded stream (elementary streams do not all carry one). */
  readonly rate: number;
}

/** Encodes the reference with one variant into an elementary stream at `output`. */
export async function encodeBaseline(reference: string, info: VideoInfo, encoder: BaselineEncoder, variant: BaselineVariant, output: string, signal?: AbortSignal): Promise<BaselineEncoding> {
  if (!(variant.scale > 0 && variant.scale <= 1 && variant.fpsFactor > 0 && variant.fpsFactor <= 1)) {
    throw new EvalError('INVALID_OPTIONS', 'scale and fpsFactor must be in (0, 1]');
  }
  if (!Number.isInteger(variant.crf) || variant.crf < 0 || variant.crf > encoder.maxCrf) {
    throw new EvalError('INVALID_OPTIONS', `${encoder.id} CRF must be an integer 0..${encoder.maxCrf}`);
  }
  const rate = fpsValue(info) * variant.fpsFactor;
  const size = scaledSize(info, variant.scale);
  const filters = [
    ...(variant.fpsFactor !== 1 ? [`fps=${rate}`] : []),
    ...(variant.scale !== 1 ? [`scale=${size.width}:${size.height}:flags=bicubic`] : []),
    'format=yuv420p',
  ].join(',');
  await ffmpeg(['-i', reference, '-vf', filters, '-an', ...encoder.args(variant.crf), output], signal ? { signal } : {});
  return { path: output, bytes: (await stat(output)).size, rate };
}
