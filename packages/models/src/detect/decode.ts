import type { Box, Detection } from '../types.ts';
import { cocoLabels } from './labels.ts';

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/** Builds a Detection from corner coordinates normalised to the frame, clipping to the frame. */
export function detectionFromCorners(classId: number, score: number, x1: number, y1: number, x2: number, y2: number): Detection | undefined {
  const left = clamp01(Math.min(x1, x2));
  const top = clamp01(Math.min(y1, y2));
  const right = clamp01(Math.max(x1, x2));
  const bottom = clamp01(Math.max(y1, y2));
  const label = cocoLabels[classId];
  if (label === undefined || right <= left || bottom <= top) return undefined;
  return { classId, label, score, box: { x: left, y: top, width: right - left, height: bottom - top } };
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}

/** Greedy per-class non-maximum suppression; returns at most `maxDetections`, best first. */
export function nonMaxSuppression(candidates: readonly Detection[], iouThreshold: number, maxDetections: number): Detection[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxDetections) break;
    const overlaps = kept.some((other) => other.classId === candidate.classId && intersectionOverUnion(other.box, candidate.box) > iouThreshold);
    if (!overlaps) kept.push(candidate);
  }
  return kept;
}

/** One NanoDet output level: a square grid of cells, each with 80 class scores and 4 box-side distributions. */
export interface NanodetLevel {
  readonly gridSize: number;
  /** Pixels of model input per grid cell. */
  readonly stride: number;
  /** [gridSize², 80] sigmoid class scores. */
  readonly scores: Float32Array;
  /** [gridSize², 4 × bins] logits over distances (in strides) for left, top, right, bottom. */
  readonly regression: Float32Array;
}

/**
 * NanoDet (GFL head) decoding: each cell centre predicts, per side, a discrete distribution over
 * 0..bins-1 strides; the distance is the distribution's expectation times the stride.
 */
export function decodeNanodet(levels: readonly NanodetLevel[], inputSize: number, scoreThreshold: number): Detection[] {
  const classes = cocoLabels.length;
  const detections: Detection[] = [];
  for (const level of levels) {
    const cells = level.gridSize * level.gridSize;
    const bins = level.regression.length / cells / 4;
    for (let cell = 0; cell < cells; cell++) {
      let bestClass = -1;
      let bestScore = scoreThreshold;
      for (let c = 0; c < classes; c++) {
        const score = level.scores[cell * classes + c]!;
        if (score > bestScore) {
          bestScore = score;
          bestClass = c;
        }
      }
      if (bestClass < 0) continue;
      const distances = [0, 0, 0, 0];
      for (let side = 0; side < 4; side++) {
        const offset = (cell * 4 + side) * bins;
        let max = -Infinity;
        for (let b = 0; b < bins; b++) max = Math.max(max, level.regression[offset + b]!);
        let total = 0;
        let expectation = 0;
        for (let b = 0; b < bins; b++) {
          const weight = Math.exp(level.regression[offset + b]! - max);
          total += weight;
          expectation += weight * b;
        }
        distances[side] = ((expectation / total) * level.stride) / inputSize;
      }
      const cx = ((cell % level.gridSize) + 0.5) / level.gridSize;
      const cy = (Math.floor(cell / level.gridSize) + 0.5) / level.gridSize;
      const detection = detectionFromCorners(bestClass, bestScore, cx - distances[0]!, cy - distances[1]!, cx + distances[2]!, cy + distances[3]!);
      if (detection) detections.push(detection);
    }
  }
  return detections;
}

/** CenterNet's heads, NHWC, batch of one: class heatmap and box sizes. */
export interface CenternetHeads {
  /** [grid, grid, classes] sigmoid scores. */
  readonly keypoints: Float32Array;
  /** [grid, grid, 4] distances in input pixels from the cell to the left, top, right and bottom sides. */
  readonly wh: Float32Array;
  readonly grid: number;
  readonly classes: number;
  /** Input pixels per grid cell. */
  readonly stride: number;
}

/**
 * The positions in a [grid, grid, classes] heatmap whose score is above `minScore` and is a peak as
 * the graph tests it: equal to the 3×3 max-pool (stride 1, SAME) around it, i.e. no neighbour of the
 * same class above it. Only scores above the threshold need the test.
 */
function peaksAbove(scores: Float32Array, grid: number, classes: number, minScore: number): number[] {
  // A bare pass first: a loop this small is the fastest way over 1.3 M scores.
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! > minScore) candidates.push(i);
  }
  return candidates.filter((index) => {
    const cell = Math.floor(index / classes);
    const [x, y] = [cell % grid, Math.floor(cell / grid)];
    for (let ny = Math.max(0, y - 1); ny <= Math.min(grid - 1, y + 1); ny++) {
      for (let nx = Math.max(0, x - 1); nx <= Math.min(grid - 1, x + 1); nx++) {
        if (scores[(ny * grid + nx) * classes + (index % classes)]! > scores[index]!) return false;
      }
    }
    return true;
  });
}

/**
 * The decoding tail of the human-models CenterNet graph: the `limit` best local peaks of the class
 * heatmap scoring above `minScore`, best first (ties by position, as TopK orders them), as rows of
 * [x1, y1, x2, y2, score, classId] in input pixels. With `minScore` 0 it gives the graph's own rows.
 */
export function centernetRows(heads: CenternetHeads, limit: number, minScore: number): Float32Array {
  const { keypoints, wh, grid, classes, stride } = heads;
  const peaks = peaksAbove(keypoints, grid, classes, minScore);
  peaks.sort((a, b) => keypoints[b]! - keypoints[a]! || a - b);
  const kept = peaks.slice(0, limit);
  const rows = new Float32Array(kept.length * 6);
  kept.forEach((index, row) => {
    const cell = Math.floor(index / classes);
    const x = (cell % grid) * stride;
    const y = Math.floor(cell / grid) * stride;
    rows.set([x - wh[cell * 4]!, y - wh[cell * 4 + 1]!, x + wh[cell * 4 + 2]!, y + wh[cell * 4 + 3]!, keypoints[index]!, index % classes], row * 6);
  });
  return rows;
}

/** Rows of [x1, y1, x2, y2, score, classId] in input pixels → detections above the threshold. */
export function decodeCenternet(rows: Float32Array, inputSize: number, scoreThreshold: number): Detection[] {
  const detections: Detection[] = [];
  for (let offset = 0; offset + 6 <= rows.length; offset += 6) {
    const score = rows[offset + 4]!;
    if (!(score > scoreThreshold)) continue;
    const detection = detectionFromCorners(
      Math.round(rows[offset + 5]!),
      score,
      rows[offset]! / inputSize,
      rows[offset + 1]! / inputSize,
      rows[offset + 2]! / inputSize,
      rows[offset + 3]! / inputSize,
    );
    if (detection) detections.push(detection);
  }
  return detections;
}
