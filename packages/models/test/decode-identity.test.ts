/**
 * The pre- and post-processing loops around the models, rewritten for speed, against the
 * straightforward versions they replaced (kept here, small): the same bits on random inputs.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@cmvc/codec';
import type { RgbFrame } from '../src/types.ts';
import { resizeBilinearRgb, type ResizeOptions } from '../src/runtime/resize.ts';
import { centernetRows, type CenternetHeads } from '../src/detect/decode.ts';
import { decodeMultipose, multiposeRows, type MultiposeHeads } from '../src/people/pose.ts';

function randomFrame(next: () => number, width: number, height: number): RgbFrame {
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(next() * 256)) };
}

/** Bit for bit: the same float32 values, signed zeros and NaNs included. */
function expectSameBits(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const gotBits = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const wantBits = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const first = gotBits.findIndex((bits, i) => bits !== wantBits[i]);
  expect(first, first < 0 ? '' : `value ${first}: ${got[first]} instead of ${want[first]}`).toBe(-1);
}

/** tfjs resizeBilinear without half-pixel centres, one output pixel at a time. */
function referenceResize(frame: RgbFrame, width: number, height: number, options: ResizeOptions): Float32Array {
  const sourceWidth = options.padToSquare ? Math.max(frame.width, frame.height) : frame.width;
  const sourceHeight = options.padToSquare ? Math.max(frame.width, frame.height) : frame.height;
  const scale = (source: number, target: number): number => (options.alignCorners && target > 1 ? (source - 1) / (target - 1) : source / target);
  const at = (y: number, x: number, c: number): number => (y < frame.height && x < frame.width ? frame.data[(y * frame.width + x) * 3 + c]! : 0);
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sourceY = y * scale(sourceHeight, height);
    const top = Math.floor(sourceY);
    const bottom = Math.min(top + 1, sourceHeight - 1);
    const dy = Math.fround(sourceY - top);
    for (let x = 0; x < width; x++) {
      const sourceX = x * scale(sourceWidth, width);
      const left = Math.floor(sourceX);
      const right = Math.min(left + 1, sourceWidth - 1);
      const dx = Math.fround(sourceX - left);
      for (let c = 0; c < 3; c++) {
        const topValue = at(top, left, c) + (at(top, right, c) - at(top, left, c)) * dx;
        const bottomValue = at(bottom, left, c) + (at(bottom, right, c) - at(bottom, left, c)) * dx;
        out[(y * width + x) * 3 + c] = topValue + (bottomValue - topValue) * dy;
      }
    }
  }
  return out;
}

describe('resizeBilinearRgb', () => {
  const next = seededRandom(15);
  // Down and up, the encode's sizes (768×432 to CenterNet's 512², MoveNet's padded 256², MobileNet's
  // 224² with aligned corners), odd sizes, portrait frames and one-pixel outputs.
  const frames = [randomFrame(next, 768, 432), randomFrame(next, 224, 126), randomFrame(next, 37, 61), randomFrame(next, 5, 3), randomFrame(next, 1, 1)];
  const sizes = [[512, 512], [256, 256], [224, 224], [300, 11], [1, 1], [1, 7], [64, 1]] as const;
  const variants: ResizeOptions[] = [{}, { alignCorners: true }, { padToSquare: true }, { alignCorners: true, padToSquare: true }];

  it('gives the same bits as resizing each output pixel on its own', () => {
    for (const frame of frames) {
      for (const [width, height] of sizes) {
        for (const options of variants) expectSameBits(resizeBilinearRgb(frame, width, height, options), referenceResize(frame, width, height, options));
      }
    }
  });

  it('writes into a given array, over whatever it held', () => {
    const frame = frames[2]!;
    const batch = new Float32Array(2 * 16 * 16 * 3).fill(Number.NaN);
    const output = batch.subarray(16 * 16 * 3);
    expect(resizeBilinearRgb(frame, 16, 16, { padToSquare: true, output })).toBe(output);
    expectSameBits(output, referenceResize(frame, 16, 16, { padToSquare: true }));
    expect(batch.subarray(0, 16 * 16 * 3).every(Number.isNaN)).toBe(true);
    expect(() => resizeBilinearRgb(frame, 17, 16, { output })).toThrow(RangeError);
  });
});

/** MoveNet multipose's decoding tail as first written: every person, every keypoint, every cell of the box. */
function referenceMultiposeRows(heads: MultiposeHeads): Float32Array {
  const { grid } = heads;
  const k = 17;
  const centers: { index: number; score: number }[] = [];
  for (let i = 0; i < grid * grid; i++) {
    const value = heads.centers[i]!;
    const score = Math.abs(value - heads.centerPeaks[i]!) < 1.0132789611816406e-6 ? value : 0;
    const position = centers.findIndex((c) => score > c.score);
    if (position !== -1) centers.splice(position, 0, { index: i, score });
    else if (centers.length < 6) centers.push({ index: i, score });
    if (centers.length > 6) centers.pop();
  }
  const clamp = (value: number): number => Math.max(Math.min(value, grid), 0);
  const people = centers.map(({ index, score }) => {
    const cy = Math.floor(index / grid);
    const cx = index - cy * grid;
    const regressed = Array.from({ length: k }, (_, j) => [cy + heads.keypointRegression[index * 2 * k + 2 * j]!, cx + heads.keypointRegression[index * 2 * k + 2 * j + 1]!] as const);
    const [height, width] = [Math.max(heads.boxScale[index * 2]!, 0) * 0.5, Math.max(heads.boxScale[index * 2 + 1]!, 0) * 0.5];
    const [y, x] = [cy + heads.boxOffset[index * 2]!, cx + heads.boxOffset[index * 2 + 1]!];
    return { score, regressed, box: [clamp(y - height), clamp(x - width), clamp(y + height), clamp(x + width)] as const };
  });
  const spread = Math.fround(grid * 0.300048828125);
  const weighted = (p: number, j: number, y: number, x: number): number => {
    const { regressed, box } = people[p]!;
    if (!(y >= box[0] && y < box[2] && x >= box[1] && x < box[3])) return 0;
    const distance = (y - regressed[j]![0]) ** 2 + (x - regressed[j]![1]) ** 2;
    return heads.keypointHeatmap[(y * grid + x) * k + j]! * Math.exp(-distance / spread);
  };
  const rows = new Float32Array(6 * 56);
  people.forEach((person, p) => {
    const [top, left, bottom, right] = person.box;
    let total = 0;
    let counted = 0;
    for (let j = 0; j < k; j++) {
      let [best, bestY, bestX] = [0, 0, 0];
      for (let y = 0; y < grid; y++) {
        for (let x = 0; x < grid; x++) {
          const value = weighted(p, j, y, x);
          if (value > best) [best, bestY, bestX] = [value, y, x];
        }
      }
      let score = 0;
      for (let q = 0; q < people.length; q++) score = Math.max(score, weighted(q, j, bestY, bestX));
      const offset = ((bestY * grid + bestX) * k + j) * 2;
      rows.set([(bestY + heads.keypointOffset[offset]!) / grid, (bestX + heads.keypointOffset[offset + 1]!) / grid, score], p * 56 + 3 * j);
      if (score > 0.126953125) {
        total += score;
        counted += 1;
      }
    }
    rows.set([top, left, bottom, right].map((side) => Math.min(Math.max(side / grid, 0), 1)), p * 56 + 51);
    rows[p * 56 + 55] = (person.score * total) / Math.max(counted, 1);
  });
  return rows;
}

/**
 * Random heads shaped like MoveNet's: sigmoid scores in 0..1, some centres at their max-pool (peaks),
 * boxes from empty to wider than the grid, keypoints regressed inside and outside it.
 */
function randomMultiposeHeads(next: () => number, grid: number, peakShare: number): MultiposeHeads {
  const cells = grid * grid;
  const values = (length: number, low: number, high: number): Float32Array => Float32Array.from({ length }, () => low + next() * (high - low));
  const centers = values(cells, 0, 1);
  const centerPeaks = centers.map((value) => (next() < peakShare ? value : Math.min(1, value + 0.01 + next() * 0.5)));
  return {
    grid,
    centers,
    centerPeaks,
    boxScale: values(cells * 2, -4, grid * 0.8),
    boxOffset: values(cells * 2, -1.5, 1.5),
    keypointHeatmap: values(cells * 17, 0, 1),
    keypointRegression: values(cells * 34, -grid / 3, grid / 3),
    keypointOffset: values(cells * 34, -1, 1),
  };
}

describe('multiposeRows', () => {
  it('gives the same bits as scoring every cell for every person and keypoint', () => {
    const next = seededRandom(56);
    // MoveNet's 64² grid, small grids, fewer peaks than slots, and equal scores (ties go by position).
    const cases = [randomMultiposeHeads(next, 64, 0.02), randomMultiposeHeads(next, 64, 0.3), randomMultiposeHeads(next, 9, 0.5), randomMultiposeHeads(next, 2, 1)];
    const ties = randomMultiposeHeads(next, 12, 1);
    ties.centers.fill(0.5, 20, 40);
    ties.centerPeaks.fill(0.5, 20, 40);
    ties.keypointHeatmap.fill(0.25);
    // A nearly flat heatmap: the nearness weight picks the cell.
    const flat = randomMultiposeHeads(next, 64, 0.05);
    flat.keypointHeatmap.forEach((_, i, heatmap) => (heatmap[i] = 0.5 + next() * 0.005));
    for (const heads of [...cases, ties, flat]) expectSameBits(multiposeRows(heads), referenceMultiposeRows(heads));
  });

  it('leaves out only people whose pose could not reach the minimum score', () => {
    const next = seededRandom(57);
    for (let round = 0; round < 6; round++) {
      // Six peaks of spread scores and a bright heatmap: pose scores a little below the centres'.
      const heads = randomMultiposeHeads(next, 32, 0);
      [0.9, 0.8, 0.6, 0.4, 0.3, 0.1].forEach((score) => {
        const cell = Math.floor(next() * 32 * 32);
        heads.centers[cell] = score;
        heads.centerPeaks[cell] = score;
      });
      heads.keypointHeatmap.forEach((_, i, heatmap) => (heatmap[i] = 0.9 + next() * 0.1));
      const reference = referenceMultiposeRows(heads);
      const rows = multiposeRows(heads, 0.5);
      const poses = decodeMultipose(rows, 640, 480, 0.5);
      expect(poses).toEqual(decodeMultipose(reference, 640, 480, 0.5));
      expect(poses.length).toBeGreaterThan(0);
      // The people centred below 0.5 were left out.
      expect(rows.subarray(3 * 56).every((value) => value === 0)).toBe(true);
      expect(reference.subarray(3 * 56).some((value) => value !== 0)).toBe(true);
    }
  });
});

/** CenterNet's decoding tail as first written: the peak test on every score above the threshold, in one loop. */
function referenceCenternetRows(heads: CenternetHeads, limit: number, minScore: number): Float32Array {
  const { keypoints, wh, grid, classes, stride } = heads;
  const isPeak = (index: number): boolean => {
    const cell = Math.floor(index / classes);
    const [x, y] = [cell % grid, Math.floor(cell / grid)];
    for (let ny = Math.max(0, y - 1); ny <= Math.min(grid - 1, y + 1); ny++) {
      for (let nx = Math.max(0, x - 1); nx <= Math.min(grid - 1, x + 1); nx++) {
        if (keypoints[(ny * grid + nx) * classes + (index % classes)]! > keypoints[index]!) return false;
      }
    }
    return true;
  };
  const peaks: number[] = [];
  for (let i = 0; i < keypoints.length; i++) if (keypoints[i]! > minScore && isPeak(i)) peaks.push(i);
  peaks.sort((a, b) => keypoints[b]! - keypoints[a]! || a - b);
  const rows = new Float32Array(Math.min(limit, peaks.length) * 6);
  peaks.slice(0, limit).forEach((index, row) => {
    const cell = Math.floor(index / classes);
    const [x, y] = [(cell % grid) * stride, Math.floor(cell / grid) * stride];
    rows.set([x - wh[cell * 4]!, y - wh[cell * 4 + 1]!, x + wh[cell * 4 + 2]!, y + wh[cell * 4 + 3]!, keypoints[index]!, index % classes], row * 6);
  });
  return rows;
}

describe('centernetRows', () => {
  it('gives the same bits as testing each score above the threshold in one loop', () => {
    const next = seededRandom(80);
    for (const [grid, classes] of [[128, 80], [16, 3], [1, 2]] as const) {
      // Mostly low scores with bright patches, and plateaus of equal scores (ties go by position).
      const keypoints = Float32Array.from({ length: grid * grid * classes }, () => next() ** 8);
      keypoints.fill(0.75, 3 * classes, 9 * classes);
      const heads = { keypoints, wh: Float32Array.from({ length: grid * grid * 4 }, () => next() * 60), grid, classes, stride: 4 };
      // Threshold 0 (the graph's own rows) tests every score: on the small grids only.
      for (const [limit, minScore] of [[100, 0.3], [5, 0.5], [100, 1], ...(grid > 16 ? [] : [[100, 0]] as const)] as const) {
        expectSameBits(centernetRows(heads, limit, minScore), referenceCenternetRows(heads, limit, minScore));
      }
    }
  });
});
