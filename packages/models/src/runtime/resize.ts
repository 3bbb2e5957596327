import type { Box, RgbFrame } from '../types.ts';

export interface ResizeOptions {
  /** tfjs resizeBilinear's alignCorners: the corner pixels of input and output line up. */
  readonly alignCorners?: boolean;
  /**
   * Resize the frame padded with black at the right and bottom to a square of its longer side,
   * without building the padded copy.
   */
  readonly padToSquare?: boolean;
}

/**
 * Bilinear resize of an RGB24 frame to a float NHWC image [height, width, 3] with values in 0..255,
 * sampling as tfjs's resizeBilinear does without half-pixel centres (source = destination × scale).
 */
export function resizeBilinearRgb(frame: RgbFrame, width: number, height: number, options: ResizeOptions = {}): Float32Array {
  const sourceWidth = options.padToSquare ? Math.max(frame.width, frame.height) : frame.width;
  const sourceHeight = options.padToSquare ? Math.max(frame.width, frame.height) : frame.height;
  const scale = (source: number, target: number): number =>
    options.alignCorners && target > 1 ? (source - 1) / (target - 1) : source / target;
  const scaleX = scale(sourceWidth, width);
  const scaleY = scale(sourceHeight, height);
  const { data } = frame;
  // Byte offsets of the two source columns (rows) each output column (row) blends, and the weight of
  // the second; -1 marks a sample in the black padding outside the frame.
  const axis = (size: number, sourceSize: number, frameSize: number, factor: number, step: number) => {
    const first = new Int32Array(size);
    const second = new Int32Array(size);
    const weight = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const source = i * factor;
      const low = Math.floor(source);
      const high = Math.min(low + 1, sourceSize - 1);
      first[i] = low < frameSize ? low * step : -1;
      second[i] = high < frameSize ? high * step : -1;
      weight[i] = source - low;
    }
    return { first, second, weight };
  };
  const columns = axis(width, sourceWidth, frame.width, scaleX, 3);
  const rows = axis(height, sourceHeight, frame.height, scaleY, frame.width * 3);
  // A sample in the padding reads 0.
  const at = (row: number, column: number, c: number): number => (row < 0 || column < 0 ? 0 : data[row + column + c]!);
  const out = new Float32Array(width * height * 3);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const top = rows.first[y]!;
    const bottom = rows.second[y]!;
    const dy = rows.weight[y]!;
    for (let x = 0; x < width; x++) {
      const left = columns.first[x]!;
      const right = columns.second[x]!;
      const dx = columns.weight[x]!;
      if (top < 0 || left < 0) {
        // Wholly in the padding: stays 0.
        o += 3;
        continue;
      }
      if (bottom < 0 || right < 0) {
        for (let c = 0; c < 3; c++) {
          const topLeft = at(top, left, c);
          const bottomLeft = at(bottom, left, c);
          const topValue = topLeft + (at(top, right, c) - topLeft) * dx;
          const bottomValue = bottomLeft + (at(bottom, right, c) - bottomLeft) * dx;
          out[o++] = topValue + (bottomValue - topValue) * dy;
        }
        continue;
      }
      const topLeft = top + left;
      const topRight = top + right;
      const bottomLeft = bottom + left;
      const bottomRight = bottom + right;
      for (let c = 0; c < 3; c++) {
        const a = data[topLeft + c]!;
        const b = data[bottomLeft + c]!;
        const topValue = a + (data[topRight + c]! - a) * dx;
        const bottomValue = b + (data[bottomRight + c]! - b) * dx;
        out[o++] = topValue + (bottomValue - topValue) * dy;
      }
    }
  }
  return out;
}

/** A crop as tfjs cropAndResize takes it: [y1, x1, y2, x2] in fractions of the frame, which may reach past its edges. */
export type CropBox = readonly [number, number, number, number];

/** A square crop around the box's centre, `scale` times its longer side in pixels (may reach past the frame's edges). */
export function squareAround(box: Box, scale: number, width: number, height: number): CropBox {
  const side = Math.max(box.width * width, box.height * height) * scale;
  const cx = (box.x + box.width / 2) * width;
  const cy = (box.y + box.height / 2) * height;
  return [(cy - side / 2) / height, (cx - side / 2) / width, (cy + side / 2) / height, (cx + side / 2) / width];
}

/**
 * Bilinear crop and resize of an RGB24 frame to a float NHWC image [height, width, 3] with values
 * in 0..255, sampling as tfjs's cropAndResize does: corners aligned, and samples that fall outside
 * the frame are 0. Computed in float32 step by step as tfjs's kernel does, so that a coordinate on a
 * sharp edge or at the frame's border lands where tfjs's lands.
 */
export function cropAndResizeRgb(frame: RgbFrame, crop: CropBox, width: number, height: number): Float32Array {
  const f = Math.fround;
  const [y1, x1, y2, x2] = crop.map(f) as [number, number, number, number];
  const { data } = frame;
  const lastRow = frame.height - 1;
  const lastColumn = frame.width - 1;
  /** Source coordinate of output sample i along an axis cropped from..to (fractions) of a frame whose last index is `last`. */
  const sampler = (from: number, to: number, last: number, size: number) => {
    const scale = f(f(f(to - from) * last) / (size - 1));
    return size > 1 ? (i: number) => f(f(from * last) + f(i * scale)) : () => f(f(f(0.5 * f(from + to))) * last);
  };
  const rowAt = sampler(y1, y2, lastRow, height);
  const columnAt = sampler(x1, x2, lastColumn, width);
  // Each output column's two source columns (byte offsets; -1 when the sample falls outside) and weight.
  const lefts = new Int32Array(width);
  const rights = new Int32Array(width);
  const dxs = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const sourceX = columnAt(x);
    const inside = sourceX >= 0 && sourceX <= lastColumn;
    lefts[x] = inside ? Math.floor(sourceX) * 3 : -1;
    rights[x] = inside ? Math.ceil(sourceX) * 3 : -1;
    dxs[x] = inside ? f(sourceX - Math.floor(sourceX)) : 0;
  }
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const source = rowAt(y);
    if (source < 0 || source > lastRow) continue;
    const top = Math.floor(source) * frame.width * 3;
    const bottom = Math.ceil(source) * frame.width * 3;
    const dy = f(source - Math.floor(source));
    for (let x = 0; x < width; x++) {
      const left = lefts[x]!;
      if (left < 0) continue;
      const right = rights[x]!;
      const dx = dxs[x]!;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const topLeft = data[top + left + c]!;
        const bottomLeft = data[bottom + left + c]!;
        const topValue = f(topLeft + f((data[top + right + c]! - topLeft) * dx));
        const bottomValue = f(bottomLeft + f((data[bottom + right + c]! - bottomLeft) * dx));
        out[o + c] = topValue + f((bottomValue - topValue) * dy);
      }
    }
  }
  return out;
}
