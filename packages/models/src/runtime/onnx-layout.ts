/**
 * TensorFlow → ONNX layout helpers shared by the converters: TF keeps images NHWC with HWIO conv
 * kernels, ONNX Conv wants NCHW with OIHW, and TF's 'SAME' padding may put the extra row or column
 * after the image rather than split evenly.
 */

/** HWIO conv kernel → OIHW. */
export function hwioToOihw(kernel: Float32Array, [h, w, i, o]: readonly number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < h!; y++)
    for (let x = 0; x < w!; x++)
      for (let c = 0; c < i!; c++)
        for (let k = 0; k < o!; k++) out[((k * i! + c) * h! + y) * w! + x] = kernel[((y * w! + x) * i! + c) * o! + k]!;
  return out;
}

/**
 * Depthwise HWCM kernel (M = channel multiplier) → grouped OIHW [C·M, 1, H, W]; output channel c·M + m, as in TF.
 * HWCM read as HWIO with one input channel and C·M outputs has exactly that order, so it is that transpose.
 */
export function hwcmToGroupedOihw(kernel: Float32Array, [h, w, c, m]: readonly number[]): Float32Array {
  return hwioToOihw(kernel, [h!, w!, 1, c! * m!]);
}

export type TfPadding = 'same' | 'valid';

export interface Window {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
}

/**
 * ONNX `pads` [top, left, bottom, right] reproducing TF padding for an input of `size` [h, w],
 * and the output size. TF 'SAME' puts the odd pixel at the bottom/right.
 */
export function tfPads(padding: TfPadding, size: readonly [number, number], window: Window): { pads: number[]; output: [number, number] } {
  const begin: number[] = [];
  const end: number[] = [];
  const output: number[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const input = size[axis]!;
    const stride = window.strides[axis]!;
    const extent = (window.kernel[axis]! - 1) * window.dilations[axis]! + 1;
    if (padding === 'same') {
      const out = Math.ceil(input / stride);
      const total = Math.max((out - 1) * stride + extent - input, 0);
      begin.push(Math.floor(total / 2));
      end.push(total - Math.floor(total / 2));
      output.push(out);
    } else {
      begin.push(0);
      end.push(0);
      output.push(Math.floor((input - extent) / stride) + 1);
    }
  }
  return { pads: [...begin, ...end], output: [output[0]!, output[1]!] };
}
