import { convertGraphModel, type TfNode } from './convert-graph.ts';
import { ModelError } from './errors.ts';
import { createOnnxSession, loadOrt, type OnnxOptions } from './onnx.ts';
import { encodeOnnxModel } from './onnx-proto.ts';
import { readModelJsonWithWeights, type DecodedWeight } from './weights.ts';

/**
 * A tfjs graph model (model.json + weight shards) converted to ONNX at load, from its image input
 * to the named outputs, without loading tfjs. What comes after those outputs (the decoding of
 * heads into detections) is the caller's, in TypeScript.
 */
export interface OnnxGraphModel {
  /** Runs on one NHWC float image; returns each output's NHWC values. */
  run(input: Float32Array): Promise<Record<string, Float32Array>>;
  /** The graph constants named in the options' `constants` (for a decoding tail that needs them, such as anchors). */
  readonly constants: ReadonlyMap<string, DecodedWeight>;
  dispose(): Promise<void>;
}

export interface OnnxGraphModelOptions extends OnnxOptions {
  readonly input: string;
  readonly inputShape: readonly [number, number, number, number];
  readonly outputs: readonly string[];
  readonly constants?: readonly string[];
}

/**
 * The converted model's bytes and the constants asked for. Kept apart from the session's closures so
 * that the tfjs JSON, the decoded weights and the ONNX graph can all be collected once the model is serialised.
 */
async function convertToOnnx(modelJsonPath: string, options: OnnxGraphModelOptions): Promise<{ model: Uint8Array; constants: Map<string, DecodedWeight> }> {
  const { json, weights } = await readModelJsonWithWeights<{ modelTopology?: { node?: TfNode[] } }>(modelJsonPath);
  const nodes = json.modelTopology?.node;
  if (!Array.isArray(nodes)) throw new ModelError('model-load-failed', `${modelJsonPath}: not a tfjs graph model`);
  const onnx = convertGraphModel(nodes, weights, { input: options.input, inputShape: options.inputShape, outputs: options.outputs });
  const constants = new Map(
    (options.constants ?? []).map((name) => {
      const constant = weights.get(name);
      if (!constant) throw new ModelError('model-load-failed', `${modelJsonPath}: no constant "${name}"`);
      return [name, constant] as const;
    }),
  );
  return { model: encodeOnnxModel(onnx, `cmvc ${modelJsonPath}`), constants };
}

export async function loadOnnxGraphModel(modelJsonPath: string, options: OnnxGraphModelOptions): Promise<OnnxGraphModel> {
  const [ort, converted] = await Promise.all([loadOrt(), convertToOnnx(modelJsonPath, options)]);
  const { constants } = converted;
  const session = await createOnnxSession(converted.model, options);
  return {
    constants,
    async run(input) {
      const result = await session.run({ [options.input]: new ort.Tensor('float32', input, options.inputShape) });
      return Object.fromEntries(options.outputs.map((name) => [name, result[name]!.data as Float32Array]));
    },
    dispose: () => session.release(),
  };
}
