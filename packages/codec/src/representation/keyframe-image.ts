import sharp from 'sharp';
import type { RgbFrame } from '../contracts.ts';
import { evenSize } from '@cmvc/media-io/frames';

export type QualityPreset = 'low' | 'middle' | 'high';
export const QUALITY_PRESETS_ORDER: readonly QualityPreset[] = ['low', 'middle', 'high'];

export interface QualityPresetSettings {
  /** Keyframes are stored at this fraction of the working size and scaled back up by the decoder. */
  readonly scale: number;
  /** AVIF (AV1) quality, 1..100. */
  readonly quality: number;
  /** Nominal compression factor against 24-bit RGB at working size (paper: 256 / 128 / 64). */
  readonly compressionFactor: number;
}

/**
 * Presets named after the paper's keyframe-quality ablation: its factors 256/128/64 are read as
 * raw-RGB24-to-AVIF ratios at working size, i.e. 0.094 / 0.19 / 0.375 bits per working pixel.
 * Scale and quality were chosen so that natural 480p content lands near those targets.
 */
export const QUALITY_PRESETS: Readonly<Record<QualityPreset, QualityPresetSettings>> = {
  low: { scale: 0.5, quality: 40, compressionFactor: 256 },
  middle: { scale: 0.75, quality: 45, compressionFactor: 128 },
  high: { scale: 1, quality: 50, compressionFactor: 64 },
};

/** Expected AVIF bytes for one keyframe at `workingPixels`, used to turn a target bitrate into a keyframe count. */
export function estimatedKeyframeBytes(preset: QualityPreset, workingPixels: number): number {
  return Math.ceil((workingPixels * 24) / QUALITY_PRESETS[preset].compressionFactor / 8);
}

export function keyframeImageSize(preset: QualityPreset, workingWidth: number, workingHeight: number): { width: number; height: number } {
  const { scale } = QUALITY_PRESETS[preset];
  return evenSize(Math.round(workingWidth * scale), Math.round(workingHeight * scale));
}

export interface EncodedKeyframeImage {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export async function encodeKeyframeImage(frame: RgbFrame, preset: QualityPreset): Promise<EncodedKeyframeImage> {
  const { width, height } = keyframeImageSize(preset, frame.width, frame.height);
  const bytes = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .heif({ compression: 'av1', quality: QUALITY_PRESETS[preset].quality, effort: 4, chromaSubsampling: '4:2:0' })
    .toBuffer();
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), width, height };
}

/** Decodes a keyframe image and scales it to the working size: the exact frame both encoder and decoder interpolate from. */
export async function decodeKeyframeImage(bytes: Uint8Array, width: number, height: number): Promise<RgbFrame> {
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .toColourspace('srgb')
    .removeAlpha()
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) throw new Error(`keyframe decoded to ${info.width}x${info.height}x${info.channels}`);
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A described keyframe's small picture: what the archive shows in timelines and search results. */
export interface Thumbnail {
  readonly frameIndex: number;
  readonly format: 'avif';
  readonly width: number;
  readonly height: number;
  readonly bytes: Uint8Array;
}

/** Thumbnails are at most this wide; they are pictures to recognise a moment by, not to watch. */
export const THUMBNAIL_MAX_WIDTH = 192;
const THUMBNAIL_QUALITY = 40;

/** A small AVIF of a decoded frame: derived from what the archive keeps, so it never shows more than a rendition would. */
export async function encodeThumbnail(frame: RgbFrame, frameIndex: number): Promise<Thumbnail> {
  const { width, height } = evenSize(Math.min(THUMBNAIL_MAX_WIDTH, frame.width), Math.round((frame.height * Math.min(THUMBNAIL_MAX_WIDTH, frame.width)) / frame.width));
  const bytes = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .heif({ compression: 'av1', quality: THUMBNAIL_QUALITY, effort: 4, chromaSubsampling: '4:2:0' })
    .toBuffer();
  return { frameIndex, format: 'avif', width, height, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
