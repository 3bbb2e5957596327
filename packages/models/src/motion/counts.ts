import type { Detection } from '../types.ts';
import { intersectionOverUnion } from './tracks.ts';

/**
 * When a frame's detections count as objects. A box of a class the frame already shows with at
 * least `minScore` also counts from `supportShare` of that score, if its area is within `sizeRatio`
 * of the confident boxes' median and it overlaps (by `overlap` IoU or more) neither a counted box
 * nor a box of another class: a third bottle of a row that scores 0.33 next to two at 0.45 is a
 * bottle, while the same weak box alone in a frame, or one the detector also calls something else,
 * is not counted. Overlapping boxes of one class are one object.
 */
export const COUNT_RULES = { supportShare: 0.6, overlap: 0.5, sizeRatio: 2 } as const;

const areaOf = (d: Detection): number => d.box.width * d.box.height;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The detections of one frame that count as objects (see COUNT_RULES): the confident ones, one per
 * object, then the weaker ones of the same classes that look like more of them.
 */
export function countableDetections(detections: readonly Detection[], minScore: number): Detection[] {
  const r = COUNT_RULES;
  const counted: Detection[] = [];
  const sameObject = (d: Detection): boolean => counted.some((other) => other.classId === d.classId && intersectionOverUnion(other.box, d.box) >= r.overlap);
  const byScore = [...detections].sort((a, b) => b.score - a.score);
  for (const detection of byScore) {
    if (detection.score >= minScore && !sameObject(detection)) counted.push(detection);
  }
  const confidentArea = new Map<number, number>();
  for (const classId of new Set(counted.map((d) => d.classId))) confidentArea.set(classId, median(counted.filter((d) => d.classId === classId).map(areaOf)));
  for (const detection of byScore) {
    const typicalArea = confidentArea.get(detection.classId);
    if (detection.score >= minScore || typicalArea === undefined || detection.score < r.supportShare * minScore) continue;
    const ratio = areaOf(detection) / typicalArea;
    const otherLabel = detections.some((other) => other.classId !== detection.classId && intersectionOverUnion(other.box, detection.box) >= r.overlap);
    if (ratio <= r.sizeRatio && ratio >= 1 / r.sizeRatio && !otherLabel && !sameObject(detection)) counted.push(detection);
  }
  return counted;
}
