import type {
  ClipFrames,
  ContentDescription,
  Detection,
  MotionDescription,
  ObjectDetector,
  OcrLine,
  RgbFrame,
  SceneDescriber,
  SemanticTextCodec,
  TextReader,
  TimedFrame,
} from '../types.ts';
import { profiled, profiledSync } from '@cmvc/codec';
import { ModelError } from '../runtime/errors.ts';
import { assertRgbFrame } from '../runtime/frame.ts';
import { analyseMotion, type CameraMotion, type MotionAnalysis, type TimedRgbFrame } from '../motion/analyse.ts';
import { DEFAULT_ANALYSIS_WIDTH } from '../motion/flow.ts';
import { centreOf } from '../motion/tracks.ts';
import { COUNT_RULES, countableDetections } from '../motion/counts.ts';
import { analyseScene, type ColourName } from '../scene/colours.ts';
import { innerBox, regionColour } from '../scene/regions.ts';
import { inferSetting } from '../scene/setting.ts';
import { plainSurface, type Surface } from '../scene/things.ts';
import { faceBox, type FaceAnalyzer } from '../people/face.ts';
import type { HeadPose, HeadPoseEstimator } from '../people/head.ts';
import type { BodyPose, PoseEstimator } from '../people/pose.ts';
import type { HandDetector } from '../people/hands.ts';
import { handsMeasurable, handsOf, nounFor, personRecord, type PersonNoun, type PersonRecord } from '../people/describe.ts';
import { summariseActions, trackPoses, type PoseTrack, type TrackedPerson } from './actions.ts';
import { refineDetections } from './priors.ts';
import { decodeRecord, encodeRecord } from './binary.ts';
import { renderRecord } from './render.ts';
import {
  positionOf,
  RECORD_LIMITS,
  sanitiseReadText,
  type AreaMotion,
  type CameraMove,
  type ContentRecord,
  type MotionRecord,
  type ObjectCount,
  type ObjectMotion,
  type Position,
  type ThingRecord,
} from './record.ts';
import { intersectionOverUnion } from '../motion/tracks.ts';

/** The codec's contracts that the describer implements. */
export type { ClipFrames, ContentDescription, MotionDescription, SceneDescriber, SemanticTextCodec, TimedFrame } from '../types.ts';

export const SEMANTIC_CODEC_ID = 'cmvc-describer/1';

export interface DescriberOptions {
  /** Without one, descriptions carry scene and motion only and name no objects. */
  readonly detector?: ObjectDetector;
  readonly textReader?: TextReader;
  /** Body poses (MoveNet): people, their posture and hands, head turns and gestures over a clip. */
  readonly poseEstimator?: PoseEstimator;
  /** Age, gender and expression of the faces the poses locate. */
  readonly faceAnalyzer?: FaceAnalyzer;
  /** Head pose (face mesh) of the tracked people's faces over a clip: turning to a side, tilting. */
  readonly headPoseEstimator?: HeadPoseEstimator;
  /** Hands on keyframes, run only where a person was found: a hand at the mouth, both hands raised. */
  readonly handDetector?: HandDetector;
  /** Detections below this score are not described (default 0.35); weaker candidates still serve the priors as evidence. */
  readonly minDetectionScore?: number;
  /** Read text below this score is ignored (default 0.85). */
  readonly minTextScore?: number;
  /**
   * Frames of a clip used for flow and tracks, evenly spread, first and last included (2..64,
   * default 8); long clips get more, up to MIN_SAMPLES_PER_SECOND, as far as the clip has them.
   */
  readonly motionFrames?: number;
  /** Flow analysis width, 16..320 (default 160). */
  readonly analysisWidth?: number;
}

export interface KeyframeAnalysis {
  readonly record: ContentRecord;
  readonly detections: readonly Detection[];
  readonly lines: readonly OcrLine[];
  readonly poses: readonly BodyPose[];
}

export interface ClipAnalysis {
  readonly record: MotionRecord;
  readonly motion: MotionAnalysis;
}

const MAX_CONTENT_GROUPS = 6;
/**
 * Sampled frames per second of clip at least: things crossing the picture in a second or two
 * (goods on a belt, someone passing) must be seen close enough together to be linked into a track.
 */
const MIN_SAMPLES_PER_SECOND = 2.5;
/**
 * Share of the detection floor a sighting needs to carry on a track that stronger sightings started;
 * the same share as a weaker box needs to count beside confident ones, so clips and keyframes count alike.
 */
const WEAK_SIGHTING = COUNT_RULES.supportShare;
const MAX_MOTION_GROUPS = 4;
const MAX_AREAS = 3;
/** Text lines need a letter or digit and at least this many characters to be worth reporting. */
const MIN_TEXT_CHARS = 2;

/** Picks `count` indices spread evenly over `length`, first and last included. */
function spread(length: number, count: number): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - 1)) / (count - 1)));
}

/** `DescriberOptions.motionFrames` when none is given. */
export const DEFAULT_MOTION_FRAMES = 8;

/**
 * The frames of a clip its motion is measured on (indices into `frames`): `motionFrames` or, for a
 * longer clip, MIN_SAMPLES_PER_SECOND, up to 64, evenly spread with the first and last. Picking
 * again from the picked frames picks them all, so a caller may hand over only these.
 */
export function motionSampleIndices(frames: readonly TimedFrame[], motionFrames = DEFAULT_MOTION_FRAMES): number[] {
  const seconds = (frames[frames.length - 1]?.time ?? 0) - (frames[0]?.time ?? 0);
  const samples = Math.min(64, Math.max(motionFrames, Math.ceil(seconds * MIN_SAMPLES_PER_SECOND)));
  return spread(frames.length, samples);
}

/** The most common position of a group's boxes; "across" when none holds a strict majority. */
function groupPosition(detections: readonly Detection[]): Position {
  const tally = new Map<Position, { count: number; area: number }>();
  for (const detection of detections) {
    const centre = centreOf(detection.box);
    const position = positionOf(centre.x, centre.y);
    const entry = tally.get(position) ?? { count: 0, area: 0 };
    entry.count += 1;
    entry.area += detection.box.width * detection.box.height;
    tally.set(position, entry);
  }
  const [best] = [...tally.entries()].sort((a, b) => b[1].count - a[1].count || b[1].area - a[1].area);
  if (!best) return 'center';
  return best[1].count * 2 > detections.length || detections.length === 1 ? best[0] : 'across';
}

/** The colour most of a group's boxes share (from the middle of each box), or null when they disagree. */
function groupColour(frame: RgbFrame, group: readonly Detection[]): ColourName | null {
  const tally = new Map<ColourName, number>();
  for (const detection of group) {
    const colour = regionColour(frame, innerBox(detection.box));
    if (colour) tally.set(colour, (tally.get(colour) ?? 0) + 1);
  }
  const [best] = [...tally.entries()].sort((a, b) => b[1] - a[1]);
  return best && best[1] * 2 > group.length ? best[0] : null;
}

/** Poses that are people: confident on their own, or confirmed by a person detection. */
function confirmedPoses(poses: readonly BodyPose[], detections: readonly Detection[]): BodyPose[] {
  const people = detections.filter((d) => d.classId === 0);
  return poses.filter((pose) => pose.score >= 0.5 || (pose.score >= 0.3 && people.some((d) => intersectionOverUnion(d.box, pose.box) > 0.3)));
}

export function contentRecordFor(
  frame: RgbFrame,
  detections: readonly Detection[],
  lines: readonly OcrLine[],
  minTextScore = 0.75,
  people: readonly PersonRecord[] = [],
): ContentRecord {
  const scene = analyseScene(frame);
  // People with a pose are described one by one; person detections no pose accounts for stay a count.
  const personDetections = detections.filter((d) => d.classId === 0);
  const unexplainedPeople = Math.max(0, personDetections.length - people.length);
  const byClass = new Map<number, Detection[]>();
  for (const detection of people.length > 0 ? detections.filter((d) => d.classId !== 0) : detections) {
    if (!Number.isInteger(detection.classId) || detection.classId < 0 || detection.classId >= RECORD_LIMITS.classes) continue;
    byClass.set(detection.classId, [...(byClass.get(detection.classId) ?? []), detection]);
  }
  const objects: ObjectCount[] = [...byClass.entries()]
    .map(([classId, group]) => ({ classId, group, area: group.reduce((sum, d) => sum + d.box.width * d.box.height, 0) }))
    .sort((a, b) => b.area - a.area || a.classId - b.classId)
    .slice(0, MAX_CONTENT_GROUPS)
    .map(({ classId, group }) => ({
      classId,
      count: Math.min(group.length, RECORD_LIMITS.maxCount),
      position: groupPosition(group),
      colour: classId === 0 ? null : groupColour(frame, group),
    }));
  if (people.length > 0 && unexplainedPeople > 0 && objects.length < MAX_CONTENT_GROUPS) {
    const rest = [...personDetections].sort((a, b) => a.box.width * a.box.height - b.box.width * b.box.height).slice(0, unexplainedPeople);
    objects.push({ classId: 0, count: unexplainedPeople, position: groupPosition(rest), colour: null });
  }
  const texts: string[] = [];
  const ordered = [...lines].filter((line) => line.score >= minTextScore).sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  for (const line of ordered) {
    const text = sanitiseReadText(line.text);
    if (Array.from(text).length < MIN_TEXT_CHARS || !/[\p{L}\p{N}]/u.test(text) || texts.includes(text)) continue;
    texts.push(text);
    if (texts.length === RECORD_LIMITS.maxTexts) break;
  }
  // A frame with nothing named in it may still show things on a plain surface (an empty one is not worth saying).
  const found = detections.length === 0 && people.length === 0 ? plainSurface(frame) : null;
  const plain = found && found.things.length > 0 ? found : null;
  const things: ThingRecord[] = (plain?.things ?? []).slice(0, RECORD_LIMITS.maxThings).map((thing) => {
    const centre = centreOf(thing.box);
    return { size: thing.size, shape: thing.shape, colour: thing.colour, position: positionOf(centre.x, centre.y) };
  });
  return {
    kind: 'content',
    brightness: scene.brightness,
    contrast: scene.contrast,
    colourfulness: scene.colourfulness,
    colours: scene.colours,
    objects,
    texts,
    people: people.slice(0, RECORD_LIMITS.maxPeople),
    setting: settingRecord(frame, detections, people.length),
    surface: plain?.surface ?? null,
    things,
  };
}

function settingRecord(frame: RgbFrame, detections: readonly Detection[], peopleCount: number): ContentRecord['setting'] {
  const guess = inferSetting(frame, detections, peopleCount);
  return guess ? { place: guess.place, confidence: Math.round(guess.confidence * 100), viewpoint: guess.viewpoint } : null;
}

function cameraMove(camera: CameraMotion): CameraMove {
  switch (camera.kind) {
    case 'static':
      return 'static';
    case 'pan':
      return camera.dx > 0 ? 'pan-right' : 'pan-left';
    case 'tilt':
      return camera.dy > 0 ? 'tilt-down' : 'tilt-up';
    case 'zoom':
      return camera.zoom > 1 ? 'zoom-in' : 'zoom-out';
  }
}

/** COCO ids of goods a conveyor carries: bottle, cup, bowl and food. */
const GOODS = new Set([39, 41, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55]);
const SIDEWAYS = new Set(['left-to-right', 'right-to-left']);

/**
 * A conveyor belt is likely when the camera is static, no person moves, every moving tracked object
 * is goods travelling sideways the same way, and there is more than one of them, or one plus at
 * least two moving areas going the same way (more goods, or the belt itself).
 */
export function conveyorLikely(motion: MotionAnalysis): boolean {
  if (motion.camera.kind !== 'static') return false;
  const moving = motion.objects.filter((object) => object.direction !== 'still' && object.direction !== 'in-place');
  const [first] = moving;
  if (!first || !moving.every((object) => GOODS.has(object.classId) && object.direction === first.direction && SIDEWAYS.has(object.direction))) return false;
  const alike = motion.areas.filter((area) => area.direction === first.direction).length;
  const against = motion.areas.filter((area) => area.direction !== first.direction && area.direction !== 'in-place' && area.direction !== 'still').length;
  return alike >= against && (moving.length >= 2 || alike >= 2);
}

/** What a clip with nothing named in it shows on a plain surface: that surface, and the thing most frames find on it. */
export interface SurfaceInClip {
  readonly surface: Surface | null;
  readonly thing: MotionRecord['thing'];
}

export function surfaceInClip(frames: readonly RgbFrame[]): SurfaceInClip {
  const found = frames.map((frame) => plainSurface(frame));
  const surfaces = found.flatMap((plain) => (plain ? [plain.surface] : []));
  const surface = mostCommon(surfaces);
  if (!surface || surfaces.length * 2 < frames.length) return { surface: null, thing: null };
  const things = found.flatMap((plain) => (plain?.things[0] ? [plain.things[0]] : []));
  const key = mostCommon(things.map((thing) => `${thing.size}/${thing.shape}/${thing.colour}`));
  const thing = things.find((candidate) => `${candidate.size}/${candidate.shape}/${candidate.colour}` === key);
  // One sighting may be noise; a thing has to show up in two sampled frames.
  const sightings = things.filter((candidate) => `${candidate.size}/${candidate.shape}/${candidate.colour}` === key).length;
  return { surface, thing: thing && sightings >= 2 ? { size: thing.size, shape: thing.shape, colour: thing.colour } : null };
}

function mostCommon<T>(values: readonly T[]): T | undefined {
  const tally = new Map<T, number>();
  for (const value of values) tally.set(value, (tally.get(value) ?? 0) + 1);
  return [...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export interface PeopleInClip {
  /** Noun for each moving person, matched to `motion.objects` by index (class 0 only). */
  readonly nouns: ReadonlyMap<number, PersonNoun>;
  readonly actions: MotionRecord['actions'];
}

export function motionRecordFor(
  motion: MotionAnalysis,
  people: PeopleInClip = { nouns: new Map(), actions: [] },
  plain: SurfaceInClip = { surface: null, thing: null },
): MotionRecord {
  const groups = new Map<string, { -readonly [K in keyof ObjectMotion]: ObjectMotion[K] } & { order: number }>();
  const moving = motion.objects.filter((object) => object.direction !== 'still');
  // Still objects are mentioned only when nothing else moves, so a still scene still names who is in it.
  const mentioned = moving.length > 0 || motion.areas.length > 0 ? moving : motion.objects;
  // People doing something in place are named by their action instead.
  const acting = people.actions.length > 0;
  mentioned.forEach((object, order) => {
    if (acting && object.classId === 0 && (object.direction === 'in-place' || object.direction === 'still')) return;
    // Speed means nothing for objects that stay where they are; a fixed value keeps the form canonical.
    const speed = object.direction === 'still' || object.direction === 'in-place' ? 'moderate' : object.speed;
    const noun: PersonNoun = object.classId === 0 ? (people.nouns.get(motion.objects.indexOf(object)) ?? 'person') : 'person';
    const key = `${object.classId}/${object.direction}/${speed}/${noun}`;
    const group = groups.get(key);
    groups.set(key, group ? { ...group, count: Math.min(group.count + 1, RECORD_LIMITS.maxCount) } : { classId: object.classId, count: 1, direction: object.direction, speed, noun, order });
  });
  // Still objects are only listed when every tracked object is still; their tracks break up when
  // the detector misses them for a while, so the count a typical frame shows is the better count.
  for (const group of groups.values()) {
    const typical = motion.typicalCounts.get(group.classId) ?? 0;
    const stillGroupsOfClass = [...groups.values()].filter((other) => other.classId === group.classId && other.direction === 'still').length;
    if (group.direction === 'still' && typical > 0 && stillGroupsOfClass === 1) group.count = Math.min(typical, RECORD_LIMITS.maxCount);
  }
  const objects = [...groups.values()]
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .slice(0, MAX_MOTION_GROUPS)
    .map(({ classId, count, direction, speed, noun }) => ({ classId, count, direction, speed, noun }));
  const areas: AreaMotion[] = [];
  for (const area of motion.areas) {
    const centre = centreOf(area.box);
    const speed = area.direction === 'in-place' || area.direction === 'still' ? 'moderate' : area.speed;
    const phrase: AreaMotion = { position: positionOf(centre.x, centre.y), direction: area.direction, speed };
    // Two areas that read the same would only repeat the phrase.
    if (areas.some((a) => a.position === phrase.position && a.direction === phrase.direction && a.speed === phrase.speed)) continue;
    areas.push(phrase);
    if (areas.length === MAX_AREAS) break;
  }
  const camera = cameraMove(motion.camera);
  // Local movement inside an acting person is that action, not a separate area.
  const shownAreas = acting ? areas.filter((area) => area.direction !== 'in-place') : areas;
  return {
    kind: 'motion',
    camera,
    cameraSpeed: camera === 'static' ? 'moderate' : motion.cameraSpeed,
    objects,
    areas: shownAreas,
    actions: people.actions.slice(0, RECORD_LIMITS.maxActions),
    // A surface is only said of clips where nothing is named (the describer passes none otherwise).
    surface: objects.length === 0 && people.actions.length === 0 ? plain.surface : null,
    thing: objects.length === 0 && people.actions.length === 0 && plain.surface ? plain.thing : null,
    conveyor: conveyorLikely(motion),
  };
}

function validateOptions(options: DescriberOptions): Required<Pick<DescriberOptions, 'minDetectionScore' | 'minTextScore' | 'motionFrames' | 'analysisWidth'>> {
  const resolved = {
    minDetectionScore: options.minDetectionScore ?? 0.35,
    minTextScore: options.minTextScore ?? 0.85,
    motionFrames: options.motionFrames ?? DEFAULT_MOTION_FRAMES,
    analysisWidth: options.analysisWidth ?? DEFAULT_ANALYSIS_WIDTH,
  };
  for (const key of ['minDetectionScore', 'minTextScore'] as const) {
    if (!(resolved[key] >= 0 && resolved[key] <= 1)) throw new ModelError('invalid-config', `${key} must be in 0..1`);
  }
  if (!Number.isInteger(resolved.motionFrames) || resolved.motionFrames < 2 || resolved.motionFrames > 64) {
    throw new ModelError('invalid-config', 'motionFrames must be an integer in 2..64');
  }
  return resolved;
}

/**
 * Describes keyframes (objects, read text, colour and light) and clips (camera motion, tracked
 * objects, other moving areas) as text plus a structured form that `createSemanticCodec()` expands
 * back to exactly the same text.
 */
export class CmvcDescriber implements SceneDescriber {
  readonly id: string;
  private readonly settings: ReturnType<typeof validateOptions>;

  constructor(private readonly options: DescriberOptions = {}) {
    this.settings = validateOptions(options);
    const parts = [options.detector?.id, options.textReader?.id, options.poseEstimator?.id, options.faceAnalyzer?.id, options.headPoseEstimator?.id, options.handDetector?.id].filter((part): part is string => Boolean(part));
    this.id = parts.length > 0 ? `${SEMANTIC_CODEC_ID}+${parts.join('+')}` : SEMANTIC_CODEC_ID;
  }

  async analyseKeyframe(frame: RgbFrame): Promise<KeyframeAnalysis> {
    assertRgbFrame(frame, 'keyframe');
    const { detector, textReader, poseEstimator, faceAnalyzer, handDetector } = this.options;
    // One after the other: both models run on this thread, so together they would only take turns, and
    // each stage's time would include the other's.
    const detections = detector ? ((await profiled('detection', () => detector.detect([frame])))[0] ?? []) : [];
    const lines = textReader ? await profiled('ocr', () => textReader.read(frame)) : [];
    const poses = poseEstimator ? ((await profiled('people: pose', () => poseEstimator.estimate([frame])))[0] ?? []) : [];
    // Weaker candidates are refined too: beside confident boxes of their class they may be more of them.
    const refined = refineDetections(detections, poses, { minScore: this.settings.minDetectionScore * WEAK_SIGHTING, aspect: frame.width / frame.height });
    const kept = countableDetections(refined, this.settings.minDetectionScore);
    const people = confirmedPoses(poses, kept).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height).slice(0, RECORD_LIMITS.maxPeople);
    const faces = faceAnalyzer ? await profiled('people: faces', () => faceAnalyzer.analyse(frame, people)) : people.map(() => null);
    // Hand boxes place hands only from seen shoulders; without them the wrists decide, so the detector is not run.
    const measurable = people.filter(handsMeasurable);
    const found = handDetector && measurable.length > 0 ? await profiled('people: hands', () => handDetector.detect(frame, measurable.map((pose) => pose.box))) : [];
    const records = people.map((pose, i) => personRecord(frame, pose, faces[i] ?? null, found[measurable.indexOf(pose)] ?? []));
    const record = profiledSync('colours and setting', () => contentRecordFor(frame, kept, lines, this.settings.minTextScore, records));
    return { record, detections: kept, lines, poses: people };
  }

  async analyseClip(clip: ClipFrames): Promise<ClipAnalysis> {
    if (!clip || !Array.isArray(clip.frames) || clip.frames.length === 0) throw new ModelError('invalid-input', 'a clip needs at least one frame');
    const frames: TimedRgbFrame[] = motionSampleIndices(clip.frames, this.settings.motionFrames).map((i) => clip.frames[i] as TimedFrame);
    const { detector, poseEstimator } = this.options;
    const poses = poseEstimator ? await profiled('people: pose', () => poseEstimator.estimate(frames)) : frames.map((): BodyPose[] => []);
    let detections: Detection[][] | undefined;
    let weak: Detection[][] | undefined;
    let candidates: Detection[][] | undefined;
    if (detector) {
      const lists = await profiled('detection', () => detector.detect(frames));
      candidates = lists;
      // Weaker sightings only carry tracks on (analyseMotion's minScore); everything else uses the kept ones.
      weak = frames.map((frame, i) =>
        refineDetections(lists[i] ?? [], poses[i] ?? [], { minScore: this.settings.minDetectionScore * WEAK_SIGHTING, aspect: frame.width / frame.height }),
      );
      detections = weak.map((list) => countableDetections(list, this.settings.minDetectionScore));
    }
    const motion = await profiled('motion (flow, tracks)', () =>
      analyseMotion(frames, { analysisWidth: this.settings.analysisWidth, ...(weak ? { detections: weak, minScore: this.settings.minDetectionScore } : {}), ...(candidates ? { candidates } : {}) }),
    );
    const people = await this.peopleInClip(frames, poses, detections ?? frames.map(() => []), motion);
    const nothingNamed = (detections ?? []).every((list) => list.length === 0) && poses.every((list) => list.length === 0);
    const plain = nothingNamed ? profiledSync('colours and setting', () => surfaceInClip(frames)) : { surface: null, thing: null };
    return { record: motionRecordFor(motion, people, plain), motion };
  }

  /** Who the moving people are (faces on the clip's middle frame) and what they do in place. */
  private async peopleInClip(frames: readonly TimedRgbFrame[], poses: readonly BodyPose[][], detections: readonly Detection[][], motion: MotionAnalysis): Promise<PeopleInClip> {
    const confirmed = poses.map((list, i) => confirmedPoses(list, detections[i] ?? []));
    if (!confirmed.some((list) => list.length > 0)) return { nouns: new Map(), actions: [] };
    const middle = Math.floor(frames.length / 2);
    const middlePoses = confirmed[middle] ?? [];
    const { faceAnalyzer } = this.options;
    const faces =
      faceAnalyzer && middlePoses.length > 0 ? await profiled('people: faces', () => faceAnalyzer.analyse(frames[middle] as TimedRgbFrame, middlePoses)) : middlePoses.map(() => null);
    const nounOfBox = (box: Detection['box']): PersonNoun => {
      let best = -1;
      let bestOverlap = 0.1;
      middlePoses.forEach((pose, i) => {
        const overlap = intersectionOverUnion(pose.box, box);
        if (overlap > bestOverlap) {
          bestOverlap = overlap;
          best = i;
        }
      });
      return best >= 0 ? nounFor(faces[best] ?? null).noun : 'person';
    };
    const nouns = new Map<number, PersonNoun>();
    motion.objects.forEach((object, index) => {
      if (object.classId === 0) nouns.set(index, nounOfBox(object.box));
    });
    const tracks = trackPoses(confirmed);
    const heads = this.options.headPoseEstimator ? await profiled('people: head pose', () => this.headPoses(frames, tracks)) : undefined;
    const tracked: TrackedPerson[] = tracks.map((track, i) => ({ ...track, ...(heads ? { heads: heads[i] } : {}), noun: nounOfBox(track.box) }));
    return { nouns, actions: summariseActions(tracked, handsOf) };
  }

  /** Face-mesh head poses of each track's faces, one mesh batch per sampled frame, only where a face is placed. */
  private async headPoses(frames: readonly TimedRgbFrame[], tracks: readonly PoseTrack[]): Promise<(HeadPose | null)[][]> {
    const estimator = this.options.headPoseEstimator!;
    const heads = tracks.map((track) => track.poses.map((): HeadPose | null => null));
    for (let frame = 0; frame < frames.length; frame += 1) {
      const image = frames[frame]!;
      const wanted: { track: number; index: number; box: Detection['box'] }[] = [];
      tracks.forEach((track, t) => {
        const index = track.frames.indexOf(frame);
        const box = index >= 0 ? faceBox(track.poses[index]!, image.width, image.height) : null;
        if (box) wanted.push({ track: t, index, box });
      });
      if (wanted.length === 0) continue;
      const poses = await estimator.estimate(image, wanted.map((w) => w.box));
      wanted.forEach((w, i) => {
        heads[w.track]![w.index] = poses[i] ?? null;
      });
    }
    return heads;
  }

  async describeKeyframe(frame: TimedFrame): Promise<ContentDescription> {
    const { record, detections } = await this.analyseKeyframe(frame);
    return { text: renderRecord(record), semantic: encodeRecord(record), ...(this.options.detector ? { objects: detections.map((d) => d.label) } : {}) };
  }

  async describeMotion(clip: ClipFrames): Promise<MotionDescription> {
    const { record, motion } = await this.analyseClip(clip);
    return { text: renderRecord(record), semantic: encodeRecord(record), camera: motion.camera };
  }
}

export function createSceneDescriber(options: DescriberOptions = {}): CmvcDescriber {
  return new CmvcDescriber(options);
}

/** Expands the describer's structured form (either kind) back to its text. */
export function createSemanticCodec(): SemanticTextCodec {
  return { id: SEMANTIC_CODEC_ID, expand: (semantic) => renderRecord(decodeRecord(semantic)) };
}
