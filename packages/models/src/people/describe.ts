import type { Box, RgbFrame } from '../types.ts';
import { positionOf, type Position } from '../describe/record.ts';
import { regionColour } from '../scene/regions.ts';
import type { ColourName } from '../scene/colours.ts';
import type { Expression, FaceAttributes } from './face.ts';
import type { BodyPose, Keypoint } from './pose.ts';
import type { HandBox } from './hands.ts';

export const PERSON_NOUNS = ['person', 'man', 'woman', 'boy', 'girl'] as const;
export type PersonNoun = (typeof PERSON_NOUNS)[number];
export const AGE_WORDS = ['any', 'young', 'older'] as const;
export type AgeWord = (typeof AGE_WORDS)[number];
/** Expressions worth naming; `none` when neutral or unsure. */
export const EXPRESSION_WORDS = ['none', 'smiling', 'surprised', 'sad', 'angry', 'afraid', 'disgusted'] as const;
export type ExpressionWord = (typeof EXPRESSION_WORDS)[number];
export const POSTURES = ['unknown', 'standing', 'sitting'] as const;
export type Posture = (typeof POSTURES)[number];
/** New poses go at the end: the binary record stores the index. */
export const HAND_POSES = ['none', 'raised', 'at-chest', 'at-face', 'at-mouth', 'both-raised', 'both-at-chest'] as const;
export type HandPose = (typeof HAND_POSES)[number];
/** How the picture frames a person: `close-up` when the face fills much of it. */
export const FRAMINGS = ['normal', 'close-up'] as const;
export type Framing = (typeof FRAMINGS)[number];
/** What the clothing colour is of: the upper body, or a dress (one colour from shoulders to knees). */
export const GARMENTS = ['top', 'dress'] as const;
export type Garment = (typeof GARMENTS)[number];

/** What a keyframe shows of one person. */
export interface PersonRecord {
  readonly noun: PersonNoun;
  readonly age: AgeWord;
  readonly expression: ExpressionWord;
  readonly posture: Posture;
  readonly hands: HandPose;
  /** Colour of the upper body's clothing, when one colour clearly dominates it. */
  readonly top: ColourName | null;
  readonly position: Position;
  readonly framing: Framing;
  /** The face is turned to the camera (nose midway between the eyes). */
  readonly facing: boolean;
  readonly garment: Garment;
}

/**
 * Decision thresholds. Gender is named only when FaceRes is sure (maleness below `woman` or above
 * `man`); an expression only at `expression` probability or more; keypoints count at `keypoint`.
 */
export const PEOPLE_THRESHOLDS = {
  woman: 0.35,
  man: 0.65,
  child: 13,
  young: 30,
  older: 60,
  expression: 0.6,
  keypoint: 0.3,
  /** Close-up: the face (three eye distances) is at least this share of the frame's height. */
  closeUpFace: 0.25,
  /** Facing the camera: the nose at most this many eye distances off the eyes' midpoint. */
  facingOffset: 0.2,
} as const;

const EXPRESSION_WORD: Readonly<Record<Expression, ExpressionWord>> = {
  neutral: 'none',
  happy: 'smiling',
  surprised: 'surprised',
  sad: 'sad',
  angry: 'angry',
  afraid: 'afraid',
  disgusted: 'disgusted',
};

const seen = (p: Keypoint): boolean => p.score >= PEOPLE_THRESHOLDS.keypoint;
const mid = (a: Keypoint, b: Keypoint): { x: number; y: number } => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

export function nounFor(face: FaceAttributes | null): { noun: PersonNoun; age: AgeWord } {
  if (!face) return { noun: 'person', age: 'any' };
  const t = PEOPLE_THRESHOLDS;
  const gender = face.maleness <= t.woman ? 'female' : face.maleness >= t.man ? 'male' : undefined;
  if (face.age < t.child) return { noun: gender === 'female' ? 'girl' : gender === 'male' ? 'boy' : 'person', age: 'any' };
  const age: AgeWord = face.age <= t.young ? 'young' : face.age >= t.older ? 'older' : 'any';
  return { noun: gender === 'female' ? 'woman' : gender === 'male' ? 'man' : 'person', age };
}

/**
 * Standing when the thighs are upright (knee well below hip), sitting when they are level;
 * unknown when hips or knees are not visible.
 */
export function postureOf(pose: BodyPose): Posture {
  const k = pose.keypoints;
  const pairs: [Keypoint, Keypoint][] = [
    [k.leftHip, k.leftKnee],
    [k.rightHip, k.rightKnee],
  ];
  const visible = pairs.filter(([hip, knee]) => seen(hip) && seen(knee));
  if (visible.length === 0 || !seen(k.leftShoulder) || !seen(k.rightShoulder)) return 'unknown';
  const shoulders = mid(k.leftShoulder, k.rightShoulder);
  const hips = mid(k.leftHip, k.rightHip);
  const torso = Math.abs(hips.y - shoulders.y);
  if (torso <= 0) return 'unknown';
  const drop = visible.reduce((sum, [hip, knee]) => sum + (knee.y - hip.y), 0) / visible.length;
  if (drop > 0.6 * torso) return 'standing';
  if (drop < 0.35 * torso) return 'sitting';
  return 'unknown';
}

/**
 * Where the hands are, from the wrists: near the face (within 0.6 shoulder widths of the nose),
 * raised (above the shoulders), or at the chest (between shoulders and hips, inside the body's width).
 */
export function handsOf(pose: BodyPose): HandPose {
  const k = pose.keypoints;
  if (!seen(k.leftShoulder) || !seen(k.rightShoulder)) return 'none';
  const shoulders = mid(k.leftShoulder, k.rightShoulder);
  const width = Math.abs(k.leftShoulder.x - k.rightShoulder.x);
  if (width <= 0) return 'none';
  const hipsY = seen(k.leftHip) && seen(k.rightHip) ? mid(k.leftHip, k.rightHip).y : shoulders.y + width * 1.5;
  const wrists = [k.leftWrist, k.rightWrist].filter(seen);
  if (seen(k.nose) && wrists.some((w) => Math.hypot(w.x - k.nose.x, w.y - k.nose.y) < 0.6 * width)) return 'at-face';
  if (wrists.some((w) => w.y < shoulders.y - 0.25 * width)) return 'raised';
  const left = Math.min(k.leftShoulder.x, k.rightShoulder.x) - 0.1 * width;
  const right = Math.max(k.leftShoulder.x, k.rightShoulder.x) + 0.1 * width;
  const chestBottom = shoulders.y + 0.75 * (hipsY - shoulders.y);
  if (wrists.some((w) => w.x >= left && w.x <= right && w.y >= shoulders.y - 0.1 * width && w.y <= chestBottom)) return 'at-chest';
  return 'none';
}

/**
 * Where a person's hands are, from hand boxes (handtrack), all measured in the person's own shoulder
 * widths or eye distances so near and far people are judged alike: a hand is at the mouth within
 * `mouth` eye distances of the mouth (taken `mouthDrop` eye distances below the nose), at the face
 * within `face` eye distances of the nose, raised above the shoulders by `raised` shoulder widths,
 * at the chest in the zone `ACTION_THRESHOLDS`' gestures use (0.6 widths to each side, from just
 * above the shoulders down 1.1 widths). A box longer than `maxSize` shoulder widths, or one holding
 * both eyes, is not a hand (handtrack reads some faces as fists). Undefined when no box is usable or the shoulders are not seen, so the
 * wrists decide instead.
 */
export const HAND_RULES = { mouth: 1.3, mouthDrop: 0.6, face: 2.5, raised: 0.25, maxSize: 0.8, eyesPerShoulder: 0.3 } as const;

/** Whether hand boxes can place this person's hands: `handsFromBoxes` measures them from both shoulders. */
export function handsMeasurable(pose: BodyPose): boolean {
  return seen(pose.keypoints.leftShoulder) && seen(pose.keypoints.rightShoulder);
}

export function handsFromBoxes(pose: BodyPose, hands: readonly HandBox[], width: number, height: number): HandPose | undefined {
  const k = pose.keypoints;
  if (!handsMeasurable(pose)) return undefined;
  const px = (p: { x: number; y: number }): { x: number; y: number } => ({ x: p.x * width, y: p.y * height });
  const [left, right] = [px(k.leftShoulder), px(k.rightShoulder)];
  const shoulders = { x: (left.x + right.x) / 2, y: (left.y + right.y) / 2 };
  const span = Math.hypot(left.x - right.x, left.y - right.y);
  if (span <= 0) return undefined;
  const r = HAND_RULES;
  const inside = (box: Box, p: Keypoint): boolean => seen(p) && p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height;
  const centres = hands
    .filter((hand) => Math.max(hand.box.width * width, hand.box.height * height) <= r.maxSize * span)
    .filter((hand) => !(inside(hand.box, k.leftEye) && inside(hand.box, k.rightEye)))
    .map((hand) => px({ x: hand.box.x + hand.box.width / 2, y: hand.box.y + hand.box.height / 2 }));
  if (centres.length === 0) return undefined;
  const nose = seen(k.nose) ? px(k.nose) : undefined;
  const eyes = seen(k.leftEye) && seen(k.rightEye) ? Math.hypot((k.leftEye.x - k.rightEye.x) * width, (k.leftEye.y - k.rightEye.y) * height) : r.eyesPerShoulder * span;
  const places = centres.map((c) => {
    if (nose && Math.hypot(c.x - nose.x, c.y - (nose.y + r.mouthDrop * eyes)) <= r.mouth * eyes) return 'at-mouth';
    if (nose && Math.hypot(c.x - nose.x, c.y - nose.y) <= r.face * eyes) return 'at-face';
    if (c.y < shoulders.y - r.raised * span) return 'raised';
    if (Math.abs(c.x - shoulders.x) <= 0.6 * span && c.y >= shoulders.y - 0.1 * span && c.y <= shoulders.y + 1.1 * span) return 'at-chest';
    return 'none';
  });
  const count = (place: string): number => places.filter((p) => p === place).length;
  if (count('at-mouth') > 0) return 'at-mouth';
  if (count('at-face') > 0) return 'at-face';
  if (count('raised') > 1) return 'both-raised';
  if (count('raised') === 1) return 'raised';
  if (count('at-chest') > 1) return 'both-at-chest';
  if (count('at-chest') === 1) return 'at-chest';
  return 'none';
}

/** The upper body between the shoulders and the hips (or the upper part of the box without them). */
export function torsoBox(pose: BodyPose): Box {
  const k = pose.keypoints;
  if (seen(k.leftShoulder) && seen(k.rightShoulder)) {
    const x1 = Math.min(k.leftShoulder.x, k.rightShoulder.x);
    const x2 = Math.max(k.leftShoulder.x, k.rightShoulder.x);
    const top = mid(k.leftShoulder, k.rightShoulder).y;
    const bottom = seen(k.leftHip) && seen(k.rightHip) ? mid(k.leftHip, k.rightHip).y : Math.min(1, top + (x2 - x1) * 1.2);
    const width = x2 - x1;
    // The middle of the torso: arms and background stay out.
    return { x: x1 + width * 0.2, y: top + (bottom - top) * 0.15, width: width * 0.6, height: Math.max(0.01, (bottom - top) * 0.6) };
  }
  const { x, y, width, height } = pose.box;
  return { x: x + width * 0.3, y: y + height * 0.25, width: width * 0.4, height: height * 0.25 };
}

/** Close-up when the face, about three eye distances tall, fills PEOPLE_THRESHOLDS.closeUpFace of the frame's height. */
export function framingOf(pose: BodyPose, width: number, height: number): Framing {
  const k = pose.keypoints;
  if (!seen(k.leftEye) || !seen(k.rightEye)) return 'normal';
  const eyes = Math.hypot((k.leftEye.x - k.rightEye.x) * width, (k.leftEye.y - k.rightEye.y) * height);
  return eyes * 3 >= PEOPLE_THRESHOLDS.closeUpFace * height ? 'close-up' : 'normal';
}

/** Facing the camera: both eyes seen and the nose near their midpoint (a turned head moves the nose toward one eye). */
export function facingOf(pose: BodyPose): boolean {
  const k = pose.keypoints;
  if (!seen(k.nose) || !seen(k.leftEye) || !seen(k.rightEye)) return false;
  const eyes = Math.abs(k.leftEye.x - k.rightEye.x);
  return eyes > 0 && Math.abs(k.nose.x - (k.leftEye.x + k.rightEye.x) / 2) <= PEOPLE_THRESHOLDS.facingOffset * eyes;
}

/** Between the hips and the knees, the middle half of the hips' width; null when they are not seen. */
export function thighsBox(pose: BodyPose): Box | null {
  const k = pose.keypoints;
  if (!seen(k.leftHip) || !seen(k.rightHip) || !(seen(k.leftKnee) || seen(k.rightKnee))) return null;
  const hips = mid(k.leftHip, k.rightHip);
  const knees = [k.leftKnee, k.rightKnee].filter(seen);
  const kneeY = knees.reduce((sum, knee) => sum + knee.y, 0) / knees.length;
  const width = Math.max(Math.abs(k.leftHip.x - k.rightHip.x), 0.01);
  if (kneeY <= hips.y) return null;
  return { x: hips.x - width / 2, y: hips.y + (kneeY - hips.y) * 0.2, width, height: (kneeY - hips.y) * 0.6 };
}

/** `hands`: the person's hand boxes where a hand detector ran; the wrists decide where it found none. */
export function personRecord(frame: RgbFrame, pose: BodyPose, face: FaceAttributes | null, hands: readonly HandBox[] = []): PersonRecord {
  const { noun, age } = nounFor(face);
  const top = regionColour(frame, torsoBox(pose));
  const thighs = thighsBox(pose);
  // One colour from the shoulders down past the hips, on a woman or girl: a dress.
  const dress = (noun === 'woman' || noun === 'girl') && top !== null && thighs !== null && regionColour(frame, thighs) === top;
  const expression = face && face.expressionScore >= PEOPLE_THRESHOLDS.expression ? EXPRESSION_WORD[face.expression] : 'none';
  const centre = { x: pose.box.x + pose.box.width / 2, y: pose.box.y + pose.box.height / 2 };
  return {
    noun,
    age,
    expression,
    posture: postureOf(pose),
    hands: handsFromBoxes(pose, hands, frame.width, frame.height) ?? handsOf(pose),
    top,
    position: positionOf(centre.x, centre.y),
    framing: framingOf(pose, frame.width, frame.height),
    facing: facingOf(pose),
    garment: dress ? 'dress' : 'top',
  };
}
