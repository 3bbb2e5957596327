import { readFile } from 'node:fs/promises';
import { convertGraphModel, type TfNode } from './convert-graph.ts';
import { ModelError } from './errors.ts';
import { createOnnxSession, loadOrt, type InferenceSession, type OnnxOptions } from './onnx.ts';
import { encodeOnnxModel } from './onnx-proto.ts';
import { loadGraphModelFromDisk, loadTf, type DecodedWeight } from './tf.ts';

type Tensor = import('@tensorflow/tfjs').Tensor;

/**
 * A tfjs graph model whose convolutional trunk (input → `heads`) runs on ONNX Runtime, converted
 * from the model's own weights at load; tfjs runs only the decoding tail from the heads' values.
 */
export interface OnnxTrunkModel {
  /** Runs the trunk on one NHWC float image, then the tail to `output`; the caller owns the result. */
  execute(input: Float32Array, output: string): Promise<Tensor>;
  dispose(): Promise<void>;
}

export interface OnnxTrunkOptions extends OnnxOptions {
  readonly input: string;
  readonly inputShape: readonly [number, number, number, number];
  readonly heads: readonly string[];
}

export async function loadOnnxTrunkModel(modelJsonPath: string, options: OnnxTrunkOptions): Promise<OnnxTrunkModel> {
  const [tf, ort, graph] = await Promise.all([loadTf(), loadOrt(), loadGraphModelFromDisk(modelJsonPath)]);
  let session: InferenceSession;
  try {
    const topology = JSON.parse(await readFile(modelJsonPath, 'utf8')) as { modelTopology: { node: TfNode[] } };
    const weights = new Map<string, DecodedWeight>();
    for (const [name, [tensor]] of Object.entries(graph.weights)) {
      const data = tensor!.dataSync();
      if (data instanceof Float32Array || data instanceof Int32Array) weights.set(name, { shape: tensor!.shape, data });
    }
    const onnx = convertGraphModel(topology.modelTopology.node, weights, { input: options.input, inputShape: options.inputShape, outputs: options.heads });
    session = await createOnnxSession(encodeOnnxModel(onnx, `cmvc ${modelJsonPath}`), options);
  } catch (cause) {
    graph.dispose();
    throw cause instanceof ModelError ? cause : new ModelError('model-load-failed', `${modelJsonPath}: ${String(cause)}`, { cause });
  }
  return {
    async execute(input, output) {
      const result = await session.run({ [options.input]: new ort.Tensor('float32', input, options.inputShape) });
      const heads = Object.fromEntries(options.heads.map((name) => [name, tf.tensor(result[name]!.data as Float32Array, result[name]!.dims as number[])]));
      try {
        return graph.execute(heads, output) as Tensor;
      } finally {
        tf.dispose(Object.values(heads));
      }
    },
    async dispose() {
      graph.dispose();
      await session.release();
    },
  };
}

