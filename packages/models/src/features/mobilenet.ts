import { createRequire } from 'node:module';
import path from 'node:path';
import type { Disposable, ImageFeatureExtractor, RgbFrame } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { assertFrames, chunk, l2Normalise } from '../runtime/frame.ts';
import { packageDir } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { resizeBilinearRgb } from '../runtime/resize.ts';
import { convertKerasModel } from '../runtime/convert-keras.ts';
import { createOnnxSession, loadOrt, type InferenceSession } from '../runtime/onnx.ts';
import { encodeOnnxModel } from '../runtime/onnx-proto.ts';
import { decodeWeights, type WeightsManifestGroup } from '../runtime/weights.ts';

export type FeatureModelName = 'mobilenet-v2' | 'inception-v3';

interface FeatureModelSpec {
  /** Directory under nsfwjs/dist/models. */
  readonly directory: string;
  readonly inputSize: number;
  readonly dimensions: number;
  /** The layer that flattens the network's final average pool, right before nsfwjs's classifier head. */
  readonly poolLayer: string;
}

const featureModels: Record<FeatureModelName, FeatureModelSpec> = {
  'mobilenet-v2': { directory: 'mobilenet_v2', inputSize: 224, dimensions: 1280, poolLayer: 'flatten_1' },
  'inception-v3': { directory: 'inception_v3', inputSize: 299, dimensions: 2048, poolLayer: 'flatten_1' },
};

export interface ImageFeatureOptions {
  readonly model?: FeatureModelName;
  /** Frames per forward pass. */
  readonly batchSize?: number;
}

/**
 * nsfwjs ships its Keras models as UMD scripts: model.min.js exports the model.json object and
 * each group1-shard*.min.js exports that shard's bytes as base64. The network up to the pooled
 * features is converted to ONNX when it loads (about a second, once per process; nothing is cached on disk).
 */
function convertPooledModel(spec: FeatureModelSpec): { model: Uint8Array; input: string } {
  const dir = path.join(packageDir('nsfwjs'), 'dist', 'models', spec.directory);
  const require = createRequire(path.join(dir, 'package.json'));
  // Out of the module cache once read, which would otherwise keep the JSON and the base64 text for the life of the process.
  const requireOnce = (file: string): unknown => {
    const resolved = require.resolve(path.join(dir, file));
    try {
      return require(resolved) as unknown;
    } finally {
      delete require.cache[resolved];
    }
  };
  const modelJson = requireOnce('model.min.js') as { modelTopology: unknown; weightsManifest?: WeightsManifestGroup[] };
  const manifest = modelJson.weightsManifest ?? [];
  const shards = manifest.flatMap((group) => group.paths).map((shard) => {
    const encoded = requireOnce(`${shard}.min.js`);
    if (typeof encoded !== 'string') throw new ModelError('model-load-failed', `nsfwjs shard ${shard} is not base64 text`);
    return Buffer.from(encoded, 'base64');
  });
  const conversion = convertKerasModel(modelJson.modelTopology, decodeWeights(manifest.flatMap((group) => group.weights), shards), [spec.poolLayer]);
  return { model: encodeOnnxModel(conversion.graph, `cmvc nsfwjs/${spec.directory}`), input: conversion.inputName };
}

async function loadPooledSession(spec: FeatureModelSpec): Promise<PooledSession> {
  const { model, input } = convertPooledModel(spec);
  return { session: await createOnnxSession(model), input, output: spec.poolLayer };
}

interface PooledSession {
  readonly session: InferenceSession;
  readonly input: string;
  readonly output: string;
}

class NsfwjsFeatureExtractor implements ImageFeatureExtractor, Disposable {
  readonly id: string;
  readonly dimensions: number;
  readonly #spec: FeatureModelSpec;
  readonly #batchSize: number;
  readonly #model;

  constructor(name: FeatureModelName, batchSize: number) {
    this.#spec = featureModels[name];
    this.id = name;
    this.dimensions = this.#spec.dimensions;
    this.#batchSize = batchSize;
    this.#model = sharedModel(`features:${name}`, () => loadPooledSession(this.#spec), (model) => model.session.release());
  }

  async embed(frames: readonly RgbFrame[]): Promise<Float32Array[]> {
    assertFrames(frames);
    if (frames.length === 0) return [];
    const [ort, model] = await Promise.all([loadOrt(), this.#model.get()]);
    const size = this.#spec.inputSize;
    const vectors: Float32Array[] = [];
    for (const batch of chunk(frames, this.#batchSize)) {
      // Same preprocessing as nsfwjs: bilinear resize with aligned corners, scale to 0..1. (A batch's
      // array is not kept for the next batch: 9 MiB at 16 frames, against a few ms of page faults.)
      const image = size * size * 3;
      const pixels = new Float32Array(batch.length * image);
      batch.forEach((frame, i) => resizeBilinearRgb(frame, size, size, { alignCorners: true, output: pixels.subarray(i * image, (i + 1) * image) }));
      for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! / 255;
      const result = await model.session.run({ [model.input]: new ort.Tensor('float32', pixels, [batch.length, size, size, 3]) });
      const values = result[model.output]!.data as Float32Array;
      for (let i = 0; i < batch.length; i++) {
        vectors.push(l2Normalise(values.slice(i * this.dimensions, (i + 1) * this.dimensions)));
      }
    }
    return vectors;
  }

  dispose(): Promise<void> {
    return this.#model.release();
  }
}

export function createImageFeatureExtractor(options: ImageFeatureOptions = {}): ImageFeatureExtractor & Disposable {
  const name = options.model ?? 'mobilenet-v2';
  if (!(name in featureModels)) throw new ModelError('invalid-config', `unknown image feature model "${String(name)}"`);
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ModelError('invalid-config', 'batchSize must be a positive integer');
  return new NsfwjsFeatureExtractor(name, batchSize);
}
