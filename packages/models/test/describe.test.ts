import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detection, ObjectDetector, OcrLine, RgbFrame, TextReader } from '../src/types.ts';
import {
  CAMERA_MOVES,
  createSceneDescriber,
  createSemanticCodec,
  decodeRecord,
  encodeRecord,
  POSITIONS,
  RECORD_LIMITS,
  renderRecord,
  sanitiseReadText,
  type ContentRecord,
  type DescriptionRecord,
  type MotionRecord,
} from '../src/describe/index.ts';
import { MOTION_DIRECTIONS, SPEED_WORDS } from '../src/motion/index.ts';
import { BRIGHTNESS_LEVELS, COLOURFULNESS_LEVELS, CONTRAST_LEVELS, PALETTE, SETTINGS, SURFACES, THING_SHAPES, THING_SIZES, VIEWPOINTS } from '../src/scene/index.ts';
import { AGE_WORDS, EXPRESSION_WORDS, FRAMINGS, GARMENTS, HAND_POSES, PERSON_NOUNS, POSTURES } from '../src/people/index.ts';
import { PERSON_ACTIONS } from '../src/describe/record.ts';
import { motionSampleIndices } from '../src/describe/describer.ts';
import { cocoLabels } from '../src/detect/labels.ts';
import { renderLavfi } from './motion-fixtures.ts';
import { nothingMoves, plainContent } from './record-fixtures.ts';

const readText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .map(sanitiseReadText)
  .filter((text) => text.length > 0);

const contentRecord: fc.Arbitrary<ContentRecord> = fc.record({
  kind: fc.constant('content' as const),
  brightness: fc.constantFrom(...BRIGHTNESS_LEVELS),
  contrast: fc.constantFrom(...CONTRAST_LEVELS),
  colourfulness: fc.constantFrom(...COLOURFULNESS_LEVELS),
  colours: fc.array(fc.constantFrom(...PALETTE), { minLength: 1, maxLength: RECORD_LIMITS.maxColours }),
  objects: fc.array(
    fc.record({
      classId: fc.integer({ min: 0, max: 79 }),
      count: fc.integer({ min: 1, max: RECORD_LIMITS.maxCount }),
      position: fc.constantFrom(...POSITIONS),
      colour: fc.option(fc.constantFrom(...PALETTE), { nil: null }),
    }),
    { maxLength: RECORD_LIMITS.maxObjects },
  ),
  texts: fc.array(readText, { maxLength: RECORD_LIMITS.maxTexts }),
  people: fc.array(
    fc.record({
      noun: fc.constantFrom(...PERSON_NOUNS),
      age: fc.constantFrom(...AGE_WORDS),
      expression: fc.constantFrom(...EXPRESSION_WORDS),
      posture: fc.constantFrom(...POSTURES),
      hands: fc.constantFrom(...HAND_POSES),
      top: fc.option(fc.constantFrom(...PALETTE), { nil: null }),
      position: fc.constantFrom(...POSITIONS),
      framing: fc.constantFrom(...FRAMINGS),
      facing: fc.boolean(),
      garment: fc.constantFrom(...GARMENTS),
    }),
    { maxLength: RECORD_LIMITS.maxPeople },
  ),
  setting: fc.option(
    fc.record({ place: fc.constantFrom(...SETTINGS), confidence: fc.integer({ min: 0, max: 100 }), viewpoint: fc.constantFrom(...VIEWPOINTS) }),
    { nil: null },
  ),
  surface: fc.option(fc.constantFrom(...SURFACES), { nil: null }),
  things: fc.array(
    fc.record({
      size: fc.constantFrom(...THING_SIZES),
      shape: fc.constantFrom(...THING_SHAPES),
      colour: fc.option(fc.constantFrom(...PALETTE), { nil: null }),
      position: fc.constantFrom(...POSITIONS),
    }),
    { maxLength: RECORD_LIMITS.maxThings },
  ),
});

const motionRecord: fc.Arbitrary<MotionRecord> = fc.record({
  kind: fc.constant('motion' as const),
  camera: fc.constantFrom(...CAMERA_MOVES),
  cameraSpeed: fc.constantFrom(...SPEED_WORDS),
  objects: fc.array(
    fc.record({
      classId: fc.integer({ min: 0, max: 79 }),
      count: fc.integer({ min: 1, max: RECORD_LIMITS.maxCount }),
      direction: fc.constantFrom(...MOTION_DIRECTIONS),
      speed: fc.constantFrom(...SPEED_WORDS),
      noun: fc.constantFrom(...PERSON_NOUNS),
    }),
    { maxLength: RECORD_LIMITS.maxObjects },
  ),
  areas: fc.array(
    fc.record({ position: fc.constantFrom(...POSITIONS), direction: fc.constantFrom(...MOTION_DIRECTIONS), speed: fc.constantFrom(...SPEED_WORDS) }),
    { maxLength: RECORD_LIMITS.maxAreas },
  ),
  actions: fc.array(
    fc.record({ noun: fc.constantFrom(...PERSON_NOUNS), count: fc.integer({ min: 1, max: RECORD_LIMITS.maxCount }), action: fc.constantFrom(...PERSON_ACTIONS) }),
    { maxLength: RECORD_LIMITS.maxActions },
  ),
  surface: fc.option(fc.constantFrom(...SURFACES), { nil: null }),
  thing: fc.option(
    fc.record({ size: fc.constantFrom(...THING_SIZES), shape: fc.constantFrom(...THING_SHAPES), colour: fc.option(fc.constantFrom(...PALETTE), { nil: null }) }),
    { nil: null },
  ),
  conveyor: fc.boolean(),
});

const anyRecord: fc.Arbitrary<DescriptionRecord> = fc.oneof(contentRecord, motionRecord);

const fixedDetector = (detections: Detection[]): ObjectDetector => ({
  id: 'fixed-test-detector',
  async detect(frames: readonly RgbFrame[]) {
    return frames.map(() => detections);
  },
});
const fixedReader = (lines: OcrLine[]): TextReader => ({
  id: 'fixed-test-reader',
  async read() {
    return lines;
  },
});
const detection = (classId: number, x: number, y: number, score = 0.9): Detection => ({
  classId,
  label: cocoLabels[classId] ?? '',
  score,
  box: { x, y, width: 0.1, height: 0.2 },
});

async function keyframe() {
  const [frame] = await renderLavfi('color=c=white:s=160x120', 160, 120, 1, 1);
  if (!frame) throw new Error('ffmpeg produced no frame');
  return frame;
}

describe('motion samples', () => {
  const clip = (count: number, fps: number) => Array.from({ length: count }, (_, index) => ({ index, time: index / fps, width: 1, height: 1, data: new Uint8Array(3) }));

  it('spreads the samples over the clip, first and last included, more for a longer clip, and picks the picked frames all again', () => {
    for (const [count, fps, expected] of [[90, 30, 8], [300, 30, 25], [5, 30, 5], [2000, 30, 64]] as const) {
      const frames = clip(count, fps);
      const picked = motionSampleIndices(frames);
      expect(picked).toHaveLength(expected);
      expect(picked[0]).toBe(0);
      expect(picked.at(-1)).toBe(count - 1);
      expect(new Set(picked).size).toBe(expected);
      const again = picked.map((i) => frames[i]!);
      expect(motionSampleIndices(again)).toEqual(again.map((_, i) => i));
    }
    expect(motionSampleIndices(clip(90, 30), 12)).toHaveLength(12);
  });
});

describe('structured form', () => {
  it('expands to exactly the text of the record it was made from', () => {
    const codec = createSemanticCodec();
    fc.assert(
      fc.property(anyRecord, (record) => {
        const bytes = encodeRecord(record);
        expect(codec.expand(bytes)).toBe(renderRecord(record));
        expect(encodeRecord(decodeRecord(bytes))).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('renders the empty records the specs start from as their fixtures say', () => {
    expect(renderRecord(plainContent)).toBe('a well-lit scene with mostly gray tones');
    expect(renderRecord(nothingMoves)).toBe('camera static; nothing moves');
  });

  it('is compact', () => {
    const record: MotionRecord = {
      ...nothingMoves,
      camera: 'pan-left',
      cameraSpeed: 'slow',
      objects: [{ classId: 0, count: 2, direction: 'left-to-right', speed: 'moderate', noun: 'person' }],
    };
    const bytes = encodeRecord(record);
    expect(bytes.length).toBeLessThan(17);
    expect(renderRecord(record)).toBe('camera slowly pans left; two people walk from left to right');
  });

  it('says who goes out of or into the picture by which edge', () => {
    const out: MotionRecord = { ...nothingMoves, objects: [{ classId: 0, count: 1, direction: 'leaves-left', speed: 'moderate', noun: 'person' }] };
    expect(renderRecord(out)).toBe('camera static; a person walks out of the picture at the left');
    const into: MotionRecord = { ...nothingMoves, areas: [{ position: 'right', direction: 'enters-right', speed: 'moderate' }] };
    expect(renderRecord(into)).toBe('camera static; something moves into the picture from the right');
    const onSurface: MotionRecord = { ...into, surface: 'dark', thing: { size: 'small', shape: 'compact', colour: 'gray' } };
    expect(renderRecord(onSurface)).toBe('camera static; something small, gray and compact on a dark surface moves into the picture from the right');
  });

  it('rejects corrupt input with typed errors instead of guessing', () => {
    const codec = createSemanticCodec();
    const good = encodeRecord(nothingMoves);
    const fails = (bytes: Uint8Array) => expect(() => codec.expand(bytes)).toThrowError(expect.objectContaining({ code: 'invalid-input' }));
    fails(new Uint8Array([]));
    fails(Uint8Array.from([4, ...good.subarray(1)]));
    fails(good.subarray(0, good.length - 1));
    fails(Uint8Array.from([...good, 0]));
    fails(Uint8Array.from([1, 1, 0, 0, 0, 1, 0, 1, 80, 1, 0, 0]));
    fails(Uint8Array.from([1, 1, 0, 0, 0, 1, 0, 0, 1, 2, 0xc3, 0x28]));
    fails(Uint8Array.from([1, 2, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x7f]));
  });

  it('refuses to encode text that would not come back unchanged', () => {
    const record: ContentRecord = { ...plainContent, brightness: 'dim', texts: [' EXIT\n'] };
    expect(() => encodeRecord(record)).toThrowError(expect.objectContaining({ code: 'invalid-input' }));
  });
});

describe('keyframe descriptions', () => {
  it('counts detections with number words, plurals and positions, and quotes read text', async () => {
    const detector = fixedDetector([detection(0, 0.05, 0.4), detection(0, 0.15, 0.35), detection(39, 0.45, 0.4), detection(41, 0.8, 0.4, 0.2)]);
    const reader = fixedReader([{ text: '  EXIT ', score: 0.95, box: { x: 0.4, y: 0.05, width: 0.2, height: 0.1 } }]);
    const describer = createSceneDescriber({ detector, textReader: reader });
    const description = await describer.describeKeyframe({ ...(await keyframe()), index: 0, time: 0 });
    expect(description.text).toBe("two people on the left and a white bottle in the center, in a bright, low-contrast, muted scene with mostly white tones; text reads 'EXIT'");
    expect(createSemanticCodec().expand(description.semantic as Uint8Array)).toBe(description.text);
    expect([...description.objects!].sort()).toEqual(['bottle', 'person', 'person']);
  });

  it('counts a weaker bottle standing beside confident ones, and no weak box alone', async () => {
    const row = [detection(39, 0.1, 0.4, 0.45), detection(39, 0.45, 0.4, 0.4), detection(39, 0.8, 0.4, 0.3)];
    const frame = { ...(await keyframe()), index: 0, time: 0 };
    expect((await createSceneDescriber({ detector: fixedDetector(row) }).describeKeyframe(frame)).text).toMatch(/^three white bottles across the frame, /u);
    expect((await createSceneDescriber({ detector: fixedDetector([row[2]!]) }).describeKeyframe(frame)).objects).toEqual([]);
  });

  it('names no objects without a detector', async () => {
    const description = await createSceneDescriber({ textReader: fixedReader([]) }).describeKeyframe({ ...(await keyframe()), index: 0, time: 0 });
    expect(description.text).toBe("a bright, low-contrast, muted scene with mostly white tones");
    expect(description.objects).toBeUndefined();
    for (const label of cocoLabels) expect(description.text).not.toMatch(new RegExp(`\\b${label}\\b`));
  });

  it('uses articles and irregular plurals', () => {
    const record = (objects: ContentRecord['objects']): ContentRecord => ({ ...plainContent, brightness: 'dim', contrast: 'high', colours: ['green', 'brown'], objects });
    expect(
      renderRecord(
        record([
          { classId: 47, count: 1, position: 'top-left', colour: null },
          { classId: 64, count: 3, position: 'across', colour: null },
          { classId: 5, count: 14, position: 'bottom', colour: null },
        ]),
      ),
    ).toBe('an apple at the top left, three mice across the frame and 14 buses at the bottom, in a dim, high-contrast scene with mostly green and brown tones');
  });

  it('rejects bad options and frames with typed errors', async () => {
    expect(() => createSceneDescriber({ motionFrames: 1 })).toThrowError(expect.objectContaining({ code: 'invalid-config' }));
    await expect(createSceneDescriber().describeKeyframe({ width: 2, height: 2, data: new Uint8Array(3), index: 0, time: 0 })).rejects.toMatchObject({
      code: 'invalid-frame',
    });
    await expect(createSceneDescriber().describeMotion({ frames: [], fps: 5 })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
