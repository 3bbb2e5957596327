/**
 * Motion analysis throughput at 480p input: frames/s through grayscale conversion, downscaling,
 * Farneback flow, camera fit and foreground regions, at each analysis width.
 * Run: npx tsx packages/models/bench/motion.bench.ts [frames]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { analyseMotion, loadOpenCv, type TimedRgbFrame } from '../src/motion/index.ts';
import { recordHeadlines } from '../../../bench/headlines.ts';

const WIDTH = 854;
const HEIGHT = 480;
const FPS = 5;
const frameCount = Math.max(2, Math.min(120, Number(process.argv[2] ?? 24)));

async function renderClip(): Promise<TimedRgbFrame[]> {
  const texture = `nullsrc=s=1708x${HEIGHT}:r=25,geq=lum='128+40*sin(X/9)*cos(Y/7)+30*sin((X+2*Y)/23)+30*cos((3*X-Y)/31)':cb=128:cr=128`;
  const graph = `${texture},crop=${WIDTH}:${HEIGHT}:'t*120':0[bg];testsrc2=s=120x120:r=25[fg];[bg][fg]overlay=x='100+t*150':y=180`;
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', graph, '-frames:v', String(frameCount), '-r', String(FPS), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const bytes = WIDTH * HEIGHT * 3;
  return Array.from({ length: Math.floor(stdout.length / bytes) }, (_, i) => ({
    width: WIDTH,
    height: HEIGHT,
    time: i / FPS,
    data: new Uint8Array(stdout.subarray(i * bytes, (i + 1) * bytes)),
  }));
}

const started = performance.now();
await loadOpenCv();
console.log(`opencv.js init: ${(performance.now() - started).toFixed(0)} ms`);
const frames = await renderClip();
console.log(`input: ${frames.length} frames of ${WIDTH}x${HEIGHT}`);
for (const analysisWidth of [160, 240, 320]) {
  await analyseMotion(frames.slice(0, 2), { analysisWidth });
  const t0 = performance.now();
  const result = await analyseMotion(frames, { analysisWidth });
  const seconds = (performance.now() - t0) / 1000;
  recordHeadlines([{ bench: 'models', metric: `camera motion (Farneback), analysis width ${analysisWidth}`, value: frames.length / seconds, unit: 'frames/s' }]);
  console.log(
    `analysis width ${analysisWidth}: ${(frames.length / seconds).toFixed(1)} frames/s ` +
      `(${((seconds * 1000) / frames.length).toFixed(1)} ms/frame); camera ${result.camera.kind} dx=${result.camera.dx.toFixed(3)}/s, ` +
      `${result.areas.length} moving area(s)${result.areas[0] ? `, first ${result.areas[0].direction}` : ''}`,
  );
}
