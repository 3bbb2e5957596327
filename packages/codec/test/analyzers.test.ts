import { describe, expect, it } from 'vitest';
import { loadAnalyzers } from '../src/analyzers/provider.ts';
import { createTechnicalDescriber, TECHNICAL_DESCRIBER_ID, technicalSemanticCodec } from '../src/analyzers/technical-describer.ts';
import type { TimedFrame } from '../src/contracts.ts';
import { colourLayoutExtractor } from './fixtures.ts';

const WIDTH = 128;
const HEIGHT = 72;

/** A textured scene whose content moves `speed` pixels per frame to the left (the camera pans right). */
function panningFrame(index: number, speed: number): TimedFrame {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      const u = x + index * speed;
      const value = Math.round(128 + 60 * Math.sin(u / 5) + 50 * Math.cos(y / 4 + u / 11));
      const o = (y * WIDTH + x) * 3;
      data[o] = value;
      data[o + 1] = 255 - value;
      data[o + 2] = (value * 3) & 0xff;
    }
  }
  return { width: WIDTH, height: HEIGHT, data, index, time: index / 10 };
}

describe('technical describer', () => {
  const describer = createTechnicalDescriber();

  it('states measured colour statistics of a keyframe', async () => {
    const frame: TimedFrame = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(255), index: 3, time: 1.5 };
    const { text, semantic } = await describer.describeKeyframe(frame);
    expect(text).toBe('Keyframe at 1.50 s: mean colour rgb(255, 255, 255), brightness 100%, contrast 0%.');
    expect(semantic && technicalSemanticCodec.expand(semantic)).toBe(text);
    expect(semantic?.length).toBeLessThan(10);
  });

  it('structured form expands back to the exact text for many measurements', async () => {
    for (let i = 0; i < 50; i += 1) {
      const frame = panningFrame(i, 3);
      const keyframe = await describer.describeKeyframe({ ...frame, time: i * 0.123456 });
      expect(technicalSemanticCodec.expand(keyframe.semantic ?? new Uint8Array())).toBe(keyframe.text);
    }
    for (const speed of [0, 1, 3, 6]) {
      const motion = await describer.describeMotion({ frames: [0, 1, 2].map((i) => ({ ...panningFrame(i, speed), time: i * 0.0771 })), fps: 13 });
      expect(technicalSemanticCodec.expand(motion.semantic ?? new Uint8Array())).toBe(motion.text);
    }
    expect(() => technicalSemanticCodec.expand(Uint8Array.of(9, 0))).toThrow();
  });

  it('measures a pan from frame differences, and a static scene as static', async () => {
    const panning = await describer.describeMotion({ frames: [0, 1, 2, 3, 4].map((i) => panningFrame(i, 4)), fps: 10 });
    expect(panning.camera.kind).toBe('pan');
    // 4 px/frame of 128 px at 10 fps ≈ 0.31 frame widths per second (measured on a 64-px-wide copy).
    expect(panning.camera.dx).toBeGreaterThan(0.2);
    expect(panning.camera.dx).toBeLessThan(0.45);
    expect(panning.text).toMatch(/camera pans right/);
    const still = await describer.describeMotion({ frames: [0, 1, 2].map((i) => panningFrame(0, 0 * i)), fps: 10 });
    expect(still.camera.kind).toBe('static');
    expect(still.text).toMatch(/static camera; mean frame change 0%/);
  });
});

describe('analyzer provider seam', () => {
  it('takes a feature extractor under `features` and keeps the built-in describer when none is provided', async () => {
    let disposed = false;
    const set = await loadAnalyzers({
      provider: () => ({ features: colourLayoutExtractor(), dispose: async () => void (disposed = true) }),
    });
    expect(set.featureExtractor?.id).toBe('test-colour-layout-48');
    expect(set.describer.id).toBe(TECHNICAL_DESCRIBER_ID);
    await set.dispose?.();
    expect(disposed).toBe(true);
  });

  it('falls back to the built-in set when the provider gives nothing usable', async () => {
    const set = await loadAnalyzers({ provider: () => 42 });
    expect(set.source).toBe('builtin');
    expect(set.featureExtractor).toBeUndefined();
  });
});
