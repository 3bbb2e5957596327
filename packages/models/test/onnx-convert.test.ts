import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/types.ts';
import { createImageFeatureExtractor } from '../src/features/index.ts';
import { convertKerasModel, type WeightMap } from '../src/runtime/convert-keras.ts';
import { createOnnxSession, loadOrt } from '../src/runtime/onnx.ts';
import { encodeOnnxModel } from '../src/runtime/onnx-proto.ts';
import { tfPads } from '../src/runtime/onnx-layout.ts';
import { packageDir } from '../src/runtime/paths.ts';
import { framesToBatch } from '../src/runtime/tensors.ts';
import { artifactsHandler, loadTf, type LayersModel } from '../src/runtime/tf.ts';
import { l2Normalise } from '../src/runtime/frame.ts';

/** Deterministic synthetic frames: gradients, stripes and blocks that differ per seed. */
function syntheticFrame(seed: number, width = 768, height = 432): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const stripe = ((x + seed * 17) >> (3 + (seed % 3))) & 1;
      const block = (((x >> 6) + (y >> 6) + seed) % 4) * 60;
      data[i] = (x * 255) / width;
      data[i + 1] = stripe ? 220 : 30 + block / 2;
      data[i + 2] = (block + y * (seed + 1)) & 255;
    }
  }
  return { width, height, data };
}

/** The tfjs Keras model nsfwjs ships, cut at the pooled features: the reference the ONNX graph must match. */
async function tfjsPooledModel(directory: string): Promise<LayersModel> {
  const tf = await loadTf();
  const dir = path.join(packageDir('nsfwjs'), 'dist', 'models', directory);
  const require = createRequire(path.join(dir, 'package.json'));
  const modelJson = require(path.join(dir, 'model.min.js'));
  const full = await tf.loadLayersModel(
    artifactsHandler(tf, modelJson, async (shard) => new Uint8Array(Buffer.from(require(path.join(dir, `${shard}.min.js`)) as string, 'base64'))),
  );
  return tf.model({ inputs: full.inputs, outputs: full.getLayer('flatten_1').output });
}

async function tfjsFeatures(model: LayersModel, frames: readonly RgbFrame[], size: number): Promise<Float32Array[]> {
  const tf = await loadTf();
  const output = tf.tidy(() => model.predict(framesToBatch(tf, frames, size, size, true).div(255)) as import('@tensorflow/tfjs').Tensor);
  const values = (await output.data()) as Float32Array;
  const dims = output.shape[1]!;
  output.dispose();
  return frames.map((_, i) => l2Normalise(values.slice(i * dims, (i + 1) * dims)));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const frames = [0, 1, 2].map((seed) => syntheticFrame(seed));

// Both runtimes compute in float32 from the same dequantised weights; only summation order differs
// (and ONNX Runtime folds BatchNormalization into the convolutions). Measured: at most 5.4e-7 on
// unit vectors whose largest component is 0.3-0.7. 1e-5 leaves room for other CPUs' kernels, yet a
// wrong layout, padding or weight order moves components by 1e-2 or more.
const FEATURE_TOLERANCE = 1e-5;

describe.each([
  ['mobilenet-v2', 'mobilenet_v2', 224],
  ['inception-v3', 'inception_v3', 299],
] as const)('%s converted to ONNX', (name, directory, size) => {
  const extractor = createImageFeatureExtractor({ model: name, batchSize: 2 });
  let reference: LayersModel;
  beforeAll(async () => {
    reference = await tfjsPooledModel(directory);
  }, 60_000);
  afterAll(async () => {
    reference.dispose();
    await extractor.dispose();
  });

  it('gives the tfjs feature vectors on the same frames', async () => {
    const [onnx, tfjs] = await Promise.all([extractor.embed(frames), tfjsFeatures(reference, frames, size)]);
    expect(onnx).toHaveLength(frames.length);
    for (let i = 0; i < frames.length; i++) {
      expect(onnx[i]).toHaveLength(tfjs[i]!.length);
      expect(maxAbsDiff(onnx[i]!, tfjs[i]!)).toBeLessThan(FEATURE_TOLERANCE);
    }
    // The frames themselves differ, so agreement is not two constant outputs.
    expect(maxAbsDiff(onnx[0]!, onnx[1]!)).toBeGreaterThan(0.01);
  }, 60_000);
});

describe('Keras converter', () => {
  const weights: WeightMap = new Map([['conv/kernel', { shape: [1, 1, 3, 2], data: new Float32Array(6).fill(1) }]]);
  const topology = (layers: unknown[]) => ({ model_config: { class_name: 'Model', config: { layers } } });
  const input = { name: 'in', class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 4, 3] }, inbound_nodes: [] };
  const conv = {
    name: 'conv',
    class_name: 'Conv2D',
    config: { kernel_size: [1, 1], strides: [1, 1], dilation_rate: [1, 1], padding: 'same', use_bias: false, activation: 'linear' },
    inbound_nodes: [[['in', 0, 0, {}]]],
  };

  it('names an unsupported layer in a typed error', () => {
    const lstm = { name: 'memory', class_name: 'LSTM', config: {}, inbound_nodes: [[['in', 0, 0, {}]]] };
    expect(() => convertKerasModel(topology([input, lstm]), weights, ['memory'])).toThrow(
      expect.objectContaining({ name: 'ModelError', code: 'unsupported-op', message: expect.stringContaining('LSTM') }),
    );
  });

  it('names an unsupported setting of a supported layer', () => {
    const elu = { ...conv, config: { ...conv.config, activation: 'elu' } };
    expect(() => convertKerasModel(topology([input, elu]), weights, ['conv'])).toThrow(
      expect.objectContaining({ code: 'unsupported-op', message: expect.stringContaining('elu') }),
    );
  });

  it('builds a graph ONNX Runtime runs, in NHWC at both ends', async () => {
    const { graph, inputName } = convertKerasModel(topology([input, conv]), weights, ['conv']);
    const ort = await loadOrt();
    const session = await createOnnxSession(encodeOnnxModel(graph, 'test'));
    try {
      // Each output channel sums the pixel's three channels.
      const pixels = Float32Array.from({ length: 48 }, (_, i) => i);
      const result = await session.run({ [inputName]: new ort.Tensor('float32', pixels, [1, 4, 4, 3]) });
      expect(result['conv']!.dims).toEqual([1, 4, 4, 2]);
      const out = result['conv']!.data as Float32Array;
      expect(out[0]).toBe(0 + 1 + 2);
      expect(out[1]).toBe(0 + 1 + 2);
      expect(out[2]).toBe(3 + 4 + 5);
    } finally {
      await session.release();
    }
  });
});

describe('TF SAME padding', () => {
  it('puts the odd row and column after the image, as TF does', () => {
    expect(tfPads('same', [224, 224], { kernel: [3, 3], strides: [2, 2], dilations: [1, 1] })).toEqual({ pads: [0, 0, 1, 1], output: [112, 112] });
    expect(tfPads('same', [7, 7], { kernel: [3, 3], strides: [1, 1], dilations: [1, 1] })).toEqual({ pads: [1, 1, 1, 1], output: [7, 7] });
    expect(tfPads('valid', [225, 225], { kernel: [3, 3], strides: [2, 2], dilations: [1, 1] })).toEqual({ pads: [0, 0, 0, 0], output: [112, 112] });
  });
});
