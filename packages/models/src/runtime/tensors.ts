import type { RgbFrame } from '../types.ts';
import type { Tf } from './tf.ts';

type Tensor4D = import('@tensorflow/tfjs').Tensor4D;

/**
 * Stacks frames into one float batch [n, height, width, 3] resized to `height`x`width`
 * with pixel values left in 0..255. Caller owns the result.
 */
export function framesToBatch(tf: Tf, frames: readonly RgbFrame[], height: number, width: number, alignCorners = false): Tensor4D {
  return tf.tidy(() => {
    const resized = frames.map((frame) => {
      const pixels = tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32').toFloat();
      return frame.height === height && frame.width === width ? pixels : tf.image.resizeBilinear(pixels, [height, width], alignCorners);
    });
    return tf.stack(resized) as Tensor4D;
  });
}
