import type { Box } from '../types.ts';
import type { HandPose, PersonNoun } from '../people/describe.ts';
import type { BodyPose, Keypoint } from '../people/pose.ts';
import type { HeadPose } from '../people/head.ts';
import { centreOf, linkTracks } from '../motion/tracks.ts';
import type { ActionRecord, PersonAction } from './record.ts';

/** One person followed over a clip's sampled frames by their pose boxes. */
export interface PoseTrack {
  /** Mean box over the track. */
  readonly box: Box;
  readonly poses: readonly BodyPose[];
  /** Index of each pose's sampled frame. */
  readonly frames: readonly number[];
  /** Face-mesh head pose for each pose, null where the face was not measured. */
  readonly heads?: readonly (HeadPose | null)[];
}

export interface TrackedPerson extends PoseTrack {
  readonly noun: PersonNoun;
}

/**
 * Thresholds, all relative to the person's own size so near and far people are judged alike:
 * a head turns when the nose's offset from between the eyes (in eye distances) spans `headTurn`;
 * hands gesture when a wrist's spread (standard deviation, in shoulder widths) reaches `gesture`
 * while the body stays within `stayPut` box widths; both hands moving sign when each spends `inZone`
 * of its frames in front of the upper body (one hand moving is at the chest by the same share);
 * a track needs `minPoses` sampled frames.
 * With face-mesh head poses, a head turns when its yaw changes by `turnDegrees` (to one side when the
 * last pose differs from the first by that much) and tilts when its roll spans `tiltDegrees`;
 * the mesh wobbles by a few degrees on a still face, well below both.
 */
export const ACTION_THRESHOLDS = { headTurn: 0.6, turnDegrees: 20, tiltDegrees: 15, gesture: 0.2, inZone: 0.6, stayPut: 0.3, minPoses: 3, keypoint: 0.3 } as const;

const seen = (p: Keypoint): boolean => p.score >= ACTION_THRESHOLDS.keypoint;

/** Follows confirmed poses across frames. */
export function trackPoses(frames: readonly (readonly BodyPose[])[]): PoseTrack[] {
  const tracks = linkTracks(frames.map((poses) => poses.map((pose) => ({ classId: 0, box: pose.box, pose }))));
  return tracks
    .filter((track) => track.points.length >= ACTION_THRESHOLDS.minPoses)
    .map((track) => {
      const boxes = track.points.map((p) => p.observation.box);
      const n = boxes.length;
      const box = {
        x: boxes.reduce((s, b) => s + b.x, 0) / n,
        y: boxes.reduce((s, b) => s + b.y, 0) / n,
        width: boxes.reduce((s, b) => s + b.width, 0) / n,
        height: boxes.reduce((s, b) => s + b.height, 0) / n,
      };
      return { box, poses: track.points.map((p) => p.observation.pose), frames: track.points.map((p) => p.frame) };
    });
}

/** How far the head is turned: the nose's offset from between the eyes in eye distances; ±1 when one eye is hidden. */
export function headYaw(pose: BodyPose): number | undefined {
  const { nose, leftEye, rightEye } = pose.keypoints;
  if (!seen(nose)) return undefined;
  if (seen(leftEye) && seen(rightEye)) {
    const distance = Math.abs(leftEye.x - rightEye.x);
    if (distance <= 1e-4) return undefined;
    return (nose.x - (leftEye.x + rightEye.x) / 2) / distance;
  }
  if (seen(leftEye)) return 1;
  if (seen(rightEye)) return -1;
  return undefined;
}

interface WristPath {
  /** The wrist's spread reaches the gesture threshold. */
  readonly moves: boolean;
  /** Share of the frames with the wrist in front of the upper body (signing space) and at the chest. */
  readonly share: { readonly signing: number; readonly chest: number };
}

/**
 * Where one wrist goes relative to the shoulders, in shoulder widths (x from the shoulders' middle,
 * y down from the shoulder line). Signing space reaches from above the head to the lower chest and
 * 1.5 widths to each side; the chest is the torso's width from the shoulder line down 1.1 widths.
 * Undefined when the wrist is seen in too few frames.
 */
function wristPath(poses: readonly BodyPose[], side: 'leftWrist' | 'rightWrist'): WristPath | undefined {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const pose of poses) {
    const { leftShoulder, rightShoulder } = pose.keypoints;
    const wrist = pose.keypoints[side];
    if (!seen(wrist) || !seen(leftShoulder) || !seen(rightShoulder)) continue;
    const width = Math.abs(leftShoulder.x - rightShoulder.x);
    if (width <= 1e-3) continue;
    xs.push((wrist.x - (leftShoulder.x + rightShoulder.x) / 2) / width);
    ys.push((wrist.y - (leftShoulder.y + rightShoulder.y) / 2) / width);
  }
  if (xs.length < ACTION_THRESHOLDS.minPoses) return undefined;
  const inside = (test: (x: number, y: number) => boolean): number => xs.filter((x, i) => test(x, ys[i]!)).length / xs.length;
  return {
    moves: Math.max(spread(xs), spread(ys)) >= ACTION_THRESHOLDS.gesture,
    share: {
      signing: inside((x, y) => Math.abs(x) <= 1.5 && y >= -1.5 && y <= 1.1),
      chest: inside((x, y) => Math.abs(x) <= 0.6 && y >= -0.1 && y <= 1.1),
    },
  };
}

function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
}

/**
 * How the head moves from face-mesh poses: turned to one side, turned and back, tilted; undefined when
 * too few faces were measured to judge, so the body keypoints decide instead.
 */
export function headActionsOf(heads: readonly (HeadPose | null)[]): PersonAction[] | undefined {
  const measured = heads.filter((head): head is HeadPose => head !== null);
  if (measured.length < ACTION_THRESHOLDS.minPoses) return undefined;
  const yaws = measured.map((head) => head.yaw);
  const rolls = measured.map((head) => head.roll);
  const net = yaws[yaws.length - 1]! - yaws[0]!;
  const actions: PersonAction[] = [];
  // Yaw grows as the face turns towards the frame's right.
  if (Math.abs(net) >= ACTION_THRESHOLDS.turnDegrees) actions.push(net > 0 ? 'turn-head-right' : 'turn-head-left');
  else if (Math.max(...yaws) - Math.min(...yaws) >= ACTION_THRESHOLDS.turnDegrees) actions.push('turn-head');
  else if (Math.max(...rolls) - Math.min(...rolls) >= ACTION_THRESHOLDS.tiltDegrees) actions.push('tilt-head');
  return actions;
}

/** The actions one tracked person performs in place. */
export function actionsOf(track: PoseTrack, handsOf: (pose: BodyPose) => HandPose): PersonAction[] {
  const fromMesh = track.heads ? headActionsOf(track.heads) : undefined;
  const actions: PersonAction[] = fromMesh ?? [];
  const yaws = track.poses.map(headYaw).filter((yaw): yaw is number => yaw !== undefined);
  if (!fromMesh && yaws.length >= ACTION_THRESHOLDS.minPoses && Math.max(...yaws) - Math.min(...yaws) >= ACTION_THRESHOLDS.headTurn) actions.push('turn-head');

  const first = centreOf(track.poses[0]!.box);
  const last = centreOf(track.poses[track.poses.length - 1]!.box);
  const staysPut = Math.hypot(last.x - first.x, last.y - first.y) < ACTION_THRESHOLDS.stayPut * track.box.width;
  const hands = track.poses.map(handsOf);
  if (hands[0] !== 'raised' && hands.filter((h) => h === 'raised').length * 3 >= hands.length) actions.push('raise-arms');
  else if (staysPut) {
    const moving = (['leftWrist', 'rightWrist'] as const).map((side) => wristPath(track.poses, side)).filter((path) => path !== undefined && path.moves);
    const share = (path: WristPath | undefined, zone: keyof WristPath['share']): number => path?.share[zone] ?? 0;
    if (moving.length === 2 && moving.every((path) => share(path, 'signing') >= ACTION_THRESHOLDS.inZone)) actions.push('sign');
    else if (moving.length === 2) actions.push('gesture');
    else if (moving.length === 1) actions.push(share(moving[0], 'chest') >= ACTION_THRESHOLDS.inZone ? 'gesture-at-chest' : 'gesture-one-hand');
  }
  return actions;
}

/** Actions grouped by who does them: "two people turn their heads". */
export function summariseActions(people: readonly TrackedPerson[], handsOf: (pose: BodyPose) => HandPose): ActionRecord[] {
  const groups = new Map<string, { noun: PersonNoun; action: PersonAction; count: number }>();
  for (const person of people) {
    for (const action of actionsOf(person, handsOf)) {
      const key = `${person.noun}/${action}`;
      const group = groups.get(key) ?? { noun: person.noun, action, count: 0 };
      group.count += 1;
      groups.set(key, group);
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
