import type { Detection } from '../types.ts';
import type { BodyPose } from '../people/pose.ts';
import { cocoLabels } from '../detect/labels.ts';
import { intersectionOverUnion } from '../motion/tracks.ts';

const PERSON = 0;
const CAR = 2;
const VASE = 75;
/** Hand-held things the detectors also see in cars and other shapes seen from above. */
const HAND_HELD = new Set([65, 67]); // remote, cell phone
/** COCO food: banana, apple, sandwich, orange, broccoli, carrot, hot dog, pizza, donut, cake. */
const FOOD = new Set([46, 47, 48, 49, 50, 51, 52, 53, 54, 55]);
/** A hand-held thing this large (share of the frame) is a close-up, not a misread car. */
const CLOSE_UP_AREA = 0.05;
/** Candidates for the same object: boxes overlapping this much. */
const SAME_BOX_IOU = 0.7;
/** Food labels on a vase's box take over when together they score at least this share of the vase's score. */
const FOOD_OVER_VASE = 0.4;
/** Vases are tall: a box whose height is less than this many times its width (in pixels) is not one. */
const VASE_MIN_ASPECT = 1.4;

function near(detection: Detection, pose: BodyPose): boolean {
  const margin = Math.max(pose.box.width, pose.box.height) * 0.25;
  const { x, y, width, height } = detection.box;
  const cx = x + width / 2;
  const cy = y + height / 2;
  return cx >= pose.box.x - margin && cx <= pose.box.x + pose.box.width + margin && cy >= pose.box.y - margin && cy <= pose.box.y + pose.box.height + margin;
}

function relabel(detection: Detection, classId: number): Detection {
  return { ...detection, classId, label: cocoLabels[classId]! };
}

export interface PriorOptions {
  /** Detections below this score are dropped after the priors have used them as evidence. */
  readonly minScore: number;
  /** Frame width over height, to judge box shapes in pixels. */
  readonly aspect: number;
}

/**
 * Context and shape priors over one frame's detection candidates, for errors the built-in
 * detectors make systematically (measured in docs/detection-eval):
 *
 * - A round "vase" whose box also scores as fruit or vegetables (together at least
 *   FOOD_OVER_VASE of the vase's score) is the best-scoring food, scored as the sum of the box's
 *   labels: on plain backgrounds CenterNet and NanoDet call apples and oranges vases.
 * - Phones and remotes are held by someone: without a person (detected or posed) around them,
 *   several in one frame are cars seen from above (overhead parking footage), and a single small
 *   one is dropped. A large one alone is a close-up and kept.
 *
 * Candidates below `minScore` serve as evidence only and are not returned.
 */
export function refineDetections(candidates: readonly Detection[], poses: readonly BodyPose[], options: PriorOptions): Detection[] {
  const resolved = candidates
    .map((detection) => {
      if (detection.classId !== VASE) return detection;
      const tall = detection.box.height / Math.max(1e-6, detection.box.width) / options.aspect >= VASE_MIN_ASPECT;
      if (tall) return detection;
      const foods = candidates.filter((other) => FOOD.has(other.classId) && intersectionOverUnion(other.box, detection.box) >= SAME_BOX_IOU);
      const evidence = foods.reduce((sum, food) => sum + food.score, 0);
      const [best] = [...foods].sort((x, y) => y.score - x.score);
      // The labels the detector spread over one box all say that an object is there: their scores add up.
      return best && evidence >= FOOD_OVER_VASE * detection.score ? { ...relabel(detection, best.classId), score: Math.min(1, detection.score + evidence) } : detection;
    })
    .filter((d) => d.score >= options.minScore);
  // A food kept on its own and the same food taken over from a vase are one object.
  const unique = resolved.filter(
    (detection, index) => !resolved.some((other, j) => j < index && other.classId === detection.classId && intersectionOverUnion(other.box, detection.box) >= SAME_BOX_IOU),
  );

  const holders = [...poses.map((pose) => pose.box), ...unique.filter((d) => d.classId === PERSON).map((d) => d.box)];
  const orphans = unique.filter((d) => HAND_HELD.has(d.classId) && !holders.some((box) => near(d, { box, score: 1, keypoints: {} } as BodyPose)));
  if (orphans.length === 0) return unique;
  const rest = unique.filter((d) => !orphans.includes(d));
  if (orphans.length >= 2) return [...rest, ...orphans.map((d) => relabel(d, CAR))];
  const [only] = orphans;
  return only && only.box.width * only.box.height >= CLOSE_UP_AREA ? unique : rest;
}
