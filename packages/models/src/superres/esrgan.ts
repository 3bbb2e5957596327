import type { Disposable, RgbFrame, SuperResolver } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { assertRgbFrame, MAX_FRAME_SIDE } from '../runtime/frame.ts';
import { packageFile } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { loadLayersModelFromDisk, loadTf } from '../runtime/tf.ts';

type Tensor4D = import('@tensorflow/tfjs').Tensor4D;

export type EsrganSize = 'slim' | 'medium';
export type EsrganScale = 2 | 3 | 4;

export interface SuperResolverOptions {
  readonly size?: EsrganSize;
  readonly scale?: EsrganScale;
  /** Side of the square input tiles the frame is cut into; bounds memory per forward pass. */
  readonly tileSize?: number;
  /** Context pixels read around each tile and thrown away, so tile seams don't show. */
  readonly tilePadding?: number;
}

interface Tile {
  /** Tile written to the output, in input pixels. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Padded region read from the input. */
  readonly readX: number;
  readonly readY: number;
  readonly readWidth: number;
  readonly readHeight: number;
}

export function planTiles(width: number, height: number, tileSize: number, padding: number): Tile[] {
  const tiles: Tile[] = [];
  for (let y = 0; y < height; y += tileSize) {
    for (let x = 0; x < width; x += tileSize) {
      const tileWidth = Math.min(tileSize, width - x);
      const tileHeight = Math.min(tileSize, height - y);
      const readX = Math.max(0, x - padding);
      const readY = Math.max(0, y - padding);
      const readRight = Math.min(width, x + tileWidth + padding);
      const readBottom = Math.min(height, y + tileHeight + padding);
      tiles.push({ x, y, width: tileWidth, height: tileHeight, readX, readY, readWidth: readRight - readX, readHeight: readBottom - readY });
    }
  }
  return tiles;
}

function copyRegion(frame: RgbFrame, x: number, y: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * frame.width + x) * 3;
    out.set(frame.data.subarray(start, start + width * 3), row * width * 3);
  }
  return out;
}

/** ESRGAN (RDN architecture) from @upscalerjs/esrgan-*: pixels in 0..255 in, 0..255 out. */
class EsrganUpscaler implements SuperResolver, Disposable {
  readonly id: string;
  readonly scale: EsrganScale;
  readonly #tileSize: number;
  readonly #padding: number;
  readonly #model;

  constructor(size: EsrganSize, scale: EsrganScale, tileSize: number, padding: number) {
    this.id = `esrgan-${size}-x${scale}`;
    this.scale = scale;
    this.#tileSize = tileSize;
    this.#padding = padding;
    this.#model = sharedModel(
      `superres:${this.id}`,
      () => loadLayersModelFromDisk(packageFile(`@upscalerjs/esrgan-${size}`, 'models', `x${scale}`, 'model.json')),
      (model) => {
        model.dispose();
      },
    );
  }

  async upscale(frame: RgbFrame): Promise<RgbFrame> {
    assertRgbFrame(frame);
    const scale = this.scale;
    const width = frame.width * scale;
    const height = frame.height * scale;
    if (width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE) {
      throw new ModelError('invalid-frame', `upscaled size ${width}x${height} would exceed the ${MAX_FRAME_SIDE}px limit`);
    }
    const [tf, model] = await Promise.all([loadTf(), this.#model.get()]);
    const out = new Uint8Array(width * height * 3);
    for (const tile of planTiles(frame.width, frame.height, this.#tileSize, this.#padding)) {
      const pixels = copyRegion(frame, tile.readX, tile.readY, tile.readWidth, tile.readHeight);
      const result = tf.tidy(() => {
        const input = tf.tensor4d(pixels, [1, tile.readHeight, tile.readWidth, 3], 'int32').toFloat();
        const upscaled = model.predict(input) as Tensor4D;
        const inner = upscaled.slice(
          [0, (tile.y - tile.readY) * scale, (tile.x - tile.readX) * scale, 0],
          [1, tile.height * scale, tile.width * scale, 3],
        );
        return inner.clipByValue(0, 255).round().toInt();
      });
      const values = await result.data();
      result.dispose();
      const rowBytes = tile.width * scale * 3;
      for (let row = 0; row < tile.height * scale; row++) {
        const target = ((tile.y * scale + row) * width + tile.x * scale) * 3;
        out.set(values.subarray(row * rowBytes, (row + 1) * rowBytes), target);
      }
    }
    return { width, height, data: out };
  }

  dispose(): Promise<void> {
    return this.#model.release();
  }
}

export function createSuperResolver(options: SuperResolverOptions = {}): SuperResolver & Disposable {
  const size = options.size ?? 'slim';
  const scale = options.scale ?? 2;
  const tileSize = options.tileSize ?? 128;
  const padding = options.tilePadding ?? 8;
  if (size !== 'slim' && size !== 'medium') throw new ModelError('invalid-config', `unknown ESRGAN size "${String(size)}"`);
  if (scale !== 2 && scale !== 3 && scale !== 4) throw new ModelError('invalid-config', `ESRGAN scale must be 2, 3 or 4 (got ${String(scale)})`);
  if (!Number.isInteger(tileSize) || tileSize < 16 || tileSize > 1024) throw new ModelError('invalid-config', 'tileSize must be an integer within 16..1024');
  if (!Number.isInteger(padding) || padding < 0 || padding > 64) throw new ModelError('invalid-config', 'tilePadding must be an integer within 0..64');
  return new EsrganUpscaler(size, scale, tileSize, padding);
}
