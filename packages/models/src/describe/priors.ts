import type { Detection } from '../types.ts';
import type { BodyPose } from '../people/pose.ts';

const PERSON = 0;
const CAR = 2;
/** Hand-held things the detectors also see in cars and other shapes seen from above. */
const HAND_HELD = new Set([65, 67]); // remote, cell phone
/** A hand-held thing this large (share of the frame) is a close-up, not a misread car. */
const CLOSE_UP_AREA = 0.05;

function near(detection: Detection, pose: BodyPose): boolean {
  const margin = Math.max(pose.box.width, pose.box.height) * 0.25;
  const { x, y, width, height } = detection.box;
  const cx = x + width / 2;
  const cy = y + height / 2;
  return cx >= pose.box.x - margin && cx <= pose.box.x + pose.box.width + margin && cy >= pose.box.y - margin && cy <= pose.box.y + pose.box.height + margin;
}

/**
 * Context priors over one frame's detections. Phones and remotes are held by someone: without a
 * person (detected or posed) around them, several of them in one frame are cars seen from above
 * (the systematic error on overhead parking footage), and a single small one is dropped. A large
 * one alone is a close-up and kept.
 */
export function refineDetections(detections: readonly Detection[], poses: readonly BodyPose[]): Detection[] {
  const holders = [
    ...poses,
    ...detections.filter((d) => d.classId === PERSON).map((d) => ({ box: d.box, score: d.score, keypoints: {} }) as BodyPose),
  ];
  const orphans = detections.filter((d) => HAND_HELD.has(d.classId) && !holders.some((pose) => near(d, pose)));
  if (orphans.length === 0) return [...detections];
  const keep = detections.filter((d) => !orphans.includes(d));
  if (orphans.length >= 2) return [...keep, ...orphans.map((d) => ({ ...d, classId: CAR, label: 'car' }))];
  const [only] = orphans;
  return only && only.box.width * only.box.height >= CLOSE_UP_AREA ? [...detections] : keep;
}
