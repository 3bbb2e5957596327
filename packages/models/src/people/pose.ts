import type { Box, Disposable, RgbFrame } from '../types.ts';
import { FrameResults, RECENT_FRAMES, resultsPerFrame } from '../runtime/frame-results.ts';
import { ReusedInput, resizeBilinearRgb } from '../runtime/resize.ts';
import { sharedHumanGraph } from './human-graph.ts';

/** MoveNet's 17 COCO keypoints, in output order. */
export const KEYPOINTS = [
  'nose',
  'leftEye',
  'rightEye',
  'leftEar',
  'rightEar',
  'leftShoulder',
  'rightShoulder',
  'leftElbow',
  'rightElbow',
  'leftWrist',
  'rightWrist',
  'leftHip',
  'rightHip',
  'leftKnee',
  'rightKnee',
  'leftAnkle',
  'rightAnkle',
] as const;
export type KeypointName = (typeof KEYPOINTS)[number];

export interface Keypoint {
  /** Frame fractions. */
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/** One person MoveNet found: a box and 17 keypoints, all in frame fractions. */
export interface BodyPose {
  readonly score: number;
  readonly box: Box;
  readonly keypoints: Readonly<Record<KeypointName, Keypoint>>;
}

export interface PoseEstimator {
  readonly id: string;
  estimate(frames: readonly RgbFrame[]): Promise<BodyPose[][]>;
}

const INPUT_SIZE = 256;
const SLOTS = 6;
const SLOT_WIDTH = 56;
const GRID = INPUT_SIZE / 4;
const head = (name: string): string => `StatefulPartitionedCall/${name}`;
/** Graph values the ONNX model returns: the heads, with the centre heatmap's sigmoid and 5×5 max-pool. */
const OUTPUTS = {
  centers: head('Sigmoid'),
  centerPeaks: head('MaxPool'),
  boxScale: head('box_scale_0/conv2d_5/BiasAdd'),
  boxOffset: head('box_offset_0/conv2d_6/BiasAdd'),
  keypointHeatmap: head('Sigmoid_1'),
  keypointRegression: head('kpt_regress_0/conv2d_8/BiasAdd'),
  keypointOffset: head('kpt_offset_0/conv2d_9/BiasAdd'),
} as const;
/** Constants of the graph's decoding tail. */
const PEAK_TOLERANCE = 1.0132789611816406e-6;
const DISTANCE_SCALE = 0.300048828125;
const KEYPOINT_SCORE_FLOOR = 0.126953125;

/** MoveNet multipose's heads, NHWC over a square grid, batch of one. */
export interface MultiposeHeads {
  /** [grid, grid, 1] person-centre scores and their 5×5 max-pool. */
  readonly centers: Float32Array;
  readonly centerPeaks: Float32Array;
  /** [grid, grid, 2] box height and width, and the centre's offset (y, x), in cells. */
  readonly boxScale: Float32Array;
  readonly boxOffset: Float32Array;
  /** [grid, grid, 17] keypoint scores; [grid, grid, 34] (y, x) per keypoint: regression from the centre, and the sub-cell offset. */
  readonly keypointHeatmap: Float32Array;
  readonly keypointRegression: Float32Array;
  readonly keypointOffset: Float32Array;
  readonly grid: number;
}

/**
 * The decoding tail of the human-models MoveNet multipose graph, as rows of 56 per slot
 * ([y, x, score] × 17, ymin, xmin, ymax, xmax, score; fractions of the input): the six best centre
 * peaks; for each, the keypoints its centre regresses to, each snapped to the best heatmap cell near
 * it inside the person's box and refined by that cell's offset.
 *
 * A slot whose centre scores below a positive `minScore` is left all zeros: its pose score, the
 * centre's score times the mean of its keypoint scores (each a sigmoid at most 1), could not reach
 * `minScore` either. With `minScore` 0 it gives the graph's own rows.
 */
export function multiposeRows(heads: MultiposeHeads, minScore = 0): Float32Array {
  const { grid, keypointHeatmap } = heads;
  const cells = grid * grid;
  const k = KEYPOINTS.length;

  // TopK over the centre peaks: best first, ties by position; non-peaks count as zero.
  const slotCells = new Int32Array(SLOTS);
  const slotScores = new Float64Array(SLOTS);
  let filled = 0;
  for (let i = 0; i < cells; i++) {
    const value = heads.centers[i]!;
    const score = Math.abs(value - heads.centerPeaks[i]!) < PEAK_TOLERANCE ? value : 0;
    if (filled === SLOTS && !(score > slotScores[SLOTS - 1]!)) continue;
    let position = 0;
    while (position < filled && !(score > slotScores[position]!)) position++;
    filled = Math.min(filled + 1, SLOTS);
    slotCells.copyWithin(position + 1, position, filled - 1);
    slotScores.copyWithin(position + 1, position, filled - 1);
    slotCells[position] = i;
    slotScores[position] = score;
  }

  // Per person: the keypoints its centre regresses to (cells) and its box [top, left, bottom, right] in cells.
  const regressedY = new Float64Array(filled * k);
  const regressedX = new Float64Array(filled * k);
  const boxes = new Float64Array(filled * 4);
  const clamp = (value: number): number => Math.max(Math.min(value, grid), 0);
  for (let p = 0; p < filled; p++) {
    const index = slotCells[p]!;
    const cy = Math.floor(index / grid);
    const cx = index - cy * grid;
    for (let j = 0; j < k; j++) {
      regressedY[p * k + j] = cy + heads.keypointRegression[index * 2 * k + 2 * j]!;
      regressedX[p * k + j] = cx + heads.keypointRegression[index * 2 * k + 2 * j + 1]!;
    }
    const height = Math.max(heads.boxScale[index * 2]!, 0) * 0.5;
    const width = Math.max(heads.boxScale[index * 2 + 1]!, 0) * 0.5;
    const y = cy + heads.boxOffset[index * 2]!;
    const x = cx + heads.boxOffset[index * 2 + 1]!;
    boxes.set([clamp(y - height), clamp(x - width), clamp(y + height), clamp(x + width)], p * 4);
  }

  const spread = Math.fround(grid * DISTANCE_SCALE);
  /** Keypoint j's score at a cell for person p: the heatmap, weighted by nearness to the regressed point, zero outside the box. */
  const weighted = (p: number, j: number, y: number, x: number): number => {
    if (!(y >= boxes[p * 4]! && y < boxes[p * 4 + 2]! && x >= boxes[p * 4 + 1]! && x < boxes[p * 4 + 3]!)) return 0;
    const distance = (y - regressedY[p * k + j]!) ** 2 + (x - regressedX[p * k + j]!) ** 2;
    return keypointHeatmap[(y * grid + x) * k + j]! * Math.exp(-distance / spread);
  };

  const rows = new Float32Array(SLOTS * SLOT_WIDTH);
  for (let p = 0; p < filled; p++) {
    if (minScore > 0 && slotScores[p]! < minScore) continue;
    const row = p * SLOT_WIDTH;
    const top = boxes[p * 4]!;
    const left = boxes[p * 4 + 1]!;
    const bottom = boxes[p * 4 + 2]!;
    const right = boxes[p * 4 + 3]!;
    // The cells inside the box.
    const firstY = Math.max(0, Math.ceil(top));
    const endY = Math.min(grid, bottom);
    const firstX = Math.max(0, Math.ceil(left));
    const endX = Math.min(grid, right);
    let total = 0;
    let counted = 0;
    for (let j = 0; j < k; j++) {
      const pointY = regressedY[p * k + j]!;
      const pointX = regressedX[p * k + j]!;
      // ArgMax over the grid: the first cell with the highest value, cell 0 when all are zero.
      let best = 0;
      let bestY = 0;
      let bestX = 0;
      for (let y = firstY; y < endY; y++) {
        for (let x = firstX; x < endX; x++) {
          const heat = keypointHeatmap[(y * grid + x) * k + j]!;
          // The weight is at most 1, so a cell whose heatmap is not above the best cannot beat it.
          if (!(heat > best)) continue;
          const value = heat * Math.exp(-((y - pointY) ** 2 + (x - pointX) ** 2) / spread);
          if (value > best) {
            best = value;
            bestY = y;
            bestX = x;
          }
        }
      }
      let score = 0;
      for (let q = 0; q < filled; q++) score = Math.max(score, weighted(q, j, bestY, bestX));
      const offset = ((bestY * grid + bestX) * k + j) * 2;
      rows[row + 3 * j] = (bestY + heads.keypointOffset[offset]!) / grid;
      rows[row + 3 * j + 1] = (bestX + heads.keypointOffset[offset + 1]!) / grid;
      rows[row + 3 * j + 2] = score;
      if (score > KEYPOINT_SCORE_FLOOR) {
        total += score;
        counted += 1;
      }
    }
    for (let side = 0; side < 4; side++) rows[row + 3 * k + side] = Math.min(Math.max(boxes[p * 4 + side]! / grid, 0), 1);
    rows[row + SLOT_WIDTH - 1] = (slotScores[p]! * total) / Math.max(counted, 1);
  }
  return rows;
}

/**
 * Decodes MoveNet multipose rows ([y, x, score] × 17, then ymin, xmin, ymax, xmax, score) given in
 * fractions of the square the frame was padded to (padding right and bottom).
 */
export function decodeMultipose(rows: Float32Array, width: number, height: number, minScore: number): BodyPose[] {
  const side = Math.max(width, height);
  const sx = side / width;
  const sy = side / height;
  const poses: BodyPose[] = [];
  for (let slot = 0; slot < SLOTS; slot += 1) {
    const row = rows.subarray(slot * SLOT_WIDTH, (slot + 1) * SLOT_WIDTH);
    const score = row[55]!;
    if (!(score >= minScore)) continue;
    const keypoints = {} as Record<KeypointName, Keypoint>;
    KEYPOINTS.forEach((name, i) => {
      keypoints[name] = { y: Math.min(1, row[3 * i]! * sy), x: Math.min(1, row[3 * i + 1]! * sx), score: row[3 * i + 2]! };
    });
    const x = Math.max(0, row[52]! * sx);
    const y = Math.max(0, row[51]! * sy);
    const right = Math.min(1, row[54]! * sx);
    const bottom = Math.min(1, row[53]! * sy);
    if (right <= x || bottom <= y) continue;
    poses.push({ score, box: { x, y, width: right - x, height: bottom - y }, keypoints });
  }
  return poses.sort((a, b) => b.score - a.score);
}

/**
 * The model's input: the frame padded to a square (right and bottom), resized to 256², and cut to
 * integers as the graph's int32 input takes them; handed to ONNX as floats.
 */
export function multiposeInput(frame: RgbFrame, output?: Float32Array): Float32Array {
  const pixels = resizeBilinearRgb(frame, INPUT_SIZE, INPUT_SIZE, { padToSquare: true, ...(output ? { output } : {}) });
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.trunc(pixels[i]!);
  return pixels;
}

export interface PoseEstimatorOptions {
  /** People whose pose score is below this are ignored (default 0.3). */
  readonly minScore?: number;
}

class MovenetMultipose implements PoseEstimator, Disposable {
  readonly id = 'movenet-multipose';
  readonly #minScore: number;
  // Converted to ONNX from the model's own weights (MobileNetV2-FPN trunk and six heads); multiposeRows decodes the heads.
  readonly #model = sharedHumanGraph('movenet-multipose', { input: 'input', inputShape: [1, INPUT_SIZE, INPUT_SIZE, 3], outputs: Object.values(OUTPUTS) });

  readonly #recent = new FrameResults<BodyPose[]>(RECENT_FRAMES);
  readonly #input = new ReusedInput();

  constructor(options: PoseEstimatorOptions) {
    this.#minScore = options.minScore ?? 0.3;
  }

  estimate(frames: readonly RgbFrame[]): Promise<BodyPose[][]> {
    return resultsPerFrame(frames, this.#recent, this.#model, async (model, frame) => {
      const values = await this.#input.use(INPUT_SIZE * INPUT_SIZE * 3, (pixels) => multiposeInput(frame, pixels), (pixels) => model.run(pixels));
      const heads = Object.fromEntries(Object.entries(OUTPUTS).map(([key, name]) => [key, values[name]!])) as Record<keyof typeof OUTPUTS, Float32Array>;
      return decodeMultipose(multiposeRows({ ...heads, grid: GRID }, this.#minScore), frame.width, frame.height, this.#minScore);
    });
  }

  dispose(): Promise<void> {
    return this.#model.release();
  }
}

export function createPoseEstimator(options: PoseEstimatorOptions = {}): PoseEstimator & Disposable {
  return new MovenetMultipose(options);
}
