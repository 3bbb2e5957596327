import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/types.ts';
import { createObjectDetector } from '../src/detect/index.ts';
import { createImageFeatureExtractor } from '../src/features/index.ts';
import { createFaceAnalyzer, createHandDetector, createHeadPoseEstimator, createPoseEstimator, KEYPOINTS, type BodyPose } from '../src/people/index.ts';
import { HANDTRACK, handtrackAnchors, handtrackCandidates, handtrackInput, loadHandtrack } from '../src/people/hands.ts';
import { emotionInput } from '../src/people/face.ts';
import { loadedModelKeys } from '../src/runtime/shared.ts';
import { convertGraphModel } from '../src/runtime/convert-graph.ts';
import { convertKerasModel, type WeightMap } from '../src/runtime/convert-keras.ts';
import { l2Normalise } from '../src/runtime/frame.ts';
import { createOnnxSession, loadOrt } from '../src/runtime/onnx.ts';
import { hwcmToGroupedOihw, hwioToOihw, tfPads } from '../src/runtime/onnx-layout.ts';
import { encodeOnnxModel } from '../src/runtime/onnx-proto.ts';
import { loadOnnxGraphModel, type OnnxGraphModel, type OnnxGraphModelOptions } from '../src/runtime/onnx-graph.ts';
import { cropAndResizeRgb, resizeBilinearRgb, type CropBox } from '../src/runtime/resize.ts';
import { decodeWeights, readModelJsonWithWeights, type WeightsManifestGroup } from '../src/runtime/weights.ts';
import { centernetRows } from '../src/detect/decode.ts';
import { multiposeInput, multiposeRows, type MultiposeHeads } from '../src/people/pose.ts';
import { humanModelFile, packageDir } from '../src/runtime/paths.ts';
import { framesToBatch } from '../src/runtime/tensors.ts';
import { artifactsHandler, loadGraphModelFromDisk, loadTf, type GraphModel, type LayersModel, type Tf, tfInitialised } from '../src/runtime/tf.ts';

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

/**
 * The tfjs graph in `file` and its ONNX conversion (by `convert`: loadOnnxGraphModel's options, or a
 * loader), loaded before the describe block's tests and disposed after them.
 */
function useConvertedGraph(
  file: string,
  convert: OnnxGraphModelOptions | (() => Promise<OnnxGraphModel>),
): { reference: GraphModel; converted: OnnxGraphModel } {
  const models = {} as { reference: GraphModel; converted: OnnxGraphModel };
  beforeAll(async () => {
    [models.reference, models.converted] = await Promise.all([
      loadGraphModelFromDisk(file),
      typeof convert === 'function' ? convert() : loadOnnxGraphModel(file, convert),
    ]);
  }, 60_000);
  afterAll(async () => {
    models.reference?.dispose();
    await models.converted?.dispose();
  });
  return models;
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

// First in this file: the tfjs references below load tfjs into this process.
describe('the converted models without tfjs', () => {
  it('load and run MobileNetV2, CenterNet and MoveNet without initialising tfjs', async () => {
    const [extractor, detector, estimator] = [createImageFeatureExtractor(), createObjectDetector(), createPoseEstimator()];
    try {
      const frame = syntheticFrame(9);
      const [vectors, detections, poses] = await Promise.all([extractor.embed([frame]), detector.detect([frame]), estimator.estimate([frame])]);
      expect(vectors[0]).toHaveLength(1280);
      expect(detections).toHaveLength(1);
      expect(poses).toHaveLength(1);
      expect(loadedModelKeys()).toEqual(expect.arrayContaining(['features:mobilenet-v2', 'detect:centernet', 'people:movenet-multipose']));
      expect(tfInitialised()).toBe(false);
    } finally {
      await Promise.all([extractor.dispose(), detector.dispose(), estimator.dispose()]);
    }
  }, 60_000);

  it('load and run the face attribute, face mesh and hand models without initialising tfjs', async () => {
    const [faces, heads, hands] = [createFaceAnalyzer(), createHeadPoseEstimator(), createHandDetector({ minCandidateScore: 0, minHandScore: 0 })];
    try {
      const frame = syntheticFrame(10);
      // A person facing the camera, head at the frame's centre top: enough keypoints for a face box.
      const at = (x: number, y: number) => ({ x, y, score: 0.9 });
      const keypoints = Object.fromEntries(KEYPOINTS.map((name) => [name, { x: 0, y: 0, score: 0 }])) as unknown as BodyPose['keypoints'];
      const pose: BodyPose = {
        score: 0.9,
        box: { x: 0.4, y: 0.1, width: 0.2, height: 0.8 },
        keypoints: { ...keypoints, nose: at(0.5, 0.25), leftEye: at(0.52, 0.22), rightEye: at(0.48, 0.22), leftEar: at(0.54, 0.23), rightEar: at(0.46, 0.23) },
      };
      const [attributes, headPoses, handBoxes] = await Promise.all([
        faces.analyse(frame, [pose]),
        heads.estimate(frame, [{ x: 0.45, y: 0.15, width: 0.1, height: 0.15 }]),
        hands.detect(frame, [pose.box]),
      ]);
      expect(attributes).toHaveLength(1);
      expect(attributes[0]).not.toBeNull();
      expect(attributes[0]!.age).toBeGreaterThanOrEqual(0);
      expect(headPoses).toHaveLength(1);
      // With every threshold at 0, handtrack's best candidates all pass.
      expect(handBoxes).toHaveLength(1);
      expect(handBoxes[0]!.length).toBeGreaterThan(0);
      expect(loadedModelKeys()).toEqual(expect.arrayContaining(['people:faceres', 'people:emotion', 'people:facemesh', 'people:handtrack', 'people:handlandmark-lite']));
      expect(tfInitialised()).toBe(false);
    } finally {
      await Promise.all([faces.dispose(), heads.dispose(), hands.dispose()]);
    }
  }, 60_000);
});

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

describe('frame resize', () => {
  // tfjs's kernel interpolates in float32, this one in float64: both land within a few ulps of 255.
  it.each([false, true])('matches tfjs resizeBilinear (alignCorners %s), up and down', async (alignCorners) => {
    const tf = await loadTf();
    const frame = syntheticFrame(6, 97, 61);
    for (const [width, height] of [[512, 512], [40, 23]] as const) {
      const expected = framesToBatch(tf, [frame], height, width, alignCorners);
      const want = (await expected.data()) as Float32Array;
      expected.dispose();
      const got = resizeBilinearRgb(frame, width, height, { alignCorners });
      expect(got.length).toBe(want.length);
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-3);
    }
  });

  it('pads to a square at the right and bottom, as MoveNet is fed', async () => {
    const tf = await loadTf();
    for (const frame of [syntheticFrame(7, 300, 170), syntheticFrame(8, 170, 300)]) {
      const side = Math.max(frame.width, frame.height);
      const expected = tf.tidy(() => {
        const square = tf.pad(tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32'), [[0, side - frame.height], [0, side - frame.width], [0, 0]]);
        return tf.image.resizeBilinear(square, [256, 256]).toInt();
      });
      const want = Float32Array.from((await expected.data()) as Int32Array);
      expected.dispose();
      const got = multiposeInput(frame);
      // Integer pixels: a value within float rounding of an integer may truncate either way.
      expect(got.length).toBe(want.length);
      expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1);
      expect(got.filter((value, i) => value !== want[i]).length).toBeLessThan(got.length / 1000);
    }
  });
});

/**
 * How far the TypeScript crop may be from tfjs's, on 0..255 pixels. Both compute in float32 step by
 * step and were measured identical; a coordinate off by a fraction of a pixel moves edges by tens.
 */
const PIXEL_TOLERANCE = 1e-3;

describe('crop and resize', () => {
  // Crops inside the frame, reaching past each edge, and a degenerate one-pixel-high output.
  const crops: CropBox[] = [
    [0.1, 0.2, 0.6, 0.5],
    [-0.2, -0.1, 0.4, 0.3],
    [0.7, 0.8, 1.3, 1.25],
    [0.3, 0.3, 0.31, 0.9],
  ];
  it('matches tfjs cropAndResize, zeros outside the frame included', async () => {
    const tf = await loadTf();
    const frame = syntheticFrame(11, 211, 127);
    for (const [width, height] of [[224, 224], [64, 64], [17, 1]] as const) {
      const expected = tf.tidy(() => tf.image.cropAndResize(tf.tensor4d(frame.data, [1, frame.height, frame.width, 3], 'int32').toFloat(), crops.map((c) => [...c]), crops.map(() => 0), [height, width]));
      const want = (await expected.data()) as Float32Array;
      expected.dispose();
      const got = crops.map((crop) => cropAndResizeRgb(frame, crop, width, height));
      const size = width * height * 3;
      crops.forEach((_, i) => expect(maxAbsDiff(got[i]!, want.subarray(i * size, (i + 1) * size))).toBeLessThan(PIXEL_TOLERANCE));
      // The crops past the edges hold black, the one inside does not.
      expect(got[1]!.filter((v) => v === 0).length).toBeGreaterThan(size / 10);
      expect(got[0]!.filter((v) => v === 0).length).toBeLessThan(size / 10);
    }
  });
});

/**
 * The face and hand models: each converted graph against the tfjs graph, on inputs made by tfjs's
 * own preprocessing (cropAndResize and the arithmetic the tfjs analyzers did) and by the TypeScript
 * preprocessing the analyzers use now. Crops of the synthetic frames and of the object scene.
 */
describe.each([
  { model: 'faceres', size: 224, channels: 3, outputs: ['gender_pred/Sigmoid', 'age_pred/Softmax'] },
  { model: 'emotion', size: 64, channels: 1, outputs: ['Identity'] },
  { model: 'facemesh', size: 192, channels: 3, outputs: ['Identity_2', 'Identity_1'] },
  { model: 'handlandmark-lite', size: 224, channels: 3, outputs: ['Identity_1'] },
] as const)('$model converted to ONNX', ({ model, size, channels, outputs }) => {
  const file = humanModelFile(`${model}.json`);
  const models = useConvertedGraph(file, { input: 'input_1', inputShape: [1, size, size, channels], outputs: [...outputs] });

  /** The model's input as the tfjs analyzers built it (faceres: 0..255; emotion: grey −1..1; the others: 0..1). */
  const tfjsInput = (tf: Tf, frame: RgbFrame, crop: CropBox) =>
    tf.tidy(() => {
      const pixels = tf.tensor4d(frame.data, [1, frame.height, frame.width, 3], 'int32').toFloat();
      const face = tf.image.cropAndResize(pixels, [[...crop]], [0], [size, size]);
      if (model === 'faceres') return face;
      if (model !== 'emotion') return face.div(255);
      const [r, g, b] = tf.split(face.div(255), 3, 3) as [import('@tensorflow/tfjs').Tensor, import('@tensorflow/tfjs').Tensor, import('@tensorflow/tfjs').Tensor];
      return r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).sub(0.5).mul(2);
    });
  const ourInput = (frame: RgbFrame, crop: CropBox): Float32Array => {
    const rgb = cropAndResizeRgb(frame, crop, size, size);
    if (model === 'faceres') return rgb;
    return model === 'emotion' ? emotionInput(rgb) : rgb.map((v) => v / 255);
  };

  // Measured: faceres and emotion outputs within 2e-7, facemesh's face flag within 1e-8 and its mesh
  // (crop pixels, 0..192) within 2e-4 — float32 summation order. A layout, padding, PReLU or
  // weight-order mistake moves probabilities by 1e-2 and mesh points by pixels.
  const tolerance = (output: string) => (output === 'Identity_2' ? 1e-2 : 1e-4);

  it('gives the tfjs graph\'s outputs on face-sized crops, from tfjs\'s preprocessing and from ours', async () => {
    const tf = await loadTf();
    const results: Float32Array[] = [];
    for (const [frame, crop] of [
      [await objectScene(), [0.1, 0.55, 0.8, 0.85]],
      [syntheticFrame(12), [0.2, 0.3, 0.6, 0.55]],
      [syntheticFrame(13), [-0.1, 0.8, 0.3, 1.05]],
    ] as [RgbFrame, CropBox][]) {
      const input = tfjsInput(tf, frame, crop);
      // One requested output comes back as a tensor, not a list.
      const expected = [models.reference.execute(input, [...outputs]) as import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[]].flat();
      const want = await Promise.all(expected.map((t) => t.data() as Promise<Float32Array>));
      const tfjsPixels = (await input.data()) as Float32Array;
      tf.dispose([input, ...expected]);
      const ours = ourInput(frame, crop);
      expect(maxAbsDiff(ours, tfjsPixels)).toBeLessThan(PIXEL_TOLERANCE * (model === 'faceres' ? 1 : 2 / 255));
      for (const pixels of [tfjsPixels, ours]) {
        const got = await models.converted.run(pixels);
        outputs.forEach((name, k) => {
          expect(got[name]!.length).toBe(want[k]!.length);
          expect(maxAbsDiff(got[name]!, want[k]!), name).toBeLessThan(tolerance(name));
        });
      }
      results.push(want[0]!);
    }
    // The crops differ, so agreement is not two constant outputs.
    expect(maxAbsDiff(results[0]!, results[1]!)).toBeGreaterThan(1e-3);
  }, 60_000);
});

describe('handtrack converted to ONNX from inside its preprocessing loop, decoded in TypeScript', () => {
  const at = (name: string) => `StatefulPartitionedCall/${name}`;
  const models = useConvertedGraph(humanModelFile('handtrack.json'), loadHandtrack);

  // The graph's own post-processor output before non-max suppression: 12,804 anchors × 7 hand/face/
  // fingertip scores and 4 box corners (input-square fractions). Measured: scores within 3e-7, corners
  // within 5e-7; a layout, upsampling or anchor mistake moves them by 1e-2 or more.
  it('gives the tfjs graph\'s candidate scores and boxes from the same crop, fed through its preprocessing loop', async () => {
    const tf = await loadTf();
    const anchors = handtrackAnchors(models.converted);
    const best: number[] = [];
    for (const [frame, crop] of [
      [await objectScene(), [0, 0.4, 1, 0.95]],
      [syntheticFrame(14), [-0.1, 0.2, 0.9, 0.7]],
    ] as [RgbFrame, CropBox][]) {
      const input = tf.tidy(() => tf.image.cropAndResize(tf.tensor4d(frame.data, [1, frame.height, frame.width, 3], 'int32').toFloat(), [[...crop]], [0], [320, 320]).toInt());
      const expected = (await models.reference.executeAsync(input, [at('Postprocessor/Slice'), at('Postprocessor/ExpandDims_1')])) as import('@tensorflow/tfjs').Tensor[];
      const [wantScores, wantBoxes] = (await Promise.all(expected.map((t) => t.data()))) as [Float32Array, Float32Array];
      tf.dispose([input, ...expected]);
      const values = await models.converted.run(handtrackInput(cropAndResizeRgb(frame, crop, 320, 320), models.converted.constants.get(HANDTRACK.scale)!.data[0]!));
      const { scores, boxes } = handtrackCandidates(values[HANDTRACK.boxEncodings]!, values[HANDTRACK.classLogits]!, anchors);
      expect(scores.length).toBe(wantScores.length);
      expect(boxes.length).toBe(wantBoxes.length);
      expect(maxAbsDiff(scores, wantScores)).toBeLessThan(1e-5);
      expect(maxAbsDiff(boxes, wantBoxes)).toBeLessThan(1e-5);
      best.push(Math.max(...wantScores));
    }
    expect(best[0]).not.toBe(best[1]);
  }, 60_000);
});

/** The MoveNet input as the tfjs pipeline made it: pad to a square, resize, truncate to integers. */
function tfjsMultiposeInput(tf: Tf, frame: RgbFrame): import('@tensorflow/tfjs').Tensor {
  const side = Math.max(frame.width, frame.height);
  return tf.tidy(() => {
    const square = tf.pad(tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32'), [[0, side - frame.height], [0, side - frame.width], [0, 0]]);
    return tf.image.resizeBilinear(square, [256, 256]).toInt().expandDims(0);
  });
}

describe('CenterNet converted to ONNX, decoded in TypeScript', () => {
  const file = humanModelFile('centernet.json');
  const outputs = ['tower_0/keypoints', 'tower_0/wh'];
  const models = useConvertedGraph(file, { input: 'tower_0/images', inputShape: [1, 512, 512, 3], outputs });

  const rowsFrom = (heads: Record<string, Float32Array>, minScore: number): Float32Array =>
    centernetRows({ keypoints: heads[outputs[0]!]!, wh: heads[outputs[1]!]!, grid: 128, classes: 80, stride: 4 }, 100, minScore);

  // Rows are [box corners, score, class] in input pixels (512²), best first. Float32 summation order moved scores by at most 3.5e-6 and corners by 1.5e-5 px (measured);
  // 1e-4 and 0.01 px leave room for other CPUs, while a layout, padding or decoding mistake moves
  // boxes by pixels and reorders classes.
  it('gives the tfjs graph\'s detection rows (all 100 of its TopK) from its own preprocessing, best first', async () => {
    const tf = await loadTf();
    let confident = 0;
    for (const frame of [await objectScene(), syntheticFrame(4)]) {
      const input = framesToBatch(tf, [frame], 512, 512);
      const expected = models.reference.execute(input, 'tower_0/detections') as import('@tensorflow/tfjs').Tensor;
      const want = (await expected.data()) as Float32Array;
      tf.dispose([input, expected]);
      const got = rowsFrom(await models.converted.run(resizeBilinearRgb(frame, 512, 512)), 0);
      expect(got.length).toBe(want.length);
      // Peaks of near-equal score may swap places on float noise, so each row is found by class and box.
      for (let row = 0; row < want.length / 6; row++) {
        const [x1, y1, x2, y2, score, classId] = want.subarray(row * 6, row * 6 + 6);
        if (score! >= 0.05) confident++;
        const match = Array.from({ length: got.length / 6 }, (_, r) => got.subarray(r * 6, r * 6 + 6)).find(
          (g) => g[5] === classId && Math.abs(g[4]! - score!) < 1e-4 && [x1, y1, x2, y2].every((v, k) => Math.abs(g[k]! - v!) < 0.01),
        );
        // The very last rows can trade places with the 101st peak, just outside the graph's TopK.
        if (row < 95) expect(match, `row ${row}: ${[...want.subarray(row * 6, row * 6 + 6)].join(', ')}`).toBeDefined();
      }
      const scores = got.filter((_, i) => i % 6 === 4);
      expect([...scores]).toEqual([...scores].sort((a, b) => b - a));
    }
    expect(confident).toBeGreaterThan(3);
  }, 60_000);

  it('keeps exactly the rows above a score threshold', async () => {
    const heads = await models.converted.run(resizeBilinearRgb(await objectScene(), 512, 512));
    const all = rowsFrom(heads, 0);
    const above = rowsFrom(heads, 0.05);
    const count = all.filter((value, i) => i % 6 === 4 && value > 0.05).length;
    expect(count).toBeGreaterThan(0);
    expect(above).toEqual(all.subarray(0, count * 6));
  }, 60_000);
});

describe('MoveNet multipose converted to ONNX, decoded in TypeScript', () => {
  const file = humanModelFile('movenet-multipose.json');
  const names = {
    centers: 'Sigmoid',
    centerPeaks: 'MaxPool',
    boxScale: 'box_scale_0/conv2d_5/BiasAdd',
    boxOffset: 'box_offset_0/conv2d_6/BiasAdd',
    keypointHeatmap: 'Sigmoid_1',
    keypointRegression: 'kpt_regress_0/conv2d_8/BiasAdd',
    keypointOffset: 'kpt_offset_0/conv2d_9/BiasAdd',
  };
  const outputs = Object.values(names).map((name) => `StatefulPartitionedCall/${name}`);
  const models = useConvertedGraph(file, { input: 'input', inputShape: [1, 256, 256, 3], outputs });

  // Six people slots of 17 × [y, x, score] keypoints (fractions of the input square), a box and a
  // score: the graph's whole output. Measured differences are below 1e-6; 1e-4 is 1/40 of an input
  // pixel (1/256), so every keypoint and box lands on the same pixel, while a layout or decoding
  // mistake moves them by many pixels.
  it('gives the tfjs graph\'s whole output: every slot, keypoint, box and score', async () => {
    const tf = await loadTf();
    for (const frame of [await objectScene(), syntheticFrame(5)]) {
      const input = tfjsMultiposeInput(tf, frame);
      const expected = models.reference.execute(input) as import('@tensorflow/tfjs').Tensor;
      const want = (await expected.data()) as Float32Array;
      const pixels = Float32Array.from((await input.data()) as Int32Array);
      tf.dispose([input, expected]);
      const values = await models.converted.run(pixels);
      const heads = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, values[`StatefulPartitionedCall/${name}`]!]));
      const got = multiposeRows({ ...(heads as unknown as Omit<MultiposeHeads, 'grid'>), grid: 64 });
      expect(got.length).toBe(6 * 56);
      // Every keypoint score, box and slot score agrees. A keypoint is placed at the best heatmap cell
      // near where its centre points; where two cells tie to float noise (measured: 1 of 204 keypoints)
      // it may take the other, a few cells away. Any systematic mistake moves many.
      let moved = 0;
      for (let slot = 0; slot < 6; slot++) {
        const [w, g] = [want.subarray(slot * 56, slot * 56 + 56), got.subarray(slot * 56, slot * 56 + 56)];
        expect(maxAbsDiff(g.subarray(51), w.subarray(51))).toBeLessThan(1e-4);
        for (let j = 0; j < 17; j++) {
          expect(Math.abs(g[3 * j + 2]! - w[3 * j + 2]!)).toBeLessThan(1e-4);
          if (Math.abs(g[3 * j]! - w[3 * j]!) >= 1e-4 || Math.abs(g[3 * j + 1]! - w[3 * j + 1]!) >= 1e-4) moved++;
        }
      }
      expect(moved).toBeLessThanOrEqual(2);
    }
  }, 60_000);
});

describe('weight decoding without tfjs', () => {
  it('decodes float16-quantised and int32 weights exactly as tfjs does', async () => {
    const tf = await loadTf();
    const file = humanModelFile('centernet.json');
    const { json, weights } = await readModelJsonWithWeights<{ weightsManifest: WeightsManifestGroup[] }>(file);
    const specs = json.weightsManifest.flatMap((group) => group.weights);
    expect(specs.some((spec) => spec.quantization?.dtype === 'float16')).toBe(true);
    const data = await readFile(path.join(path.dirname(file), json.weightsManifest[0]!.paths[0]!));
    const reference = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), specs as never);
    expect(weights.size).toBe(Object.keys(reference).length);
    for (const [name, tensor] of Object.entries(reference)) {
      expect(weights.get(name)?.shape, name).toEqual(tensor.shape);
      const [ours, theirs] = [weights.get(name)!.data, tensor.dataSync()];
      expect(ours.constructor, name).toBe(theirs.constructor);
      // Byte-for-byte: the same float32 (or int32) values.
      expect(Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(Buffer.from(theirs.buffer, theirs.byteOffset, theirs.byteLength)), name).toBe(true);
      tensor.dispose();
    }
  });

  it('decodes weights that straddle shards as from one joined buffer', async () => {
    const file = humanModelFile('movenet-multipose.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { weightsManifest: WeightsManifestGroup[] };
    const specs = json.weightsManifest.flatMap((group) => group.weights);
    const data = Buffer.concat(await Promise.all(json.weightsManifest.flatMap((group) => group.paths).map((shard) => readFile(path.join(path.dirname(file), shard)))));
    const whole = decodeWeights(specs, [data]);
    // Cuts at odd offsets (inside float16 and float32 values), an empty shard, and a one-byte shard.
    const cuts = [0, 1, 1, 2, 4097, 1_000_003, 3_333_333, data.byteLength - 5, data.byteLength];
    const shards = cuts.slice(1).map((end, i) => data.subarray(cuts[i]!, end));
    const pieces = decodeWeights(specs, shards);
    expect(pieces.size).toBe(whole.size);
    for (const [name, weight] of whole) {
      const piece = pieces.get(name)!;
      expect(piece.shape, name).toEqual(weight.shape);
      expect(Buffer.from(piece.data.buffer, piece.data.byteOffset, piece.data.byteLength).equals(Buffer.from(weight.data.buffer, weight.data.byteOffset, weight.data.byteLength)), name).toBe(true);
    }
  });

  it('dequantises uint8 with scale and min', () => {
    const weights = decodeWeights([{ name: 'w', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } }], [Uint8Array.of(0, 2, 255)]);
    expect([...weights.get('w')!.data]).toEqual([-1, 0, 126.5]);
  });

  it('rejects an unknown dtype and data that ends early with typed errors', () => {
    expect(() => decodeWeights([{ name: 'w', shape: [1], dtype: 'complex64' }], [new Uint8Array(8)])).toThrow(
      expect.objectContaining({ code: 'unsupported-op', message: expect.stringContaining('"w"') }),
    );
    expect(() => decodeWeights([{ name: 'w', shape: [4], dtype: 'float32' }], [new Uint8Array(8)])).toThrow(expect.objectContaining({ code: 'model-load-failed' }));
    expect(() => decodeWeights([{ name: 'w', shape: [4], dtype: 'float32' }], [new Uint8Array(8), new Uint8Array(4)])).toThrow(expect.objectContaining({ code: 'model-load-failed' }));
  });
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
