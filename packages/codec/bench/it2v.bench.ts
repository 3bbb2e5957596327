/**
 * IT2V speed at 854x480: `npx tsx packages/codec/bench/it2v.bench.ts [frames]`.
 * Prints opencv.js load time, preparePair ms, fitWeights ms/frame and renderFrame frames/s
 * on a synthetic accelerating pan with an independently moving textured square.
 * Targets: renderFrame ≥ 30 frames/s, fitWeights ≤ ~5 ms/frame, on one core.
 */
import type { RgbFrame } from '../src/contracts.ts';
import { fitWeights, linearWeights, loadOpenCv, preparePair, renderFrame } from '../src/it2v/index.ts';
import { recordHeadlines } from '../../../bench/headlines.ts';

const WIDTH = 854;
const HEIGHT = 480;
const frames = Math.max(4, Number(process.argv[2] ?? 30));

/** Smooth, non-periodic texture from a hashed lattice (two octaves), deterministic. */
function texture(x: number, y: number, seed: number): number {
  const lattice = (i: number, j: number): number => ((Math.imul(i * 374761393 + j * 668265263 + seed * 2246822519, 1274126177) >>> 0) % 1000) / 1000;
  let value = 0;
  for (const [cell, amplitude] of [[40, 0.6], [9, 0.4]] as const) {
    const gx = x / cell;
    const gy = y / cell;
    const i = Math.floor(gx);
    const j = Math.floor(gy);
    const fx = gx - i;
    const fy = gy - j;
    value += amplitude * ((1 - fx) * (1 - fy) * lattice(i, j) + fx * (1 - fy) * lattice(i + 1, j) + (1 - fx) * fy * lattice(i, j + 1) + fx * fy * lattice(i + 1, j + 1));
  }
  return value;
}

function shot(t: number): RgbFrame {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  const pan = Math.round(180 * t * t);
  const square = Math.round(200 + 60 * t * t);
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      const o = (y * WIDTH + x) * 3;
      const inSquare = x >= square && x < square + 160 && y >= 160 && y < 320;
      const v = inSquare ? texture(x - square, y - 160, 2) : texture(x + pan, y, 1);
      data[o] = 40 + 200 * v;
      data[o + 1] = inSquare ? 250 - 200 * v : 30 + 180 * v;
      data[o + 2] = 60 + 120 * v;
    }
  }
  return { width: WIDTH, height: HEIGHT, data };
}

const clip = Array.from({ length: frames + 2 }, (_, i) => shot(i / (frames + 1)));
const k0 = clip[0]!;
const k1 = clip[clip.length - 1]!;

let start = performance.now();
await loadOpenCv();
const loadMs = performance.now() - start;

await preparePair(k0, k1); // warm-up
start = performance.now();
const prepareRuns = 5;
let ctx = await preparePair(k0, k1);
for (let i = 1; i < prepareRuns; i += 1) ctx = await preparePair(k0, k1);
const prepareMs = (performance.now() - start) / prepareRuns;

for (let i = 1; i <= Math.min(3, frames); i += 1) fitWeights(ctx, clip[i]!, i / (frames + 1)); // warm-up
start = performance.now();
let fittedError = 0;
let linearError = 0;
const weights = [];
for (let i = 1; i <= frames; i += 1) weights.push(fitWeights(ctx, clip[i]!, i / (frames + 1)));
const fitMs = (performance.now() - start) / frames;

for (let i = 0; i < 5; i += 1) renderFrame(ctx, { wi: 0.5, wl: 0.5 }); // warm-up
start = performance.now();
for (const w of weights) renderFrame(ctx, w);
const renderFps = frames / ((performance.now() - start) / 1000);

const mse = (a: RgbFrame, b: RgbFrame): number => {
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 1) sum += (a.data[i]! - b.data[i]!) ** 2;
  return sum / a.data.length;
};
const psnr = (m: number): number => 10 * Math.log10((255 * 255) / Math.max(m, 1e-9));
weights.forEach((w, i) => {
  fittedError += mse(renderFrame(ctx, w), clip[i + 1]!);
  linearError += mse(renderFrame(ctx, linearWeights((i + 1) / (frames + 1))), clip[i + 1]!);
});

console.log(`it2v @ ${WIDTH}x${HEIGHT}, ${frames} intermediate frames`);
console.log(`opencv.js load      ${loadMs.toFixed(0)} ms (once per process)`);
console.log(`preparePair         ${prepareMs.toFixed(1)} ms`);
console.log(`fitWeights          ${fitMs.toFixed(2)} ms/frame`);
console.log(`renderFrame         ${renderFps.toFixed(1)} frames/s`);
console.log(`quality (PSNR)      fitted ${psnr(fittedError / frames).toFixed(2)} dB, linear schedule ${psnr(linearError / frames).toFixed(2)} dB`);
recordHeadlines([
  { bench: 'it2v', metric: `fit weights, ${WIDTH}x${HEIGHT}`, value: fitMs, unit: 'ms/frame' },
  { bench: 'it2v', metric: `render, ${WIDTH}x${HEIGHT}`, value: renderFps, unit: 'frames/s', target: '≥ 30' },
  { bench: 'it2v', metric: 'PSNR gain of fitted weights over linear', value: psnr(fittedError / frames) - psnr(linearError / frames), unit: 'dB' },
]);
