import type { RgbFrame } from './frame.ts';

/**
 * Conversions between the layouts ffmpeg reads and writes (planar yuv444p) and the packed
 * three-bytes-per-pixel frames the codec works on, and from Y′CbCr to RGB for the analyzers.
 */

/** Whether this machine stores a Uint32 with its lowest byte first (packing writes four bytes at once). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Planar Y, Cb, Cr planes (ffmpeg `yuv444p`) → packed Y′CbCr per pixel, into `into` when given (a
 * decoder that reuses one frame buffer), else into a new array.
 */
export function packYuv444(planar: Uint8Array, width: number, height: number, into?: Uint8Array): RgbFrame {
  const pixels = width * height;
  const data = into ?? new Uint8Array(pixels * 3);
  if (data.length !== pixels * 3) throw new RangeError(`packYuv444: ${data.length} bytes for a ${width}x${height} frame`);
  const y = planar.subarray(0, pixels);
  const cb = planar.subarray(pixels, 2 * pixels);
  const cr = planar.subarray(2 * pixels, 3 * pixels);
  let first = 0;
  if (LITTLE_ENDIAN && data.byteOffset % 4 === 0) {
    // Four pixels are twelve bytes: three aligned 32-bit words instead of twelve byte stores.
    const words = new Uint32Array(data.buffer, data.byteOffset, (pixels >> 2) * 3);
    for (let i = 0, w = 0; w < words.length; i += 4, w += 3) {
      words[w] = y[i]! | (cb[i]! << 8) | (cr[i]! << 16) | (y[i + 1]! << 24);
      words[w + 1] = cb[i + 1]! | (cr[i + 1]! << 8) | (y[i + 2]! << 16) | (cb[i + 2]! << 24);
      words[w + 2] = cr[i + 2]! | (y[i + 3]! << 8) | (cb[i + 3]! << 16) | (cr[i + 3]! << 24);
    }
    first = pixels & ~3;
  }
  for (let i = first, o = first * 3; i < pixels; i += 1, o += 3) {
    data[o] = y[i]!;
    data[o + 1] = cb[i]!;
    data[o + 2] = cr[i]!;
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
