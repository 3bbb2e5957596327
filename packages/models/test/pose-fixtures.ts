/** Poses built from a few named keypoints (frame fractions); the rest are unseen. */
import type { Box } from '../src/types.ts';
import { KEYPOINTS, type BodyPose, type Keypoint, type KeypointName } from '../src/people/index.ts';

export function pose(points: Partial<Record<KeypointName, [number, number]>>, box: Box = { x: 0.3, y: 0.1, width: 0.4, height: 0.9 }, score = 0.8): BodyPose {
  const keypoints = {} as Record<KeypointName, Keypoint>;
  for (const name of KEYPOINTS) {
    const point = points[name];
    keypoints[name] = point ? { x: point[0], y: point[1], score: 0.9 } : { x: 0, y: 0, score: 0.05 };
  }
  return { score, box, keypoints };
}

/** A person standing square to the camera: shoulders 0.2 apart, eyes 0.04 apart, nose at (0.5, 0.2). */
export const upright = {
  nose: [0.5, 0.2],
  leftEye: [0.52, 0.18],
  rightEye: [0.48, 0.18],
  leftShoulder: [0.6, 0.35],
  rightShoulder: [0.4, 0.35],
  leftHip: [0.57, 0.65],
  rightHip: [0.43, 0.65],
} as const satisfies Partial<Record<KeypointName, [number, number]>>;
