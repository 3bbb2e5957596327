import type { Box, RgbFrame } from '../types.ts';

export interface ResizeOptions {
  /** tfjs resizeBilinear's alignCorners: the corner pixels of input and output line up. */
  readonly alignCorners?: boolean;
  /**
   * Resize the frame padded with black at the right and bottom to a square of its longer side,
   * without building the padded copy.
   */
  readonly padToSquare?: boolean;
  /** Where to write the image (width × height × 3 values, e.g. one image's place in a batch); a new array by default. */
  readonly output?: Float32Array;
}

/**
 * One axis of a resize: for each output position, the byte offsets of the two source pixels (rows or
 * columns) it blends and the weight of the second (as float32, as tfjs keeps it); -1 marks a pixel in
 * the black padding outside the frame.
 */
interface ResizeAxis {
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly weight: Float32Array;
}

function resizeAxis(size: number, sourceSize: number, frameSize: number, factor: number, step: number): ResizeAxis {
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
}

/**
 * One source row (a byte offset; -1 in the padding) blended across the output columns into `into`,
 * in float64: tfjs's top or bottom value, left + (right − left) × dx, where a sample in the padding
 * reads 0. A weight of 0 gives the left sample exactly.
 */
function blendRow(data: Uint8Array, row: number, columns: ResizeAxis, inside: number, into: Float64Array): void {
  if (row < 0) {
    into.fill(0);
    return;
  }
  const { first: lefts, second: rights, weight: dxs } = columns;
  let o = 0;
  let x = 0;
  for (; x < inside; x++, o += 3) {
    const left = row + lefts[x]!;
    const dx = dxs[x]!;
    if (dx === 0) {
      into[o] = data[left]!;
      into[o + 1] = data[left + 1]!;
      into[o + 2] = data[left + 2]!;
      continue;
    }
    const right = row + rights[x]!;
    for (let c = 0; c < 3; c++) {
      const value = data[left + c]!;
      into[o + c] = value + (data[right + c]! - value) * dx;
    }
  }
  for (; x < lefts.length; x++, o += 3) {
    const left = lefts[x]!;
    const right = rights[x]!;
    const dx = dxs[x]!;
    for (let c = 0; c < 3; c++) {
      const value = left < 0 ? 0 : data[row + left + c]!;
      into[o + c] = value + ((right < 0 ? 0 : data[row + right + c]!) - value) * dx;
    }
  }
}

/**
 * Bilinear resize of an RGB24 frame to a float NHWC image [height, width, 3] with values in 0..255,
 * sampling as tfjs's resizeBilinear does without half-pixel centres (source = destination × scale).
 * Each source row is blended across the output columns once, however many output rows use it, then
 * the two rows around each output row are blended: per pixel, the same float64 arithmetic in the
 * same order as tfjs's kernel, rounded to float32 once.
 */
export function resizeBilinearRgb(frame: RgbFrame, width: number, height: number, options: ResizeOptions = {}): Float32Array {
  const sourceWidth = options.padToSquare ? Math.max(frame.width, frame.height) : frame.width;
  const sourceHeight = options.padToSquare ? Math.max(frame.width, frame.height) : frame.height;
  const scale = (source: number, target: number): number =>
    options.alignCorners && target > 1 ? (source - 1) / (target - 1) : source / target;
  const columns = resizeAxis(width, sourceWidth, frame.width, scale(sourceWidth, width), 3);
  const rows = resizeAxis(height, sourceHeight, frame.height, scale(sourceHeight, height), frame.width * 3);
  const rowLength = width * 3;
  const out = options.output ?? new Float32Array(rowLength * height);
  if (out.length !== rowLength * height) throw new RangeError(`resize output holds ${out.length} values, not ${width}×${height}×3`);
  // Columns are in source order, so those whose two samples are both inside the frame come first.
  let inside = 0;
  while (inside < width && columns.second[inside]! >= 0) inside++;
  // The blended source rows the current output row lies between, kept for the next output rows.
  let upper = new Float64Array(rowLength);
  let lower = new Float64Array(rowLength);
  let upperRow = Number.NaN;
  let lowerRow = Number.NaN;
  for (let y = 0; y < height; y++) {
    const top = rows.first[y]!;
    const dy = rows.weight[y]!;
    if (top !== upperRow) {
      if (top === lowerRow) {
        const blended = upper;
        upper = lower;
        lower = blended;
        lowerRow = upperRow;
      } else {
        blendRow(frame.data, top, columns, inside, upper);
      }
      upperRow = top;
    }
    const base = y * rowLength;
    if (dy === 0) {
      // top + (bottom − top) × 0 is top.
      out.set(upper, base);
      continue;
    }
    const bottom = rows.second[y]!;
    if (bottom !== lowerRow) {
      blendRow(frame.data, bottom, columns, inside, lower);
      lowerRow = bottom;
    }
    for (let i = 0; i < rowLength; i++) {
      const topValue = upper[i]!;
      out[base + i] = topValue + (lower[i]! - topValue) * dy;
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

/**
 * A model's input array, kept from one run for the next: a fresh array is zeroed memory the system
 * must hand over page by page, which costs about as much as filling it (a 512² image is 3 MiB). A
 * run that starts while another holds the array, or that needs another length, gets a fresh one;
 * the longer of the two is kept.
 */
export class ReusedInput {
  #spare: Float32Array | undefined;

  /** Fills an array of `length` with `fill` and hands it to `run`; the array is kept once `run` has settled. */
  async use<T>(length: number, fill: (array: Float32Array) => void, run: (array: Float32Array) => Promise<T>): Promise<T> {
    const reused = this.#spare?.length === length;
    const array = reused ? this.#spare! : new Float32Array(length);
    if (reused) this.#spare = undefined;
    fill(array);
    try {
      return await run(array);
    } finally {
      if (!this.#spare || this.#spare.length <= length) this.#spare = array;
    }
  }
}
