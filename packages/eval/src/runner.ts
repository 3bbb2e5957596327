import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { InMemoryExemplarLibrary, RetrievalGenerator, probe, type Analyzers, type CmvcRepresentation, type QualityPreset, type SemanticTextCodec } from '@cmvc/codec';
import { createModelSet, createObjectDetector } from '@cmvc/models';
import { BASELINE_ENCODERS, baselineVariants, encodeBaseline, variantLabel, type BaselineEncoderId } from './baselines/encoders.ts';
import { MemoDescriber, MemoFeatureExtractor } from './cmvc/memo.ts';
import {
  cmvcOperatingPoints,
  decodeOperatingPoint,
  encodeOperatingPoint,
  operatingPointLabel,
  tt2vBytes,
  withoutTexts,
  type CmvcOperatingPoint,
  type OperatingPointStreams,
} from './cmvc/operating-points.ts';
import { EvalError } from './errors.ts';
import { prepareReference, restoreToReference, sampleIndices } from './media/prepare.ts';
import { fpsValue, type VideoInfo } from './media/probe.ts';
import type { RawVideo } from './media/raw.ts';
import { measureQuality, semanticAgreement, semanticProfile, type QualityScores, type SemanticAnalyzers, type SemanticProfile, type VmafAvailability } from './metrics/index.ts';
import { aggregateBd, averageMeasurements, bdTable, rateRanges, sideChannelSummary } from './report/analysis.ts';
import { StageTimer } from './timing.ts';
import type { ClipReport, EvalReport, Measurement, MethodId } from './types.ts';

export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['.mkv', '.mp4', '.webm', '.mov', '.avi', '.gif', '.m4v']);

export interface EvalOptions {
  readonly mediaDir: string;
  /** Evaluate the first `seconds` of each clip. */
  readonly seconds: number;
  /** Evaluate at most this many clips (in name order). */
  readonly maxClips?: number;
  /** Only these file names (in the folder), when given. */
  readonly only?: readonly string[];
  readonly encoders: readonly BaselineEncoderId[];
  readonly keyframeCounts: readonly number[];
  readonly qualities: readonly QualityPreset[];
  /** Qualities (among `qualities`) also encoded with the motion side channel. */
  readonly motionQualities: readonly QualityPreset[];
  readonly anchor: MethodId;
  readonly vmaf: VmafAvailability;
  readonly msssimFrames: number;
  /** Frames per video that are described and run through the detector. */
  readonly semanticFrames: number;
  /** Decode TT2V with a retrieval library of the other clips' keyframes. */
  readonly tt2v: boolean;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
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

interface ClipState {
  readonly name: string;
  /** Lossless FFV1 file the encoders read. */
  readonly reference: string;
  /** The same frames as raw yuv420p, which the metrics read. */
  readonly referenceRaw: RawVideo;
  readonly info: VideoInfo;
  readonly sourceProfile: SemanticProfile;
  readonly measurements: Measurement[];
  readonly notes: string[];
  /** The lowest-preset stream per keyframe count: TT2V ignores keyframe pixels, so one per n suffices. */
  readonly tt2vStreams: Map<number, { bitstream: Uint8Array; representation: CmvcRepresentation; tt2vBytes: number }>;
  elapsedSeconds: number;
}

interface Toolkit {
  readonly analyzers: Analyzers;
  readonly semantic: SemanticAnalyzers;
  readonly semanticCodecs: readonly SemanticTextCodec[];
  readonly textEmbedder: SemanticAnalyzers['textEmbedder'];
  readonly timer: StageTimer;
  dispose(): Promise<void>;
}

function createToolkit(): Toolkit {
  const models = createModelSet();
  const detector = createObjectDetector();
  const describer = new MemoDescriber(models.describer);
  return {
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
  const toolkit = createToolkit();
  const notes: string[] = [];
  if (!options.vmaf.available) notes.push(`VMAF skipped: ${options.vmaf.reason}.`);
  try {
    const states: ClipState[] = [];
    for (const [i, clip] of clips.entries()) {
      log(`[${i + 1}/${clips.length}] ${basename(clip)}`);
      states.push(await evaluateClip(clip, join(work, `clip${i}`), toolkit, options, log));
    }
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
      bdRates: bdTable(state.measurements, options.anchor),
      notes: state.notes,
      elapsedSeconds: state.elapsedSeconds,
    }));
    signal?.throwIfAborted();
    const averaged = averageMeasurements(reports);
    return {
      generatedAt: new Date().toISOString(),
      settings: {
        mediaDir: options.mediaDir,
        seconds: options.seconds,
        clips: reports.map((r) => r.name),
        anchor: options.anchor,
        encoders: options.encoders.map((id) => `${id}: ${BASELINE_ENCODERS[id].settings} ${baselineVariants(BASELINE_ENCODERS[id]).map(variantLabel).join(', ')}`),
        keyframeCounts: options.keyframeCounts,
        qualities: options.qualities,
        motionQualities: options.motionQualities,
        vmaf: options.vmaf.available ? `${options.vmaf.settings.modelPath}, every ${options.vmaf.settings.subsample}. frame` : `skipped (${options.vmaf.reason})`,
        msssimFrames: options.msssimFrames,
        semanticFrames: options.semanticFrames,
        tt2v: options.tt2v ? 'retrieval generator, exemplars = keyframes of the other clips' : 'off',
      },
      clips: reports,
      averaged,
      averagedBd: bdTable(averaged, options.anchor),
      aggregateBd: aggregateBd(reports),
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
  state: Pick<ClipState, 'referenceRaw' | 'info' | 'sourceProfile' | 'notes'>,
  decoded: string,
  restoredPath: string,
  toolkit: Toolkit,
  options: EvalOptions,
  frameRate: number,
): Promise<{ quality: QualityScores; semantic: Measurement['semantic'] }> {
  const { signal } = options;
  const time = toolkit.timer.time.bind(toolkit.timer);
  const restored = await time('restore', () => restoreToReference(decoded, state.info, restoredPath, { frameRate, ...(signal ? { signal } : {}) }));
  // The models run here while the ffmpeg metrics run in their processes.
  const [quality, profile] = await Promise.all([
    measureQuality(restored, state.referenceRaw, {
      msssimFrames: options.msssimFrames,
      ...(options.vmaf.available ? { vmaf: options.vmaf.settings } : {}),
      ...(signal ? { signal } : {}),
      onWarning: (message) => state.notes.push(message),
      time,
    }),
    time('semantic', () => semanticProfile(restored, state.sourceProfile.frameIndices, toolkit.semantic, signal)),
  ]);
  await rm(restoredPath, { force: true });
  return { quality, semantic: semanticAgreement(state.sourceProfile, profile) };
}

function rates(bytes: number, info: VideoInfo): Pick<Measurement, 'bytes' | 'bpp' | 'kbps'> {
  const seconds = info.frameCount / fpsValue(info);
  return { bytes, bpp: (bytes * 8) / (info.width * info.height * info.frameCount), kbps: (bytes * 8) / seconds / 1000 };
}

async function evaluateClip(source: string, folder: string, toolkit: Toolkit, options: EvalOptions, log: (line: string) => void): Promise<ClipState> {
  const started = performance.now();
  const { signal } = options;
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const reference = join(folder, 'reference.mkv');
  const info = await prepareReference(source, reference, { seconds: options.seconds, ...(signal ? { signal } : {}) });
  const referenceRaw = await restoreToReference(reference, info, join(folder, 'reference.yuv'), { frameRate: fpsValue(info), ...(signal ? { signal } : {}) });
  const indices = sampleIndices(info.frameCount, options.semanticFrames);
  const sourceProfile = await semanticProfile(referenceRaw, indices, toolkit.semantic, signal);
  const state: ClipState = { name: basename(source), reference, referenceRaw, info, sourceProfile, measurements: [], notes: [], tt2vStreams: new Map(), elapsedSeconds: 0 };
  const restored = join(folder, 'restored.yuv');

  // Each baseline point is encoded while the one before it is measured.
  const baselinePoints = options.encoders.flatMap((id) => baselineVariants(BASELINE_ENCODERS[id]).map((variant) => ({ id, variant })));
  const encodePoint = (index: number) => {
    const { id, variant } = baselinePoints[index]!;
    const encoder = BASELINE_ENCODERS[id];
    return toolkit.timer.time(`encode ${id}`, () => encodeBaseline(reference, info, encoder, variant, join(folder, `baseline${index}.${encoder.extension}`), signal));
  };
  let nextEncode = baselinePoints.length > 0 ? encodePoint(0) : null;
  try {
    for (const [index, { id, variant }] of baselinePoints.entries()) {
      const encoded = await nextEncode!;
      nextEncode = index + 1 < baselinePoints.length ? encodePoint(index + 1) : null;
      const scores = await measurePoint(state, encoded.path, restored, toolkit, options, encoded.rate);
      state.measurements.push({ method: id, label: variantLabel(variant), ...rates(encoded.bytes, info), ...scores });
      await rm(encoded.path, { force: true });
      if (baselinePoints[index + 1]?.id !== id) log(`  ${id}: ${baselineVariants(BASELINE_ENCODERS[id]).length} points`);
    }
  } finally {
    // A measurement that failed leaves the next encode running: let it finish before the folder goes.
    await nextEncode?.catch(() => undefined);
  }

  const points = cmvcOperatingPoints(options.keyframeCounts, options.qualities, options.motionQualities);
  const media = await probe(reference, signal);
  // One encode gives both streams when the side channel is measured; its time is kept apart.
  const encodeCmvc = (point: CmvcOperatingPoint) =>
    toolkit.timer.time(point.withMotionSideChannel ? 'encode cmvc (with and without motion)' : 'encode cmvc', () =>
      encodeOperatingPoint(reference, point, toolkit.analyzers, { media, ...(signal ? { signal } : {}) }),
    );
  // As with the baselines, the next point is encoded while this one is decoded and measured.
  let nextStreams = points[0] ? encodeCmvc(points[0]) : null;
  try {
    for (const [index, point] of points.entries()) {
      const streams = await nextStreams!;
      nextStreams = points[index + 1] ? encodeCmvc(points[index + 1]!) : null;
      await measureCmvcPoint(state, folder, restored, point, streams, toolkit, options);
    }
  } finally {
    await nextStreams?.catch(() => undefined);
  }
  const motionPoints = points.filter((point) => point.withMotionSideChannel).length;
  log(`  cmvc: ${points.length} points${motionPoints > 0 ? `, ${motionPoints} also with the motion side channel` : ''}`);
  state.elapsedSeconds = (performance.now() - started) / 1000;
  return state;
}

/** Decodes one CMVC operating point's streams with IT2V and measures them; keeps its stream for TT2V. */
async function measureCmvcPoint(
  state: ClipState,
  folder: string,
  restored: string,
  point: CmvcOperatingPoint,
  streams: OperatingPointStreams,
  toolkit: Toolkit,
  options: EvalOptions,
): Promise<void> {
  const { signal } = options;
  const { info } = state;
  const label = operatingPointLabel(point);
  const measureIt2v = async (bitstream: Uint8Array, stage: string): Promise<Pick<Measurement, 'quality' | 'semantic'>> => {
    const decoded = join(folder, 'cmvc.mp4');
    await toolkit.timer.time(stage, () => decodeOperatingPoint(bitstream, { mode: 'it2v', output: decoded, semanticCodecs: toolkit.semanticCodecs, ...(signal ? { signal } : {}) }));
    const scores = await measurePoint(state, decoded, restored, toolkit, options, fpsValue(info));
    await rm(decoded, { force: true });
    return scores;
  };
  const { plain, withMotion } = streams;
  const scores = await measureIt2v(plain.bitstream, 'decode cmvc it2v');
  state.measurements.push({ method: 'cmvc-it2v', label, ...rates(plain.bitstream.length, info), ...scores });
  // IT2V reads only keyframe images and weights, so the stream without texts reconstructs the same frames.
  state.measurements.push({ method: 'cmvc-it2v-notext', label, ...rates(withoutTexts(plain.representation).length, info), ...scores });
  if (withMotion) {
    const motionScores = await measureIt2v(withMotion.bitstream, 'decode cmvc it2v + motion');
    state.measurements.push({ method: 'cmvc-it2v-motion', label, ...rates(withMotion.bitstream.length, info), ...motionScores });
  }
  if (!state.tt2vStreams.has(point.keyframes)) {
    state.tt2vStreams.set(point.keyframes, {
      bitstream: plain.bitstream,
      representation: plain.representation,
      tt2vBytes: tt2vBytes(plain.bitstream.length, plain.sections),
    });
  }
}

async function evaluateTt2v(states: readonly ClipState[], work: string, toolkit: Toolkit, options: EvalOptions, log: (line: string) => void): Promise<void> {
  const { signal } = options;
  const library = new InMemoryExemplarLibrary();
  for (const state of states) {
    // The richest stream (most keyframes) of each clip supplies its exemplars.
    const largest = [...state.tt2vStreams.entries()].sort((a, b) => b[0] - a[0])[0]?.[1];
    if (!largest) continue;
    const keyframes = largest.representation.keyframes.filter((k): k is typeof k & { content: string } => k.content !== null && k.content.length > 0);
    const embeddings = await toolkit.textEmbedder.embed(keyframes.map((k) => k.content));
    keyframes.forEach((keyframe, i) => library.add(state.name, embeddings[i]!, keyframe.image));
  }
  for (const state of states) {
    const started = performance.now();
    const generator = new RetrievalGenerator({ library, embedder: toolkit.textEmbedder, excludeVideoId: state.name });
    for (const [n, stream] of [...state.tt2vStreams.entries()].sort((a, b) => a[0] - b[0])) {
      const decoded = join(work, 'tt2v.mp4');
      try {
        await toolkit.timer.time('decode cmvc tt2v', () =>
          decodeOperatingPoint(stream.bitstream, { mode: 'tt2v', output: decoded, generator, semanticCodecs: toolkit.semanticCodecs, ...(signal ? { signal } : {}) }),
        );
      } catch (error) {
        state.notes.push(`TT2V n${n} failed: ${(error as Error).message}`);
        continue;
      }
      const scores = await measurePoint(state, decoded, join(work, 'tt2v-restored.yuv'), toolkit, options, fpsValue(state.info));
      await rm(decoded, { force: true });
      state.measurements.push({ method: 'cmvc-tt2v', label: `n${n}`, ...rates(stream.tt2vBytes, state.info), ...scores });
    }
    state.elapsedSeconds += (performance.now() - started) / 1000;
    log(`  tt2v ${state.name}: ${state.tt2vStreams.size} points`);
  }
}
