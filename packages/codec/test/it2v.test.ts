import { beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/contracts.ts';
import { CodecError } from '../src/errors.ts';
import {
  WEIGHT_LEVELS,
  dequantiseWeight,
  fitWeights,
  fitWeightsWithMotion,
  linearWeights,
  motionGridFor,
  loadOpenCv,
  pairSequence,
  preparePair,
  quantiseWeight,
  renderFrame,
  type InterpolationWeights,
  type PairContext,
} from '../src/it2v/index.ts';
import { fitQuantisedLevels, fitWiAtLevel, type FitGrids, type LevelFit, type SampleGrid } from '../src/it2v/fit.ts';
import { bidirectionalFlow } from '../src/it2v/flow.ts';
import { sampleInto, type WarpSources } from '../src/it2v/warp.ts';

const WIDTH = 480;
const HEIGHT = 270;
const INTERMEDIATE = 9;

/** Deterministic, non-periodic smooth texture: bilinear value noise at three scales. */
function valueNoise(seed: number, width: number, height: number): Float32Array {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const out = new Float32Array(width * height);
  for (const [cell, amplitude] of [[48, 0.5], [16, 0.33], [5, 0.17]] as const) {
    const cols = Math.ceil(width / cell) + 2;
    const rows = Math.ceil(height / cell) + 2;
    const lattice = Float32Array.from({ length: cols * rows }, random);
    for (let y = 0; y < height; y += 1) {
      const gy = y / cell;
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      for (let x = 0; x < width; x += 1) {
        const gx = x / cell;
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const at = (i: number, j: number): number => lattice[j * cols + i]!;
        const v = (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1);
        out[y * width + x] = out[y * width + x]! + amplitude * v;
      }
    }
  }
  return out;
}

const SCENE_WIDTH = WIDTH + 200;
const SCENE_HEIGHT = HEIGHT + 60;
const background = valueNoise(7, SCENE_WIDTH, SCENE_HEIGHT);
const SQUARE = 90;
const squareTexture = valueNoise(11, SQUARE, SQUARE);

/**
 * One frame of a synthetic shot: the camera looks at (panX, 20) of a large textured
 * background, and a differently textured square sits at (squareX, 90) in the frame.
 */
function shot(panX: number, squareX: number): RgbFrame {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  const px = Math.round(panX);
  const sx = Math.round(squareX);
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      const o = (y * WIDTH + x) * 3;
      const u = x - sx;
      const v = y - 90;
      if (u >= 0 && u < SQUARE && v >= 0 && v < SQUARE) {
        const t = squareTexture[v * SQUARE + u]!;
        data[o] = 230 * t;
        data[o + 1] = 40 + 100 * t;
        data[o + 2] = 255 - 200 * t;
      } else {
        const b = background[(y + 20) * SCENE_WIDTH + x + px]!;
        data[o] = 30 + 150 * b;
        data[o + 1] = 60 + 160 * b;
        data[o + 2] = 20 + 120 * b;
      }
    }
  }
  return { width: WIDTH, height: HEIGHT, data };
}

/** An accelerating clip: both the pan and the square move as t², so the linear schedule lags. */
function acceleratingClip(panDistance: number, squareDistance: number): { frames: RgbFrame[]; positions: number[] } {
  const positions = Array.from({ length: INTERMEDIATE + 2 }, (_, i) => i / (INTERMEDIATE + 1));
  return { frames: positions.map((t) => shot(10 + panDistance * t * t, 60 + squareDistance * t * t)), positions };
}

function sumSquaredError(a: RgbFrame, b: RgbFrame): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 1) {
    const d = a.data[i]! - b.data[i]!;
    sum += d * d;
  }
  return sum;
}

function sent(w: InterpolationWeights): InterpolationWeights {
  return { wi: dequantiseWeight(quantiseWeight(w.wi)), wl: dequantiseWeight(quantiseWeight(w.wl)) };
}

describe('IT2V runtime', () => {
  // First in the file, so this is the load that installs (and must remove) the listeners.
  it('loading opencv.js leaves the process error handlers as they were', async () => {
    const before = [process.listeners('uncaughtException'), process.listeners('unhandledRejection')];
    await loadOpenCv();
    expect([process.listeners('uncaughtException'), process.listeners('unhandledRejection')]).toEqual(before);
  });
});

describe('IT2V weights and quantisation', () => {
  it('round-trips every level and bounds the quantisation error by half a step', () => {
    for (let q = 0; q < WEIGHT_LEVELS; q += 1) expect(quantiseWeight(dequantiseWeight(q))).toBe(q);
    const step = 1 / (WEIGHT_LEVELS - 1);
    for (let i = 0; i <= 1000; i += 1) {
      const w = i / 1000;
      const q = quantiseWeight(w);
      expect(Number.isInteger(q) && q >= 0 && q < WEIGHT_LEVELS).toBe(true);
      expect(Math.abs(dequantiseWeight(q) - w)).toBeLessThanOrEqual(step / 2 + 1e-12);
    }
    expect(quantiseWeight(-3)).toBe(0);
    expect(quantiseWeight(7)).toBe(WEIGHT_LEVELS - 1);
  });

  it('rejects non-finite weights and out-of-range levels with a typed error', () => {
    for (const bad of [() => quantiseWeight(Number.NaN), () => dequantiseWeight(WEIGHT_LEVELS), () => dequantiseWeight(1.5), () => dequantiseWeight(-1)]) {
      expect(bad).toThrow(CodecError);
      try {
        bad();
      } catch (error) {
        expect((error as CodecError).code).toBe('INVALID_OPTIONS');
      }
    }
  });

  it('gives the linear schedule: k0 at t=0, k1 at t=1', () => {
    expect(linearWeights(0)).toEqual({ wi: 1, wl: 0 });
    expect(linearWeights(1)).toEqual({ wi: 0, wl: 1 });
    expect(linearWeights(0.25)).toEqual({ wi: 0.75, wl: 0.25 });
  });
});

describe('IT2V interpolation on an accelerating clip', () => {
  const clip = acceleratingClip(120, 150);
  const k0 = clip.frames[0]!;
  const k1 = clip.frames[clip.frames.length - 1]!;
  let ctx: PairContext;

  beforeAll(async () => {
    ctx = await preparePair(k0, k1);
  }, 30_000);

  it('reproduces k0 at (wi=1, wl=0) and k1 at (wi=0, wl=1)', () => {
    const first = renderFrame(ctx, { wi: 1, wl: 0 });
    const last = renderFrame(ctx, { wi: 0, wl: 1 });
    for (const [rendered, key] of [[first, k0], [last, k1]] as const) {
      expect(rendered.width).toBe(WIDTH);
      expect(rendered.height).toBe(HEIGHT);
      let worst = 0;
      for (let i = 0; i < key.data.length; i += 1) worst = Math.max(worst, Math.abs(rendered.data[i]! - key.data[i]!));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('renders identical bytes for identical input, including a freshly prepared pair', async () => {
    const w = { wi: dequantiseWeight(40), wl: dequantiseWeight(21) };
    const a = renderFrame(ctx, w);
    const b = renderFrame(ctx, w);
    const again = renderFrame(await preparePair(k0, k1), w);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(again.data))).toBe(true);
  });

  it('fitted, quantised weights beat the linear schedule in L2 over all intermediate frames', () => {
    let fittedError = 0;
    let linearError = 0;
    const fittedMotion: number[] = [];
    for (let i = 1; i <= INTERMEDIATE; i += 1) {
      const t = clip.positions[i]!;
      const target = clip.frames[i]!;
      const fitted = fitWeights(ctx, target, t);
      // fitWeights already answers on the quantisation grid.
      expect(sent(fitted)).toEqual(fitted);
      fittedMotion.push(fitted.wl);
      fittedError += sumSquaredError(renderFrame(ctx, fitted), target);
      linearError += sumSquaredError(renderFrame(ctx, sent(linearWeights(t))), target);
    }
    expect(fittedError).toBeLessThan(linearError * 0.8);
    // The motion is t², so the fitted motion progress should run behind t early on and speed up.
    expect(fittedMotion[1]!).toBeLessThan(clip.positions[2]!);
    for (let i = 1; i < fittedMotion.length; i += 1) expect(fittedMotion[i]!).toBeGreaterThanOrEqual(fittedMotion[i - 1]! - 0.05);
  });

  it('fits the same levels and loss, to the bit, as the search evaluated one level at a time with the shared sampler', () => {
    for (let i = 1; i <= INTERMEDIATE; i += 1) {
      const t = clip.positions[i]!;
      const target = clip.frames[i]!;
      expect(fitQuantisedLevels(ctx, ctx.grids, target, t)).toEqual(referenceSearch(ctx, ctx.grids, target, t));
      const level = (i * 7) % WEIGHT_LEVELS;
      expect(fitWiAtLevel(ctx, ctx.grids, target, level, t)).toEqual(referenceLevel(ctx, ctx.grids.fine, target, level, t));
    }
  });

  it('writes the same flows into given buffers, and refuses buffers of the wrong size', async () => {
    const { cv } = await loadOpenCv();
    const values = WIDTH * HEIGHT * 2;
    const into = { flow01: new Float32Array(values).fill(9), flow10: new Float32Array(values).fill(9) };
    expect(bidirectionalFlow(cv, k0, k1, into)).toBe(into);
    expect(Buffer.from(into.flow01.buffer).equals(Buffer.from(ctx.flow01.buffer))).toBe(true);
    expect(Buffer.from(into.flow10.buffer).equals(Buffer.from(ctx.flow10.buffer))).toBe(true);
    const short = { flow01: new Float32Array(values - 2), flow10: new Float32Array(values) };
    expect(() => bidirectionalFlow(cv, k0, k1, short)).toThrow(CodecError);
  });

  it("reuses a finished pair's buffers for the next pair of its size, with the same renders and fits", async () => {
    const pan = acceleratingClip(160, 0);
    const fresh = await preparePair(pan.frames[0]!, pan.frames[pan.frames.length - 1]!);
    const finished = await preparePair(k0, k1);
    const recycled = await preparePair(pan.frames[0]!, pan.frames[pan.frames.length - 1]!, finished);
    expect(recycled.flow01).toBe(finished.flow01);
    expect(recycled.grids).toBe(finished.grids);
    expect(Buffer.from(recycled.flow01.buffer).equals(Buffer.from(fresh.flow01.buffer))).toBe(true);
    expect(Buffer.from(recycled.flow10.buffer).equals(Buffer.from(fresh.flow10.buffer))).toBe(true);
    const target = pan.frames[2]!;
    expect(fitWeights(recycled, target, pan.positions[2]!)).toEqual(fitWeights(fresh, target, pan.positions[2]!));
    // A context of another size gives nothing.
    const small = { width: 8, height: 8, data: new Uint8Array(192) };
    expect((await preparePair(small, small, fresh)).flow01).not.toBe(fresh.flow01);
    // A pair sequence hands each pair the buffers of the one before.
    const nextPair = pairSequence();
    const first = await nextPair(k0, k1);
    const second = await nextPair(pan.frames[0]!, pan.frames[pan.frames.length - 1]!);
    expect(second.flow01).toBe(first.flow01);
    expect(Buffer.from(second.flow01.buffer).equals(Buffer.from(fresh.flow01.buffer))).toBe(true);
  });

  it('recovers the t² schedule of an accelerating pan across a third of the frame', async () => {
    const pan = acceleratingClip(160, 0);
    const panCtx = await preparePair(pan.frames[0]!, pan.frames[pan.frames.length - 1]!);
    for (let i = 1; i <= INTERMEDIATE; i += 1) {
      const t = pan.positions[i]!;
      const fitted = fitWeights(panCtx, pan.frames[i]!, t);
      expect(Math.abs(fitted.wl - t * t)).toBeLessThan(0.05);
    }
  });
});

describe('IT2V with the motion side channel', () => {
  // The pan accelerates (t²) while the square swings out and back (sin πt): no single motion progress fits both.
  const positions = Array.from({ length: INTERMEDIATE + 2 }, (_, i) => i / (INTERMEDIATE + 1));
  const frames = positions.map((t) => shot(10 + 120 * t * t, 150 + 40 * Math.sin(Math.PI * t)));
  const grid = motionGridFor('coarse', WIDTH, HEIGHT)!;
  let ctx: PairContext;

  beforeAll(async () => {
    ctx = await preparePair(frames[0]!, frames[frames.length - 1]!);
  }, 30_000);

  it('offers no grid when off, and a coarse grid of about square cells', () => {
    expect(motionGridFor('off', WIDTH, HEIGHT)).toBeUndefined();
    expect(grid).toEqual({ columns: 8, rows: 5, unitsPerPixel: 2 });
  });

  it('a zero field renders exactly the uncorrected frame', () => {
    const w = { wi: dequantiseWeight(30), wl: dequantiseWeight(33) };
    const zero = { grid, vectors: new Int16Array(grid.columns * grid.rows * 4) };
    expect(Buffer.from(renderFrame(ctx, w, zero).data).equals(Buffer.from(renderFrame(ctx, w).data))).toBe(true);
  });

  it('fits a field that lowers the error of the frames the flow alone gets wrong, and renders it deterministically', async () => {
    let withField = 0;
    let without = 0;
    let fields = 0;
    for (let i = 1; i <= INTERMEDIATE; i += 1) {
      const target = frames[i]!;
      const t = positions[i]!;
      const fitted = fitWeightsWithMotion(ctx, target, t, grid);
      expect(sent(fitted.weights)).toEqual(fitted.weights);
      const rendered = renderFrame(ctx, fitted.weights, fitted.motion);
      withField += sumSquaredError(rendered, target);
      without += sumSquaredError(renderFrame(ctx, fitWeights(ctx, target, t)), target);
      if (fitted.motion) {
        fields += 1;
        expect(fitted.motion.vectors.length).toBe(grid.columns * grid.rows * 4);
        const again = renderFrame(await preparePair(frames[0]!, frames[frames.length - 1]!), fitted.weights, fitted.motion);
        expect(Buffer.from(again.data).equals(Buffer.from(rendered.data))).toBe(true);
      }
    }
    expect(fields).toBeGreaterThan(INTERMEDIATE / 2);
    expect(withField).toBeLessThan(without * 0.95);
  });

  it('rejects grids and fields that do not fit the frame', () => {
    const w = { wi: 0.5, wl: 0.5 };
    for (const bad of [{ ...grid, columns: 0 }, { ...grid, rows: 65 }, { ...grid, unitsPerPixel: 0 }, { ...grid, unitsPerPixel: 1.5 }]) {
      expect(() => fitWeightsWithMotion(ctx, frames[1]!, 0.1, bad)).toThrow(CodecError);
      expect(() => renderFrame(ctx, w, { grid: bad, vectors: new Int16Array(Math.max(0, bad.columns * bad.rows * 4)) })).toThrow(CodecError);
    }
    expect(() => renderFrame(ctx, w, { grid, vectors: new Int16Array(7) })).toThrow(CodecError);
  });
});

describe('IT2V input checks', () => {
  it('rejects keyframes of different sizes and malformed frames', async () => {
    const a = shot(0, 0);
    const small: RgbFrame = { width: 4, height: 4, data: new Uint8Array(48) };
    await expect(preparePair(a, small)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(preparePair({ width: 4, height: 4, data: new Uint8Array(10) }, small)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('rejects a target of the wrong size', async () => {
    const ctx = await preparePair({ width: 8, height: 8, data: new Uint8Array(192) }, { width: 8, height: 8, data: new Uint8Array(192).fill(9) });
    expect(() => fitWeights(ctx, { width: 4, height: 4, data: new Uint8Array(48) }, 0.5)).toThrow(CodecError);
    expect(renderFrame(ctx, { wi: 0.5, wl: 0.5 }).data.length).toBe(192);
  });
});

/** The loss of one wl level on `grid`, sampling both keyframes with `sampleInto` (the search's definition). */
function referenceLevel(sources: WarpSources, grid: SampleGrid, target: RgbFrame, wlLevel: number, t: number): LevelFit {
  const top = WEIGHT_LEVELS - 1;
  const wl = wlLevel / top;
  const s = new Float32Array(6);
  let ee = 0;
  let ed = 0;
  let dd = 0;
  for (let n = 0; n < grid.xs.length; n += 1) {
    const x = grid.xs[n]!;
    const y = grid.ys[n]!;
    const pixel = y * sources.width + x;
    sampleInto(sources.k0.data, 3, sources.width, sources.height, x + wl * sources.flow10[pixel * 2]!, y + wl * sources.flow10[pixel * 2 + 1]!, s, 0);
    sampleInto(sources.k1.data, 3, sources.width, sources.height, x + (1 - wl) * sources.flow01[pixel * 2]!, y + (1 - wl) * sources.flow01[pixel * 2 + 1]!, s, 3);
    let e2 = 0;
    let ex = 0;
    let d2 = 0;
    for (let c = 0; c < 3; c += 1) {
      const d = s[c]! - s[c + 3]!;
      const e = s[c + 3]! - target.data[pixel * 3 + c]!;
      e2 += e * e;
      ex += e * d;
      d2 += d * d;
    }
    ee += e2;
    ed += ex;
    dd += d2;
  }
  const wiLevel = dd > 1e-9 ? Math.round(Math.min(1, Math.max(0, -ed / dd)) * top) : Math.round((1 - Math.min(1, Math.max(0, t))) * top);
  const wi = wiLevel / top;
  return { wlLevel, wiLevel, loss: ee + 2 * wi * ed + wi * wi * dd };
}

/** The documented schedule, one level at a time: levels 8 apart and the top one, ±4, ±2 on the coarse grid, then ±1 on the fine grid. */
function referenceSearch(sources: WarpSources, grids: FitGrids, target: RgbFrame, t: number): LevelFit {
  const top = WEIGHT_LEVELS - 1;
  const preferred = Math.round(Math.min(1, Math.max(0, t)) * top);
  const better = (a: LevelFit, b: LevelFit | undefined): boolean =>
    b === undefined || a.loss < b.loss || (a.loss === b.loss && Math.abs(a.wlLevel - preferred) < Math.abs(b.wlLevel - preferred));
  let best: LevelFit | undefined;
  for (const level of [0, 8, 16, 24, 32, 40, 48, 56, 63]) {
    const fit = referenceLevel(sources, grids.coarse, target, level, t);
    if (better(fit, best)) best = fit;
  }
  for (const step of [4, 2]) {
    const centre = best!.wlLevel;
    for (const level of [centre - step, centre + step]) {
      if (level < 0 || level > top) continue;
      const fit = referenceLevel(sources, grids.coarse, target, level, t);
      if (better(fit, best)) best = fit;
    }
  }
  const centre = best!.wlLevel;
  best = undefined;
  for (let level = Math.max(0, centre - 1); level <= Math.min(top, centre + 1); level += 1) {
    const fit = referenceLevel(sources, grids.fine, target, level, t);
    if (better(fit, best)) best = fit;
  }
  return best!;
}
