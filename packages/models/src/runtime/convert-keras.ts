/**
 * Keras functional `model.json` (as tfjs loads it) → ONNX graph. Covers the layers the nsfwjs
 * MobileNetV2 and InceptionV3 feature models use; any other layer or setting is an `unsupported-op`
 * ModelError naming it. Inside the graph everything is NCHW; the NHWC input is transposed once.
 */
import { ModelError } from './errors.ts';
import { OnnxGraphBuilder, type OnnxGraph } from './onnx-proto.ts';
import type { DecodedWeight } from './weights.ts';
import { hwcmToGroupedOihw, hwioToOihw, tfPads, type TfPadding } from './onnx-layout.ts';

/** Decoded weights by manifest name (`layer/kernel`, `layer/gamma`, …). */
export type WeightMap = ReadonlyMap<string, DecodedWeight>;

interface KerasLayer {
  readonly name: string;
  readonly class_name: string;
  readonly config: Record<string, unknown>;
  readonly inbound_nodes: readonly (readonly (readonly [string, number, number, unknown?])[])[];
}

interface KerasTopology {
  readonly model_config: { readonly class_name: string; readonly config: { readonly layers: readonly KerasLayer[] } };
}

/** Shape of a value in the ONNX graph, batch left out: [C, H, W] for images, [F] once flattened. */
type Shape = readonly number[];

export interface KerasConversion {
  readonly graph: OnnxGraph;
  readonly inputName: string;
  /** Input shape without the batch: [H, W, C]. */
  readonly inputShape: readonly [number, number, number];
}

const INPUT = 'input';

function unsupported(layer: KerasLayer, what: string): never {
  throw new ModelError('unsupported-op', `Keras layer ${layer.class_name} "${layer.name}": ${what} is not supported by the ONNX converter`);
}

function pair(layer: KerasLayer, key: string): [number, number] {
  const value = layer.config[key];
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0] as number, value[1] as number];
  return unsupported(layer, `${key}=${JSON.stringify(value)}`);
}

/** ZeroPadding2D's `padding`: n, [rows, cols] or [[top, bottom], [left, right]]. */
function zeroPadding(layer: KerasLayer): [[number, number], [number, number]] {
  const p = layer.config['padding'];
  if (typeof p === 'number') return [[p, p], [p, p]];
  if (Array.isArray(p) && p.length === 2) {
    const [rows, cols] = p as unknown[];
    if (typeof rows === 'number' && typeof cols === 'number') return [[rows, rows], [cols, cols]];
    const valid = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number');
    if (valid(rows) && valid(cols)) return [rows, cols];
  }
  return unsupported(layer, `padding=${JSON.stringify(p)}`);
}

function padding(layer: KerasLayer): TfPadding {
  const value = layer.config['padding'];
  if (value === 'same' || value === 'valid') return value;
  return unsupported(layer, `padding=${JSON.stringify(value)}`);
}

export function convertKerasModel(topology: unknown, weights: WeightMap, outputLayers: readonly string[]): KerasConversion {
  const model = (topology as KerasTopology).model_config;
  if (model?.class_name !== 'Model' || !Array.isArray(model.config?.layers)) {
    throw new ModelError('unsupported-op', `Keras ${String(model?.class_name)} topology is not supported by the ONNX converter (functional Model only)`);
  }
  const layers = new Map(model.config.layers.map((layer) => [layer.name, layer]));
  const inboundOf = (layer: KerasLayer): string[] => {
    if (layer.inbound_nodes.length > 1) unsupported(layer, 'a layer applied more than once');
    return (layer.inbound_nodes[0] ?? []).map(([name, , tensorIndex]) => {
      if (tensorIndex !== 0) unsupported(layer, 'an input from a multi-output layer');
      return name;
    });
  };

  // Only the layers the requested outputs depend on (the classifier head after them is left out).
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    const layer = layers.get(name);
    if (!layer) throw new ModelError('model-load-failed', `Keras model has no layer "${name}"`);
    needed.add(name);
    inboundOf(layer).forEach(visit);
  };
  outputLayers.forEach(visit);

  const b = new OnnxGraphBuilder();
  const values = new Map<string, { name: string; shape: Shape }>();
  let inputShape: [number, number, number] | undefined;

  const weight = (layer: KerasLayer, key: string): { shape: readonly number[]; data: Float32Array } => {
    const found = weights.get(`${layer.name}/${key}`);
    if (!(found?.data instanceof Float32Array)) throw new ModelError('model-load-failed', `Keras weights have no float ${layer.name}/${key}`);
    return { shape: found.shape, data: found.data };
  };
  const activation = (layer: KerasLayer, x: string, shape: Shape): string => {
    const name = (layer.config['activation'] as string | undefined) ?? 'linear';
    switch (name) {
      case 'linear':
        return x;
      case 'relu':
        return b.add('Relu', [x]);
      case 'sigmoid':
        return b.add('Sigmoid', [x]);
      case 'tanh':
        return b.add('Tanh', [x]);
      case 'softmax':
        if (shape.length !== 1) unsupported(layer, 'softmax over an image');
        return b.add('Softmax', [x], { axis: -1 });
      default:
        return unsupported(layer, `activation "${name}"`);
    }
  };
  const channelsLast = (layer: KerasLayer): void => {
    const format = layer.config['data_format'];
    if (format !== undefined && format !== 'channels_last') unsupported(layer, `data_format=${String(format)}`);
  };
  const image = (layer: KerasLayer, shape: Shape): [number, number, number] => {
    if (shape.length !== 3) unsupported(layer, `an input of rank ${shape.length + 1}`);
    return shape as [number, number, number];
  };

  for (const layer of model.config.layers) {
    if (!needed.has(layer.name)) continue;
    const inputs = inboundOf(layer).map((name) => values.get(name)!);
    const [first] = inputs;
    let out: { name: string; shape: Shape };
    const config = layer.config;
    switch (layer.class_name) {
      case 'InputLayer': {
        const shape = config['batch_input_shape'] as (number | null)[];
        if (shape.length !== 4 || shape.slice(1).some((d) => typeof d !== 'number')) unsupported(layer, `input shape ${JSON.stringify(shape)}`);
        const [, h, w, c] = shape as [null, number, number, number];
        inputShape = [h, w, c];
        out = { name: b.add('Transpose', [INPUT], { perm: [0, 3, 1, 2] }), shape: [c, h, w] };
        break;
      }
      case 'ZeroPadding2D': {
        channelsLast(layer);
        const [c, h, w] = image(layer, first!.shape);
        const [[top, bottom], [left, right]] = zeroPadding(layer);
        const pads = b.int64s(`${layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
        out = { name: b.add('Pad', [first!.name, pads]), shape: [c, h + top + bottom, w + left + right] };
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        channelsLast(layer);
        const [c, h, w] = image(layer, first!.shape);
        const window = { kernel: pair(layer, 'kernel_size'), strides: pair(layer, 'strides'), dilations: pair(layer, 'dilation_rate') };
        const { pads, output } = tfPads(padding(layer), [h, w], window);
        const depthwise = layer.class_name === 'DepthwiseConv2D';
        const kernel = weight(layer, depthwise ? 'depthwise_kernel' : 'kernel');
        const [kh, kw, ki, ko] = kernel.shape as [number, number, number, number];
        if (ki !== c) throw new ModelError('model-load-failed', `${layer.name}: kernel expects ${ki} channels, input has ${c}`);
        const channels = depthwise ? ki * ko : ko;
        const oihw = depthwise ? hwcmToGroupedOihw(kernel.data, kernel.shape) : hwioToOihw(kernel.data, kernel.shape);
        const conv = [first!.name, b.constant(`${layer.name}/weight`, depthwise ? [channels, 1, kh, kw] : [ko, ki, kh, kw], oihw)];
        if (config['use_bias'] !== false) conv.push(b.constant(`${layer.name}/bias`, [channels], weight(layer, 'bias').data));
        const y = b.add('Conv', conv, { kernel_shape: window.kernel, strides: window.strides, dilations: window.dilations, pads, group: depthwise ? c : 1 });
        const shape = [channels, ...output];
        out = { name: activation(layer, y, shape), shape };
        break;
      }
      case 'BatchNormalization': {
        const axis = config['axis'];
        if (axis !== -1 && axis !== first!.shape.length) unsupported(layer, `axis=${String(axis)}`);
        const channels = first!.shape[0]!;
        const ones = new Float32Array(channels).fill(1);
        const scale = config['scale'] === false ? ones : weight(layer, 'gamma').data;
        const shift = config['center'] === false ? new Float32Array(channels) : weight(layer, 'beta').data;
        const normInputs = [
          first!.name,
          b.constant(`${layer.name}/scale`, [channels], scale),
          b.constant(`${layer.name}/shift`, [channels], shift),
          b.constant(`${layer.name}/mean`, [channels], weight(layer, 'moving_mean').data),
          b.constant(`${layer.name}/variance`, [channels], weight(layer, 'moving_variance').data),
        ];
        // ONNX Runtime folds this into the preceding Conv when it builds the session.
        out = { name: b.add('BatchNormalization', normInputs, { epsilon: { float: config['epsilon'] as number } }), shape: first!.shape };
        break;
      }
      case 'ReLU': {
        if ((config['negative_slope'] ?? 0) !== 0 || (config['threshold'] ?? 0) !== 0) unsupported(layer, 'negative_slope/threshold');
        const max = config['max_value'];
        const name =
          max === null || max === undefined
            ? b.add('Relu', [first!.name])
            : b.add('Clip', [first!.name, b.scalar(`${layer.name}/min`, 0), b.scalar(`${layer.name}/max`, max as number)]);
        out = { name, shape: first!.shape };
        break;
      }
      case 'Activation':
        out = { name: activation(layer, first!.name, first!.shape), shape: first!.shape };
        break;
      case 'Add':
        out = { name: inputs.slice(1).reduce((sum, x) => b.add('Add', [sum, x.name]), first!.name), shape: first!.shape };
        break;
      case 'Concatenate': {
        const axis = config['axis'];
        if (axis !== -1 && axis !== 3) unsupported(layer, `axis=${String(axis)}`);
        const channels = inputs.reduce((sum, x) => sum + x.shape[0]!, 0);
        out = { name: b.add('Concat', inputs.map((x) => x.name), { axis: 1 }), shape: [channels, ...first!.shape.slice(1)] };
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        channelsLast(layer);
        const [c, h, w] = image(layer, first!.shape);
        const kernel = pair(layer, 'pool_size');
        const strides = config['strides'] === null || config['strides'] === undefined ? kernel : pair(layer, 'strides');
        const { pads, output } = tfPads(padding(layer), [h, w], { kernel, strides, dilations: [1, 1] });
        // TF's SAME average pooling divides by the pixels inside the image: ONNX's count_include_pad=0.
        const op = layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
        out = { name: b.add(op, [first!.name], { kernel_shape: kernel, strides, pads }), shape: [c, ...output] };
        break;
      }
      case 'Flatten': {
        channelsLast(layer);
        const [c, h, w] = image(layer, first!.shape);
        // Keras flattens in HWC order.
        const hwc = h === 1 && w === 1 ? first!.name : b.add('Transpose', [first!.name], { perm: [0, 2, 3, 1] });
        out = { name: b.add('Flatten', [hwc], { axis: 1 }), shape: [c * h * w] };
        break;
      }
      case 'Dense': {
        if (first!.shape.length !== 1) unsupported(layer, 'an input that is not flat');
        const kernel = weight(layer, 'kernel');
        const units = kernel.shape[1]!;
        let y = b.add('MatMul', [first!.name, b.constant(`${layer.name}/kernel`, kernel.shape, kernel.data)]);
        if (config['use_bias'] !== false) y = b.add('Add', [y, b.constant(`${layer.name}/bias`, [units], weight(layer, 'bias').data)]);
        out = { name: activation(layer, y, [units]), shape: [units] };
        break;
      }
      case 'Dropout':
        out = first!;
        break;
      default:
        unsupported(layer, 'this layer');
    }
    values.set(layer.name, out);
  }

  if (!inputShape) throw new ModelError('model-load-failed', 'Keras model has no InputLayer');
  const outputs = outputLayers.map((name) => {
    const value = values.get(name)!;
    // NCHW outputs go back to TF's NHWC so callers see what tfjs gave them.
    const nhwc = value.shape.length === 3 ? b.add('Transpose', [value.name], { perm: [0, 2, 3, 1] }, name) : b.add('Identity', [value.name], undefined, name);
    return { name: nhwc, dims: ['batch', ...(value.shape.length === 3 ? [value.shape[1]!, value.shape[2]!, value.shape[0]!] : value.shape)] };
  });
  const [h, w, c] = inputShape;
  return { graph: b.graph('keras', [{ name: INPUT, dims: ['batch', h, w, c] }], outputs), inputName: INPUT, inputShape };
}
