import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { GenerationRequest, RgbFrame, TextEmbedder } from '../src/contracts.ts';
import {
  GenerationUnavailableError,
  InMemoryExemplarLibrary,
  RetrievalGenerator,
  parseMotionText,
  type Exemplar,
  type ExemplarLibrary,
} from '../src/tt2v/index.ts';

/** Bag-of-words hashing embedder: shared words make texts similar. */
const DIMENSIONS = 4096;
const embedder: TextEmbedder = {
  id: 'test-bag-of-words',
  dimensions: DIMENSIONS,
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Float32Array(DIMENSIONS);
      for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
        let hash = 2166136261;
        for (const ch of word) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
        vector[hash % DIMENSIONS]! += 1;
      }
      const norm = Math.hypot(...vector) || 1;
      return vector.map((v) => v / norm);
    });
  },
};

type Rgb = readonly [number, number, number];

/** An encoded PNG: a solid colour with a white vertical bar at `barX` (share of the width). */
async function exemplarImage(colour: Rgb, barX = 0.5): Promise<Uint8Array> {
  const width = 320;
  const height = 180;
  const bar = await sharp({ create: { width: 16, height, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } })
    .composite([{ input: bar, left: Math.round(barX * width) - 8, top: 0 }])
    .png()
    .toBuffer();
}

async function libraryOf(entries: readonly { videoId: string; text: string; colour: Rgb; barX?: number }[]): Promise<InMemoryExemplarLibrary> {
  const library = new InMemoryExemplarLibrary();
  const vectors = await embedder.embed(entries.map((e) => e.text));
  for (const [i, entry] of entries.entries()) library.add(entry.videoId, vectors[i]!, await exemplarImage(entry.colour, entry.barX));
  return library;
}

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    mode: 'tt2v',
    width: 96,
    height: 54,
    fps: 12,
    frameCount: 7,
    contentTexts: ['a red sports car on a road', 'a red sports car on a road'],
    motionText: 'the camera is static',
    ...overrides,
  };
}

/** Mean colour of a frame, ignoring near-white pixels (the bar). */
function meanColour(frame: RgbFrame): Rgb {
  const sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < frame.data.length; i += 3) {
    if (frame.data[i]! > 230 && frame.data[i + 1]! > 230 && frame.data[i + 2]! > 230) continue;
    for (let c = 0; c < 3; c += 1) sum[c]! += frame.data[i + c]!;
    n += 1;
  }
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

/** x centre of the white bar, weighted by whiteness. */
function barCentre(frame: RgbFrame): number {
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < frame.data.length; i += 3) {
    const white = Math.min(frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!);
    if (white < 200) continue;
    weighted += ((i / 3) % frame.width) * white;
    total += white;
  }
  return weighted / total;
}

const RED: Rgb = [200, 30, 30];
const GREEN: Rgb = [30, 170, 40];
const BLUE: Rgb = [30, 40, 200];
const PURPLE: Rgb = [150, 30, 170];
const ORANGE: Rgb = [240, 140, 20];

const archive = [
  { videoId: 'cars', text: 'a red sports car parked on a road', colour: RED },
  { videoId: 'forest', text: 'green trees in a quiet forest', colour: GREEN },
  { videoId: 'sea', text: 'blue ocean waves under the sky', colour: BLUE },
];

describe('RetrievalGenerator', () => {
  it('retrieves the exemplar whose text matches and returns exactly frameCount frames of the requested size', async () => {
    const generator = new RetrievalGenerator({ library: await libraryOf(archive), embedder });
    const progress: number[] = [];
    const frames = await generator.generateClip(request({ frameCount: 5, width: 100, height: 60 }), (f) => progress.push(f));
    expect(frames).toHaveLength(5);
    for (const frame of frames) {
      expect(frame.width).toBe(100);
      expect(frame.height).toBe(60);
      expect(frame.data.length).toBe(100 * 60 * 3);
      const [r, g, b] = meanColour(frame);
      expect(r).toBeGreaterThan(150);
      expect(g).toBeLessThan(80);
      expect(b).toBeLessThan(80);
    }
    expect(progress.at(-1)).toBe(1);
  });

  it('never uses the excluded video, even when it is the best match and the library ignores the exclusion', async () => {
    const entries = [...archive, { videoId: 'self', text: 'a purple sunset sky', colour: PURPLE }, { videoId: 'evening', text: 'an orange sunset sky', colour: ORANGE }];
    const honest = await libraryOf(entries);
    const careless: ExemplarLibrary = { nearest: (embedding, k) => honest.nearest(embedding, k, {}) };
    const texts: GenerationRequest['contentTexts'] = ['a purple sunset sky', 'a purple sunset sky'];
    for (const library of [honest, careless]) {
      const generator = new RetrievalGenerator({ library, embedder, excludeVideoId: 'self' });
      const frames = await generator.generateClip(request({ contentTexts: texts }));
      const [r, g, b] = meanColour(frames[0]!);
      // Orange (the best match other than 'self'), not purple.
      expect(r).toBeGreaterThan(200);
      expect(g).toBeGreaterThan(100);
      expect(b).toBeLessThan(60);
    }
    // Without the exclusion the purple keyframe is indeed the best match.
    const frames = await new RetrievalGenerator({ library: honest, embedder }).generateClip(request({ contentTexts: texts }));
    const [, g, b] = meanColour(frames[0]!);
    expect(b).toBeGreaterThan(140);
    expect(g).toBeLessThan(60);
  });

  it('crossfades from the first text’s exemplar to the second’s when the camera is static', async () => {
    const generator = new RetrievalGenerator({ library: await libraryOf(archive), embedder });
    const frames = await generator.generateClip(request({ contentTexts: ['a red sports car', 'green trees in a forest'], frameCount: 9 }));
    const first = meanColour(frames[0]!);
    const middle = meanColour(frames[4]!);
    const last = meanColour(frames[8]!);
    expect(first[0]).toBeGreaterThan(190);
    expect(last[1]).toBeGreaterThan(160);
    expect(middle[0]).toBeGreaterThan(last[0] + 40);
    expect(middle[0]).toBeLessThan(first[0] - 40);
  });

  it('pans in the measured direction: content drifts against the camera', async () => {
    const generator = new RetrievalGenerator({ library: await libraryOf([{ videoId: 'cars', text: 'a red car', colour: RED, barX: 0.5 }]), embedder });
    const right = await generator.generateClip(request({ frameCount: 13, camera: { kind: 'pan', dx: 0.2, dy: 0, zoom: 1 } }));
    const rightPositions = right.map(barCentre);
    expect(rightPositions.at(-1)!).toBeLessThan(rightPositions[0]! - 10);
    for (let i = 1; i < rightPositions.length; i += 1) expect(rightPositions[i]!).toBeLessThanOrEqual(rightPositions[i - 1]! + 0.01);

    const left = await generator.generateClip(request({ frameCount: 13, motionText: 'The camera pans left at 0.20 frame widths per second.' }));
    expect(barCentre(left.at(-1)!)).toBeGreaterThan(barCentre(left[0]!) + 10);
  });

  it('zooms in about the centre: the bar gets wider', async () => {
    const generator = new RetrievalGenerator({ library: await libraryOf([{ videoId: 'cars', text: 'a red car', colour: RED, barX: 0.5 }]), embedder });
    const frames = await generator.generateClip(request({ frameCount: 13, camera: { kind: 'zoom', dx: 0, dy: 0, zoom: 2 } }));
    const barWidth = (frame: RgbFrame): number => {
      let count = 0;
      const row = Math.floor(frame.height / 2) * frame.width * 3;
      for (let x = 0; x < frame.width; x += 1) if (frame.data[row + x * 3 + 1]! > 200) count += 1;
      return count;
    };
    expect(barWidth(frames.at(-1)!)).toBeGreaterThan(barWidth(frames[0]!) * 1.5);
    expect(Math.abs(barCentre(frames.at(-1)!) - barCentre(frames[0]!))).toBeLessThan(2);
  });

  it('is deterministic', async () => {
    const generator = new RetrievalGenerator({ library: await libraryOf(archive), embedder });
    const req = request({ contentTexts: ['a red sports car', 'blue ocean waves'], camera: { kind: 'tilt', dx: 0, dy: -0.1, zoom: 1 } });
    const a = await generator.generateClip(req);
    const b = await generator.generateClip(req);
    expect(a.map((f) => Buffer.from(f.data).toString('base64'))).toEqual(b.map((f) => Buffer.from(f.data).toString('base64')));
  });

  it('fails with GenerationUnavailableError without a library, with an empty one, or with only the excluded video', async () => {
    const only = await libraryOf([{ videoId: 'self', text: 'a red car', colour: RED }]);
    const cases = [
      { generator: new RetrievalGenerator({ embedder }), message: /no exemplar library configured/ },
      { generator: new RetrievalGenerator({ library: new InMemoryExemplarLibrary(), embedder }), message: /no archived keyframes to retrieve from/ },
      { generator: new RetrievalGenerator({ library: only, embedder, excludeVideoId: 'self' }), message: /no archived keyframes to retrieve from/ },
    ];
    for (const { generator, message } of cases) {
      const failure = generator.generateClip(request());
      await expect(failure).rejects.toBeInstanceOf(GenerationUnavailableError);
      await expect(failure).rejects.toMatchObject({ code: 'GENERATOR_UNAVAILABLE', message: expect.stringMatching(message) });
    }
  });

  it('rejects malformed requests with a typed error', async () => {
    const generator = new RetrievalGenerator({ library: await libraryOf(archive), embedder });
    await expect(generator.generateClip(request({ frameCount: 0 }))).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(generator.generateClip(request({ width: 1.5 }))).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(generator.generateClip(request({ mode: 'it2v' }))).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('stops with ABORTED when the request is aborted', async () => {
    const generator = new RetrievalGenerator({ library: await libraryOf(archive), embedder });
    const controller = new AbortController();
    controller.abort();
    await expect(generator.generateClip(request({ signal: controller.signal }))).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('reports a broken exemplar image as a generator failure', async () => {
    const library = new InMemoryExemplarLibrary();
    library.add('broken', (await embedder.embed(['a red car']))[0]!, Uint8Array.of(1, 2, 3, 4));
    const generator = new RetrievalGenerator({ library, embedder });
    await expect(generator.generateClip(request())).rejects.toMatchObject({ code: 'GENERATOR_FAILED' });
  });
});

describe('InMemoryExemplarLibrary', () => {
  it('ranks by cosine similarity, honours k and the exclusion, and forgets removed videos', async () => {
    const library = await libraryOf(archive);
    const [query] = await embedder.embed(['blue ocean']);
    const hits: Exemplar[] = await library.nearest(query!, 2, {});
    expect(hits.map((h) => h.videoId)).toEqual(['sea', expect.any(String)]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect((await library.nearest(query!, 5, { excludeVideoId: 'sea' })).map((h) => h.videoId)).not.toContain('sea');
    expect(library.removeVideo('sea')).toBe(1);
    expect((await library.nearest(query!, 5, {})).map((h) => h.videoId)).not.toContain('sea');
    expect(() => library.add('x', new Float32Array(3).fill(1), Uint8Array.of(0))).toThrow(/dimensions/);
  });
});

describe('parseMotionText', () => {
  it('reads direction and rate of pans, tilts and zooms', () => {
    expect(parseMotionText('The camera pans right at 0.12 frame widths per second')).toEqual({ kind: 'pan', dx: 0.12, dy: 0, zoom: 1 });
    expect(parseMotionText('camera tilts up slowly')).toMatchObject({ kind: 'tilt', dx: 0, dy: -0.1 });
    expect(parseMotionText('Zooming in on the singer').kind).toBe('zoom');
    expect(parseMotionText('zoom out').zoom).toBeLessThan(1);
    expect(parseMotionText('static shot of a table')).toEqual({ kind: 'static', dx: 0, dy: 0, zoom: 1 });
  });
});
