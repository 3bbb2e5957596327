import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { InMemoryExemplarLibrary, RetrievalGenerator, type Analyzers, type CmvcRepresentation, type SemanticTextCodec } from '@cmvc/codec';
import { mediaIo, type MediaIo } from '@cmvc/media-io';
import type { ToolConfig } from '@cmvc/config';
import { createModelSet, createObjectDetector } from '@cmvc/models';
import { BASELINE_ENCODERS, baselineVariants, encodeBaseline, variantLabel, withSweep, type BaselineEncoder, type BaselineEncoderId } from './baselines/encoders.ts';
import { MemoDescriber, MemoFeatureExtractor } from './cmvc/memo.ts';
import {
  cmvcOperatingPoints,
  decodeOperatingPoint,
  encodeOperatingPoint,
  operatingPointDescription,
  operatingPointLabel,
  tt2vBytes,
  withoutTexts,
  type CmvcOperatingPoint,
  type CmvcPointName,
  type OperatingPointStreams,
} from './cmvc/operating-points.ts';
import { EvalError } from './errors.ts';
import { prepareReference, restoreToReference, sampleIndices } from './media/prepare.ts';
import { fpsValue, probeVideo, type VideoInfo } from './media/probe.ts';
import type { RawVideo } from './media/raw.ts';
import { measureFeatureDistance } from './metrics/features.ts';
import { measureQuality, semanticAgreement, semanticProfile, vmafSubsampleFor, type QualityScores, type SemanticAnalyzers, type SemanticProfile, type VmafAvailability, type VmafSettings } from './metrics/index.ts';
import { aggregateBd, averageMeasurements, bdTables, compareAtSameRate, rateRanges, sideChannelSummary } from './report/analysis.ts';
import { StageTimer } from './timing.ts';
import type { ClipReport, EvalReport, Measurement, MethodId } from './types.ts';

export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['.mkv', '.mp4', '.webm', '.mov', '.avi', '.gif', '.m4v']);

export interface EvalOptions {
  readonly mediaDir: string;
  /** Evaluate at most the first `seconds` of each clip; whole clips when absent. */
  readonly seconds?: number;
  /** Evaluate at most this many clips (in name order). */
  readonly maxClips?: number;
  /** Only these file names (in the folder), when given. */
  readonly only?: readonly string[];
  readonly encoders: readonly BaselineEncoderId[];
  /** CRFs of the grid encoders (SVT-AV1, libaom-av1), replacing their default sweep when given. */
  readonly av1Crfs?: readonly number[];
  /** CMVC operating points: quality presets and/or `floor`. */
  readonly cmvcPoints: readonly CmvcPointName[];
  /** Points (among `cmvcPoints`) also encoded with the motion side channel. */
  readonly motionPoints: readonly CmvcPointName[];
  /** BD-rate anchors, each a baseline among `encoders`. */
  readonly anchors: readonly MethodId[];
  /** Tools and models as configured (plain data: it travels to the clip workers). */
  readonly tools: ToolConfig;
  readonly vmaf: VmafAvailability;
  /** Score at most about this many frames per clip with VMAF (the subsampling grows with clip length). */
  readonly vmafMaxFrames?: number;
  /** Frames per clip for MS-SSIM and the MobileNetV2 feature distance. */
  readonly msssimFrames: number;
  /** Frames per video that are described and run through the detector. */
  readonly semanticFrames: number;
  /** Also measure the semantic scores of the baselines (default: CMVC points only, for time). */
  readonly semanticBaselines?: boolean;
  /** Clips evaluated at the same time (default `CLIP_CONCURRENCY`). */
  readonly clipConcurrency?: number;
  /** Start no clip later than this many minutes into the run (a time budget); unlimited when absent. */
  readonly startClipsWithinMinutes?: number;
  /** Decode TT2V with a retrieval library of the other clips' keyframe thumbnails. */
  readonly tt2v: boolean;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Clips evaluated at the same time. */
export const CLIP_CONCURRENCY = 3;

/** The CMVC point whose stream TT2V decodes (TT2V ignores the keyframe layer, so one per clip suffices). */
export const TT2V_POINT: CmvcPointName = 'middle';

/** The encoders as evaluated: grid encoders with `av1Crfs` when given. */
export function evaluatedEncoders(options: Pick<EvalOptions, 'encoders' | 'av1Crfs'>): BaselineEncoder[] {
  return options.encoders.map((id) => {
    const encoder = BASELINE_ENCODERS[id];
    return encoder.variants === 'grid' && options.av1Crfs ? withSweep(encoder, options.av1Crfs) : encoder;
  });
}

export async function listClips(mediaDir: string, maxClips?: number, only?: readonly string[]): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(mediaDir);
  } catch (error) {
    throw new EvalError('NO_CLIPS', `cannot read ${mediaDir}: ${(error as Error).message}`, { cause: error });
  }
  const missing = (only ?? []).filter((name) => !names.includes(name));
  if (missing.length > 0) throw new EvalError('NO_CLIPS', `${mediaDir} has no ${missing.join(', ')}`);
  const clips = names.filter((name) => VIDEO_EXTENSIONS.has(extname(name).toLowerCase()) && (!only || only.includes(name))).sort();
  if (clips.length === 0) throw new EvalError('NO_CLIPS', `${mediaDir} holds no video files (${[...VIDEO_EXTENSIONS].join(', ')})`);
  return clips.slice(0, maxClips ?? clips.length).map((name) => resolve(mediaDir, name));
}

export interface ClipState {
  readonly name: string;
  /** Lossless FFV1 file the encoders read. */
  readonly reference: string;
  /** The same frames as raw yuv420p, which the metrics read. */
  readonly referenceRaw: RawVideo;
  readonly info: VideoInfo;
  readonly sourceProfile: SemanticProfile;
  /** VMAF settings with this clip's subsampling. */
  readonly vmaf: VmafSettings | undefined;
  readonly measurements: Measurement[];
  readonly notes: string[];
  /** The stream TT2V decodes (see `TT2V_POINT`) and the thumbnails that stand for its keyframes. */
  tt2vStream?: { bitstream: Uint8Array; representation: CmvcRepresentation; thumbnails: OperatingPointStreams['thumbnails']; tt2vBytes: number; label: string };
  elapsedSeconds: number;
}

export interface Toolkit {
  /** The codec's media ports, from the configuration's `ffmpeg`. */
  readonly mediaIo: MediaIo;
  readonly analyzers: Analyzers;
  readonly semantic: SemanticAnalyzers;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  readonly textEmbedder: SemanticAnalyzers['textEmbedder'];
  readonly timer: StageTimer;
  dispose(): Promise<void>;
}

export function createToolkit(tools: ToolConfig): Toolkit {
  const models = createModelSet(tools.models, tools.ffmpeg);
  const detector = createObjectDetector();
  const describer = new MemoDescriber(models.describer);
  return {
    mediaIo: mediaIo(tools.ffmpeg),
    analyzers: { ...(models.featureExtractor ? { featureExtractor: new MemoFeatureExtractor(models.featureExtractor) } : {}), describer, ...(models.semanticCodecs[0] ? { semanticCodec: models.semanticCodecs[0] } : {}) },
    semantic: { describer, textEmbedder: models.textEmbedder, detector },
    semanticCodecs: models.semanticCodecs,
    textEmbedder: models.textEmbedder,
    timer: new StageTimer(),
    async dispose() {
      await Promise.all([models.dispose?.(), detector.dispose()]);
    },
  };
}

/** Runs the whole evaluation; the caller writes the report (see `writeReport`). */
export async function runEvaluation(options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const { signal } = options;
  const clips = await listClips(options.mediaDir, options.maxClips, options.only);
  const work = await mkdtemp(join(tmpdir(), 'cmvc-eval-'));
  const toolkit = createToolkit(options.tools);
  const notes: string[] = [];
  if (!options.vmaf.available) notes.push(`VMAF skipped: ${options.vmaf.reason}.`);
  try {
    const states: ClipState[] = [];
    // Longest clips first, `CLIP_CONCURRENCY` at a time: the long clip runs while the short ones pass by it.
    const frames = new Map(await Promise.all(clips.map(async (clip) => [clip, (await probeVideo(toolkit.mediaIo.tools, clip, signal)).frameCount] as const)));
    const order = [...clips].sort((a, b) => frames.get(b)! - frames.get(a)! || a.localeCompare(b));
    const skipped: string[] = [];
    const evaluated = await pool(order, options.clipConcurrency ?? CLIP_CONCURRENCY, async (clip, i) => {
      const name = basename(clip);
      const minutes = (performance.now() - started) / 60000;
      if (options.startClipsWithinMinutes !== undefined && minutes > options.startClipsWithinMinutes) {
        skipped.push(name);
        log(`[${i + 1}/${clips.length}] ${name}: skipped, ${minutes.toFixed(1)} min into the run (clips start only within the first ${options.startClipsWithinMinutes} min)`);
        return undefined;
      }
      log(`[${i + 1}/${clips.length}] ${name}: ${frames.get(clip)} frames`);
      const folder = join(work, `clip${clips.indexOf(clip)}`);
      const clipLog = (line: string) => log(`${name}${line}`);
      const state = (options.clipConcurrency ?? CLIP_CONCURRENCY) > 1 ? await evaluateClipInWorker(clip, folder, toolkit, options, clipLog) : await evaluateClip(clip, folder, toolkit, options, clipLog);
      log(`${name}: done in ${state.elapsedSeconds.toFixed(0)} s (${((performance.now() - started) / 60000).toFixed(1)} min into the run)`);
      return state;
    });
    // Reported in name order.
    for (const clip of clips) {
      const state = evaluated[order.indexOf(clip)];
      if (state) states.push(state);
    }
    if (skipped.length > 0) notes.push(`Not evaluated, to keep the run within its time budget (no clip starts later than ${options.startClipsWithinMinutes} min into the run): ${skipped.join(', ')}.`);
    if (states.length === 0) throw new EvalError('NO_CLIPS', 'no clip was evaluated');
    if (options.tt2v) {
      if (states.length < 2) notes.push('TT2V skipped: retrieval needs at least two clips (the others provide the exemplars).');
      else await evaluateTt2v(states, work, toolkit, options, log);
    } else notes.push('TT2V not evaluated (disabled).');
    const reports: ClipReport[] = states.map((state) => ({
      name: state.name,
      width: state.info.width,
      height: state.info.height,
      fps: fpsValue(state.info),
      frameCount: state.info.frameCount,
      seconds: state.info.frameCount / fpsValue(state.info),
      sourceCaptions: state.sourceProfile.captions,
      measurements: state.measurements,
      bdRates: bdTables(state.measurements, options.anchors),
      notes: state.notes,
      elapsedSeconds: state.elapsedSeconds,
    }));
    signal?.throwIfAborted();
    const averaged = averageMeasurements(reports);
    const encoders = evaluatedEncoders(options);
    const vmafText = !options.vmaf.available
      ? `skipped (${options.vmaf.reason})`
      : `${options.vmaf.settings.modelPath}, every ${options.vmaf.settings.subsample}. frame${options.vmafMaxFrames ? `, coarser on long clips so that at most about ${options.vmafMaxFrames} frames per clip are scored (subsample = max(${options.vmaf.settings.subsample}, ⌈frames / ${options.vmafMaxFrames}⌉): ${states.map((s) => `${s.name} every ${s.vmaf?.subsample ?? '–'}.`).join(', ')})` : ''}`;
    return {
      generatedAt: new Date().toISOString(),
      settings: {
        mediaDir: options.mediaDir,
        seconds: options.seconds ?? null,
        clips: reports.map((r) => r.name),
        anchors: options.anchors,
        encoders: encoders.map((encoder) => `${encoder.id}: ${encoder.settings} ${baselineVariants(encoder).map(variantLabel).join(', ')}`),
        cmvcPoints: cmvcOperatingPoints(options.cmvcPoints).map(operatingPointDescription),
        motionPoints: options.motionPoints,
        vmaf: vmafText,
        msssimFrames: options.msssimFrames,
        semanticFrames: options.semanticFrames,
        semanticBaselines: options.semanticBaselines ?? false,
        featureDistance: toolkit.analyzers.featureExtractor
          ? `${toolkit.analyzers.featureExtractor.id} (${toolkit.analyzers.featureExtractor.dimensions}-d), mean cosine distance on the ${options.msssimFrames} MS-SSIM frames`
          : 'not measured (no feature extractor)',
        tt2v: options.tt2v ? `retrieval generator, exemplars = the keyframe thumbnails of the other clips' ${TT2V_POINT} streams` : 'off',
      },
      clips: reports,
      averaged,
      averagedBd: bdTables(averaged, options.anchors),
      aggregateBd: aggregateBd(reports, options.anchors),
      defaultSetting: compareAtSameRate(reports, 'middle', options.anchors),
      floorPoints: compareAtSameRate(reports, 'floor', options.anchors),
      rateRanges: rateRanges(reports),
      sideChannel: sideChannelSummary(reports, averaged),
      notes,
      stageSeconds: toolkit.timer.totals,
      elapsedSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await toolkit.dispose().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

async function measurePoint(
  state: Pick<ClipState, 'referenceRaw' | 'info' | 'sourceProfile' | 'notes' | 'vmaf'>,
  decoded: string,
  restoredPath: string,
  toolkit: Toolkit,
  options: EvalOptions,
  frameRate: number,
  semantic = true,
): Promise<Pick<Measurement, 'quality' | 'semantic' | 'featureDistance'>> {
  const { signal } = options;
  const time = toolkit.timer.time.bind(toolkit.timer);
  const restored = await time('restore', () => restoreToReference(toolkit.mediaIo.tools, decoded, state.info, restoredPath, { frameRate, ...(signal ? { signal } : {}) }));
  const extractor = toolkit.analyzers.featureExtractor;
  // The models run here while the ffmpeg metrics run in their processes.
  const [quality, profile, featureDistance] = await Promise.all([
    measureQuality(restored, state.referenceRaw, {
      tools: toolkit.mediaIo.tools,
      msssimFrames: options.msssimFrames,
      ...(state.vmaf ? { vmaf: state.vmaf } : {}),
      ...(signal ? { signal } : {}),
      onWarning: (message) => state.notes.push(message),
      time,
    }),
    semantic ? time('semantic', () => semanticProfile(restored, state.sourceProfile.frameIndices, toolkit.semantic, signal)) : null,
    extractor
      ? time('feature distance', () => measureFeatureDistance(restored, state.referenceRaw, sampleIndices(state.info.frameCount, options.msssimFrames), extractor, signal))
      : null,
  ]);
  await rm(restoredPath, { force: true });
  return { quality, semantic: profile ? semanticAgreement(state.sourceProfile, profile) : null, featureDistance };
}

function rates(bytes: number, info: VideoInfo): Pick<Measurement, 'bytes' | 'bpp' | 'kbps'> {
  const seconds = info.frameCount / fpsValue(info);
  return { bytes, bpp: (bytes * 8) / (info.width * info.height * info.frameCount), kbps: (bytes * 8) / seconds / 1000 };
}

export async function evaluateClip(source: string, folder: string, toolkit: Toolkit, options: EvalOptions, log: (line: string) => void): Promise<ClipState> {
  const started = performance.now();
  const { signal } = options;
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const reference = join(folder, 'reference.mkv');
  const info = await prepareReference(toolkit.mediaIo.tools, source, reference, { ...(options.seconds !== undefined ? { seconds: options.seconds } : {}), ...(signal ? { signal } : {}) });
  const referenceRaw = await restoreToReference(toolkit.mediaIo.tools, reference, info, join(folder, 'reference.yuv'), { frameRate: fpsValue(info), ...(signal ? { signal } : {}) });
  const indices = sampleIndices(info.frameCount, options.semanticFrames);
  const sourceProfile = await semanticProfile(referenceRaw, indices, toolkit.semantic, signal);
  const vmaf = options.vmaf.available ? { ...options.vmaf.settings, subsample: vmafSubsampleFor(info.frameCount, options.vmaf.settings.subsample, options.vmafMaxFrames) } : undefined;
  const state: ClipState = { name: basename(source), reference, referenceRaw, info, sourceProfile, vmaf, measurements: [], notes: [], elapsedSeconds: 0 };
  log(`  ${info.width}x${info.height}, ${info.frameCount} frames${vmaf ? `, VMAF every ${vmaf.subsample}. frame` : ''}`);
  // The baselines and the CMVC points run side by side: CMVC encodes are long and mostly
  // single-threaded, the baseline chain is mostly ffmpeg; together they keep both cores busy.
  const [baselineMeasurements, cmvcResults] = await Promise.all([
    evaluateBaselines(state, folder, toolkit, options, log, started),
    evaluateCmvcPoints(state, folder, toolkit, options, log, started),
  ]);
  state.measurements.push(...baselineMeasurements);
  for (const result of cmvcResults) state.measurements.push(...result.measurements);
  // TT2V decodes the TT2V_POINT stream, or the first evaluated point's when that one is not evaluated.
  const tt2v = cmvcResults.find((r) => r.tt2vStream.label === TT2V_POINT) ?? cmvcResults[0];
  if (tt2v) state.tt2vStream = tt2v.tt2vStream;
  state.elapsedSeconds = (performance.now() - started) / 1000;
  return state;
}

/** Runs `task` over `items`, `concurrency` at a time; results in item order. */
async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number, worker: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (id: number): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!, index, id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, (_, id) => worker(id)));
  return results;
}

/** Baseline points of a clip encoded and measured at the same time. */
export const BASELINE_CONCURRENCY = 2;

/** Every baseline point of a clip, `BASELINE_CONCURRENCY` at a time (each encoded, restored and measured). */
async function evaluateBaselines(state: ClipState, folder: string, toolkit: Toolkit, options: EvalOptions, log: (line: string) => void, started: number): Promise<Measurement[]> {
  const { signal } = options;
  const { info, reference } = state;
  const encoders = evaluatedEncoders(options);
  const baselinePoints = encoders.flatMap((encoder) => baselineVariants(encoder).map((variant) => ({ id: encoder.id, encoder, variant })));
  const remaining = new Map(encoders.map((encoder) => [encoder.id, baselinePoints.filter((p) => p.id === encoder.id).length]));
  return pool(baselinePoints, BASELINE_CONCURRENCY, async ({ id, encoder, variant }, index, worker) => {
    signal?.throwIfAborted();
    const encoded = await toolkit.timer.time(`encode ${id}`, () => encodeBaseline(toolkit.mediaIo.tools, reference, info, encoder, variant, join(folder, `baseline${index}.${encoder.extension}`), signal));
    const scores = await measurePoint(state, encoded.path, join(folder, `baseline-restored${worker}.yuv`), toolkit, options, encoded.rate, options.semanticBaselines ?? false);
    await rm(encoded.path, { force: true });
    const left = remaining.get(id)! - 1;
    remaining.set(id, left);
    if (left === 0) log(`  ${id}: ${baselinePoints.filter((p) => p.id === id).length} points (${Math.round((performance.now() - started) / 1000)} s into the clip)`);
    return { method: id, label: variantLabel(variant), ...rates(encoded.bytes, info), ...scores } satisfies Measurement;
  });
}

interface CmvcPointResult {
  readonly measurements: Measurement[];
  readonly tt2vStream: NonNullable<ClipState['tt2vStream']>;
}

/** Every CMVC point of a clip, `CMVC_CONCURRENCY` at a time (each encoded, decoded and measured). */
async function evaluateCmvcPoints(state: ClipState, folder: string, toolkit: Toolkit, options: EvalOptions, log: (line: string) => void, started: number): Promise<CmvcPointResult[]> {
  const { signal } = options;
  const points = cmvcOperatingPoints(options.cmvcPoints, options.motionPoints);
  const media = await toolkit.mediaIo.probe(state.reference, signal);
  return pool(points, CMVC_CONCURRENCY, async (point) => {
    signal?.throwIfAborted();
    // One encode gives both streams when the side channel is measured; its time is kept apart.
    const streams = await toolkit.timer.time(point.withMotionSideChannel ? 'encode cmvc (with and without motion)' : 'encode cmvc', () =>
      encodeOperatingPoint(toolkit.mediaIo, state.reference, point, toolkit.analyzers, { media, ...(signal ? { signal } : {}) }),
    );
    const result = await measureCmvcPoint(state, folder, point, streams, toolkit, options);
    log(`  cmvc ${point.name}: ${streams.plain.bitstream.length} B (${Math.round((performance.now() - started) / 1000)} s into the clip)`);
    return result;
  });
}

/** CMVC points of one clip encoded and measured at the same time (memory: one clip's frames each). */
export const CMVC_CONCURRENCY = 2;

/** Decodes one CMVC operating point's streams with IT2V and measures them; returns its stream for TT2V. */
async function measureCmvcPoint(state: ClipState, folder: string, point: CmvcOperatingPoint, streams: OperatingPointStreams, toolkit: Toolkit, options: EvalOptions): Promise<CmvcPointResult> {
  const { signal } = options;
  const { info } = state;
  const label = operatingPointLabel(point);
  const measurements: Measurement[] = [];
  const measureIt2v = async (bitstream: Uint8Array, stage: string, stem: string): Promise<Pick<Measurement, 'quality' | 'semantic' | 'featureDistance'>> => {
    // y4m: the decoder writes it losslessly (an mp4 would add x264's distortion to CMVC's).
    const decoded = join(folder, `${stem}.y4m`);
    await toolkit.timer.time(stage, () => decodeOperatingPoint(toolkit.mediaIo, bitstream, { mode: 'it2v', output: decoded, semanticCodecs: toolkit.semanticCodecs, ...(signal ? { signal } : {}) }));
    const scores = await measurePoint(state, decoded, join(folder, `${stem}-restored.yuv`), toolkit, options, fpsValue(info));
    await rm(decoded, { force: true });
    return scores;
  };
  const { plain, withMotion } = streams;
  const scores = await measureIt2v(plain.bitstream, 'decode cmvc it2v', `cmvc-${point.name}`);
  measurements.push({ method: 'cmvc-it2v', label, ...rates(plain.bitstream.length, info), ...scores });
  // IT2V reads only the keyframe layer and weights, so the stream without texts reconstructs the same frames.
  measurements.push({ method: 'cmvc-it2v-notext', label, ...rates(withoutTexts(plain.representation).length, info), ...scores });
  if (withMotion) {
    const motionScores = await measureIt2v(withMotion.bitstream, 'decode cmvc it2v + motion', `cmvc-${point.name}-motion`);
    measurements.push({ method: 'cmvc-it2v-motion', label, ...rates(withMotion.bitstream.length, info), ...motionScores });
  }
  return {
    measurements,
    tt2vStream: { bitstream: plain.bitstream, representation: plain.representation, thumbnails: streams.thumbnails, tt2vBytes: tt2vBytes(plain.bitstream.length, plain.sections), label },
  };
}

async function evaluateTt2v(states: readonly ClipState[], work: string, toolkit: Toolkit, options: EvalOptions, log: (line: string) => void): Promise<void> {
  const { signal } = options;
  const library = new InMemoryExemplarLibrary();
  for (const state of states) {
    const stream = state.tt2vStream;
    if (!stream) continue;
    // Format-2 keyframe entries carry no image: the encoder's thumbnail of each described keyframe stands in.
    const thumbnails = new Map(stream.thumbnails.map((thumbnail) => [thumbnail.frameIndex, thumbnail]));
    const keyframes = stream.representation.keyframes.filter((k): k is typeof k & { content: string } => k.content !== null && k.content.length > 0 && thumbnails.has(k.frameIndex));
    if (keyframes.length === 0) continue;
    const embeddings = await toolkit.textEmbedder.embed(keyframes.map((k) => k.content));
    keyframes.forEach((keyframe, i) => library.add(state.name, embeddings[i]!, thumbnails.get(keyframe.frameIndex)!.bytes));
  }
  for (const state of states) {
    const stream = state.tt2vStream;
    if (!stream) continue;
    const started = performance.now();
    const generator = new RetrievalGenerator({ library, embedder: toolkit.textEmbedder, excludeVideoId: state.name });
    const decoded = join(work, 'tt2v.y4m');
    try {
      await toolkit.timer.time('decode cmvc tt2v', () =>
        decodeOperatingPoint(toolkit.mediaIo, stream.bitstream, { mode: 'tt2v', output: decoded, generator, semanticCodecs: toolkit.semanticCodecs, ...(signal ? { signal } : {}) }),
      );
    } catch (error) {
      state.notes.push(`TT2V ${stream.label} failed: ${(error as Error).message}`);
      continue;
    }
    const scores = await measurePoint(state, decoded, join(work, 'tt2v-restored.yuv'), toolkit, options, fpsValue(state.info));
    await rm(decoded, { force: true });
    state.measurements.push({ method: 'cmvc-tt2v', label: stream.label, ...rates(stream.tt2vBytes, state.info), ...scores });
    state.elapsedSeconds += (performance.now() - started) / 1000;
    log(`  tt2v ${state.name}: ${stream.label} stream, ${stream.tt2vBytes} B`);
  }
}

/** `evaluateClip` in a worker thread (its own models), so that clips evaluated at the same time use separate cores. */
function evaluateClipInWorker(clip: string, folder: string, toolkit: Toolkit, options: EvalOptions, log: (line: string) => void): Promise<ClipState> {
  const { signal, log: _log, ...plain } = options;
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./clip-worker.ts', import.meta.url).href, clip, folder, options: plain },
    });
    let done = false;
    const abort = () => void worker.terminate();
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: { type: 'log'; line: string } | { type: 'done'; state: ClipState; stages: Record<string, number> }) => {
      if (message.type === 'log') log(message.line);
      else {
        done = true;
        toolkit.timer.add(message.stages);
        resolvePromise(message.state);
      }
    });
    worker.on('error', (error) => reject(error));
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (!done) reject(signal?.aborted ? new EvalError('ABORTED', 'evaluation aborted') : new EvalError('INTERNAL', `the worker for ${basename(clip)} exited with code ${code}`));
    });
  });
}
