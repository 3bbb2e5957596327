import type { RgbFrame } from '../types.ts';

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
  const pixel = (x: number, y: number, c: number): number => (x < frame.width && y < frame.height ? data[(y * frame.width + x) * 3 + c]! : 0);

  // Per output column: the two source columns and the weight of the right one.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const weightX = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const source = x * scaleX;
    left[x] = Math.floor(source);
    right[x] = Math.min(left[x]! + 1, sourceWidth - 1);
    weightX[x] = source - left[x]!;
  }
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const source = y * scaleY;
    const top = Math.floor(source);
    const bottom = Math.min(top + 1, sourceHeight - 1);
    const dy = source - top;
    for (let x = 0; x < width; x++) {
      const dx = weightX[x]!;
      for (let c = 0; c < 3; c++) {
        const topValue = pixel(left[x]!, top, c) + (pixel(right[x]!, top, c) - pixel(left[x]!, top, c)) * dx;
        const bottomValue = pixel(left[x]!, bottom, c) + (pixel(right[x]!, bottom, c) - pixel(left[x]!, bottom, c)) * dx;
        out[(y * width + x) * 3 + c] = topValue + (bottomValue - topValue) * dy;
      }
    }
  }
  return out;
}
