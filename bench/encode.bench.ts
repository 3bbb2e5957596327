/**
 * Encode speed as a ratio: the worker's whole encode (encoder with the default analyzers, SPEECH
 * transcription and caption embeddings, at the default settings) against SVT-AV1 preset 8 on the
 * same clip in the same run, with the peak memory of the process and its ffmpeg children, and
 * where the time went per stage.
 *
 *   npm run bench:encode -- [--clips bottle,walking,testsrc] [--seconds 30]
 *
 * (`npm run bench:encode` runs it under scripts/worker-env.sh, with the worker's process environment.)
 * Clips are 768×432 at 30 fps: `bottle` and `walking` are made from ../shared/media (left out when
 * it is missing), `testsrc` from ffmpeg's generator; each gets a spoken track (espeak-ng).
 * Targets (issue 15): ours ÷ SVT-AV1 p8 ≤ 2 (≥ 2× real time), peak memory ≤ 1 GB.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type StageTiming } from '@cmvc/codec';
import { mediaIo } from '@cmvc/media-io';
import { loadConfig } from '@cmvc/config';
import { createModelSet, SileroVad } from '@cmvc/models';
import { analyseSource, type AnalysedSource } from '@cmvc/core';
import { encodeAnalyzers, speechPipeline } from '../workers/src/analyzers.ts';
import { recordHeadlines } from './headlines.ts';
import { startMemorySampler, type TreeMemory } from './memory-sampler.ts';
import { BenchError, flag, formatBytes, integerFlag, log, machineInfo, machineTable, markdownTable, REPO_ROOT, runBench } from './lib.ts';

const run = promisify(execFile);
const SIZE = { width: 768, height: 432 };
const FPS = 30;
const SPEECH = 'The bottle stands on the table. A person walks past the camera and picks it up. Then the scene is quiet again.';

interface ClipSource {
  readonly name: string;
  /** ffmpeg input arguments of the picture. */
  readonly input: () => string[] | undefined;
}

const SHARED_MEDIA = join(REPO_ROOT, '../shared/media');
const CLIP_SOURCES: readonly ClipSource[] = [
  { name: 'bottle', input: () => shared('bottle-detection.mp4', ['-stream_loop', '-1']) },
  { name: 'walking', input: () => shared('face-demographics-walking.gif', ['-stream_loop', '-1']) },
  { name: 'testsrc', input: () => ['-f', 'lavfi', '-i', `testsrc2=size=${SIZE.width}x${SIZE.height}:rate=${FPS}`] },
];

function shared(file: string, before: string[]): string[] | undefined {
  const path = join(SHARED_MEDIA, file);
  return existsSync(path) ? [...before, '-i', path] : undefined;
}

/** A 768×432, 30 fps clip of `seconds` with a spoken track. */
async function makeClip(source: ClipSource, seconds: number, scratch: string): Promise<string | undefined> {
  const input = source.input();
  if (!input) return undefined;
  const speech = join(scratch, 'speech.wav');
  if (!existsSync(speech)) await run('espeak-ng', ['-w', speech, SPEECH]);
  const output = join(scratch, `${source.name}.mp4`);
  const scale = `scale=${SIZE.width}:${SIZE.height}:force_original_aspect_ratio=decrease,pad=${SIZE.width}:${SIZE.height}:(ow-iw)/2:(oh-ih)/2,fps=${FPS},format=yuv420p`;
  await run('ffmpeg', [
    '-v', 'error', ...input, '-i', speech,
    '-filter_complex', `[0:v]${scale}[v];[1:a]apad,aresample=48000[a]`,
    '-map', '[v]', '-map', '[a]', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-c:a', 'aac', '-b:a', '96k', output,
  ]);
  return output;
}

/** The main thread's V8 heap and its ArrayBuffers (frames, pipe chunks), sampled every 200 ms. */
interface HeapSample {
  readonly atMs: number;
  readonly heap: number;
  readonly arrayBuffers: number;
}

/**
 * Samples the main thread's heap every 200 ms (the describer thread's and WebAssembly memory are
 * not in it: opencv.js reserves ~160 MiB, ~65 MiB of it resident); `stop` returns the samples.
 */
function sampleHeap(): { stop: () => HeapSample[] } {
  const samples: HeapSample[] = [];
  const timer = setInterval(() => {
    const { heapTotal, arrayBuffers } = process.memoryUsage();
    samples.push({ atMs: Date.now(), heap: heapTotal, arrayBuffers });
  }, 200);
  return { stop: () => (clearInterval(timer), samples) };
}

/** CPU seconds of the waited-for child processes (ffmpeg), from /proc/self/stat (cutime + cstime). */
async function childrenCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function svtAv1Preset8(clip: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-i', clip, '-an', '-c:v', 'libsvtav1', '-preset', '8', '-f', 'null', '-'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new BenchError('BENCH_FAILED', `SVT-AV1 exited with ${code}`))));
  });
  return (performance.now() - started) / 1000;
}

/** "worker 1.0 GiB (main thread's V8 heap …), ffmpeg (layer encoder) 180 MiB, …" at the moment of the peak. */
function peakBreakdown(memory: TreeMemory | undefined, heaps: readonly HeapSample[]): string {
  if (!memory) return 'not sampled';
  const children = Object.entries(memory.byChild).sort((a, b) => b[1] - a[1]).map(([kind, bytes]) => `${kind} ${formatBytes(bytes)}`);
  const heap = heaps.reduce<HeapSample | undefined>((nearest, sample) => (!nearest || Math.abs(sample.atMs - memory.atMs) < Math.abs(nearest.atMs - memory.atMs) ? sample : nearest), undefined);
  const v8 = heap ? ` (main thread's V8 heap ${formatBytes(heap.heap)}, ArrayBuffers ${formatBytes(heap.arrayBuffers)})` : '';
  return [`worker ${formatBytes(memory.own)}${v8}`, ...children].join(', ');
}

/**
 * The stream's bytes and the SHA-256 of everything in it but the sound track (ffmpeg's Ogg muxer
 * draws a new serial number each run, and the stream's checksums cover it), and the captions' (every
 * text with its times): a change of settings must leave both alone.
 */
function outputFingerprint({ result, captions }: AnalysedSource): string {
  const { audio, ...representation } = result.representation;
  const hash = createHash('sha256');
  // Byte arrays (layer OBUs, weights) are hashed as bytes, the rest as JSON.
  hash.update(JSON.stringify(representation, (_key, value: unknown) => (value instanceof Uint8Array ? (hash.update(value), `${value.byteLength} B`) : value)));
  const texts = captions.map(({ embedding: _embedding, ...caption }) => caption);
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `stream ${result.bitstream.byteLength} B (sound ${audio?.bytes.byteLength ?? 0} B), all but the sound sha256 ${hash.digest('hex').slice(0, 16)}; ${captions.length} captions sha256 ${sha256(JSON.stringify(texts))}`;
}

const loadAverage = (): string => loadavg().map((value) => value.toFixed(2)).join(' / ');
const seconds = (value: number): string => value.toFixed(1);

function profileTable(stages: readonly StageTiming[]): string {
  return markdownTable(
    ['stage', 'calls', 'wall s', 'CPU s'],
    stages.map((stage) => [stage.stage, String(stage.calls), stage.wallSeconds.toFixed(2), stage.cpuSeconds.toFixed(2)]),
  );
}

async function main(): Promise<void> {
  const clipSeconds = integerFlag('seconds', 30, 2, 600);
  const wanted = flag('clips')?.split(',').map((name) => name.trim()) ?? CLIP_SOURCES.map((source) => source.name);
  const unknown = wanted.filter((name) => !CLIP_SOURCES.some((source) => source.name === name));
  if (unknown.length > 0) throw new BenchError('INVALID_FLAG', `--clips: unknown clip ${unknown.join(', ')}`);
  const config = loadConfig({ DATABASE_URL: 'postgresql://bench@127.0.0.1/unused', ...process.env });
  const scratch = await mkdtemp(join(tmpdir(), 'cmvc-bench-encode-'));
  const io = mediaIo(config.ffmpeg);
  const models = createModelSet(config.models, config.ffmpeg);
  const speech = speechPipeline(config.speech);
  // Wired as the worker wires them (the built-in describer and the features on their own thread).
  const { describer, featureExtractor, thread } = encodeAnalyzers(config.models, models);
  const dependencies = {
    config,
    mediaIo: io,
    analyzers: { describer, ...(featureExtractor ? { featureExtractor } : {}), ...(models.semanticCodecs[0] ? { semanticCodec: models.semanticCodecs[0] } : {}) },
    embedder: models.textEmbedder,
    speech,
  };
  const rows: string[][] = [];
  const profiles: string[] = [];
  const sampler = await startMemorySampler(process.pid);
  try {
    const machine = await machineInfo();
    process.stdout.write(`${machineTable(machine)}\n\n`);
    // The worker's process environment (scripts/worker-env.sh, which `npm run bench:encode` runs this under).
    // Its children, SVT-AV1 p8's reference run included, inherit the same allocator.
    const jemalloc = /libjemalloc/.test(process.env.LD_PRELOAD ?? '');
    log(`allocator: ${jemalloc ? `jemalloc (MALLOC_CONF=${process.env.MALLOC_CONF ?? ''})` : 'glibc malloc'}, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset (glibc: up to 8 arenas per core), not as the worker runs'}`);
    // Loads the models once, as a running worker has, so the first clip's figure is not the load time:
    // on a clip with people where there is one, since the face and hand models load on a first person.
    const walking = CLIP_SOURCES[1]!;
    const warmup = (await makeClip({ ...walking, name: 'warmup' }, 2, scratch)) ?? (await makeClip({ ...CLIP_SOURCES[2]!, name: 'warmup' }, 2, scratch));
    await analyseSource(warmup!, await io.probe(warmup!), dependencies);
    for (const source of CLIP_SOURCES.filter((s) => wanted.includes(s.name))) {
      const clip = await makeClip(source, clipSeconds, scratch);
      if (!clip) {
        log(`${source.name}: ../shared/media is missing; left out`);
        continue;
      }
      const media = await io.probe(clip);
      const loadBefore = loadAverage();
      log(`${source.name}: SVT-AV1 preset 8`);
      const reference = await svtAv1Preset8(clip);
      log(`${source.name}: encode (load ${loadBefore})`);
      sampler.reset();
      const heap = sampleHeap();
      const childCpu = await childrenCpuSeconds();
      const analysed = await analyseSource(clip, media, dependencies);
      const peak = await sampler.peak();
      const heaps = heap.stop();
      const ffmpegCpu = (await childrenCpuSeconds()) - childCpu;
      const { profile } = analysed.result;
      const ratio = profile.wallSeconds / reference;
      rows.push([
        source.name,
        `${media.width}×${media.height}, ${seconds(media.durationSeconds)} s`,
        `${seconds(profile.wallSeconds)} s`,
        `${(media.durationSeconds / profile.wallSeconds).toFixed(2)}×`,
        `${seconds(profile.cpuSeconds)} + ${seconds(ffmpegCpu)} s`,
        `${seconds(reference)} s`,
        ratio.toFixed(2),
        `${formatBytes(peak.total)} (${formatBytes(peak.own)} + ${formatBytes(peak.children)})`,
        `${loadBefore} → ${loadAverage()}`,
      ]);
      profiles.push(`#### ${source.name}: per-stage profile\n\nAt the memory peak: ${peakBreakdown(peak.atPeak, heaps)}.\n\n${profileTable(profile.stages)}\n`);
      log(`${source.name}: output ${outputFingerprint(analysed)}`);
      log(`${source.name}: ${profile.wallSeconds.toFixed(1)} s (${ratio.toFixed(2)}× SVT-AV1 p8), peak ${formatBytes(peak.total)} (${peakBreakdown(peak.atPeak, heaps)})\n${profileTable(profile.stages)}`);
      recordHeadlines([
        { bench: 'encode', metric: `encode ÷ SVT-AV1 p8, ${source.name} 768×432`, value: ratio, unit: '×', target: '≤ 2' },
        { bench: 'encode', metric: `encode speed, ${source.name} 768×432`, value: media.durationSeconds / profile.wallSeconds, unit: '× real time', target: '≥ 2' },
        { bench: 'encode', metric: `peak memory, ${source.name}`, value: peak.total / 2 ** 20, unit: 'MiB', target: '≤ 953.7 (1 GB)' },
      ]);
    }
  } finally {
    await Promise.all([
      sampler.close(),
      models.dispose?.(),
      thread?.dispose(),
      speech?.vad instanceof SileroVad ? speech.vad.dispose() : undefined,
    ]);
    await rm(scratch, { recursive: true, force: true });
  }
  process.stdout.write(
    `${markdownTable(['clip', 'source', 'encode wall', '× real time', 'CPU (ours + ffmpeg)', 'SVT-AV1 p8', 'ours ÷ p8', 'peak memory (worker + children)', 'load average'], rows)}\n\n${profiles.join('\n')}`,
  );
}

runBench(main);
