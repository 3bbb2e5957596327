// Evidence the describer reads beyond detector classes: things on a plain surface, goods on a
// conveyor, weak sightings that keep a track, close-ups, faces turned to the camera and dresses.
import { describe, expect, it } from 'vitest';
import { pose } from './pose-fixtures.ts';
import type { Box, Detection, RgbFrame } from '../src/types.ts';
import { plainSurface } from '../src/scene/index.ts';
import { facingOf, framingOf, personRecord, thighsBox, type KeypointName } from '../src/people/index.ts';
import { conveyorLikely, surfaceInClip } from '../src/describe/describer.ts';
import { createSemanticCodec, decodeRecord, encodeRecord, renderRecord, type ContentRecord, type MotionRecord } from '../src/describe/index.ts';
import { analyseMotion, type MotionAnalysis, type MovingObject } from '../src/motion/analyse.ts';
import { cocoLabels } from '../src/detect/labels.ts';
import { renderLavfi } from './motion-fixtures.ts';
import { nothingMoves, plainContent } from './record-fixtures.ts';

type Rgb = [number, number, number];

/** A frame of one colour with rectangles painted on it (boxes in frame fractions). */
function painted(width: number, height: number, background: Rgb, shapes: { box: Box; rgb: Rgb }[] = []): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const shape = shapes.find(({ box }) => x >= box.x * width && x < (box.x + box.width) * width && y >= box.y * height && y < (box.y + box.height) * height);
      data.set(shape ? shape.rgb : background, 3 * (y * width + x));
    }
  }
  return { width, height, data };
}


const DARK_GRAY: Rgb = [100, 100, 100];
const bolt = (x: number): { box: Box; rgb: Rgb } => ({ box: { x, y: 0.1, width: 0.06, height: 0.7 }, rgb: [215, 215, 215] });

describe('things on a plain surface', () => {
  it('finds a small elongated light thing on a dark surface, and its shape, size and colour', () => {
    const found = plainSurface(painted(240, 135, DARK_GRAY, [bolt(0.2)]));
    expect(found?.surface).toBe('dark');
    expect(found?.things).toHaveLength(1);
    expect(found?.things[0]).toMatchObject({ size: 'small', shape: 'elongated', colour: 'white' });
    expect(found?.things[0]?.box.x).toBeCloseTo(0.2, 1);
  });

  it('calls a square blob compact and large, and an empty light surface empty', () => {
    const square = plainSurface(painted(200, 200, [230, 230, 230], [{ box: { x: 0.4, y: 0.4, width: 0.3, height: 0.3 }, rgb: [200, 30, 30] }]));
    expect(square?.surface).toBe('light');
    expect(square?.things[0]).toMatchObject({ size: 'large', shape: 'compact', colour: 'red' });
    expect(plainSurface(painted(120, 90, [230, 230, 230]))).toEqual({ surface: 'light', things: [] });
  });

  it('finds no surface in a busy frame', async () => {
    const [frame] = await renderLavfi('testsrc2=s=160x120', 160, 120, 1, 1);
    expect(plainSurface(frame!)).toBeNull();
  });

  it('describes a thing seen in several frames of a clip, and no thing seen only once', () => {
    const frames = [0.1, 0.3, 0.5].map((x) => painted(160, 90, DARK_GRAY, [bolt(x)]));
    expect(surfaceInClip(frames)).toEqual({ surface: 'dark', thing: { size: 'small', shape: 'elongated', colour: 'white' } });
    expect(surfaceInClip([frames[0]!, painted(160, 90, DARK_GRAY), painted(160, 90, DARK_GRAY)])).toEqual({ surface: 'dark', thing: null });
  });

  it('says what moves on the surface, or "something" when nothing was made out', () => {
    const record: MotionRecord = {
      ...nothingMoves,
      areas: [{ position: 'top', direction: 'left-to-right', speed: 'fast' }],
      surface: 'dark',
      thing: { size: 'small', shape: 'elongated', colour: 'gray' },
    };
    expect(renderRecord(record)).toBe('camera static; something small, gray and elongated moves quickly from left to right across a dark surface');
    expect(renderRecord({ ...record, thing: null })).toBe('camera static; something moves quickly from left to right across a dark surface');
    expect(renderRecord({ ...record, areas: [] })).toBe('camera static; something small, gray and elongated lies still on a dark surface');
    expect(renderRecord({ ...record, areas: [], thing: null })).toBe('camera static; nothing moves');
    expect(createSemanticCodec().expand(encodeRecord(record))).toBe(renderRecord(record));
  });

  it('renders things on the surface in keyframe texts', () => {
    const base: ContentRecord = {
      ...plainContent,
      contrast: 'low',
      colourfulness: 'muted',
      surface: 'dark',
      things: [{ size: 'small', shape: 'elongated', colour: 'gray', position: 'left' }],
    };
    expect(renderRecord(base)).toBe('a small gray elongated object on the left, on a dark surface, in a well-lit, low-contrast, muted scene with mostly gray tones');
    expect(renderRecord(decodeRecord(encodeRecord(base)))).toBe(renderRecord(base));
  });
});

const moving = (classId: number, direction: MovingObject['direction'], speed: MovingObject['speed'] = 'moderate'): MovingObject => ({
  classId,
  box: { x: 0.4, y: 0.5, width: 0.1, height: 0.2 },
  direction,
  speed,
  seen: 4,
});

function analysis(objects: MovingObject[], areas: MotionAnalysis['areas'] = [], camera: MotionAnalysis['camera'] = { kind: 'static', dx: 0, dy: 0, zoom: 1 }): MotionAnalysis {
  return { camera, cameraSpeed: 'slow', seconds: 3, objects, areas, typicalCounts: new Map() };
}
const area = (direction: MovingObject['direction']): MotionAnalysis['areas'][number] => ({ box: { x: 0.1, y: 0.6, width: 0.2, height: 0.2 }, direction, speed: 'moderate', area: 0.03 });

describe('goods on a conveyor', () => {
  it('is likely when several goods go sideways the same way past a static camera', () => {
    expect(conveyorLikely(analysis([moving(47, 'right-to-left'), moving(50, 'right-to-left')]))).toBe(true);
    expect(conveyorLikely(analysis([moving(49, 'right-to-left')], [area('right-to-left'), area('right-to-left')]))).toBe(true);
  });

  it('is not claimed for one bottle moved by hand, goods going different ways, people, or a moving camera', () => {
    expect(conveyorLikely(analysis([moving(39, 'right-to-left')]))).toBe(false);
    expect(conveyorLikely(analysis([moving(47, 'right-to-left'), moving(50, 'left-to-right')]))).toBe(false);
    expect(conveyorLikely(analysis([moving(47, 'up'), moving(50, 'up')]))).toBe(false);
    expect(conveyorLikely(analysis([moving(47, 'right-to-left'), moving(0, 'right-to-left')]))).toBe(false);
    expect(conveyorLikely(analysis([moving(47, 'right-to-left'), moving(50, 'right-to-left')], [], { kind: 'pan', dx: 0.2, dy: 0, zoom: 1 }))).toBe(false);
    expect(conveyorLikely(analysis([moving(49, 'right-to-left')], [area('right-to-left'), area('left-to-right'), area('left-to-right')]))).toBe(false);
  });

  it('names fruit and vegetables carried together in one clause', () => {
    const record: MotionRecord = {
      ...nothingMoves,
      objects: [
        { classId: 47, count: 1, direction: 'right-to-left', speed: 'fast', noun: 'person' },
        { classId: 50, count: 1, direction: 'right-to-left', speed: 'moderate', noun: 'person' },
      ],
      conveyor: true,
    };
    expect(renderRecord(record)).toBe('camera static; fruit and vegetables (an apple and broccoli) move quickly from right to left, likely on a conveyor belt');
    expect(renderRecord({ ...record, objects: [record.objects[0]!] })).toBe('camera static; an apple moves quickly from right to left, likely on a conveyor belt');
    expect(renderRecord({ ...record, conveyor: false })).toBe('camera static; an apple moves quickly from right to left; broccoli moves from right to left');
  });
});

describe('weak sightings in tracks', () => {
  const frames = Array.from({ length: 5 }, (_, i) => ({ ...painted(64, 48, [128, 128, 128]), time: i * 0.4 }));
  const sighting = (x: number, score: number): Detection => ({ classId: 50, label: cocoLabels[50]!, score, box: { x, y: 0.5, width: 0.15, height: 0.2 } });

  it('carry on a track that a strong sighting started, but start none', async () => {
    // The object jumps too far between its two strong sightings to be linked without the weak ones.
    const withWeak = [[sighting(0.8, 0.5)], [sighting(0.65, 0.25)], [sighting(0.5, 0.25)], [sighting(0.35, 0.25)], [sighting(0.2, 0.5)]];
    const linked = await analyseMotion(frames, { detections: withWeak, minScore: 0.35 });
    expect(linked.objects.map((o) => o.direction)).toEqual(['right-to-left']);
    const unlinked = await analyseMotion(frames, { detections: [withWeak[0]!, [], [], [], withWeak[4]!], minScore: 0.35 });
    expect(unlinked.objects).toEqual([]);
    const onlyWeak = await analyseMotion(frames, { detections: withWeak.map((list) => list.map((d) => ({ ...d, score: 0.25 }))), minScore: 0.35 });
    expect(onlyWeak.objects).toEqual([]);
    expect(onlyWeak.typicalCounts.size).toBe(0);
  });

  it('keep a second box around part of one person from becoming a second walker', async () => {
    const person = (box: Box, score: number): Detection => ({ classId: 0, label: 'person', score, box });
    const body = (i: number): Box => ({ x: 0.3, y: 0.1, width: 0.4 + i * 0.02, height: 0.8 });
    // A narrow box inside the body, shrinking: alone it would read as someone walking away.
    const part = (i: number): Box => ({ x: 0.42, y: 0.25, width: 0.14 - i * 0.02, height: 0.5 - i * 0.06 });
    const lists = frames.map((_, i) => (i % 2 === 0 ? [person(body(i), 0.7), person(part(i), 0.4)] : [person(body(i), 0.7)]));
    const analysed = await analyseMotion(frames, { detections: lists, minScore: 0.35 });
    expect(analysed.objects).toHaveLength(1);
    expect(analysed.objects[0]?.seen).toBe(5);
  });
});

describe('how a person is framed', () => {
  const face: Partial<Record<KeypointName, [number, number]>> = { nose: [0.5, 0.3], leftEye: [0.56, 0.24], rightEye: [0.44, 0.24] };

  it('calls a face filling a quarter of the frame height a close-up, and a turned head not facing the camera', () => {
    expect(framingOf(pose(face), 480, 270)).toBe('close-up');
    expect(framingOf(pose({ nose: [0.5, 0.2], leftEye: [0.51, 0.19], rightEye: [0.49, 0.19] }), 640, 480)).toBe('normal');
    expect(facingOf(pose(face))).toBe(true);
    expect(facingOf(pose({ ...face, nose: [0.55, 0.3] }))).toBe(false);
    expect(facingOf(pose({ nose: [0.5, 0.3] }))).toBe(false);
  });

  it('reads one colour from shoulders to knees on a woman as a dress, and on a man as a top', () => {
    const body = pose({ ...face, leftShoulder: [0.6, 0.35], rightShoulder: [0.4, 0.35], leftHip: [0.57, 0.6], rightHip: [0.43, 0.6], leftKnee: [0.56, 0.85], rightKnee: [0.44, 0.85] });
    expect(thighsBox(body)).not.toBeNull();
    const white = painted(100, 100, [40, 40, 40], [{ box: { x: 0.35, y: 0.3, width: 0.3, height: 0.6 }, rgb: [240, 240, 240] }]);
    const woman = { maleness: 0.1, age: 35, expression: 'neutral' as const, expressionScore: 0.9, box: { x: 0.4, y: 0.1, width: 0.2, height: 0.2 } };
    expect(personRecord(white, body, woman)).toMatchObject({ noun: 'woman', top: 'white', garment: 'dress' });
    expect(personRecord(white, body, { ...woman, maleness: 0.9 })).toMatchObject({ noun: 'man', garment: 'top' });
    const skirt = painted(100, 100, [40, 40, 40], [{ box: { x: 0.35, y: 0.3, width: 0.3, height: 0.3 }, rgb: [240, 240, 240] }, { box: { x: 0.35, y: 0.6, width: 0.3, height: 0.3 }, rgb: [30, 30, 200] }]);
    expect(personRecord(skirt, body, woman)).toMatchObject({ garment: 'top' });
  });

  it('renders a close-up, the gaze and a dress', () => {
    const record: ContentRecord = {
      ...plainContent,
      people: [
        { noun: 'man', age: 'young', expression: 'smiling', posture: 'unknown', hands: 'none', top: 'blue', position: 'center', framing: 'close-up', facing: true, garment: 'top' },
        { noun: 'woman', age: 'any', expression: 'none', posture: 'standing', hands: 'none', top: 'white', position: 'left', framing: 'normal', facing: false, garment: 'dress' },
      ],
    };
    expect(renderRecord(record)).toBe(
      'close-up of a smiling young man in a blue top looking at the camera in the center; a woman in a white dress on the left, standing, in a well-lit scene with mostly gray tones',
    );
    expect(renderRecord(decodeRecord(encodeRecord(record)))).toBe(renderRecord(record));
  });
});
