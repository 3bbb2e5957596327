import { describe, expect, it } from 'vitest';
import { pose, upright } from './pose-fixtures.ts';
import { nothingMoves } from './record-fixtures.ts';
import type { Box, Detection, ObjectDetector, RgbFrame } from '../src/types.ts';
import {
  createPoseEstimator,
  decodeMultipose,
  faceBox,
  handsOf,
  nounFor,
  postureOf,
  type BodyPose,
  type FaceAnalyzer,
  type FaceAttributes,
  type PoseEstimator,
} from '../src/people/index.ts';
import sharp, { type Sharp } from 'sharp';
import { actionsOf, headActionsOf, headYaw, summariseActions, trackPoses } from '../src/describe/actions.ts';
import { createHeadPoseEstimator, type HeadPose, type HeadPoseEstimator } from '../src/people/index.ts';
import { packageFile } from '../src/runtime/paths.ts';
import { refineDetections } from '../src/describe/priors.ts';
import { createSceneDescriber, createSemanticCodec, decodeRecord, encodeRecord, renderRecord, type ContentRecord, type MotionRecord } from '../src/describe/index.ts';
import { inferSetting, regionColour } from '../src/scene/index.ts';
import { cocoLabels } from '../src/detect/labels.ts';



function solid(width: number, height: number, rgb: [number, number, number], paint?: { box: Box; rgb: [number, number, number] }): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = paint && x >= paint.box.x * width && x < (paint.box.x + paint.box.width) * width && y >= paint.box.y * height && y < (paint.box.y + paint.box.height) * height;
      data.set(inside ? paint.rgb : rgb, 3 * (y * width + x));
    }
  }
  return { width, height, data };
}

const head = (yaw: number, roll = 0): HeadPose => ({ yaw, pitch: 0, roll });

const detection = (classId: number, box: Box, score = 0.8): Detection => ({ classId, label: cocoLabels[classId]!, score, box });

describe('body pose', () => {
  it('decodes MoveNet multipose rows from the padded square back to frame fractions', () => {
    const rows = new Float32Array(6 * 56);
    // Slot 0: a person in a 200x100 frame padded to 200x200, so y fractions double.
    for (let k = 0; k < 17; k++) rows.set([0.25, 0.5, 0.9], 3 * k);
    rows.set([0.1, 0.2, 0.4, 0.6, 0.7], 51);
    rows[56 + 55] = 0.1; // slot 1 below the score
    const [found, ...rest] = decodeMultipose(rows, 200, 100, 0.3);
    expect(rest).toHaveLength(0);
    expect(found!.box.x).toBeCloseTo(0.2);
    expect(found!.box.y).toBeCloseTo(0.2);
    expect(found!.box.width).toBeCloseTo(0.4);
    expect(found!.box.height).toBeCloseTo(0.6);
    expect(found!.keypoints.nose).toEqual({ x: 0.5, y: 0.5, score: expect.closeTo(0.9, 5) });
  });

  it('runs MoveNet on a frame without people and finds none', async () => {
    const estimator = createPoseEstimator();
    try {
      const [poses] = await estimator.estimate([solid(96, 64, [90, 120, 150])]);
      expect(poses).toEqual([]);
    } finally {
      await estimator.dispose();
    }
  });

  it('tells standing from sitting by the thighs, and says nothing without legs', () => {
    expect(postureOf(pose({ ...upright, leftKnee: [0.57, 0.85], rightKnee: [0.43, 0.85] }))).toBe('standing');
    expect(postureOf(pose({ ...upright, leftKnee: [0.7, 0.67], rightKnee: [0.3, 0.66] }))).toBe('sitting');
    expect(postureOf(pose(upright))).toBe('unknown');
  });

  it('places the hands: at the face, raised, at the chest or nowhere in particular', () => {
    expect(handsOf(pose({ ...upright, rightWrist: [0.49, 0.23] }))).toBe('at-face');
    expect(handsOf(pose({ ...upright, leftWrist: [0.7, 0.1] }))).toBe('raised');
    expect(handsOf(pose({ ...upright, leftWrist: [0.52, 0.45] }))).toBe('at-chest');
    expect(handsOf(pose({ ...upright, leftWrist: [0.68, 0.7], rightWrist: [0.32, 0.7] }))).toBe('none');
  });

  it('places a face box from the keypoints and refuses faces that are turned away or tiny', () => {
    const box = faceBox(pose(upright), 640, 480)!;
    expect(box.x).toBeLessThan(0.5);
    expect(box.x + box.width).toBeGreaterThan(0.5);
    expect(faceBox(pose({ leftShoulder: [0.6, 0.35], rightShoulder: [0.4, 0.35] }), 640, 480)).toBeNull();
    const far = pose({ nose: [0.5, 0.2], leftEye: [0.501, 0.199], rightEye: [0.499, 0.199] });
    expect(faceBox(far, 640, 480)).toBeNull();
  });

  it('names a gender and age only when FaceRes is sure', () => {
    const face = (maleness: number, age: number): FaceAttributes => ({ box: { x: 0, y: 0, width: 1, height: 1 }, maleness, age, expression: 'neutral', expressionScore: 0.9 });
    expect(nounFor(face(0.1, 25))).toEqual({ noun: 'woman', age: 'young' });
    expect(nounFor(face(0.9, 45))).toEqual({ noun: 'man', age: 'any' });
    expect(nounFor(face(0.5, 70))).toEqual({ noun: 'person', age: 'older' });
    expect(nounFor(face(0.9, 8))).toEqual({ noun: 'boy', age: 'any' });
    expect(nounFor(null)).toEqual({ noun: 'person', age: 'any' });
  });
});

describe('people over a clip', () => {
  const turning = [-0.5, 0, 0.5, 0.2].map((offset) => pose({ ...upright, nose: [0.5 + offset * 0.04, 0.2] }));
  const gesturing = [0.4, 0.55, 0.4, 0.55].map((y, i) => pose({ ...upright, leftWrist: [0.5 + (i % 2) * 0.1, y] }));
  const walking = [0, 0.1, 0.2, 0.3].map((dx) => pose({ ...upright, leftWrist: [0.5 + dx, 0.4 + dx] }, { x: 0.1 + dx, y: 0.1, width: 0.2, height: 0.8 }));

  it('measures head yaw from the nose between the eyes', () => {
    expect(headYaw(pose(upright))).toBeCloseTo(0);
    expect(headYaw(pose({ ...upright, nose: [0.52, 0.2] }))).toBeCloseTo(0.5);
    expect(headYaw(pose({ nose: [0.5, 0.2], leftEye: [0.52, 0.18] }))).toBe(1);
  });

  it('sees a head turn and a gesture, but not in someone who walks away', () => {
    expect(actionsOf(trackPoses(turning.map((p) => [p]))[0]!, handsOf)).toEqual(['turn-head']);
    expect(actionsOf(trackPoses(gesturing.map((p) => [p]))[0]!, handsOf)).toEqual(['gesture-at-chest']);
    expect(actionsOf(trackPoses(walking.map((p) => [p]))[0]!, handsOf)).toEqual([]);
  });

  it('reads head turns and tilts from face-mesh poses, and nothing from a still head', () => {
    expect(headActionsOf([head(-5), head(5), null, head(25)])).toEqual(['turn-head-right']);
    expect(headActionsOf([head(10), head(-3), head(-20)])).toEqual(['turn-head-left']);
    expect(headActionsOf([head(0), head(30), head(2)])).toEqual(['turn-head']);
    expect(headActionsOf([head(0, -2), head(1, 10), head(0, 16)])).toEqual(['tilt-head']);
    expect(headActionsOf([head(3, 1), head(-4, -3), head(2, 4), head(-1, 0)])).toEqual([]);
    // Too few measured faces: the body keypoints decide.
    expect(headActionsOf([head(0), null, head(40)])).toBeUndefined();
    const [track] = trackPoses(turning.map((p) => [p]));
    expect(actionsOf({ ...track!, heads: turning.map(() => head(0)) }, handsOf)).toEqual([]);
    expect(actionsOf({ ...track!, heads: [null, null, null, null] }, handsOf)).toEqual(['turn-head']);
  });

  it('calls both hands moving in front of the upper body signing, and tells one hand from two', () => {
    // Shoulders at y 0.35, 0.2 apart: one shoulder width is 0.2 of the frame.
    const hands = (left: [number, number][], right: [number, number][] | null) =>
      left.map((l, i) => pose({ ...upright, leftWrist: l, ...(right ? { rightWrist: right[i]! } : {}) }));
    const acts = (poses: BodyPose[]) => actionsOf(trackPoses(poses.map((p) => [p]))[0]!, handsOf);
    const signingLeft: [number, number][] = [[0.55, 0.3], [0.6, 0.45], [0.5, 0.25], [0.62, 0.5]];
    const signingRight: [number, number][] = [[0.45, 0.4], [0.38, 0.25], [0.47, 0.5], [0.4, 0.3]];
    const hanging: [number, number][] = [[0.62, 0.72], [0.62, 0.72], [0.62, 0.72], [0.62, 0.72]];
    const hangingRight: [number, number][] = [[0.38, 0.72], [0.38, 0.72], [0.38, 0.72], [0.38, 0.72]];
    const atChest: [number, number][] = [[0.55, 0.4], [0.6, 0.5], [0.5, 0.42], [0.62, 0.55]];
    const wavingAside: [number, number][] = [[0.85, 0.3], [0.95, 0.45], [0.85, 0.3], [0.95, 0.45]];
    const swingingLow: [number, number][] = [[0.55, 0.7], [0.65, 0.9], [0.55, 0.7], [0.65, 0.9]];
    const swingingLowRight: [number, number][] = [[0.45, 0.9], [0.35, 0.7], [0.45, 0.9], [0.35, 0.7]];
    expect(acts(hands(signingLeft, signingRight))).toEqual(['sign']);
    expect(acts(hands(hanging, hangingRight))).toEqual([]);
    expect(acts(hands(atChest, hangingRight))).toEqual(['gesture-at-chest']);
    expect(acts(hands(signingLeft, hangingRight))).toEqual(['gesture-one-hand']);
    expect(acts(hands(wavingAside, hangingRight))).toEqual(['gesture-one-hand']);
    expect(acts(hands(swingingLow, swingingLowRight))).toEqual(['gesture']);
  });

  it('groups actions by who does them', () => {
    const [track] = trackPoses(turning.map((p) => [p]));
    expect(summariseActions([{ ...track!, noun: 'woman' }, { ...track!, noun: 'woman' }, { ...track!, noun: 'man' }], handsOf)).toEqual([
      { noun: 'woman', action: 'turn-head', count: 2 },
      { noun: 'man', action: 'turn-head', count: 1 },
    ]);
  });
});

describe('objects with attributes', () => {
  it('reads the colour in the middle of a box, not around it', () => {
    const frame = solid(100, 100, [128, 128, 128], { box: { x: 0.4, y: 0.4, width: 0.2, height: 0.2 }, rgb: [250, 250, 250] });
    expect(regionColour(frame, { x: 0.42, y: 0.42, width: 0.16, height: 0.16 })).toBe('white');
    expect(regionColour(frame, { x: 0, y: 0, width: 0.3, height: 0.3 })).toBe('gray');
  });

  it('reads phones with nobody around as cars seen from above, and keeps a phone in a hand', () => {
    const phones = [detection(67, { x: 0.1, y: 0.1, width: 0.05, height: 0.08 }), detection(67, { x: 0.5, y: 0.5, width: 0.05, height: 0.08 })];
    const options = { minScore: 0.35, aspect: 16 / 9 };
    expect(refineDetections(phones, [], options).map((d) => d.label)).toEqual(['car', 'car']);
    expect(refineDetections(phones.slice(0, 1), [], options)).toEqual([]);
    const held = [detection(0, { x: 0.05, y: 0.05, width: 0.2, height: 0.6 }), phones[0]!];
    expect(refineDetections(held, [], options).map((d) => d.label)).toEqual(['person', 'cell phone']);
  });

  it('reads a round "vase" that also scores as food as that food, and keeps a tall vase', () => {
    const options = { minScore: 0.35, aspect: 16 / 9 };
    const round = { x: 0.77, y: 0.52, width: 0.14, height: 0.21 };
    const candidates = [detection(75, round, 0.51), detection(32, round, 0.22), detection(47, round, 0.21)];
    expect(refineDetections(candidates, [], options).map((d) => [d.label, d.score])).toEqual([['apple', 0.72]]);
    // A weak vase with food evidence is still an object worth naming.
    expect(refineDetections([detection(75, round, 0.3), detection(49, round, 0.15)], [], options).map((d) => d.label)).toEqual(['orange']);
    const tall = { x: 0.4, y: 0.2, width: 0.08, height: 0.4 };
    expect(refineDetections([detection(75, tall, 0.6), detection(47, tall, 0.3)], [], options).map((d) => d.label)).toEqual(['vase']);
    expect(refineDetections([detection(75, round, 0.6), detection(47, round, 0.1)], [], options).map((d) => d.label)).toEqual(['vase']);
  });

  it('infers the setting only from evidence', () => {
    const floor = solid(120, 80, [235, 235, 235], { box: { x: 0, y: 0.6, width: 1, height: 0.4 }, rgb: [120, 70, 30] });
    expect(inferSetting(floor, [], 0)).toMatchObject({ place: 'room' });
    const wall = solid(120, 80, [235, 235, 235]);
    expect(inferSetting(wall, [], 0)).toBeNull();
    const cars = [0.1, 0.3, 0.5, 0.7].map((x) => detection(2, { x, y: 0.4, width: 0.08, height: 0.1 }));
    expect(inferSetting(wall, cars, 0)).toMatchObject({ place: 'parking lot', viewpoint: 'high' });
    const office = [detection(56, { x: 0.8, y: 0.7, width: 0.2, height: 0.3 }), detection(63, { x: 0.4, y: 0.6, width: 0.2, height: 0.1 })];
    const guess = inferSetting(wall, office, 1)!;
    expect(guess.place).toBe('office');
    expect(guess.confidence).toBeGreaterThan(0.5);
    expect(inferSetting(wall, [detection(39, { x: 0.4, y: 0.3, width: 0.1, height: 0.4 })], 0)).toMatchObject({ place: 'tabletop' });
  });
});

describe('descriptions with people', () => {
  const frame = (): RgbFrame & { index: number; time: number } => ({ ...solid(160, 120, [230, 230, 230], { box: { x: 0.3, y: 0.3, width: 0.4, height: 0.4 }, rgb: [240, 140, 20] }), index: 0, time: 0 });
  const fixedPoses = (poses: BodyPose[]): PoseEstimator => ({ id: 'fixed-poses', estimate: async (frames) => frames.map(() => poses) });
  const fixedFaces = (face: Omit<FaceAttributes, 'box'>): FaceAnalyzer => ({
    id: 'fixed-faces',
    analyse: async (_frame, poses) => poses.map(() => ({ ...face, box: { x: 0.45, y: 0.1, width: 0.1, height: 0.1 } })),
  });
  const personDetector: ObjectDetector = { id: 'fixed-detector', detect: async (frames) => frames.map(() => [detection(0, { x: 0.3, y: 0.1, width: 0.4, height: 0.9 })]) };

  it('describes a person by gender, age, expression, clothing colour, posture and hands', async () => {
    const describer = createSceneDescriber({
      detector: personDetector,
      poseEstimator: fixedPoses([pose({ ...upright, leftKnee: [0.57, 0.85], rightKnee: [0.43, 0.85], leftWrist: [0.52, 0.45] })]),
      faceAnalyzer: fixedFaces({ maleness: 0.9, age: 25, expression: 'happy', expressionScore: 0.9 }),
    });
    const description = await describer.describeKeyframe(frame());
    expect(description.text).toMatch(/^a smiling young man in an orange top looking at the camera in the center, standing with a hand at the chest, in a /u);
    expect(createSemanticCodec().expand(description.semantic!)).toBe(description.text);
  });

  it('names who turns their head over a clip instead of "nothing moves"', async () => {
    const turning = [-0.5, 0, 0.5, 0.2, -0.4, 0.3].map((offset) => [pose({ ...upright, nose: [0.5 + offset * 0.04, 0.2] })]);
    let call = 0;
    const describer = createSceneDescriber({
      detector: personDetector,
      poseEstimator: { id: 'turning', estimate: async (frames) => frames.map(() => turning[call++ % turning.length]!) },
      faceAnalyzer: fixedFaces({ maleness: 0.1, age: 40, expression: 'neutral', expressionScore: 0.9 }),
      motionFrames: 6,
    });
    const frames = Array.from({ length: 6 }, (_, i) => ({ ...frame(), index: i, time: i / 3 }));
    const motion = await describer.describeMotion({ frames, fps: 3 });
    expect(motion.text).toBe('camera static; a woman turns her head');
  });

  it('names which way a head turns when the face mesh measures it', async () => {
    const yaws = [-15, -5, 5, 15, 25, 30];
    const estimates: number[] = [];
    const heads: HeadPoseEstimator = {
      id: 'turning-right',
      estimate: async (_frame, faces) => faces.map(() => head(yaws[estimates.push(1) - 1]!)),
    };
    const describer = createSceneDescriber({ detector: personDetector, poseEstimator: fixedPoses([pose(upright)]), faceAnalyzer: fixedFaces({ maleness: 0.9, age: 40, expression: 'neutral', expressionScore: 0.9 }), headPoseEstimator: heads, motionFrames: 6 });
    const frames = Array.from({ length: 6 }, (_, i) => ({ ...frame(), index: i, time: i / 3 }));
    const motion = await describer.describeMotion({ frames, fps: 3 });
    expect(estimates).toHaveLength(6);
    expect(motion.text).toBe('camera static; a man turns his head to the right');
    expect(createSemanticCodec().expand(motion.semantic!)).toBe(motion.text);
  });

  it('renders people who walk together in one clause, and still reads version-1 records', () => {
    const record: MotionRecord = {
      ...nothingMoves,
      objects: [
        { classId: 0, count: 1, direction: 'toward', speed: 'moderate', noun: 'woman' },
        { classId: 0, count: 1, direction: 'toward', speed: 'moderate', noun: 'man' },
        { classId: 2, count: 1, direction: 'left-to-right', speed: 'fast', noun: 'person' },
      ],
      actions: [
        { noun: 'person', count: 2, action: 'turn-head' },
        { noun: 'woman', count: 1, action: 'turn-head-left' },
        { noun: 'man', count: 1, action: 'tilt-head' },
      ],
    };
    expect(renderRecord(decodeRecord(encodeRecord(record)))).toBe(
      'camera static; a woman and a man walk toward the camera; a car drives quickly from left to right; two people turn their heads; a woman turns her head to the left; a man tilts his head',
    );
    const hands: MotionRecord = {
      ...record,
      objects: [],
      actions: [
        { noun: 'woman', count: 1, action: 'sign' },
        { noun: 'man', count: 1, action: 'gesture-at-chest' },
        { noun: 'person', count: 2, action: 'gesture-one-hand' },
        { noun: 'man', count: 2, action: 'gesture' },
      ],
    };
    expect(renderRecord(decodeRecord(encodeRecord(hands)))).toBe(
      'camera static; a woman signs with both hands; a man gestures with one hand at his chest; two people gesture with one hand; two men gesture with their hands',
    );
    // Version 1 bytes: content, dim/normal/normal, one gray colour, one bottle in the center, no text.
    const v1 = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 39, 1, 4, 0]);
    const decoded = decodeRecord(v1) as ContentRecord;
    expect(decoded).toMatchObject({ people: [], setting: null, objects: [{ classId: 39, count: 1, position: 'center', colour: null }] });
    expect(renderRecord(decoded)).toBe('a bottle in the center, in a dim scene with mostly gray tones');
  });
});


describe('head pose from the face mesh', () => {
  // A frontal face shipped with @vladmandic/human (a dependency of the models package), pasted on a gray frame.
  const facePicture = (): string => packageFile('@vladmandic/human', 'assets', 'screenshot-facematch.jpg');
  const FACE = { left: 0, top: 36, width: 176, height: 176 };
  const box: Box = { x: 152 / 480, y: 72 / 320, width: 176 / 480, height: 176 / 320 };
  async function faceFrame(change: (face: Sharp) => Sharp): Promise<RgbFrame> {
    const face = await sharp(await sharp(facePicture()).extract(FACE).png().toBuffer()).png().toBuffer();
    const changed = await change(sharp(face)).resize(FACE.width, FACE.height).png().toBuffer();
    const { data, info } = await sharp({ create: { width: 480, height: 320, channels: 3, background: { r: 120, g: 120, b: 120 } } })
      .composite([{ input: changed, left: 152, top: 72 }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  }

  it('turns yaw over when the face is mirrored, shows a rotated face as roll, and finds no face in a blank frame', async () => {
    const estimator = createHeadPoseEstimator();
    try {
      const [plain] = await estimator.estimate(await faceFrame((f) => f), [box]);
      const [mirrored] = await estimator.estimate(await faceFrame((f) => f.flop()), [box]);
      const [clockwise] = await estimator.estimate(await faceFrame((f) => f.rotate(15, { background: '#787878' })), [box]);
      const [anticlockwise] = await estimator.estimate(await faceFrame((f) => f.rotate(-15, { background: '#787878' })), [box]);
      const blank = await estimator.estimate({ width: 480, height: 320, data: new Uint8Array(480 * 320 * 3).fill(120) }, [box]);
      expect(plain && mirrored && clockwise && anticlockwise).toBeTruthy();
      expect(Math.abs(plain!.yaw + mirrored!.yaw)).toBeLessThan(5);
      expect(Math.abs(plain!.roll + mirrored!.roll)).toBeLessThan(5);
      expect(clockwise!.roll - plain!.roll).toBeGreaterThan(8);
      expect(clockwise!.roll - plain!.roll).toBeLessThan(22);
      expect(anticlockwise!.roll - plain!.roll).toBeLessThan(-8);
      expect(anticlockwise!.roll - plain!.roll).toBeGreaterThan(-22);
      expect(blank).toEqual([null]);
      expect(await estimator.estimate(await faceFrame((f) => f), [])).toEqual([]);
    } finally {
      await estimator.dispose();
    }
  });
});
