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
import { ModelError } from '../runtime/errors.ts';
import { assertRgbFrame } from '../runtime/frame.ts';
import { analyseMotion, type CameraMotion, type MotionAnalysis, type TimedRgbFrame } from '../motion/analyse.ts';
import { DEFAULT_ANALYSIS_WIDTH } from '../motion/flow.ts';
import { centreOf } from '../motion/tracks.ts';
import { analyseScene } from '../scene/colours.ts';
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
} from './record.ts';

/** The codec's contracts that the describer implements. */
export type { ClipFrames, ContentDescription, MotionDescription, SceneDescriber, SemanticTextCodec, TimedFrame } from '../types.ts';

export const SEMANTIC_CODEC_ID = 'cmvc-describer/1';

export interface DescriberOptions {
  /** Without one, descriptions carry scene and motion only and name no objects. */
  readonly detector?: ObjectDetector;
  readonly textReader?: TextReader;
  /** Detections below this score are ignored (default 0.35). */
  readonly minDetectionScore?: number;
  /** Read text below this score is ignored (default 0.85). */
  readonly minTextScore?: number;
  /** Frames of a clip used for flow and tracks, evenly spread, first and last included (2..64, default 8). */
  readonly motionFrames?: number;
  /** Flow analysis width, 16..320 (default 160). */
  readonly analysisWidth?: number;
}

export interface KeyframeAnalysis {
  readonly record: ContentRecord;
  readonly detections: readonly Detection[];
  readonly lines: readonly OcrLine[];
}

export interface ClipAnalysis {
  readonly record: MotionRecord;
  readonly motion: MotionAnalysis;
}

const MAX_CONTENT_GROUPS = 6;
const MAX_MOTION_GROUPS = 4;
const MAX_AREAS = 3;
/** Text lines need a letter or digit and at least this many characters to be worth reporting. */
const MIN_TEXT_CHARS = 2;

/** Picks `count` indices spread evenly over `length`, first and last included. */
function spread(length: number, count: number): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - 1)) / (count - 1)));
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

export function contentRecordFor(frame: RgbFrame, detections: readonly Detection[], lines: readonly OcrLine[], minTextScore = 0.75): ContentRecord {
  const scene = analyseScene(frame);
  const byClass = new Map<number, Detection[]>();
  for (const detection of detections) {
    if (!Number.isInteger(detection.classId) || detection.classId < 0 || detection.classId >= RECORD_LIMITS.classes) continue;
    byClass.set(detection.classId, [...(byClass.get(detection.classId) ?? []), detection]);
  }
  const objects: ObjectCount[] = [...byClass.entries()]
    .map(([classId, group]) => ({ classId, group, area: group.reduce((sum, d) => sum + d.box.width * d.box.height, 0) }))
    .sort((a, b) => b.area - a.area || a.classId - b.classId)
    .slice(0, MAX_CONTENT_GROUPS)
    .map(({ classId, group }) => ({ classId, count: Math.min(group.length, RECORD_LIMITS.maxCount), position: groupPosition(group) }));
  const texts: string[] = [];
  const ordered = [...lines].filter((line) => line.score >= minTextScore).sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  for (const line of ordered) {
    const text = sanitiseReadText(line.text);
    if (Array.from(text).length < MIN_TEXT_CHARS || !/[\p{L}\p{N}]/u.test(text) || texts.includes(text)) continue;
    texts.push(text);
    if (texts.length === RECORD_LIMITS.maxTexts) break;
  }
  return {
    kind: 'content',
    brightness: scene.brightness,
    contrast: scene.contrast,
    colourfulness: scene.colourfulness,
    colours: scene.colours,
    objects,
    texts,
  };
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

export function motionRecordFor(motion: MotionAnalysis): MotionRecord {
  const groups = new Map<string, { -readonly [K in keyof ObjectMotion]: ObjectMotion[K] } & { order: number }>();
  const moving = motion.objects.filter((object) => object.direction !== 'still');
  // Still objects are mentioned only when nothing else moves, so a still scene still names who is in it.
  const mentioned = moving.length > 0 || motion.areas.length > 0 ? moving : motion.objects;
  mentioned.forEach((object, order) => {
    // Speed means nothing for objects that stay where they are; a fixed value keeps the form canonical.
    const speed = object.direction === 'still' || object.direction === 'in-place' ? 'moderate' : object.speed;
    const key = `${object.classId}/${object.direction}/${speed}`;
    const group = groups.get(key);
    groups.set(key, group ? { ...group, count: Math.min(group.count + 1, RECORD_LIMITS.maxCount) } : { classId: object.classId, count: 1, direction: object.direction, speed, order });
  });
  // Still objects are only listed when every tracked object is still; their tracks break up when
  // the detector misses them for a while, so the most seen in one frame is the better count.
  for (const group of groups.values()) {
    const peak = motion.peakCounts.get(group.classId) ?? 0;
    if (group.direction === 'still' && peak > 0) group.count = Math.min(peak, RECORD_LIMITS.maxCount);
  }
  const objects = [...groups.values()]
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .slice(0, MAX_MOTION_GROUPS)
    .map(({ classId, count, direction, speed }) => ({ classId, count, direction, speed }));
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
  return { kind: 'motion', camera, cameraSpeed: camera === 'static' ? 'moderate' : motion.cameraSpeed, objects, areas };
}

function validateOptions(options: DescriberOptions): Required<Pick<DescriberOptions, 'minDetectionScore' | 'minTextScore' | 'motionFrames' | 'analysisWidth'>> {
  const resolved = {
    minDetectionScore: options.minDetectionScore ?? 0.35,
    minTextScore: options.minTextScore ?? 0.85,
    motionFrames: options.motionFrames ?? 8,
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
    const parts = [options.detector?.id, options.textReader?.id].filter((part): part is string => Boolean(part));
    this.id = parts.length > 0 ? `${SEMANTIC_CODEC_ID}+${parts.join('+')}` : SEMANTIC_CODEC_ID;
  }

  async analyseKeyframe(frame: RgbFrame): Promise<KeyframeAnalysis> {
    assertRgbFrame(frame, 'keyframe');
    const [detections, lines] = await Promise.all([
      this.options.detector ? this.options.detector.detect([frame]).then((lists) => lists[0] ?? []) : Promise.resolve([]),
      this.options.textReader ? this.options.textReader.read(frame) : Promise.resolve([]),
    ]);
    const kept = detections.filter((d) => d.score >= this.settings.minDetectionScore);
    return { record: contentRecordFor(frame, kept, lines, this.settings.minTextScore), detections: kept, lines };
  }

  async analyseClip(clip: ClipFrames): Promise<ClipAnalysis> {
    if (!clip || !Array.isArray(clip.frames) || clip.frames.length === 0) throw new ModelError('invalid-input', 'a clip needs at least one frame');
    const frames: TimedRgbFrame[] = spread(clip.frames.length, this.settings.motionFrames).map((i) => clip.frames[i] as TimedFrame);
    let detections: Detection[][] | undefined;
    if (this.options.detector) {
      const lists = await this.options.detector.detect(frames);
      detections = frames.map((_, i) => (lists[i] ?? []).filter((d) => d.score >= this.settings.minDetectionScore));
    }
    const motion = await analyseMotion(frames, { analysisWidth: this.settings.analysisWidth, ...(detections ? { detections } : {}) });
    return { record: motionRecordFor(motion), motion };
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
