import type {
  CameraMotion,
  ClipFrames,
  ContentDescription,
  MotionDescription,
  RgbFrame,
  SceneDescriber,
  SemanticTextCodec,
  TimedFrame,
} from '../contracts.ts';
import { ByteReader, ByteWriter } from '../bitstream/bytes.ts';
import { resizeRgb, sizeForWidth } from '@cmvc/media-io/frames';

/**
 * A describer that states only what it measures: colour statistics of keyframes and global
 * translation/change between sampled frames. Used when no semantic models are installed.
 */
export const TECHNICAL_DESCRIBER_ID = 'technical-v1';

const MOTION_WIDTH = 64;
const MAX_SHIFT = 6;
/** Below this speed (fraction of frame per second) the camera is reported static. */
const STATIC_THRESHOLD = 0.02;

function gray(frame: RgbFrame): { width: number; height: number; data: Float32Array } {
  const small = resizeRgb(frame, ...sizeArgs(frame));
  const data = new Float32Array(small.width * small.height);
  for (let i = 0; i < data.length; i += 1)
    data[i] = 0.299 * (small.data[3 * i] ?? 0) + 0.587 * (small.data[3 * i + 1] ?? 0) + 0.114 * (small.data[3 * i + 2] ?? 0);
  return { width: small.width, height: small.height, data };
}

function sizeArgs(frame: RgbFrame): [number, number] {
  const size = sizeForWidth(frame, MOTION_WIDTH);
  return [size.width, size.height];
}

/** Mean absolute difference of `b` shifted by (sx, sy) against `a`, over their overlap. */
function shiftedDifference(a: Float32Array, b: Float32Array, width: number, height: number, sx: number, sy: number): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.max(0, -sy); y < Math.min(height, height - sy); y += 1) {
    for (let x = Math.max(0, -sx); x < Math.min(width, width - sx); x += 1) {
      sum += Math.abs((a[y * width + x] ?? 0) - (b[(y + sy) * width + x + sx] ?? 0));
      count += 1;
    }
  }
  return count === 0 ? Number.POSITIVE_INFINITY : sum / count;
}

/** Content moved by (dx, dy) pixels from a to b, found by exhaustive search. */
function globalShift(a: ReturnType<typeof gray>, b: ReturnType<typeof gray>): { dx: number; dy: number; change: number } {
  let best = { dx: 0, dy: 0, cost: shiftedDifference(a.data, b.data, a.width, a.height, 0, 0) };
  const change = best.cost;
  for (let sy = -MAX_SHIFT; sy <= MAX_SHIFT; sy += 1) {
    for (let sx = -MAX_SHIFT; sx <= MAX_SHIFT; sx += 1) {
      const cost = shiftedDifference(a.data, b.data, a.width, a.height, sx, sy);
      if (cost < best.cost - 1e-9) best = { dx: sx, dy: sy, cost };
    }
  }
  return { dx: best.dx, dy: best.dy, change };
}

export function measureCameraMotion(frames: readonly TimedFrame[]): { camera: CameraMotion; meanChange: number; seconds: number } {
  const first = frames[0];
  const last = frames[frames.length - 1];
  const seconds = first && last ? last.time - first.time : 0;
  if (!first || frames.length < 2 || seconds <= 0) return { camera: { kind: 'static', dx: 0, dy: 0, zoom: 1 }, meanChange: 0, seconds: 0 };
  let shiftX = 0;
  let shiftY = 0;
  let change = 0;
  let previous = gray(first);
  for (const frame of frames.slice(1)) {
    const current = gray(frame);
    const step = globalShift(previous, current);
    // Content moving left means the camera pans right.
    shiftX -= step.dx / current.width;
    shiftY -= step.dy / current.height;
    change += step.change / 255;
    previous = current;
  }
  const dx = shiftX / seconds;
  const dy = shiftY / seconds;
  const kind: CameraMotion['kind'] = Math.max(Math.abs(dx), Math.abs(dy)) < STATIC_THRESHOLD ? 'static' : Math.abs(dx) >= Math.abs(dy) ? 'pan' : 'tilt';
  return { camera: { kind, dx, dy, zoom: 1 }, meanChange: change / (frames.length - 1), seconds };
}

/*
 * The describer's text is a pure function of a few quantised measurements; the structured form is
 * exactly those numbers, so `technicalSemanticCodec.expand` reproduces the text byte for byte.
 *   keyframe: tag 1, varint centiseconds, r, g, b, brightness %, contrast %
 *   motion:   tag 2, varint centiseconds, u8 direction (0 static, 1 right, 2 left, 3 down, 4 up),
 *             varint speed in 1/100 frame per second, varint mean change %
 */
interface KeyframeFacts {
  readonly centiseconds: number;
  readonly rgb: readonly [number, number, number];
  readonly brightness: number;
  readonly contrast: number;
}

interface MotionFacts {
  readonly centiseconds: number;
  readonly direction: 0 | 1 | 2 | 3 | 4;
  readonly speed: number;
  readonly change: number;
}

const KEYFRAME_TAG = 1;
const MOTION_TAG = 2;
const MAX_CENTISECONDS = 1e9;
/** An integer count of hundredths as a decimal with two places, without floating-point rounding. */
const twoDecimals = (hundredths: number): string => `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;

function keyframeText(f: KeyframeFacts): string {
  return `Keyframe at ${twoDecimals(f.centiseconds)} s: mean colour rgb(${f.rgb.join(', ')}), brightness ${f.brightness}%, contrast ${f.contrast}%.`;
}

function motionText(f: MotionFacts): string {
  const speed = twoDecimals(f.speed);
  const direction = [
    'static camera',
    `camera pans right at ${speed} frame widths per second`,
    `camera pans left at ${speed} frame widths per second`,
    `camera tilts down at ${speed} frame heights per second`,
    `camera tilts up at ${speed} frame heights per second`,
  ][f.direction];
  return `Global motion over ${twoDecimals(f.centiseconds)} s: ${direction}; mean frame change ${f.change}%.`;
}

const percent = (value: number): number => Math.max(0, Math.min(100, Math.round(value * 100)));
const centiseconds = (value: number): number => Math.max(0, Math.min(MAX_CENTISECONDS, Math.round(value * 100)));

export const technicalSemanticCodec: SemanticTextCodec = {
  id: TECHNICAL_DESCRIBER_ID,
  expand(semantic: Uint8Array): string {
    const reader = new ByteReader(semantic, 'technical description');
    const tag = reader.u8();
    const cs = reader.varint(MAX_CENTISECONDS, 'time');
    let text: string;
    if (tag === KEYFRAME_TAG) {
      const rgb = [reader.u8(), reader.u8(), reader.u8()] as const;
      text = keyframeText({ centiseconds: cs, rgb, brightness: Math.min(100, reader.u8()), contrast: Math.min(100, reader.u8()) });
    } else if (tag === MOTION_TAG) {
      const direction = Math.min(4, reader.u8()) as MotionFacts['direction'];
      text = motionText({ centiseconds: cs, direction, speed: reader.varint(MAX_CENTISECONDS, 'speed'), change: Math.min(100, reader.varint(100, 'change')) });
    } else {
      throw new RangeError(`unknown technical description tag ${tag}`);
    }
    reader.expectEnd();
    return text;
  },
};

export function createTechnicalDescriber(): SceneDescriber {
  return {
    id: TECHNICAL_DESCRIBER_ID,
    async describeKeyframe(frame: TimedFrame): Promise<ContentDescription> {
      const pixels = frame.width * frame.height;
      let r = 0;
      let g = 0;
      let b = 0;
      let luma = 0;
      let lumaSquared = 0;
      for (let i = 0; i < pixels; i += 1) {
        const pr = frame.data[3 * i] ?? 0;
        const pg = frame.data[3 * i + 1] ?? 0;
        const pb = frame.data[3 * i + 2] ?? 0;
        r += pr;
        g += pg;
        b += pb;
        const y = 0.299 * pr + 0.587 * pg + 0.114 * pb;
        luma += y;
        lumaSquared += y * y;
      }
      const mean = luma / pixels;
      const facts: KeyframeFacts = {
        centiseconds: centiseconds(frame.time),
        rgb: [Math.round(r / pixels), Math.round(g / pixels), Math.round(b / pixels)],
        brightness: percent(mean / 255),
        contrast: percent(Math.sqrt(Math.max(0, lumaSquared / pixels - mean * mean)) / 255),
      };
      const semantic = new ByteWriter().u8(KEYFRAME_TAG).varint(facts.centiseconds).u8(facts.rgb[0]).u8(facts.rgb[1]).u8(facts.rgb[2]).u8(facts.brightness).u8(facts.contrast).finish();
      return { text: keyframeText(facts), semantic };
    },
    async describeMotion(clip: ClipFrames): Promise<MotionDescription> {
      const measured = measureCameraMotion(clip.frames);
      const { camera } = measured;
      const direction: MotionFacts['direction'] = camera.kind === 'pan' ? (camera.dx > 0 ? 1 : 2) : camera.kind === 'tilt' ? (camera.dy > 0 ? 3 : 4) : 0;
      const speed = direction === 0 ? 0 : Math.min(MAX_CENTISECONDS, Math.round(Math.abs(direction <= 2 ? camera.dx : camera.dy) * 100));
      const facts: MotionFacts = { centiseconds: centiseconds(measured.seconds), direction, speed, change: percent(measured.meanChange) };
      const semantic = new ByteWriter().u8(MOTION_TAG).varint(facts.centiseconds).u8(facts.direction).varint(facts.speed).varint(facts.change).finish();
      return { text: motionText(facts), semantic, camera };
    },
  };
}
