/**
 * Throughput of the built-in analyzers on this machine.
 * Usage: npx tsx packages/models/bench/models.bench.ts [--seconds 3]
 * Prints one row per analyzer: first-call latency (model load included) and steady-state rate.
 */
import sharp from 'sharp';
import type { RgbFrame } from '../src/types.ts';
import { createImageFeatureExtractor } from '../src/features/index.ts';
import { createObjectDetector } from '../src/detect/index.ts';
import { createTextReader } from '../src/ocr/index.ts';
import { createSuperResolver } from '../src/superres/index.ts';
import { createTextEmbedder } from '../src/text/index.ts';
import { createFaceAnalyzer, createPoseEstimator, KEYPOINTS, type BodyPose, type Keypoint, type KeypointName } from '../src/people/index.ts';
import { PocketsphinxTranscriber, SileroVad } from '../src/speech/index.ts';
import { spokenAudio } from '../test/speech-fixtures.ts';
import { recordHeadlines } from '../../../bench/headlines.ts';

const secondsArg = process.argv.indexOf('--seconds');
const budgetMs = 1000 * (secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3);
if (!(budgetMs > 0)) throw new Error('--seconds must be a positive number');

async function scene(width: number, height: number): Promise<RgbFrame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="854" height="480">
    <rect width="854" height="480" fill="#87ceeb"/><rect y="360" width="854" height="120" fill="#556b2f"/>
    <circle cx="700" cy="90" r="50" fill="#fd5"/><rect x="80" y="200" width="220" height="160" fill="#a0522d"/>
    <polygon points="60,200 190,110 320,200" fill="#8b0000"/>
    <text x="380" y="300" font-family="DejaVu Sans" font-size="56" font-weight="bold" fill="#111">OPEN 24H</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

interface Row {
  readonly analyzer: string;
  readonly input: string;
  readonly firstCallMs: number;
  readonly rate: number;
  readonly unit: string;
}

/** Calls `run` (which processes `itemsPerCall` items) repeatedly for the time budget after one warm-up call. */
async function measure(analyzer: string, input: string, unit: string, itemsPerCall: number, run: () => Promise<unknown>): Promise<Row> {
  const first = performance.now();
  await run();
  const firstCallMs = performance.now() - first;
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < budgetMs || calls === 0) {
    await run();
    calls++;
  }
  const rate = (calls * itemsPerCall) / ((performance.now() - start) / 1000);
  const row = { analyzer, input, firstCallMs, rate, unit };
  console.error(`  ${analyzer}: ${rate.toFixed(2)} ${unit}`);
  return row;
}

const frame480 = await scene(854, 480);
const frame240 = await scene(426, 240);
const batch = Array.from({ length: 8 }, () => frame480);
const rows: Row[] = [];

for (const model of ['mobilenet-v2', 'inception-v3'] as const) {
  const extractor = createImageFeatureExtractor({ model, batchSize: 8 });
  rows.push(await measure(`features ${model}`, '854x480 ×8', 'frames/s', batch.length, () => extractor.embed(batch)));
  await extractor.dispose();
}
for (const model of ['centernet', 'nanodet'] as const) {
  const detector = createObjectDetector({ model });
  rows.push(await measure(`detect ${model}`, '854x480', 'frames/s', 1, () => detector.detect([frame480])));
  await detector.dispose();
}
const poses = createPoseEstimator();
rows.push(await measure('pose movenet-multipose', '854x480', 'frames/s', 1, () => poses.estimate([frame480])));
await poses.dispose();
// One face placed by hand-made keypoints: the face models' cost per person.
const point = (x: number, y: number): Keypoint => ({ x, y, score: 0.9 });
const keypoints = Object.fromEntries(KEYPOINTS.map((name) => [name, { x: 0, y: 0, score: 0 }])) as Record<KeypointName, Keypoint>;
Object.assign(keypoints, { nose: point(0.5, 0.3), leftEye: point(0.53, 0.27), rightEye: point(0.47, 0.27), leftShoulder: point(0.6, 0.5), rightShoulder: point(0.4, 0.5) });
const person: BodyPose = { score: 0.9, box: { x: 0.3, y: 0.1, width: 0.4, height: 0.9 }, keypoints };
const faces = createFaceAnalyzer();
rows.push(await measure('face faceres+emotion', '1 face', 'faces/s', 1, () => faces.analyse(frame480, [person])));
await faces.dispose();
const speech = await spokenAudio('the quick brown fox jumps over the lazy dog and the weather today is sunny and warm', 1, 1);
const audioSeconds = speech.samples.length / speech.sampleRate;
const vad = new SileroVad();
rows.push(await measure('speech silero-vad', `${audioSeconds.toFixed(1)} s of speech`, 'audio s/s', audioSeconds, () => vad.detect(speech)));
await vad.dispose();
const sphinx = new PocketsphinxTranscriber();
rows.push(await measure('speech pocketsphinx', `${audioSeconds.toFixed(1)} s of speech`, 'audio s/s', audioSeconds, () => sphinx.transcribe(speech)));
const reader = createTextReader();
rows.push(await measure('ocr pp-ocrv4', '854x480, 1 line', 'frames/s', 1, () => reader.read(frame480)));
await reader.dispose();
for (const [size, scale] of [['slim', 2], ['medium', 2], ['slim', 4]] as const) {
  const upscaler = createSuperResolver({ size, scale });
  rows.push(await measure(`esrgan ${size} x${scale}`, '426x240', 'frames/s', 1, () => upscaler.upscale(frame240)));
  await upscaler.dispose();
}
// No cache, and fresh sentences each call, so every sentence is really embedded.
const embedder = createTextEmbedder({ batchSize: 32, cacheSize: 0 });
let round = 0;
rows.push(
  await measure('text use-lite', '32 sentences', 'sentences/s', 32, () =>
    embedder.embed(Array.from({ length: 32 }, (_, i) => `a person number ${i} walks a dog through the park on day ${round++}`)),
  ),
);
await embedder.dispose();

const header = ['analyzer', 'input', 'first call (ms)', 'rate'];
const table = rows.map((r) => [r.analyzer, r.input, r.firstCallMs.toFixed(0), `${r.rate.toFixed(2)} ${r.unit}`]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table) console.log(line(row));
recordHeadlines(rows.map((row) => ({ bench: 'models', metric: `${row.analyzer}, ${row.input}`, value: row.rate, unit: row.unit })));
