import type { Box } from '../types.ts';
import { residualAt, type SimilarityMotion } from './camera.ts';
import { blockCentre, type BlockFlow } from './blocks.ts';
import type { GrayImage } from './flow.ts';

/** A connected area whose flow disagrees with the camera model. */
export interface MovingRegion {
  /** Normalised 0..1, top-left origin, in the first frame of the pair. */
  readonly box: Box;
  /** Mean residual velocity in frame widths (x) and heights (y) per second; +x right, +y down. */
  readonly vx: number;
  readonly vy: number;
  /** Mean residual speed of its blocks, frame fractions per second: high even when parts move in opposite directions. */
  readonly activity: number;
  /** Fraction of the frame the region covers. */
  readonly area: number;
}

/** A block moves if its residual exceeds this many analysis pixels per frame pair… */
const MIN_RESIDUAL_PX = 0.6;
/** …and this multiple of the median block residual (guards against a poorly fitting camera model). */
const MEDIAN_FACTOR = 3;
/** Regions smaller than this fraction of the frame are ignored. */
const MIN_REGION_AREA = 0.004;
const MAX_REGIONS = 8;
/** Moving blocks up to this many blocks apart join one region (bridges flat patches inside an object). */
const LINK_RADIUS = 2;

/**
 * Finds regions moving relative to the camera between two frames `seconds` apart. Only textured
 * blocks vote: flat areas have no measurable flow and would otherwise show the camera's motion.
 */
export function findMovingRegions(blocks: BlockFlow, camera: SimilarityMotion, seconds: number): MovingRegion[] {
  const { cols, rows } = blocks;
  if (cols < 1 || rows < 1 || !(seconds > 0)) return [];
  const blockU = new Float32Array(cols * rows);
  const blockV = new Float32Array(cols * rows);
  const magnitude = new Float32Array(cols * rows);
  for (let by = 0; by < rows; by += 1) {
    for (let bx = 0; bx < cols; bx += 1) {
      const k = by * cols + bx;
      if (!blocks.textured[k]) continue;
      const { x, y } = blockCentre(blocks, bx, by);
      const [ru, rv] = residualAt(camera, x, y, blocks.u[k] ?? 0, blocks.v[k] ?? 0);
      blockU[k] = ru;
      blockV[k] = rv;
      magnitude[k] = Math.hypot(ru, rv);
    }
  }
  const sorted = Float32Array.from(magnitude).sort();
  const median = sorted[sorted.length >> 1] ?? 0;
  const threshold = Math.max(MIN_RESIDUAL_PX, MEDIAN_FACTOR * median);
  const label = new Int32Array(cols * rows).fill(-1);
  const regions: MovingRegion[] = [];
  const stack: number[] = [];
  for (let start = 0; start < label.length; start += 1) {
    if (label[start] !== -1 || (magnitude[start] ?? 0) <= threshold) continue;
    label[start] = start;
    stack.push(start);
    let count = 0;
    let su = 0;
    let sv = 0;
    let speed = 0;
    let minX = cols;
    let minY = rows;
    let maxX = -1;
    let maxY = -1;
    while (stack.length > 0) {
      const k = stack.pop() as number;
      const x = k % cols;
      const y = (k - x) / cols;
      count += 1;
      su += blockU[k] ?? 0;
      sv += blockV[k] ?? 0;
      speed += Math.hypot((blockU[k] ?? 0) / blocks.width, (blockV[k] ?? 0) / blocks.height);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      for (let dy = -LINK_RADIUS; dy <= LINK_RADIUS; dy += 1) {
        for (let dx = -LINK_RADIUS; dx <= LINK_RADIUS; dx += 1) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
          const n = ny * cols + nx;
          if (label[n] !== -1 || (magnitude[n] ?? 0) <= threshold) continue;
          label[n] = start;
          stack.push(n);
        }
      }
    }
    const area = count / (cols * rows);
    if (area < MIN_REGION_AREA) continue;
    regions.push({
      box: { x: minX / cols, y: minY / rows, width: (maxX - minX + 1) / cols, height: (maxY - minY + 1) / rows },
      vx: su / count / blocks.width / seconds,
      vy: sv / count / blocks.height / seconds,
      activity: speed / count / seconds,
      area,
    });
  }
  regions.sort((p, q) => q.area - p.area);
  return regions.slice(0, MAX_REGIONS);
}

/** Regions whose motion is re-measured by matching; the rest keep their flow velocity. */
const MAX_MATCHED_REGIONS = 4;
/** Matching searches this fraction of the frame width/height around where the camera alone would move the region. */
const MATCH_REACH = 0.25;
/** At most this many template pixels are compared per offset (larger regions are subsampled). */
const MATCH_SAMPLES = 1024;

/**
 * Re-measures each region's velocity by matching its pixels from `previous` in `next`. Dense flow
 * loses objects that move more than about a tenth of the frame between samples; a direct search
 * over a quarter of the frame does not. Flow remains the detector of *where* something moves.
 */
export function refineRegionVelocities(
  regions: readonly MovingRegion[],
  previous: GrayImage,
  next: GrayImage,
  camera: SimilarityMotion,
  seconds: number,
): MovingRegion[] {
  if (!(seconds > 0)) return [...regions];
  const { width, height } = previous;
  return regions.map((region, index) => {
    if (index >= MAX_MATCHED_REGIONS) return region;
    const x0 = Math.floor(region.box.x * width);
    const y0 = Math.floor(region.box.y * height);
    const x1 = Math.min(width, Math.ceil((region.box.x + region.box.width) * width));
    const y1 = Math.min(height, Math.ceil((region.box.y + region.box.height) * height));
    const step = Math.max(1, Math.ceil(Math.sqrt(((x1 - x0) * (y1 - y0)) / MATCH_SAMPLES)));
    const cx = (x0 + x1) / 2 - width / 2;
    const cy = (y0 + y1) / 2 - height / 2;
    const predictedX = Math.round(camera.tx + camera.a * cx - camera.b * cy);
    const predictedY = Math.round(camera.ty + camera.b * cx + camera.a * cy);
    const cost = (ox: number, oy: number): number => {
      let sum = 0;
      let count = 0;
      for (let y = y0; y < y1; y += step) {
        const ty = y + oy;
        if (ty < 0 || ty >= height) continue;
        for (let x = x0; x < x1; x += step) {
          const tx = x + ox;
          if (tx < 0 || tx >= width) continue;
          sum += Math.abs((previous.data[y * width + x] ?? 0) - (next.data[ty * width + tx] ?? 0));
          count += 1;
        }
      }
      // Offsets that push most of the region out of the frame cannot be judged.
      return count * step * step * 2 < (x1 - x0) * (y1 - y0) ? Number.POSITIVE_INFINITY : sum / count;
    };
    const reachX = Math.max(2, Math.round(width * MATCH_REACH));
    const reachY = Math.max(2, Math.round(height * MATCH_REACH));
    let best = { ox: predictedX, oy: predictedY, cost: cost(predictedX, predictedY) };
    const consider = (ox: number, oy: number): void => {
      const c = cost(ox, oy);
      if (c < best.cost - 1e-6) best = { ox, oy, cost: c };
    };
    for (let oy = predictedY - reachY; oy <= predictedY + reachY; oy += 2) {
      for (let ox = predictedX - reachX; ox <= predictedX + reachX; ox += 2) consider(ox, oy);
    }
    const coarse = best;
    for (let oy = coarse.oy - 1; oy <= coarse.oy + 1; oy += 1) {
      for (let ox = coarse.ox - 1; ox <= coarse.ox + 1; ox += 1) consider(ox, oy);
    }
    if (!Number.isFinite(best.cost)) return region;
    return {
      ...region,
      vx: (best.ox - (camera.tx + camera.a * cx - camera.b * cy)) / width / seconds,
      vy: (best.oy - (camera.ty + camera.b * cx + camera.a * cy)) / height / seconds,
    };
  });
}
