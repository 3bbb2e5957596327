import type { MotionDirection, SpeedWord } from '../motion/tracks.ts';
import type { PersonNoun, PersonRecord } from '../people/describe.ts';
import type { Brightness, Colourfulness, ColourName, Contrast } from '../scene/colours.ts';
import type { SettingName, Viewpoint } from '../scene/setting.ts';
import type { Surface, ThingShape, ThingSize } from '../scene/things.ts';

/** Coarse 3×3 place in the frame, or spread over it (several objects, no majority place). */
export const POSITIONS = [
  'top-left',
  'top',
  'top-right',
  'left',
  'center',
  'right',
  'bottom-left',
  'bottom',
  'bottom-right',
  'across',
] as const;
export type Position = (typeof POSITIONS)[number];

export const CAMERA_MOVES = ['static', 'pan-left', 'pan-right', 'tilt-up', 'tilt-down', 'zoom-in', 'zoom-out'] as const;
export type CameraMove = (typeof CAMERA_MOVES)[number];

export interface ObjectCount {
  /** COCO class id 0..79. */
  readonly classId: number;
  readonly count: number;
  readonly position: Position;
  /** The colour most of the group's boxes share, when one does. */
  readonly colour: ColourName | null;
}

/** Where the frame was taken, with how sure the describer is (percent). */
export interface SettingRecord {
  readonly place: SettingName;
  readonly confidence: number;
  readonly viewpoint: Viewpoint;
}

export interface ContentRecord {
  readonly kind: 'content';
  readonly brightness: Brightness;
  readonly contrast: Contrast;
  readonly colourfulness: Colourfulness;
  /** One or two palette colours, most common first. */
  readonly colours: readonly ColourName[];
  readonly objects: readonly ObjectCount[];
  /** Text read in the frame, already sanitised (see `sanitiseReadText`). */
  readonly texts: readonly string[];
  /** People seen with a body pose; they stand in for the detector's "person" group. */
  readonly people: readonly PersonRecord[];
  readonly setting: SettingRecord | null;
  /** A plain background most of the frame shows (none when the frame is busy). */
  readonly surface: Surface | null;
  /** Things on that surface no detector class names. */
  readonly things: readonly ThingRecord[];
}

/** Something the detector has no class for, told by its size, shape and colour. */
export interface ThingRecord {
  readonly size: ThingSize;
  readonly shape: ThingShape;
  readonly colour: ColourName | null;
  readonly position: Position;
}

export interface ObjectMotion {
  readonly classId: number;
  readonly count: number;
  readonly direction: MotionDirection;
  readonly speed: SpeedWord;
  /** For people (class 0): man, woman… when the faces told; otherwise "person". */
  readonly noun: PersonNoun;
}

/** New actions go at the end: the structured form stores an action as its index here. */
export const PERSON_ACTIONS = [
  'turn-head',
  'gesture',
  'raise-arms',
  'turn-head-left',
  'turn-head-right',
  'tilt-head',
  'gesture-one-hand',
  'gesture-at-chest',
  'sign',
] as const;
export type PersonAction = (typeof PERSON_ACTIONS)[number];

/**
 * Something people do without going anywhere: turning their heads (to the left or right as seen in
 * the frame; plain `turn-head` when they turn and come back), tilting them, gesturing (with one hand,
 * one hand at the chest, or both: `gesture`), signing (both hands moving in front of the upper body).
 */
export interface ActionRecord {
  readonly noun: PersonNoun;
  readonly count: number;
  readonly action: PersonAction;
}

export interface AreaMotion {
  readonly position: Position;
  readonly direction: MotionDirection;
  readonly speed: SpeedWord;
}

export interface MotionRecord {
  readonly kind: 'motion';
  readonly camera: CameraMove;
  readonly cameraSpeed: SpeedWord;
  readonly objects: readonly ObjectMotion[];
  /** Moving regions no detected object accounts for. */
  readonly areas: readonly AreaMotion[];
  readonly actions: readonly ActionRecord[];
  /** The plain background the clip shows, if any. */
  readonly surface: Surface | null;
  /** The unnamed thing on that surface that moves (or stays), with the first area's motion. */
  readonly thing: Omit<ThingRecord, 'position'> | null;
  /**
   * Goods (food, bottles…) all travelling sideways the same way past a static camera: evidence of
   * a conveyor belt, said with "likely".
   */
  readonly conveyor: boolean;
}

export type DescriptionRecord = ContentRecord | MotionRecord;

/** Limits the structured form enforces, so a decoder never allocates without bound. */
export const RECORD_LIMITS = {
  classes: 80,
  maxCount: 999,
  maxObjects: 8,
  maxTexts: 4,
  maxTextChars: 48,
  maxAreas: 4,
  maxColours: 2,
  maxPeople: 6,
  maxActions: 4,
  maxThings: 2,
} as const;

/**
 * Canonical form of text read from a frame: NFC, control characters removed, whitespace runs
 * collapsed to one space, trimmed, at most `maxTextChars` code points.
 */
export function sanitiseReadText(text: string): string {
  const cleaned = text
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return Array.from(cleaned).slice(0, RECORD_LIMITS.maxTextChars).join('').trim();
}

/** Position of a box centre on the 3×3 grid. */
export function positionOf(centreX: number, centreY: number): Position {
  const column = centreX < 1 / 3 ? 0 : centreX > 2 / 3 ? 2 : 1;
  const row = centreY < 1 / 3 ? 0 : centreY > 2 / 3 ? 2 : 1;
  return POSITIONS[row * 3 + column] as Position;
}
