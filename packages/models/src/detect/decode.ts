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

/** CenterNet's graph already decodes: rows of [x1, y1, x2, y2, score, classId] in input pixels. */
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
