/**
 * Just enough of the ONNX protobuf (onnx.proto, IR version 8, default-domain opset 13) to write the
 * graphs our converters build: nodes with int/float/ints attributes, float and int64 initializers, and
 * float inputs and outputs. Field numbers are onnx.proto's.
 */

export const ONNX_OPSET = 13;
const IR_VERSION = 8;

const enum TensorType {
  Float = 1,
  Int64 = 7,
}
const enum AttributeType {
  Float = 1,
  Int = 2,
  String = 3,
  Ints = 7,
}

export type AttributeValue = number | string | readonly number[] | { readonly float: number };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Plain numbers are INT attributes, arrays INTS, strings STRING; floats are spelled `{ float: x }`. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** A float tensor's name and shape; a string dimension is symbolic (the batch). */
export interface OnnxValue {
  readonly name: string;
  readonly dims: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
}

/** A protobuf varint: 7 bits a byte, low first; negative numbers as their 64-bit two's complement. */
export function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(bytes);
}

class Writer {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  #varint(value: number | bigint): void {
    this.#push(encodeVarint(value));
  }

  int(field: number, value: number | bigint): void {
    this.#varint(field << 3);
    this.#varint(value);
  }

  float(field: number, value: number): void {
    this.#varint((field << 3) | 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#push(bytes);
  }

  bytes(field: number, value: Uint8Array): void {
    this.#varint((field << 3) | 2);
    this.#varint(value.length);
    this.#push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  /** A nested message: its chunks join this writer's as they are, so only `finish` copies bytes (once). */
  message(field: number, write: (inner: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.#varint((field << 3) | 2);
    this.#varint(inner.length);
    for (const chunk of inner.#chunks) this.#push(chunk);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function writeAttribute(w: Writer, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'number') {
    w.int(3, value);
    w.int(20, AttributeType.Int);
  } else if (typeof value === 'string') {
    w.string(4, value);
    w.int(20, AttributeType.String);
  } else if (Array.isArray(value)) {
    for (const v of value as readonly number[]) w.int(8, v);
    w.int(20, AttributeType.Ints);
  } else {
    w.float(2, (value as { float: number }).float);
    w.int(20, AttributeType.Float);
  }
}

function writeValue(w: Writer, value: OnnxValue): void {
  w.string(1, value.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, TensorType.Float);
      tensor.message(2, (shape) => {
        for (const dim of value.dims) shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
      });
    }),
  );
}

function writeInitializer(w: Writer, tensor: OnnxInitializer): void {
  for (const dim of tensor.dims) w.int(1, dim);
  w.int(2, tensor.data instanceof Float32Array ? TensorType.Float : TensorType.Int64);
  w.string(8, tensor.name);
  // raw_data is little-endian, as typed arrays are on every platform Node runs on here.
  w.bytes(9, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
}

/** Serialises a graph as an ONNX ModelProto. */
export function encodeOnnxModel(graph: OnnxGraph, producer: string): Uint8Array {
  const w = new Writer();
  w.int(1, IR_VERSION);
  w.string(2, producer);
  w.message(7, (g) => {
    graph.nodes.forEach((node, index) =>
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `${node.op}_${index}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, value));
      }),
    );
    g.string(2, graph.name);
    for (const tensor of graph.initializers) g.message(5, (t) => writeInitializer(t, tensor));
    for (const input of graph.inputs) g.message(11, (v) => writeValue(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValue(v, output));
  });
  w.message(8, (opset) => {
    opset.string(1, '');
    opset.int(2, ONNX_OPSET);
  });
  return w.finish();
}

/** Collects nodes and initializers, naming each intermediate value after the node that makes it. */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  #count = 0;

  /** Adds a node with one output and returns that output's name. */
  add(op: string, inputs: readonly string[], attributes?: Readonly<Record<string, AttributeValue>>, output?: string): string {
    const name = output ?? `${op.toLowerCase()}_${this.#count++}`;
    this.nodes.push({ op, inputs, outputs: [name], ...(attributes ? { attributes } : {}) });
    return name;
  }

  constant(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  int64s(name: string, values: readonly number[]): string {
    return this.constant(name, [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
  }

  scalar(name: string, value: number): string {
    return this.constant(name, [], Float32Array.of(value));
  }

  graph(name: string, inputs: readonly OnnxValue[], outputs: readonly OnnxValue[]): OnnxGraph {
    return { name, inputs, outputs, nodes: this.nodes, initializers: this.initializers };
  }
}
