import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { BackendError } from './errors.ts';
import type { RgbFrame } from '../types.ts';

/** Throws a BACKEND_CONFIG error unless `frame` is well-formed packed RGB24. */
export function assertRgbFrame(frame: RgbFrame, backendId: string, what = 'frame'): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new BackendError('BACKEND_CONFIG', backendId, `${what} has invalid size ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new BackendError('BACKEND_CONFIG', backendId, `${what} holds ${data.length} bytes, expected ${width * height * 3} for ${width}x${height} RGB`);
  }
}

function rgbInput(frame: RgbFrame): Sharp {
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } });
}

/** JPEG for a vision-language request, downscaled (never upscaled) so that its longer side is at most `maxSide`. */
export async function encodeJpeg(frame: RgbFrame, options: { maxSide: number; quality: number }): Promise<Buffer> {
  return rgbInput(frame)
    .resize({ width: options.maxSide, height: options.maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: options.quality })
    .toBuffer();
}

export async function encodePng(frame: RgbFrame): Promise<Buffer> {
  return rgbInput(frame).png().toBuffer();
}

/** Fits any decodable image (or one page of it) to exactly width × height RGB, cropping the overflow from the centre. */
export async function decodeImageToRgb(
  input: Uint8Array,
  width: number,
  height: number,
  page?: { index: number },
): Promise<RgbFrame> {
  const image = page ? sharp(input, { page: page.index, limitInputPixels: 1 << 28 }) : sharp(input, { limitInputPixels: 1 << 28 });
  const { data, info } = await image
    .removeAlpha()
    .resize({ width, height, fit: 'cover', position: 'centre', kernel: 'cubic' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(`unexpected decode result ${info.width}x${info.height}x${info.channels}`);
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Indices of `count` frames spread evenly over `available` frames, first and last included. */
export function evenlySpacedIndices(available: number, count: number): number[] {
  if (count <= 0 || available <= 0) return [];
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * (available - 1)) / (count - 1)));
}
