import type { Box, Detection, RgbFrame } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { poolFlow } from './blocks.ts';
import { fitCameraMotion } from './camera.ts';
import { analysisSize, DEFAULT_ANALYSIS_WIDTH, denseFlow, toAnalysisGray, type GrayImage } from './flow.ts';
import { findMovingRegions, refineRegionVelocities, type MovingRegion } from './foreground.ts';
import { countableDetections } from './counts.ts';
import { loadOpenCv } from './opencv.ts';
import { centreOf, classifyMovement, crossesEdge, intersectionOverUnion, linkTracks, type MotionDirection, type SpeedWord, type Track } from './tracks.ts';

/** Global camera motion over a clip, the codec's contract: per-second translation in frame sizes and zoom factor. */
export type { CameraMotion } from '../types.ts';
import type { CameraMotion } from '../types.ts';

/**
 * Camera classification, per second: static when |dx| and |dy| stay below `staticSpeed` and
 * |ln zoom| below `staticZoom`; otherwise the largest of |dx| (pan), |dy| (tilt) and
 * |ln zoom|·zoomWeight (zoom; the weight converts scale rate to the speed of a point halfway to the
 * border) wins. Speed words: below `slowSpeed` "slow", at or above `fastSpeed` "fast", on the same scale.
 */
export const CAMERA_THRESHOLDS = {
  staticSpeed: 0.02,
  staticZoom: 0.02,
  zoomWeight: 0.5,
  slowSpeed: 0.06,
  fastSpeed: 0.3,
} as const;

export interface MovingObject {
  readonly classId: number;
  /** Mean box over the track. */
  readonly box: Box;
  readonly direction: MotionDirection;
  readonly speed: SpeedWord;
  /** Number of sampled frames the object was seen in. */
  readonly seen: number;
}

export interface MovingArea {
  readonly box: Box;
  /** `in-place` when its parts move but it goes nowhere (see MIN_AREA_ACTIVITY). */
  readonly direction: MotionDirection;
  readonly speed: SpeedWord;
  /** Mean fraction of the frame covered. */
  readonly area: number;
}

export interface MotionAnalysis {
  readonly camera: CameraMotion;
  readonly cameraSpeed: SpeedWord;
  readonly seconds: number;
  /** Tracked detections (empty without detections). */
  readonly objects: readonly MovingObject[];
  /** Moving foreground regions not explained by a moving tracked object. */
  readonly areas: readonly MovingArea[];
  /**
   * Per class id, how many of that class a sampled frame shows: the median over the frames where the
   * class is detected, so one frame with a spurious extra box (or one missed) does not set the count;
   * each frame counted as `countableDetections` does, weaker boxes beside confident ones included.
   */
  readonly typicalCounts: ReadonlyMap<number, number>;
}

export interface TimedRgbFrame extends RgbFrame {
  /** Seconds from the start of the source. */
  readonly time: number;
}

export interface MotionAnalysisOptions {
  /** Width flow is computed at (16..320, default 160). */
  readonly analysisWidth?: number;
  /** Detections per frame, aligned with `frames`, for object tracks. */
  readonly detections?: readonly (readonly Detection[])[];
  /**
   * Detections below this score only carry on a track that a detection at or above it has in
   * another frame, and are not counted (default 0: all detections count). Weak sightings of
   * the same object in the frames between its strong ones keep the track linked.
   */
  readonly minScore?: number;
  /**
   * Every detector candidate per frame, aligned with `frames`, weak ones included: evidence only.
   * A class's boxes that move with a moving area over several sampled frames name what moves
   * there (see nameMovingAreas), however weak each box is alone.
   */
  readonly candidates?: readonly (readonly Detection[])[];
}

const MAX_FRAMES = 256;
/**
 * An area that goes nowhere is reported as local movement only if its mean residual speed reaches
 * MIN_AREA_ACTIVITY (frame fractions per second) and it covers MIN_LOCAL_AREA of the frame on
 * average; smaller flickers are compression noise more often than motion.
 */
const MIN_AREA_ACTIVITY = 0.02;
const MIN_LOCAL_AREA = 0.02;

function meanBox(boxes: readonly Box[]): Box {
  const n = Math.max(1, boxes.length);
  const sum = boxes.reduce((acc, b) => ({ x: acc.x + b.x, y: acc.y + b.y, width: acc.width + b.width, height: acc.height + b.height }), {
    x: 0,
    y: 0,
    width: 0,
    height: 0,
  });
  return { x: sum.x / n, y: sum.y / n, width: sum.width / n, height: sum.height / n };
}

function cameraFrom(dx: number, dy: number, logZoom: number): { camera: CameraMotion; speed: SpeedWord } {
  const t = CAMERA_THRESHOLDS;
  const zoom = Math.exp(logZoom);
  if (Math.abs(dx) < t.staticSpeed && Math.abs(dy) < t.staticSpeed && Math.abs(logZoom) < t.staticZoom) {
    return { camera: { kind: 'static', dx, dy, zoom }, speed: 'slow' };
  }
  const zoomRate = Math.abs(logZoom) * t.zoomWeight;
  const rate = Math.max(Math.abs(dx), Math.abs(dy), zoomRate);
  const kind: CameraMotion['kind'] = zoomRate === rate ? 'zoom' : Math.abs(dx) >= Math.abs(dy) ? 'pan' : 'tilt';
  const speed: SpeedWord = rate < t.slowSpeed ? 'slow' : rate >= t.fastSpeed ? 'fast' : 'moderate';
  return { camera: { kind, dx, dy, zoom }, speed };
}

function validate(frames: readonly TimedRgbFrame[], detections: MotionAnalysisOptions['detections']): void {
  if (!Array.isArray(frames) || frames.length === 0) throw new ModelError('invalid-input', 'motion analysis needs at least one frame');
  if (frames.length > MAX_FRAMES) throw new ModelError('invalid-input', `motion analysis takes at most ${MAX_FRAMES} frames (got ${frames.length})`);
  const first = frames[0] as TimedRgbFrame;
  frames.forEach((frame, i) => {
    if (frame.width !== first.width || frame.height !== first.height) {
      throw new ModelError('invalid-frame', `frame ${i} is ${frame.width}x${frame.height}, frame 0 is ${first.width}x${first.height}`);
    }
    if (!Number.isFinite(frame.time) || (i > 0 && frame.time <= (frames[i - 1]?.time ?? 0))) {
      throw new ModelError('invalid-input', `frame ${i}: times must be finite and strictly increasing`);
    }
  });
  if (detections && detections.length !== frames.length) {
    throw new ModelError('invalid-input', `got detections for ${detections.length} frames, expected ${frames.length}`);
  }
}

/**
 * Per class, the median count over the frames that show the class (halves round up), each frame
 * counted by `countableDetections` at `minScore`.
 */
export function typicalCounts(frames: readonly (readonly Detection[])[], minScore = 0): Map<number, number> {
  const perFrame = new Map<number, number[]>();
  for (const list of frames) {
    const counts = new Map<number, number>();
    for (const detection of countableDetections(list, minScore)) counts.set(detection.classId, (counts.get(detection.classId) ?? 0) + 1);
    for (const [classId, count] of counts) perFrame.set(classId, [...(perFrame.get(classId) ?? []), count]);
  }
  const typical = new Map<number, number>();
  for (const [classId, counts] of perFrame) {
    const sorted = counts.sort((a, b) => a - b);
    const middle = sorted.length / 2;
    typical.set(classId, Number.isInteger(middle) ? Math.round((sorted[middle - 1]! + sorted[middle]!) / 2) : sorted[Math.floor(middle)]!);
  }
  return typical;
}

/** Dense-flow motion analysis of one clip's sampled frames. */
export async function analyseMotion(frames: readonly TimedRgbFrame[], options: MotionAnalysisOptions = {}): Promise<MotionAnalysis> {
  validate(frames, options.detections);
  const { cv } = await loadOpenCv();
  const first = frames[0] as TimedRgbFrame;
  const size = analysisSize(first, options.analysisWidth ?? DEFAULT_ANALYSIS_WIDTH);
  const seconds = (frames[frames.length - 1]?.time ?? first.time) - first.time;

  let shiftX = 0;
  let shiftY = 0;
  let logZoom = 0;
  const regionsPerPair: (MovingRegion & { classId: number })[][] = [];
  let previous: GrayImage = toAnalysisGray(cv, first, size);
  const grays: GrayImage[] = [previous];
  for (let i = 1; i < frames.length; i += 1) {
    const frame = frames[i] as TimedRgbFrame;
    const dt = frame.time - (frames[i - 1] as TimedRgbFrame).time;
    const current = toAnalysisGray(cv, frame, size);
    const blocks = poolFlow(previous, denseFlow(cv, previous, current));
    const model = fitCameraMotion(blocks);
    // Content moving left in the image means the camera turns right.
    shiftX -= model.tx / size.width;
    shiftY -= model.ty / size.height;
    logZoom += Math.log(Math.max(1e-3, 1 + model.a));
    const regions = refineRegionVelocities(findMovingRegions(blocks, model, dt), previous, current, model, dt);
    regionsPerPair.push(regions.map((region) => ({ ...region, classId: -1 })));
    grays.push(current);
    previous = current;
  }
  const perSecond = seconds > 0 ? 1 / seconds : 0;
  const { camera, speed: cameraSpeed } = cameraFrom(shiftX * perSecond, shiftY * perSecond, logZoom * perSecond);

  const minScore = options.minScore ?? 0;
  const named = nameMovingAreas(regionMovements(frames, regionsPerPair, grays), options.candidates ?? []);
  const objects = [...trackObjects(frames, options.detections ?? [], camera, minScore), ...named.objects];
  const areas = named.areas;
  // Objects that stay put but contain moving regions are moving in place (e.g. gesturing).
  const withActivity = objects.map((object) =>
    object.direction === 'still' && areas.some((area) => containsCentre(object.box, area.box)) ? { ...object, direction: 'in-place' as const } : object,
  );
  const unexplained = areas.filter((area) => !withActivity.some((object) => object.direction !== 'still' && overlaps(object.box, area.box)));
  return { camera, cameraSpeed, seconds, objects: withActivity, areas: unexplained, typicalCounts: typicalCounts(options.detections ?? [], minScore) };
}

/** Box sides within this distance of the border (frame fractions) are taken to be cut off by it. */
const EDGE_MARGIN = 0.01;

/**
 * Log of how much a box grew, from the dimensions the frame edge does not cut: an object entering
 * from the side grows in width without coming closer, a person walking toward the camera loses
 * their feet at the bottom edge but keeps growing in width.
 */
function logSizeChange(a: Box, b: Box): number {
  const cutX = (box: Box): boolean => box.x <= EDGE_MARGIN || box.x + box.width >= 1 - EDGE_MARGIN;
  const cutY = (box: Box): boolean => box.y <= EDGE_MARGIN || box.y + box.height >= 1 - EDGE_MARGIN;
  const widthOk = !cutX(a) && !cutX(b) && a.width > 0 && b.width > 0;
  const heightOk = !cutY(a) && !cutY(b) && a.height > 0 && b.height > 0;
  if (widthOk && heightOk) return 0.5 * Math.log((b.width * b.height) / (a.width * a.height));
  if (widthOk) return Math.log(b.width / a.width);
  if (heightOk) return Math.log(b.height / a.height);
  return 0;
}

function containsCentre(outer: Box, inner: Box): boolean {
  const c = centreOf(inner);
  return c.x >= outer.x && c.x <= outer.x + outer.width && c.y >= outer.y && c.y <= outer.y + outer.height;
}

function overlaps(a: Box, b: Box): boolean {
  return intersectionOverUnion(a, b) > 0.1 || containsCentre(a, b) || containsCentre(b, a);
}

/**
 * Tracks seen in at least 40 % of the frames that have detections; a track that moves needs only
 * two points, since something passing through the picture is in few sampled frames by nature.
 */
function trackObjects(frames: readonly TimedRgbFrame[], detections: readonly (readonly Detection[])[], camera: CameraMotion, minScore: number): MovingObject[] {
  const framesWithDetections = detections.filter((list) => list.some((d) => d.score >= minScore)).length;
  const minPoints = Math.max(2, Math.ceil(framesWithDetections * 0.4));
  const tracks = linkTracks(detections).filter((track) => track.points.length >= 2 && track.points.some((point) => point.observation.score >= minScore));
  return tracks
    .filter((track) => !tracks.some((other) => other !== track && other.points.length > track.points.length && shadows(other, track)))
    .map((track) => describeTrack(track, frames, camera))
    .filter((object) => object.seen >= minPoints || (object.direction !== 'still' && object.direction !== 'in-place'));
}

/** Share of a track's points that lie on a longer track of the same class for two detections of one object. */
const SHADOW_SHARE = 0.5;
/** Share of a box's area inside another for it to be (part of) the same object. */
const SHADOW_INSIDE = 0.7;

function shareInside(outer: Box, inner: Box): number {
  const w = Math.min(outer.x + outer.width, inner.x + inner.width) - Math.max(outer.x, inner.x);
  const h = Math.min(outer.y + outer.height, inner.y + inner.height) - Math.max(outer.y, inner.y);
  const area = inner.width * inner.height;
  return w > 0 && h > 0 && area > 0 ? (w * h) / area : 0;
}

/** A second, shorter track over the same object (a box around part of it): most of its boxes lie inside the longer track's. */
function shadows(longer: Track<Detection>, shorter: Track<Detection>): boolean {
  if (longer.classId !== shorter.classId) return false;
  const overlapping = shorter.points.filter((point) => {
    const same = longer.points.find((other) => other.frame === point.frame);
    return same !== undefined && shareInside(same.observation.box, point.observation.box) >= SHADOW_INSIDE;
  }).length;
  return overlapping >= SHADOW_SHARE * shorter.points.length;
}

function describeTrack(track: Track<Detection>, frames: readonly TimedRgbFrame[], camera: CameraMotion): MovingObject {
  const start = track.points[0] as (typeof track.points)[number];
  const end = track.points[track.points.length - 1] as (typeof track.points)[number];
  const duration = (frames[end.frame]?.time ?? 0) - (frames[start.frame]?.time ?? 0);
  const a = centreOf(start.observation.box);
  const b = centreOf(end.observation.box);
  // Undo the apparent motion the camera adds: panning right shifts the scene left by dx per second.
  const dx = b.x - a.x + camera.dx * duration;
  const dy = b.y - a.y + camera.dy * duration;
  const logScale = logSizeChange(start.observation.box, end.observation.box) - Math.log(camera.zoom) * duration;
  const movement = classifyMovement(dx, dy, logScale, duration);
  return {
    classId: track.classId,
    box: meanBox(track.points.map((p) => p.observation.box)),
    direction: movement.direction,
    speed: movement.speed,
    seen: track.points.length,
  };
}

/** A moving area with where it was in each frame pair it was seen in (pair i starts at frame i). */
interface AreaTrack extends MovingArea {
  readonly points: readonly { readonly frame: number; readonly box: Box }[];
}

/**
 * Track-before-detect: a class's candidate boxes, each maybe too weak to count alone, name a moving
 * area when one lies on it (IoU at least NAMING_IOU with the area's box in that frame) in at least
 * NAMING_FRAMES of its frame pairs and in at least half of them. A false box stays where the detector
 * misreads the picture; one that moves with a moving area, frame after frame, is on the thing that
 * moves. Only areas going out of or into the picture are named this way: cut off by the edge, a
 * thing scores low in every frame by nature, while a weak label that keeps following a thing in full
 * view is more often a steady misreading of it (weak "cat" boxes follow something moving along the
 * conveyor of fruit-and-vegetable-detection.gif over three and more sampled frames).
 */
const NAMING_IOU = 0.25;
const NAMING_FRAMES = 3;

function nameMovingAreas(areas: readonly AreaTrack[], candidates: readonly (readonly Detection[])[]): { objects: MovingObject[]; areas: MovingArea[] } {
  const objects: MovingObject[] = [];
  const unnamed: MovingArea[] = [];
  for (const { points, ...area } of areas) {
    let best: { classId: number; frames: number; score: number } | null = null;
    if (crossesEdge(area.direction)) {
      const classes = new Set(points.flatMap((point) => (candidates[point.frame] ?? []).map((d) => d.classId)));
      for (const classId of classes) {
        let frames = 0;
        let score = 0;
        for (const point of points) {
          const on = (candidates[point.frame] ?? []).filter((d) => d.classId === classId && intersectionOverUnion(d.box, point.box) >= NAMING_IOU);
          if (on.length === 0) continue;
          frames += 1;
          score += Math.max(...on.map((d) => d.score));
        }
        if (frames < NAMING_FRAMES || frames * 2 < points.length) continue;
        if (!best || frames > best.frames || (frames === best.frames && score > best.score)) best = { classId, frames, score };
      }
    }
    if (best) objects.push({ classId: best.classId, box: area.box, direction: area.direction, speed: area.speed, seen: best.frames });
    else unnamed.push(area);
  }
  return { objects, areas: unnamed };
}

function regionMovements(
  frames: readonly TimedRgbFrame[],
  regionsPerPair: readonly (readonly (MovingRegion & { classId: number })[])[],
  grays: readonly GrayImage[],
): AreaTrack[] {
  const pairs = regionsPerPair.length;
  const minPoints = Math.max(1, Math.ceil(pairs * 0.3));
  const areas: AreaTrack[] = [];
  for (const track of linkTracks(regionsPerPair)) {
    if (track.points.length < minPoints) continue;
    let dx = 0;
    let dy = 0;
    let duration = 0;
    let activity = 0;
    for (const { frame, observation } of track.points) {
      const dt = (frames[frame + 1]?.time ?? 0) - (frames[frame]?.time ?? 0);
      dx += observation.vx * dt;
      dy += observation.vy * dt;
      activity += observation.activity * dt;
      duration += dt;
    }
    const area = track.points.reduce((sum, p) => sum + p.observation.area, 0) / track.points.length;
    let movement = classifyMovement(dx, dy, 0, duration);
    if (movement.direction === 'still') {
      const crossing = edgeCrossing(track, pairs, grays);
      if (crossing) movement = { direction: crossing, speed: 'moderate' };
      else if (activity < MIN_AREA_ACTIVITY * duration || area < MIN_LOCAL_AREA) continue;
      else movement = { direction: 'in-place', speed: 'moderate' };
    }
    const points = track.points.map(({ frame, observation }) => ({ frame, box: observation.box }));
    areas.push({ box: meanBox(points.map((p) => p.box)), direction: movement.direction, speed: movement.speed, area, points });
  }
  return areas.sort((p, q) => q.area - p.area);
}

/** A box side this close to the border (frame fractions) touches it; moving regions are whole 4-pixel blocks. */
const EDGE_REACH = 0.04;
/**
 * The picture under a region changed for good when the mean gray difference there, between the
 * frame before its movement and the frame after, is at least LASTING_CHANGE levels and
 * LASTING_CHANGE_FACTOR times the frame's median difference (noise, flicker, light).
 */
const LASTING_CHANGE = 8;
const LASTING_CHANGE_FACTOR = 4;

type Edge = 'left' | 'right' | 'top' | 'bottom';

function unionBox(boxes: readonly Box[]): Box {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}

/** The one border a box touches, or null for none or for opposite ones. */
function touchedEdge(box: Box): Edge | null {
  const left = box.x <= EDGE_REACH;
  const right = box.x + box.width >= 1 - EDGE_REACH;
  const top = box.y <= EDGE_REACH;
  const bottom = box.y + box.height >= 1 - EDGE_REACH;
  if ((left && right) || (top && bottom)) return null;
  // A box in a corner leaves through the side it is narrower against: its long side lies along the other.
  if ((left || right) && (top || bottom)) return box.width <= box.height ? (left ? 'left' : 'right') : top ? 'top' : 'bottom';
  return left ? 'left' : right ? 'right' : top ? 'top' : bottom ? 'bottom' : null;
}

function meanDifference(a: GrayImage, b: GrayImage, box: Box): number {
  const x0 = Math.floor(box.x * a.width);
  const y0 = Math.floor(box.y * a.height);
  const x1 = Math.min(a.width, Math.ceil((box.x + box.width) * a.width));
  const y1 = Math.min(a.height, Math.ceil((box.y + box.height) * a.height));
  let sum = 0;
  for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) sum += Math.abs((a.data[y * a.width + x] ?? 0) - (b.data[y * a.width + x] ?? 0));
  return sum / Math.max(1, (x1 - x0) * (y1 - y0));
}

function medianDifference(a: GrayImage, b: GrayImage): number {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < a.data.length; i += 1) histogram[Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0))]! += 1;
  let seen = 0;
  for (let level = 0; level < 256; level += 1) {
    seen += histogram[level]!;
    if (seen * 2 >= a.data.length) return level;
  }
  return 255;
}

/**
 * Something that goes out of the picture (or comes in) through an edge is visible only in part and
 * for a few sampled frames, so its measured travel is short. It still shows: a moving region at that
 * edge for only part of the clip, and a lasting change of the picture there between the frame before
 * the region moves and the frame after. Flicker and compression noise leave no lasting change.
 * Out when the region is gone before the clip ends (in when it appears after the clip starts); when
 * both, the region's own velocity says which way it went.
 */
function edgeCrossing(track: Track<MovingRegion & { classId: number }>, pairs: number, grays: readonly GrayImage[]): MotionDirection | null {
  const firstPair = track.points[0]?.frame ?? 0;
  const lastPair = track.points[track.points.length - 1]?.frame ?? pairs - 1;
  const startsLate = firstPair > 0;
  const endsEarly = lastPair < pairs - 1;
  if (!startsLate && !endsEarly) return null;
  const box = unionBox(track.points.map((p) => p.observation.box));
  const edge = touchedEdge(box);
  const before = grays[firstPair];
  const after = grays[lastPair + 1];
  if (!edge || !before || !after) return null;
  const change = meanDifference(before, after, box);
  if (change < Math.max(LASTING_CHANGE, LASTING_CHANGE_FACTOR * medianDifference(before, after))) return null;
  let out = endsEarly;
  if (startsLate && endsEarly) {
    const toward = track.points.reduce((sum, p) => sum + (edge === 'left' ? -p.observation.vx : edge === 'right' ? p.observation.vx : edge === 'top' ? -p.observation.vy : p.observation.vy), 0);
    out = toward > 0;
  }
  return `${out ? 'leaves' : 'enters'}-${edge}`;
}
