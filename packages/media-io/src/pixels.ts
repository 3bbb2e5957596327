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

/**
 * Packed Y′CbCr (BT.601, limited range: ffmpeg's default for these sources) → RGB24 for the analyzers:
 * R = 1.164383·(Y − 16) + 1.596027·(Cr − 128), G = 1.164383·(Y − 16) − 0.391762·(Cb − 128) − 0.812968·(Cr − 128),
 * B = 1.164383·(Y − 16) + 2.017232·(Cb − 128), each rounded and clamped to 0..255.
 */
export function yuvToRgb(frame: RgbFrame): RgbFrame {
  if (frame.pixelFormat !== 'yuv444') return frame;
  const data = frame.data;
  const out = new Uint8Array(data.length);
  const { red, blue, luma, greenFromCb, greenFromCr } = conversionTables();
  for (let o = 0; o < data.length; o += 3) {
    const y = data[o]!;
    const cb = data[o + 1]!;
    const cr = data[o + 2]!;
    out[o] = red[(y << 8) | cr]!;
    const green = luma[y]! - greenFromCb[cb]! - greenFromCr[cr]!;
    out[o + 1] = green < 0 ? 0 : green > 255 ? 255 : Math.round(green);
    out[o + 2] = blue[(y << 8) | cb]!;
  }
  return { width: frame.width, height: frame.height, data: out };
}

/**
 * `yuvToRgb`'s arithmetic, tabulated: R and B depend on two bytes each, so they are looked up whole
 * (index Y·256 + Cr or Cb); G depends on three, so its terms are looked up and summed per pixel. The
 * tables hold the formulas' own double values, so the result is the same to the bit.
 */
interface ConversionTables {
  readonly red: Uint8Array;
  readonly blue: Uint8Array;
  readonly luma: Float64Array;
  readonly greenFromCb: Float64Array;
  readonly greenFromCr: Float64Array;
}

let tables: ConversionTables | undefined;

function conversionTables(): ConversionTables {
  if (tables) return tables;
  const rounded = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));
  const luma = Float64Array.from({ length: 256 }, (_, y) => 1.164383 * (y - 16));
  const red = new Uint8Array(256 * 256);
  const blue = new Uint8Array(256 * 256);
  for (let y = 0; y < 256; y += 1) {
    for (let c = 0; c < 256; c += 1) {
      red[(y << 8) | c] = rounded(luma[y]! + 1.596027 * (c - 128));
      blue[(y << 8) | c] = rounded(luma[y]! + 2.017232 * (c - 128));
    }
  }
  const greenFromCb = Float64Array.from({ length: 256 }, (_, cb) => 0.391762 * (cb - 128));
  const greenFromCr = Float64Array.from({ length: 256 }, (_, cr) => 0.812968 * (cr - 128));
  tables = { red, blue, luma, greenFromCb, greenFromCr };
  return tables;
}
