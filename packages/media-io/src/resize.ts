import type { RgbFrame } from './frame.ts';

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** Rounds down to even (yuv420p needs even sizes), never below 2. */
export function evenSize(width: number, height: number): Size {
  const even = (value: number): number => Math.max(2, Math.floor(value / 2) * 2);
  return { width: even(width), height: even(height) };
}

/** The size the codec works at: the source scaled down (never up) to at most `maxHeight` rows, aspect kept, even. */
export function workingSize(source: Size, maxHeight: number): Size {
  const scale = Math.min(1, maxHeight / source.height);
  return evenSize(Math.round(source.width * scale), Math.round(source.height * scale));
}

/** Size with the given width and the source's aspect ratio. */
export function sizeForWidth(source: Size, width: number): Size {
  const w = Math.min(width, source.width);
  return evenSize(w, Math.round((source.height * w) / source.width));
}

/** Box-filter (area average) resize of packed RGB24; exact and deterministic. */
export function resizeRgb(frame: RgbFrame, width: number, height: number): RgbFrame {
  if (frame.width === width && frame.height === height) return frame;
  const src = frame.data;
  const out = new Uint8Array(width * height * 3);
  const xScale = frame.width / width;
  const yScale = frame.height / height;
  for (let y = 0; y < height; y += 1) {
    const y0 = Math.floor(y * yScale);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * yScale));
    for (let x = 0; x < width; x += 1) {
      const x0 = Math.floor(x * xScale);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * xScale));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy += 1) {
        let p = (sy * frame.width + x0) * 3;
        for (let sx = x0; sx < x1; sx += 1) {
          r += src[p] ?? 0;
          g += src[p + 1] ?? 0;
          b += src[p + 2] ?? 0;
          p += 3;
        }
      }
      const count = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 3;
      out[o] = Math.round(r / count);
      out[o + 1] = Math.round(g / count);
      out[o + 2] = Math.round(b / count);
    }
  }
  return { width, height, data: out };
}
