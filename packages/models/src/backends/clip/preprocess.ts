import sharp from 'sharp';
import { BackendError } from '../errors.ts';
import type { RgbFrame } from '../../types.ts';

/** OpenAI CLIP's normalisation constants, used when `preprocessor_config.json` gives none. */
export const CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface ClipImagePreprocessing {
  /** Length the shorter side is resized to before cropping. */
  readonly shortestEdge: number;
  /** Side of the square centre crop fed to the model. */
  readonly cropSize: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** Reads a Hugging Face `preprocessor_config.json` (CLIPImageProcessor / CLIPFeatureExtractor fields). */
export function parsePreprocessorConfig(json: unknown, defaultCropSize = 224): ClipImagePreprocessing {
  const config = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const side = (value: unknown): number | undefined => {
    if (typeof value === 'number') return value;
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of ['shortest_edge', 'height', 'width']) if (typeof record[key] === 'number') return record[key] as number;
    }
    return undefined;
  };
  const triple = (value: unknown, fallback: readonly [number, number, number], name: string): readonly [number, number, number] => {
    if (value === undefined) return fallback;
    if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return [value[0], value[1], value[2]] as [number, number, number];
    }
    throw new BackendError('BACKEND_CONFIG', 'clip', `preprocessor_config.json ${name} must be three numbers`);
  };
  const cropSize = side(config['crop_size']) ?? side(config['size']) ?? defaultCropSize;
  const shortestEdge = Math.max(cropSize, side(config['size']) ?? cropSize);
  const std = triple(config['image_std'], CLIP_STD, 'image_std');
  if (!Number.isInteger(cropSize) || cropSize <= 0 || cropSize > 4096 || !Number.isInteger(shortestEdge) || shortestEdge > 8192) {
    throw new BackendError('BACKEND_CONFIG', 'clip', `preprocessor_config.json gives an unusable image size (crop ${cropSize}, resize ${shortestEdge})`);
  }
  if (std.some((value) => value === 0)) throw new BackendError('BACKEND_CONFIG', 'clip', 'preprocessor_config.json image_std contains 0');
  return { shortestEdge, cropSize, mean: triple(config['image_mean'], CLIP_MEAN, 'image_mean'), std };
}

/**
 * CLIP image preprocessing: bicubic resize of the shorter side to `shortestEdge`, square centre crop of
 * `cropSize`, scale to [0, 1], normalise per channel; returns planar CHW float32 (one batch item of NCHW).
 */
export async function preprocessClipImage(frame: RgbFrame, config: ClipImagePreprocessing): Promise<Float32Array> {
  const { width, height } = frame;
  const scale = config.shortestEdge / Math.min(width, height);
  const resizedWidth = Math.max(config.cropSize, Math.round(width * scale));
  const resizedHeight = Math.max(config.cropSize, Math.round(height * scale));
  const pixels = await sharp(frame.data, { raw: { width, height, channels: 3 } })
    .resize({ width: resizedWidth, height: resizedHeight, fit: 'fill', kernel: 'cubic' })
    .extract({
      left: Math.floor((resizedWidth - config.cropSize) / 2),
      top: Math.floor((resizedHeight - config.cropSize) / 2),
      width: config.cropSize,
      height: config.cropSize,
    })
    .raw()
    .toBuffer();
  const plane = config.cropSize * config.cropSize;
  const out = new Float32Array(3 * plane);
  for (let channel = 0; channel < 3; channel += 1) {
    const mean = config.mean[channel] as number;
    const std = config.std[channel] as number;
    const offset = channel * plane;
    for (let i = 0; i < plane; i += 1) out[offset + i] = ((pixels[i * 3 + channel] as number) / 255 - mean) / std;
  }
  return out;
}
