import type { Box } from '../types.ts';

/**
 * Where something goes over a clip, relative to the scene (camera motion removed). `in-place`: an
 * object that stays where it is while its parts move (gestures), found by moving regions inside it.
 * `leaves-*` / `enters-*`: it goes out of (comes into) the picture through that edge, in fewer
 * sampled frames than its travel could be measured in (see analyse.ts, edgeCrossing).
 */
export const MOTION_DIRECTIONS = [
  'still',
  'left-to-right',
  'right-to-left',
  'up',
  'down',
  'toward',
  'away',
  'in-place',
  // Appended, so structured forms written before them read the same.
  'leaves-left',
  'leaves-right',
  'leaves-top',
  'leaves-bottom',
  'enters-left',
  'enters-right',
  'enters-top',
  'enters-bottom',
] as const;
export type MotionDirection = (typeof MOTION_DIRECTIONS)[number];

/** Whether a direction goes out of or into the picture through an edge. */
export function crossesEdge(direction: MotionDirection): boolean {
  return direction.startsWith('leaves-') || direction.startsWith('enters-');
}

export const SPEED_WORDS = ['slow', 'moderate', 'fast'] as const;
export type SpeedWord = (typeof SPEED_WORDS)[number];

/** Something seen in one sampled frame: a detection, or a moving region (classId −1). */
export interface Observation {
  readonly classId: number;
  readonly box: Box;
}

export interface TrackPoint<T extends Observation> {
  /** Index of the sampled frame. */
  readonly frame: number;
  readonly observation: T;
}

/** An object followed across sampled frames. */
export interface Track<T extends Observation> {
  readonly classId: number;
  readonly points: readonly TrackPoint<T>[];
}

/**
 * Thresholds, all in frame fractions (x by width, y by height) measured over the whole track:
 * a track moves if it travels at least MIN_TRAVEL and at least MIN_SPEED per second; it moves
 * toward/away when the log of its linear size change is at least MIN_DEPTH_CHANGE and exceeds
 * its lateral travel. Speeds below SLOW_SPEED per second are "slow", at or above FAST_SPEED "fast".
 */
export const TRACK_THRESHOLDS = {
  minTravel: 0.06,
  minSpeed: 0.03,
  minDepthChange: 0.2,
  slowSpeed: 0.12,
  fastSpeed: 0.5,
} as const;

/** Tracks may skip this many sampled frames where the detector missed the object. */
const MAX_GAP = 3;
const MIN_IOU = 0.1;
/** Without overlap, centroids may be this far apart (frame fractions) to be the same object. */
const MAX_CENTROID_JUMP = 0.25;

export function centreOf(box: Box): { x: number; y: number } {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Similarity of two boxes for matching: IoU, else a fall-off with centroid distance; 0 means no match. */
function matchScore(a: Box, b: Box): number {
  const iou = intersectionOverUnion(a, b);
  if (iou >= MIN_IOU) return 1 + iou;
  const ca = centreOf(a);
  const cb = centreOf(b);
  const jump = Math.hypot(ca.x - cb.x, ca.y - cb.y);
  const reach = Math.max(MAX_CENTROID_JUMP, (Math.max(a.width, a.height) + Math.max(b.width, b.height)) / 2);
  return jump < reach ? 1 - jump / reach : 0;
}

/** Links observations of the same class across sampled frames by greedy best-match association. */
export function linkTracks<T extends Observation>(frames: readonly (readonly T[])[]): Track<T>[] {
  interface Open {
    classId: number;
    points: TrackPoint<T>[];
  }
  const all: Open[] = [];
  frames.forEach((observations, frame) => {
    const live = all.filter((track) => frame - (track.points[track.points.length - 1]?.frame ?? -Infinity) <= MAX_GAP + 1);
    const candidates: { track: Open; index: number; score: number }[] = [];
    for (const track of live) {
      const last = track.points[track.points.length - 1]?.observation;
      if (!last) continue;
      observations.forEach((observation, index) => {
        if (observation.classId !== track.classId) return;
        const score = matchScore(last.box, observation.box);
        if (score > 0) candidates.push({ track, index, score });
      });
    }
    candidates.sort((p, q) => q.score - p.score);
    const usedTracks = new Set<Open>();
    const usedObservations = new Set<number>();
    for (const { track, index, score } of candidates) {
      if (usedTracks.has(track) || usedObservations.has(index) || score <= 0) continue;
      const observation = observations[index];
      if (!observation) continue;
      track.points.push({ frame, observation });
      usedTracks.add(track);
      usedObservations.add(index);
    }
    observations.forEach((observation, index) => {
      if (!usedObservations.has(index)) all.push({ classId: observation.classId, points: [{ frame, observation }] });
    });
  });
  return all;
}

export interface Movement {
  readonly direction: MotionDirection;
  readonly speed: SpeedWord;
}

function speedWord(perSecond: number): SpeedWord {
  if (perSecond < TRACK_THRESHOLDS.slowSpeed) return 'slow';
  return perSecond >= TRACK_THRESHOLDS.fastSpeed ? 'fast' : 'moderate';
}

/**
 * Classifies travel (dx, dy in frame fractions, already corrected for camera motion) and the log of
 * the linear size change over `seconds`.
 */
export function classifyMovement(dx: number, dy: number, logScale: number, seconds: number): Movement {
  const travel = Math.max(Math.abs(dx), Math.abs(dy));
  const duration = Math.max(seconds, 1e-6);
  if (Math.abs(logScale) >= TRACK_THRESHOLDS.minDepthChange && Math.abs(logScale) > travel) {
    return { direction: logScale > 0 ? 'toward' : 'away', speed: speedWord(Math.abs(logScale) / duration) };
  }
  if (travel < TRACK_THRESHOLDS.minTravel || travel / duration < TRACK_THRESHOLDS.minSpeed) return { direction: 'still', speed: 'slow' };
  const speed = speedWord(travel / duration);
  if (Math.abs(dx) >= Math.abs(dy)) return { direction: dx > 0 ? 'left-to-right' : 'right-to-left', speed };
  return { direction: dy > 0 ? 'down' : 'up', speed };
}
