import type { RgbFrame } from './frame.ts';

/**
 * Conversions between the layouts ffmpeg reads and writes (planar yuv444p) and the packed
 * three-bytes-per-pixel frames the codec works on, and from Y′CbCr to RGB for the analyzers.
 */

/** Planar Y, Cb, Cr planes (ffmpeg `yuv444p`) → packed Y′CbCr per pixel. */
export function packYuv444(planar: Uint8Array, width: number, height: number): RgbFrame {
  const pixels = width * height;
  const data = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0; i < pixels; i += 1, o += 3) {
    data[o] = planar[i]!;
    data[o + 1] = planar[pixels + i]!;
    data[o + 2] = planar[2 * pixels + i]!;
  }
  return { width, height, data, pixelFormat: 'yuv444' };
}

/** Packed Y′CbCr → planar (ffmpeg `yuv444p`). */
export function planarYuv444(frame: RgbFrame): Uint8Array {
  const pixels = frame.width * frame.height;
  const out = new Uint8Array(pixels * 3);
  const data = frame.data;
  for (let i = 0, o = 0; i < pixels; i += 1, o += 3) {
    out[i] = data[o]!;
    out[pixels + i] = data[o + 1]!;
    out[2 * pixels + i] = data[o + 2]!;
  }
  return out;
}

/** Packed Y′CbCr (BT.601, limited range: ffmpeg's default for these sources) → RGB24 for the analyzers. */
export function yuvToRgb(frame: RgbFrame): RgbFrame {
  if (frame.pixelFormat !== 'yuv444') return frame;
  const data = frame.data;
  const out = new Uint8Array(data.length);
  const clamp = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));
  for (let o = 0; o < data.length; o += 3) {
    const y = 1.164383 * (data[o]! - 16);
    const cb = data[o + 1]! - 128;
    const cr = data[o + 2]! - 128;
    out[o] = clamp(y + 1.596027 * cr);
    out[o + 1] = clamp(y - 0.391762 * cb - 0.812968 * cr);
    out[o + 2] = clamp(y + 2.017232 * cb);
  }
  return { width: frame.width, height: frame.height, data: out };
}
