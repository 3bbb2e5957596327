import type { FlowField, GrayImage } from './flow.ts';

/** Flow and texture pooled over square blocks of the analysis image. */
export interface BlockFlow {
  readonly cols: number;
  readonly rows: number;
  /** Block size in analysis pixels. */
  readonly size: number;
  /** Analysis image size the blocks tile. */
  readonly width: number;
  readonly height: number;
  /** Mean flow per block, pixels per frame pair. */
  readonly u: Float32Array;
  readonly v: Float32Array;
  /** Whether the block has 2-D texture, i.e. its flow is measurable (not flat, not a single edge). */
  readonly textured: Uint8Array;
}

export const BLOCK_SIZE = 4;
/**
 * Minimum smaller eigenvalue of the block's structure tensor, per pixel, in gray levels²
 * (central-difference gradients): flat areas and straight edges fall below it, and there the
 * flow is not determined by the image (aperture problem).
 */
const MIN_TEXTURE = 12;

export function poolFlow(image: GrayImage, flow: FlowField): BlockFlow {
  const { width, height } = flow;
  const cols = Math.floor(width / BLOCK_SIZE);
  const rows = Math.floor(height / BLOCK_SIZE);
  const u = new Float32Array(cols * rows);
  const v = new Float32Array(cols * rows);
  const textured = new Uint8Array(cols * rows);
  const pixel = (x: number, y: number): number =>
    image.data[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))] ?? 0;
  const perBlock = BLOCK_SIZE * BLOCK_SIZE;
  for (let by = 0; by < rows; by += 1) {
    for (let bx = 0; bx < cols; bx += 1) {
      let su = 0;
      let sv = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let y = by * BLOCK_SIZE; y < (by + 1) * BLOCK_SIZE; y += 1) {
        for (let x = bx * BLOCK_SIZE; x < (bx + 1) * BLOCK_SIZE; x += 1) {
          const i = 2 * (y * width + x);
          su += flow.data[i] ?? 0;
          sv += flow.data[i + 1] ?? 0;
          const gx = (pixel(x + 1, y) - pixel(x - 1, y)) / 2;
          const gy = (pixel(x, y + 1) - pixel(x, y - 1)) / 2;
          sxx += gx * gx;
          syy += gy * gy;
          sxy += gx * gy;
        }
      }
      const k = by * cols + bx;
      u[k] = su / perBlock;
      v[k] = sv / perBlock;
      const half = (sxx + syy) / 2;
      const minEigen = half - Math.sqrt(((sxx - syy) / 2) ** 2 + sxy * sxy);
      textured[k] = minEigen / perBlock >= MIN_TEXTURE ? 1 : 0;
    }
  }
  return { cols, rows, size: BLOCK_SIZE, width, height, u, v, textured };
}

/** Centre of block (bx, by) relative to the image centre, in analysis pixels. */
export function blockCentre(blocks: BlockFlow, bx: number, by: number): { x: number; y: number } {
  return { x: (bx + 0.5) * blocks.size - blocks.width / 2, y: (by + 0.5) * blocks.size - blocks.height / 2 };
}
