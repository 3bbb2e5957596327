import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from './errors.ts';

/** A weight decoded from a tfjs weights manifest: float32 or int32 values and the tensor's shape. */
export interface DecodedWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: { readonly dtype: string; readonly scale?: number; readonly min?: number; readonly original_dtype?: string };
}

export interface WeightsManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

/** IEEE half → single; tfjs stores float16-quantised weights as raw halves. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

let halves: Float32Array | undefined;
/** Every half's value, built on first use: one lookup per float16 weight instead of the arithmetic. */
function halfTable(): Float32Array {
  halves ??= Float32Array.from({ length: 0x10000 }, (_, h) => halfToFloat(h));
  return halves;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1 };

/** The bytes of the shards, in order, taken front to back without joining them. */
class ShardReader {
  #shard = 0;
  #offset = 0;

  constructor(readonly shards: readonly Uint8Array[]) {}

  /** The next `length` bytes: a view into one shard, or a copy of just these bytes where they straddle shards; undefined past the end. */
  take(length: number): Uint8Array | undefined {
    while (this.#shard < this.shards.length && this.#offset === this.shards[this.#shard]!.byteLength) {
      this.#shard++;
      this.#offset = 0;
    }
    const first = this.shards[this.#shard];
    if (first && this.#offset + length <= first.byteLength) {
      const view = first.subarray(this.#offset, this.#offset + length);
      this.#offset += length;
      return view;
    }
    const joined = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const shard = this.shards[this.#shard];
      if (!shard) return undefined;
      const part = shard.subarray(this.#offset, this.#offset + length - filled);
      joined.set(part, filled);
      filled += part.byteLength;
      this.#offset += part.byteLength;
      if (this.#offset === shard.byteLength) {
        this.#shard++;
        this.#offset = 0;
      }
    }
    return joined;
  }
}

/**
 * Weights by manifest name from the shards (in manifest order), dequantised as tfjs does (float16,
 * or uint8/uint16 with scale and min), without loading tfjs. Each weight is decoded from the shard
 * it lies in, so the shards are never joined into one copy.
 */
export function decodeWeights(specs: readonly WeightSpec[], shards: readonly Uint8Array[]): Map<string, DecodedWeight> {
  const reader = new ShardReader(shards);
  const weights = new Map<string, DecodedWeight>();
  for (const spec of specs) {
    const size = spec.shape.reduce((n, d) => n * d, 1);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const bytes = BYTES[stored];
    if (bytes === undefined || (spec.dtype !== 'float32' && spec.dtype !== 'int32')) {
      throw new ModelError('unsupported-op', `weight "${spec.name}": ${spec.dtype} stored as ${stored} is not supported`);
    }
    const data = reader.take(size * bytes);
    if (!data) throw new ModelError('model-load-failed', `weight "${spec.name}" runs past the end of the weight data`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const values = spec.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    const { scale = 1, min = 0 } = spec.quantization ?? {};
    const halves = stored === 'float16' ? halfTable() : undefined;
    for (let i = 0; i < size; i++) {
      const at = i * bytes;
      switch (stored) {
        case 'float32':
          values[i] = view.getFloat32(at, true);
          break;
        case 'int32':
          values[i] = view.getInt32(at, true);
          break;
        case 'float16':
          values[i] = halves![view.getUint16(at, true)]!;
          break;
        case 'uint16':
          values[i] = view.getUint16(at, true) * scale + min;
          break;
        default:
          values[i] = view.getUint8(at) * scale + min;
      }
    }
    weights.set(spec.name, { shape: spec.shape, data: values });
  }
  return weights;
}

/** A tfjs model.json on disk: its parsed JSON and its weights, decoded from the shards beside it. */
export async function readModelJsonWithWeights<T>(modelJsonPath: string): Promise<{ json: T; weights: Map<string, DecodedWeight> }> {
  let json: T & { weightsManifest?: readonly WeightsManifestGroup[] };
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as typeof json;
  } catch (cause) {
    throw new ModelError('model-not-found', `cannot read ${modelJsonPath}`, { cause });
  }
  const manifest = json.weightsManifest ?? [];
  const dir = path.dirname(modelJsonPath);
  const shards = await Promise.all(manifest.flatMap((group) => group.paths).map((shard) => readFile(path.join(dir, shard))));
  return { json, weights: decodeWeights(manifest.flatMap((group) => group.weights), shards) };
}
