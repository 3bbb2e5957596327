import { describe, expect, it } from 'vitest';
import type { TextEmbedder } from '@cmvc/codec';
import { contentWords, QueryBaseline, REFERENCE_SENTENCES } from '../src/services/relevance.ts';

describe('search relevance helpers', () => {
  it('leaves the describer framing words out of full-text matching, and keeps content words', () => {
    expect(contentWords('camera static')).toBe('');
    expect(contentWords('a woman in an orange top in the center')).toBe('a woman in an orange top in the');
    expect(contentWords('"Well-lit" scene, mostly tones')).toBe('');
    expect(contentWords('forklift')).toBe('forklift');
  });

  it('takes the mean similarity to the reference sentences as the baseline, embedding them once', async () => {
    let calls = 0;
    // Unit vectors on two axes: reference sentences all point along x.
    const embedder: TextEmbedder = {
      id: 'axes',
      dimensions: 2,
      async embed(texts) {
        calls += 1;
        return texts.map(() => Float32Array.from([1, 0]));
      },
    };
    const baseline = new QueryBaseline(embedder);
    expect(await baseline.of(Float32Array.from([1, 0]))).toBeCloseTo(1);
    expect(await baseline.of(Float32Array.from([0, 1]))).toBeCloseTo(0);
    expect(await baseline.of(Float32Array.from([Math.SQRT1_2, Math.SQRT1_2]))).toBeCloseTo(Math.SQRT1_2);
    expect(calls).toBe(1);
    expect(REFERENCE_SENTENCES.length).toBeGreaterThan(8);
  });
});
