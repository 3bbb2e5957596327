import { describe, expect, it } from 'vitest';
import { pose, upright } from './pose-fixtures.ts';
import type { RgbFrame } from '../src/types.ts';
import { createHandDetector, decodeHands, handsFromBoxes, personRecord, upperBodySquare, type HandBox } from '../src/people/index.ts';
import { ModelError } from '../src/runtime/errors.ts';
import { createSceneDescriber } from '../src/describe/index.ts';


// On a square frame: shoulders 0.2 apart, eyes 0.04 apart, nose at (0.5, 0.2), so the mouth is near (0.5, 0.224).

/** A hand box of side 0.06 centred on (x, y). */
const hand = (x: number, y: number, side = 0.06): HandBox => ({ box: { x: x - side / 2, y: y - side / 2, width: side, height: side }, score: 0.9, shape: 'hand' });
const places = (...hands: HandBox[]) => handsFromBoxes(pose(upright), hands, 100, 100);

function noise(width: number, height: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = seed >> 23;
  }
  return { width, height, data };
}

describe('hands', () => {
  it('decodes handtrack candidates: the best hand shape, only hands, above the score, one box per hand', () => {
    // Columns: hand, fist, pinch, point, face, tip, pinchtip.
    const scores = new Float32Array([
      0.1, 0.8, 0.2, 0.1, 0, 0, 0, // a fist
      0.1, 0.7, 0.1, 0.1, 0, 0, 0, // the same fist, boxed again
      0, 0, 0, 0, 0.99, 0.9, 0.9, // a face and fingertips: no hand
      0.3, 0.1, 0.1, 0.6, 0, 0, 0, // a pointing hand
      0.2, 0.2, 0.2, 0.2, 0, 0, 0, // below the score
    ]);
    const boxes = new Float32Array([0.1, 0.1, 0.3, 0.2, 0.11, 0.1, 0.31, 0.2, 0, 0, 0.5, 0.5, 0.5, 0.6, 0.7, 1.2, 0.5, 0.5, 0.6, 0.6]);
    const hands = decodeHands(scores, boxes, 0.5);
    expect(hands.map((h) => h.shape)).toEqual(['fist', 'point']);
    expect(hands[0]!.score).toBeCloseTo(0.8);
    expect(hands[0]!.box.x).toBeCloseTo(0.1);
    expect(hands[0]!.box.y).toBeCloseTo(0.1);
    expect(hands[0]!.box.width).toBeCloseTo(0.1);
    expect(hands[0]!.box.height).toBeCloseTo(0.2);
    // Clipped at the frame's edge.
    expect(hands[1]!.box.x + hands[1]!.box.width).toBeCloseTo(1);
  });

  it('crops a square around the upper body', () => {
    const [y1, x1, y2, x2] = upperBodySquare({ x: 0.4, y: 0.1, width: 0.2, height: 0.8 }, 400, 200);
    expect((x2 - x1) * 400).toBeCloseTo((y2 - y1) * 200);
    expect((x1 + x2) / 2).toBeCloseTo(0.5);
    expect(y1).toBeLessThan(0.1);
  });

  it('places hands from their boxes: at the mouth, at the face, raised, at the chest, one or both', () => {
    expect(places(hand(0.5, 0.24))).toBe('at-mouth');
    expect(places(hand(0.58, 0.16))).toBe('at-face');
    expect(places(hand(0.7, 0.2))).toBe('raised');
    expect(places(hand(0.7, 0.2), hand(0.3, 0.2))).toBe('both-raised');
    expect(places(hand(0.52, 0.45))).toBe('at-chest');
    expect(places(hand(0.45, 0.45), hand(0.56, 0.47))).toBe('both-at-chest');
    expect(places(hand(0.7, 0.7))).toBe('none');
    // The mouth wins over a raised other hand.
    expect(places(hand(0.7, 0.2), hand(0.5, 0.24))).toBe('at-mouth');
  });

  it('ignores boxes that cannot be hands, and leaves the decision to the wrists without boxes or shoulders', () => {
    expect(places(hand(0.5, 0.45, 0.3))).toBeUndefined();
    // A face read as a fist: the box holds both eyes.
    expect(places({ box: { x: 0.45, y: 0.12, width: 0.1, height: 0.14 }, score: 0.9, shape: 'fist' })).toBeUndefined();
    expect(places()).toBeUndefined();
    expect(handsFromBoxes(pose({ nose: [0.5, 0.2] }), [hand(0.5, 0.24)], 100, 100)).toBeUndefined();
  });

  it('says where the hands are in the person record, from boxes before wrists', () => {
    const frame: RgbFrame = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3).fill(128) };
    const body = pose({ ...upright, leftWrist: [0.52, 0.45] });
    expect(personRecord(frame, body, null).hands).toBe('at-chest');
    expect(personRecord(frame, body, null, [hand(0.5, 0.24)]).hands).toBe('at-mouth');
  });

  it('writes "with a hand at the mouth" and "with both hands raised" into a keyframe text', async () => {
    const frame = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3).fill(200), index: 0, time: 0 };
    const body = pose(upright);
    const describe = (hands: HandBox[]) =>
      createSceneDescriber({
        detector: { id: 'person', detect: async (frames) => frames.map(() => [{ classId: 0, label: 'person', score: 0.9, box: body.box }]) },
        poseEstimator: { id: 'pose', estimate: async (frames) => frames.map(() => [body]) },
        handDetector: { id: 'hands', detect: async (_frame, people) => people.map(() => hands) },
      }).describeKeyframe(frame);
    expect((await describe([hand(0.5, 0.24)])).text).toContain('with a hand at the mouth');
    expect((await describe([hand(0.7, 0.2), hand(0.3, 0.2)])).text).toContain('with both hands raised');
    expect((await describe([])).text).not.toContain('hand');
  });

  it('runs the hand detector only on people whose shoulders are seen, and places the others by their wrists', async () => {
    const frame = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3).fill(200), index: 0, time: 0 };
    const { leftShoulder: _left, ...noLeftShoulder } = upright;
    const squared = pose(upright, { x: 0.3, y: 0.1, width: 0.4, height: 0.9 });
    const turned = pose({ ...noLeftShoulder, leftWrist: [0.3, 0.1] }, { x: 0.05, y: 0.1, width: 0.2, height: 0.5 }, 0.7);
    const asked: number[] = [];
    const { text } = await createSceneDescriber({
      poseEstimator: { id: 'pose', estimate: async (frames) => frames.map(() => [squared, turned]) },
      handDetector: {
        id: 'hands',
        detect: async (_frame, people) => {
          asked.push(people.length);
          return people.map(() => [hand(0.5, 0.24)]);
        },
      },
    }).describeKeyframe(frame);
    expect(asked).toEqual([1]);
    expect(text).toContain('with a hand at the mouth');
    // Without both shoulders the wrists decide, as handsOf does.
    expect(handsFromBoxes(turned, [hand(0.5, 0.24)], 100, 100)).toBeUndefined();
  });

  it('runs handtrack and the landmark check on a frame: well-formed boxes inside the person square, none in a blank frame', async () => {
    const person = { x: 0.3, y: 0.1, width: 0.4, height: 0.8 };
    const everything = createHandDetector({ minCandidateScore: 0, minHandScore: 0 });
    const strict = createHandDetector();
    try {
      const frame = noise(160, 120);
      const [found] = await everything.detect(frame, [person]);
      expect(found!.length).toBeGreaterThan(0);
      const [y1, x1, y2, x2] = upperBodySquare(person, 160, 120);
      for (const { box, score, shape } of found!) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        expect(['hand', 'fist', 'pinch', 'point']).toContain(shape);
        expect(box.width).toBeGreaterThan(0);
        expect(box.height).toBeGreaterThan(0);
        expect(box.x).toBeGreaterThanOrEqual(x1 - 1e-6);
        expect(box.y).toBeGreaterThanOrEqual(y1 - 1e-6);
        expect(box.x + box.width).toBeLessThanOrEqual(x2 + 1e-6);
        expect(box.y + box.height).toBeLessThanOrEqual(y2 + 1e-6);
      }
      expect(await strict.detect({ width: 160, height: 120, data: new Uint8Array(160 * 120 * 3).fill(120) }, [person])).toEqual([[]]);
      expect(await strict.detect(frame, [])).toEqual([]);
      await expect(strict.detect({ width: 10, height: 10, data: new Uint8Array(5) }, [person])).rejects.toBeInstanceOf(ModelError);
    } finally {
      await everything.dispose();
      await strict.dispose();
    }
  });
});
