import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/types.ts';
import { createImageFeatureExtractor } from '../src/features/index.ts';
import { cosineSimilarity } from '../src/runtime/frame.ts';

const extractor = createImageFeatureExtractor({ model: 'mobilenet-v2', batchSize: 4 });

async function render(svgBody: string, width = 640, height = 480): Promise<RgbFrame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svgBody}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Same picture with mild deterministic noise, as from a re-encode. */
function jitter(frame: RgbFrame, amplitude: number): RgbFrame {
  const data = new Uint8Array(frame.data.length);
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = ((seed >>> 16) % (2 * amplitude + 1)) - amplitude;
    data[i] = Math.min(255, Math.max(0, frame.data[i]! + noise));
  }
  return { ...frame, data };
}

let stripes: RgbFrame;
let circles: RgbFrame;

beforeAll(async () => {
  stripes = await render(
    Array.from({ length: 16 }, (_, i) => `<rect x="${i * 40}" y="0" width="20" height="480" fill="#1a4d8f"/>`).join('') +
      '<rect x="0" y="300" width="640" height="180" fill="#2e7d32"/>',
  );
  circles = await render(
    '<rect width="640" height="480" fill="#f5deb3"/>' +
      Array.from({ length: 6 }, (_, i) => `<circle cx="${80 + i * 100}" cy="${120 + (i % 2) * 200}" r="45" fill="#c62828"/>`).join(''),
  );
});

afterAll(() => extractor.dispose());

describe('MobileNetV2 image features', () => {
  it('reports its identity and dimension', () => {
    expect(extractor.id).toBe('mobilenet-v2');
    expect(extractor.dimensions).toBe(1280);
  });

  it('returns one unit-length vector per frame, in order, across batches', async () => {
    const frames = [stripes, circles, stripes, circles, stripes];
    const vectors = await extractor.embed(frames);
    expect(vectors).toHaveLength(5);
    for (const v of vectors) {
      expect(v).toHaveLength(1280);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
    // Batch boundaries (size 4) must not mix frames up.
    expect(cosineSimilarity(vectors[0]!, vectors[4]!)).toBeGreaterThan(0.999);
    expect(cosineSimilarity(vectors[1]!, vectors[3]!)).toBeGreaterThan(0.999);
  });

  it('scores near-identical frames far closer than different scenes', async () => {
    const [a, aNoisy, b] = await extractor.embed([stripes, jitter(stripes, 6), circles]);
    const same = cosineSimilarity(a!, aNoisy!);
    const different = cosineSimilarity(a!, b!);
    expect(same).toBeGreaterThan(0.9);
    expect(different).toBeLessThan(same - 0.1);
  });

  it('handles frames of any size, including tiny ones, and an empty batch', async () => {
    const tiny: RgbFrame = { width: 3, height: 2, data: new Uint8Array(18).fill(128) };
    const [v] = await extractor.embed([tiny]);
    expect(v).toHaveLength(1280);
    expect(await extractor.embed([])).toEqual([]);
  });

  it('rejects malformed frames with a typed error', async () => {
    await expect(extractor.embed([{ width: 10, height: 10, data: new Uint8Array(5) }])).rejects.toMatchObject({ code: 'invalid-frame' });
  });
});

describe('InceptionV3 image features', () => {
  it('gives 2048-d unit vectors that separate different scenes', async () => {
    const inception = createImageFeatureExtractor({ model: 'inception-v3' });
    try {
      expect(inception.dimensions).toBe(2048);
      const [a, aNoisy, b] = await inception.embed([stripes, jitter(stripes, 6), circles]);
      expect(a).toHaveLength(2048);
      expect(Math.hypot(...a!)).toBeCloseTo(1, 4);
      expect(cosineSimilarity(a!, b!)).toBeLessThan(cosineSimilarity(a!, aNoisy!) - 0.1);
    } finally {
      await inception.dispose();
    }
  });
});

describe('option validation', () => {
  it('rejects unknown models and bad batch sizes', () => {
    expect(() => createImageFeatureExtractor({ model: 'resnet' as never })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
    expect(() => createImageFeatureExtractor({ batchSize: 0 })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
  });
});
