import type {
  ImageFeatureExtractor,
  MotionDescription,
  ProgressListener,
  RgbFrame,
  SceneDescriber,
  SemanticTextCodec,
  TimedFrame,
} from './contracts.ts';
import { writeBitstream, parseBitstream, type SectionInfo, type TextForm } from './bitstream/container.ts';
import type { AudioTrack, ClipEntry, CmvcRepresentation, KeyframeEntry, KeyframeLayer, LayerSegment, MotionSideChannel, StreamHeader } from './bitstream/types.ts';
import { LIMITS } from './bitstream/format.ts';
import { CodecError, throwIfAborted } from './errors.ts';
import { evenSize, sizeForWidth, workingSize, yuvToRgb, type MediaInfo, type Size } from '@cmvc/media-io/frames';
import { layerFrames } from './layer-frames.ts';
import type { FrameReadOptions, LayerCodec, LayerEncoder, VideoSource } from './media.ts';
import {
  MOTION_SIDE_CHANNEL_MODES,
  fitWeights,
  fitWeightsWithMotion,
  loadOpenCv,
  motionGridFor,
  pairSequence,
  quantiseWeight,
  WEIGHT_LEVELS,
  type InterpolationWeights,
  type MotionGrid,
  type MotionSideChannelMode,
  type PairContext,
} from './it2v/index.ts';
import { planLayer, type LayerPlan, type LayerTarget } from './keyframes/segments.ts';
import type { KeyframeStrategy } from './keyframes/plan.ts';
import { encodeThumbnail, type QualityPreset, type Thumbnail } from './representation/keyframe-image.ts';
import { rateReport, type RateReport } from './representation/rate.ts';
import { DEFAULT_ENCODE_SETTINGS, LAYER_TARGETS } from './settings.ts';
import { EncodeProfile, profiled, profiledFrames, profiledSync, withProfile, type StageTiming } from './profile.ts';

export interface EncodeOptions {
  /** Codes and decodes the keyframe layer (AV1). */
  readonly layerCodec: LayerCodec;
  /** Described keyframes (content texts) n ≥ 2 over the whole video; by default one per `describeEverySeconds`. */
  readonly keyframes?: number;
  /** About one described keyframe per this many seconds (Eq. 1 places them). Default `DEFAULT_ENCODE_SETTINGS.describeEverySeconds`. */
  readonly describeEverySeconds?: number;
  /** At most this many described keyframes. Default `DEFAULT_ENCODE_SETTINGS.maxKeyframes`. */
  readonly maxKeyframes?: number;
  /** Aim the stream at this bitrate: the keyframe layer's quantizer is searched for it (the preset still sets the spacing). */
  readonly targetKbps?: number;
  /** Default: `cs` when a feature extractor is supplied, else `mse`. */
  readonly strategy?: KeyframeStrategy;
  /** Keyframe-layer quality preset (see LAYER_TARGETS); default `DEFAULT_ENCODE_SETTINGS.quality`. */
  readonly quality?: QualityPreset;
  /** Overrides the preset's rate–distortion target (evaluation sweeps and experiments). */
  readonly layerTarget?: LayerTarget;
  /** Seed for the `random` strategy. */
  readonly seed?: number;
  /** Working (reconstruction) height; the source is never upscaled. */
  readonly workingHeight?: number;
  /** What `source.probe()` finds, when the caller probed it already (saves a second probe). */
  readonly media?: MediaInfo;
  /** Width frames are reduced to for keyframe selection and rate–distortion planning. Default 224. */
  readonly analysisWidth?: number;
  /**
   * Frames per clip handed to `describeMotion`, keyframes included. By default about three per
   * second of clip (at least 8, at most 32): sparser samples let fast objects jump too far
   * between samples for their direction to be measured.
   */
  readonly motionSamplesPerClip?: number;
  /** How to store descriptions that also have a structured form (see `TextForm`); default `text`. */
  readonly textForm?: TextForm;
  /**
   * `coarse`: also send a coarse residual motion field per interpolated frame (bitstream section 8),
   * which IT2V uses to correct the keyframe flow; a field is kept only for frames where it lowers the
   * error, and the weights are fitted for rendering with it. Default `off`.
   */
  readonly motionSideChannel?: MotionSideChannelMode;
  /** Opus bitrate of the sound track in kbit/s; 0 leaves the sound out. */
  readonly audioKbps?: number;
  /** Collects the stage timings; pass one to add the caller's own stages (speech, embedding) to the same profile. */
  readonly profile?: EncodeProfile;
  readonly signal?: AbortSignal;
}

export interface Analyzers {
  readonly featureExtractor?: ImageFeatureExtractor;
  readonly describer: SceneDescriber;
  /** Expander for the describer's structured form; structured sections are written only when it is given. */
  readonly semanticCodec?: SemanticTextCodec;
}

/** A written stream and what it holds. */
export interface EncodedStream {
  readonly bitstream: Uint8Array;
  readonly representation: CmvcRepresentation;
  readonly sections: readonly SectionInfo[];
  readonly rate: RateReport;
}


export interface EncodeResult extends EncodedStream {
  readonly source: MediaInfo;
  readonly strategy: KeyframeStrategy;
  /**
   * With the motion side channel on: the stream this encode gives with it off (no section 8, the
   * weights fitted for the flow alone; byte for byte what `motionSideChannel: 'off'` writes). The
   * encoder fits those weights anyway, so comparisons need not encode twice.
   */
  readonly withoutMotionSideChannel?: EncodedStream;
  /** One small image per described keyframe, from the decoded keyframe layer (not part of the stream). */
  readonly thumbnails: readonly Thumbnail[];
  /** What the rate–distortion planner chose per segment. */
  readonly plan: LayerPlan;
  /** Where the encode's time went, per stage (see `EncodeProfile`). */
  readonly profile: EncodeProfileReport;
}

export interface EncodeProfileReport {
  readonly stages: readonly StageTiming[];
  readonly wallSeconds: number;
  /** This process's CPU seconds; the ffmpeg children's are not included. */
  readonly cpuSeconds: number;
}

const MOTION_SAMPLES_PER_SECOND = 3;
const MOTION_SAMPLES_MIN = 8;
const MOTION_SAMPLES_MAX = 32;
/** Coded frames per AV1 sequence: bounds the decoder's buffer and how far back a seek decodes. */
const LAYER_SEGMENT_FRAMES = 128;
/** Keyframe-layer encodes allowed to run at once, beside the decoder feeding them. */
const LAYER_ENCODES_IN_FLIGHT = 2;
/** Quantizer search for `targetKbps`: attempts, and CRF steps per halving of the rate (AV1 at low rates). */
const RATE_SEARCH_ATTEMPTS = 3;
const CRF_PER_RATE_HALVING = 7;

function motionSampleCount(start: number, end: number, fps: number, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  const wanted = Math.ceil(((end - start) / fps) * MOTION_SAMPLES_PER_SECOND) + 1;
  return Math.min(MOTION_SAMPLES_MAX, Math.max(MOTION_SAMPLES_MIN, wanted));
}

function motionSampleIndices(start: number, end: number, samples: number): Set<number> {
  const count = Math.max(2, Math.min(samples, end - start + 1));
  return new Set(Array.from({ length: count }, (_, k) => Math.round(start + (k * (end - start)) / (count - 1))));
}

function checkSize(frame: RgbFrame, size: Size, what: string): void {
  if (frame.width !== size.width || frame.height !== size.height) throw new CodecError('ANALYZER_FAILED', `${what} has the wrong size`);
}

/**
 * The described keyframes (each gets a content text; clips run between them): the planner's Eq. 1
 * picks, or `requested` frames evenly spaced (also when the planner picked more than `max`).
 * Always frame 0 and the last frame.
 */
function describedKeyframes(plan: LayerPlan, requested: number | undefined, max: number): number[] {
  const last = plan.frameCount - 1;
  const planned = [...new Set([...plan.segments.flatMap((s) => s.described), last])].sort((a, b) => a - b);
  if (requested === undefined && planned.length <= max) return planned;
  const n = Math.max(1, Math.min(requested ?? max, plan.frameCount));
  return [...new Set(Array.from({ length: n }, (_, k) => (n === 1 ? 0 : Math.round((k * last) / (n - 1)))))];
}

/** Encodes a video into a CMVC bitstream (paper: keyframe selection, Eq. 1; representation; Eq. 2 accounting). */
export async function encodeVideo(source: VideoSource, options: EncodeOptions, analyzers: Analyzers, onProgress?: ProgressListener): Promise<EncodeResult> {
  const profile = options.profile ?? new EncodeProfile();
  const result = await withProfile(profile, () => encodeProfiled(source, options, profiledAnalyzers(analyzers), onProgress));
  return { ...result, profile: { stages: profile.stages(), ...profile.total() } };
}

/** The analyzers with each call timed as a stage of the encode. */
function profiledAnalyzers(analyzers: Analyzers): Analyzers {
  const { featureExtractor, describer } = analyzers;
  return {
    ...analyzers,
    ...(featureExtractor
      ? { featureExtractor: { id: featureExtractor.id, dimensions: featureExtractor.dimensions, embed: (frames) => profiled('features', () => featureExtractor.embed(frames)) } }
      : {}),
    describer: {
      id: describer.id,
      describeKeyframe: (frame) => profiled('describe keyframe', () => describer.describeKeyframe(frame)),
      describeMotion: (clip) => profiled('describe motion', () => describer.describeMotion(clip)),
    },
  };
}

async function encodeProfiled(source: VideoSource, options: EncodeOptions, analyzers: Analyzers, onProgress?: ProgressListener): Promise<Omit<EncodeResult, 'profile'>> {
  const { signal, layerCodec } = options;
  const report = (stage: string, fraction: number): void => onProgress?.({ stage, fraction: Math.max(0, Math.min(1, fraction)) });
  const strategy = options.strategy ?? (analyzers.featureExtractor ? 'cs' : 'mse');
  const quality = options.quality ?? DEFAULT_ENCODE_SETTINGS.quality;
  const target = options.layerTarget ?? LAYER_TARGETS[quality];
  const sideChannel = options.motionSideChannel ?? DEFAULT_ENCODE_SETTINGS.motionSideChannel;
  const audioKbps = options.audioKbps ?? DEFAULT_ENCODE_SETTINGS.audioKbps;
  if (!target) throw new CodecError('INVALID_OPTIONS', `unknown quality preset ${String(quality)}`);
  if (!MOTION_SIDE_CHANNEL_MODES.includes(sideChannel))
    throw new CodecError('INVALID_OPTIONS', `motionSideChannel must be one of ${MOTION_SIDE_CHANNEL_MODES.join(', ')}`);
  if (strategy === 'cs' && !analyzers.featureExtractor)
    throw new CodecError('INVALID_OPTIONS', 'keyframe strategy "cs" needs an image feature extractor; use "mse" without models');
  if (options.keyframes !== undefined && (!Number.isInteger(options.keyframes) || options.keyframes < 2))
    throw new CodecError('INVALID_OPTIONS', 'keyframes must be an integer ≥ 2');
  if (options.targetKbps !== undefined && !(options.targetKbps > 0)) throw new CodecError('INVALID_OPTIONS', 'targetKbps must be positive');
  if (options.describeEverySeconds !== undefined && !(options.describeEverySeconds > 0)) throw new CodecError('INVALID_OPTIONS', 'describeEverySeconds must be positive');
  if (options.maxKeyframes !== undefined && (!Number.isInteger(options.maxKeyframes) || options.maxKeyframes < 2))
    throw new CodecError('INVALID_OPTIONS', 'maxKeyframes must be an integer ≥ 2');
  if (!(audioKbps === 0 || (audioKbps >= 6 && audioKbps <= 256))) throw new CodecError('INVALID_OPTIONS', 'audioKbps must be 0 (no sound) or 6..256');

  report('probe', 0);
  const info = options.media ?? (await source.probe(signal));
  const working = workingSize(info, options.workingHeight ?? DEFAULT_ENCODE_SETTINGS.workingHeight);
  const analysis = sizeForWidth(working, options.analysisWidth ?? 224);
  // `reuseBuffer` only for a pass that keeps no source frame: the layer encoder copies on write, toRgb for the describer.
  const decode = (pass: string, size: Size, read: Partial<Pick<FrameReadOptions, 'pixelFormat' | 'only' | 'reuseBuffer'>> = {}): AsyncIterable<TimedFrame> =>
    profiledFrames(`decode (${pass})`, source.frames({ ...size, fps: info.fps, pixelFormat: 'rgb24', ...read, ...(signal ? { signal } : {}) }));
  const toRgb = (frame: TimedFrame): TimedFrame => profiledSync('yuv→rgb', () => ({ ...yuvToRgb(frame), index: frame.index, time: frame.time }));
  const layerScale = target.scale ?? 1;
  if (!(layerScale > 0 && layerScale <= 1)) throw new CodecError('INVALID_OPTIONS', 'the keyframe layer scale must be in (0, 1]');
  const coded = evenSize(Math.max(16, Math.round(working.width * layerScale)), Math.max(16, Math.round(working.height * layerScale)));
  const audio: Promise<AudioTrack | undefined> = audioKbps > 0 ? profiled('audio', () => source.opus(audioKbps, signal).then((bytes) => (bytes ? { codec: 'opus' as const, bytes } : undefined))) : Promise.resolve(undefined);
  audio.catch(() => undefined); // observed below

  // Pass 1: the rate–distortion plan of the keyframe layer, on analysis-size frames.
  const { cv } = await loadOpenCv();
  const plan = await profiled('plan (R-D planner)', () => planLayer(decode('plan pass', analysis), {
    fps: info.fps,
    strategy,
    ...(analyzers.featureExtractor ? { featureExtractor: analyzers.featureExtractor } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    target,
    describeEverySeconds: options.describeEverySeconds ?? DEFAULT_ENCODE_SETTINGS.describeEverySeconds,
    maxSegmentSeconds: DEFAULT_ENCODE_SETTINGS.maxSegmentSeconds,
    cv,
    onFrame: (index) => report('plan', (index + 1) / info.frameCount),
  }));
  const frameCount = plan.frameCount;
  if (frameCount < 1) throw new CodecError('SOURCE_CHANGED', `${source.name} delivered no frames`);
  throwIfAborted(signal);
  const described = describedKeyframes(plan, options.keyframes, options.maxKeyframes ?? DEFAULT_ENCODE_SETTINGS.maxKeyframes);
  // The layer holds every described keyframe, whatever the planner chose.
  const codedFrames = [...new Set([...plan.segments.flatMap((segment) => segment.coded), ...described])].sort((a, b) => a - b);
  const describedSet = new Set(described);

  // Pass 2: the keyframe layer, and the described keyframes' source pixels for the describer.
  const contents = new Map<number, Promise<{ text: string; semantic?: Uint8Array }>>();
  const codeLayer = async (crfOffset: number): Promise<LayerSegment[]> => {
    const settingsOf = (frameIndex: number): { crf: number; preset: number; lookahead: boolean } => {
      const segment = plan.segments.find((s) => frameIndex >= s.start && frameIndex <= s.end);
      return {
        crf: Math.max(0, Math.min(layerCodec.maxCrf, (segment?.crf ?? target.crf) + crfOffset)),
        preset: DEFAULT_ENCODE_SETTINGS.layerPresetFor(segment?.spacing ?? 1),
        lookahead: DEFAULT_ENCODE_SETTINGS.layerLookaheadFor(segment?.spacing ?? 1),
      };
    };
    const segmentOf = (frameIndex: number): number => plan.segments.findIndex((s) => frameIndex >= s.start && frameIndex <= s.end);
    const finished: Promise<LayerSegment>[] = [];
    let encoder: LayerEncoder | undefined;
    let encoderSegment = -1;
    let framesInSequence = 0;
    const close = (): void => {
      if (!encoder) return;
      const frames = framesInSequence;
      const closing = encoder.close().then((obus) => ({ frames, obus }));
      closing.catch(() => undefined); // observed below
      finished.push(closing);
      encoder = undefined;
    };
    let next = 0;
    // Only the coded frames (the described ones among them) are needed here, a fraction of the
    // video; the weights pass, which reads every frame, notices a source that has grown.
    const needed = new Set(codedFrames);
    try {
      for await (const frame of decode('layer pass', working, { pixelFormat: 'yuv444', only: (index) => needed.has(index), reuseBuffer: true })) {
        checkSize(frame, working, 'decoded frame');
        if (crfOffset === 0 && describedSet.has(frame.index) && !contents.has(frame.index)) {
          const pending = describe(() => analyzers.describer.describeKeyframe(toRgb(frame)), analyzers.describer.id);
          pending.catch(() => undefined); // observed below
          contents.set(frame.index, pending);
        }
        if (codedFrames[next] !== frame.index) continue;
        next += 1;
        const segment = segmentOf(frame.index);
        if (encoder && (segment !== encoderSegment || framesInSequence >= LAYER_SEGMENT_FRAMES)) close();
        if (!encoder) {
          if (finished.length >= LAYER_ENCODES_IN_FLIGHT) await profiled('layer: wait for SVT-AV1', () => finished[finished.length - LAYER_ENCODES_IN_FLIGHT]!);
          encoder = layerCodec.encoder({
            width: working.width,
            height: working.height,
            codedWidth: coded.width,
            codedHeight: coded.height,
            ...settingsOf(frame.index),
            ...(signal ? { signal } : {}),
          });
          encoderSegment = segment;
          framesInSequence = 0;
        }
        const writer = encoder;
        await profiled('layer: write to SVT-AV1', () => writer.write(frame));
        framesInSequence += 1;
        report('keyframes', (frame.index + 1) / frameCount);
        throwIfAborted(signal);
      }
      close();
    } catch (error) {
      encoder?.abort();
      throw error;
    }
    if (next !== codedFrames.length) throw new CodecError('SOURCE_CHANGED', `the frame count of ${source.name} changed between decodes`);
    return Promise.all(finished);
  };
  const layerBytes = (segments: readonly LayerSegment[]): number => segments.reduce((sum, s) => sum + s.obus.length, 0);
  let segments = await profiled('layer coding (whole pass)', () => codeLayer(0));
  if (options.targetKbps !== undefined) {
    // The layer is nearly every byte; steer its quantizer until it fits the target (keeping the best try that does).
    const kbpsOf = (bytes: number): number => (bytes * 8) / Math.max(1e-9, info.durationSeconds) / 1000;
    let offset = 0;
    let best = { offset: 0, segments, kbps: kbpsOf(layerBytes(segments)) };
    for (let attempt = 1; attempt < RATE_SEARCH_ATTEMPTS && Math.abs(Math.log2(best.kbps / options.targetKbps)) > 0.1; attempt += 1) {
      const step = Math.round(CRF_PER_RATE_HALVING * Math.log2(best.kbps / options.targetKbps));
      const candidate = Math.max(-layerCodec.maxCrf, Math.min(layerCodec.maxCrf, best.offset + step));
      if (candidate === offset || step === 0) break;
      offset = candidate;
      const tried = await codeLayer(offset);
      const kbps = kbpsOf(layerBytes(tried));
      const fits = (k: number): boolean => k <= options.targetKbps!;
      const closer = Math.abs(Math.log(kbps / options.targetKbps)) < Math.abs(Math.log(best.kbps / options.targetKbps));
      if ((fits(kbps) && !fits(best.kbps)) || (fits(kbps) === fits(best.kbps) && closer)) best = { offset, segments: tried, kbps };
    }
    segments = best.segments;
  }
  const layer: KeyframeLayer = { width: coded.width, height: coded.height, frameIndices: codedFrames, segments };
  throwIfAborted(signal);

  // Pass 3: decode the layer exactly as a decoder will, fit (w_i, w_l) of every other frame against
  // the source (closed loop), sample frames for the motion descriptions, and make the thumbnails.
  const decoded = layerFrames(layer, layerCodec, signal, working);
  const weights = new Uint8Array(2 * (frameCount - codedFrames.length));
  const motionGrid = motionGridFor(sideChannel, working.width, working.height);
  const motion = motionGrid ? new MotionFieldCollector(motionGrid, frameCount - codedFrames.length) : undefined;
  const thumbnails: Promise<Thumbnail>[] = [];
  const pendingMotions: Promise<MotionDescription>[] = [];
  const MAX_PENDING_MOTIONS = 2;
  const samplesFor = (start: number, end: number): number => motionSampleCount(start, end, info.fps, options.motionSamplesPerClip);
  let clip = 0;
  let sampled: TimedFrame[] = [];
  let sampleIndices = described.length > 1 ? motionSampleIndices(described[0]!, described[1]!, samplesFor(described[0]!, described[1]!)) : new Set<number>();
  let codedPosition = -1;
  let context: PairContext | undefined;
  // No weight refers to a pair once it is fitted, so the next pair may reuse its buffers.
  const nextPair = pairSequence();
  let weightOffset = 0;
  let settledMotions = 0;
  let delivered = 0;
  try {
    for await (const frame of decode('weights pass', working, { pixelFormat: 'yuv444', reuseBuffer: true })) {
      checkSize(frame, working, 'decoded frame');
      if (frame.index >= frameCount) throw new CodecError('SOURCE_CHANGED', `${source.name} delivered more frames on another decode`);
      delivered += 1;
      if (sampleIndices.has(frame.index)) sampled.push(toRgb(frame));
      if (codedFrames[codedPosition + 1] === frame.index) {
        codedPosition += 1;
        context = undefined;
        await decoded.release(codedPosition);
        if (describedSet.has(frame.index)) {
          const layerFrame = await profiled('layer decode', () => decoded.frame(codedPosition));
          const picture = profiled('thumbnails', () => encodeThumbnail(yuvToRgb(layerFrame), frame.index));
          picture.catch(() => undefined); // observed below
          thumbnails.push(picture);
        }
      } else {
        if (!context) {
          const [k0, k1] = await profiled('layer decode', async () => [await decoded.frame(codedPosition), await decoded.frame(codedPosition + 1)] as const);
          context = await profiled('weights: flow', () => nextPair(k0, k1));
        }
        const pair = context;
        const start = codedFrames[codedPosition]!;
        const t = (frame.index - start) / (codedFrames[codedPosition + 1]! - start);
        let fitted: InterpolationWeights;
        if (motion && motionGrid) {
          const withMotion = profiledSync('weights: fit', () => fitWeightsWithMotion(pair, frame, t, motionGrid));
          motion.add(weightOffset / 2, withMotion.motion?.vectors ?? null, withMotion.withoutMotion);
          fitted = withMotion.weights;
        } else fitted = profiledSync('weights: fit', () => fitWeights(pair, frame, t));
        weights[weightOffset++] = quantiseWeight(fitted.wi);
        weights[weightOffset++] = quantiseWeight(fitted.wl);
      }
      if (clip < described.length - 1 && frame.index === described[clip + 1]) {
        const clipFrames = { frames: sampled, fps: sampleRate(sampled) };
        const pending = describe(() => analyzers.describer.describeMotion(clipFrames), analyzers.describer.id);
        pending.catch(() => undefined); // observed below; avoids an unhandled rejection while it waits
        pendingMotions.push(pending);
        if (pendingMotions.length - settledMotions >= MAX_PENDING_MOTIONS) await profiled('weights pass: wait for describer', () => pendingMotions[settledMotions++]!);
        clip += 1;
        if (clip < described.length - 1) {
          const end = described[clip + 1]!;
          sampleIndices = motionSampleIndices(frame.index, end, samplesFor(frame.index, end));
          sampled = [toRgb(frame)];
        }
      }
      report('weights', (frame.index + 1) / frameCount);
      throwIfAborted(signal);
    }
  } finally {
    await decoded.close();
  }
  if (delivered !== frameCount || weightOffset !== weights.length || pendingMotions.length !== described.length - 1)
    throw new CodecError('SOURCE_CHANGED', `the frame count of ${source.name} changed between decodes`);
  const motions = await profiled('wait for describer', () => Promise.all(pendingMotions));
  for (const motionText of motions) {
    if (!motionText.camera || !['static', 'pan', 'tilt', 'zoom'].includes(motionText.camera.kind))
      throw new CodecError('ANALYZER_FAILED', `describer ${analyzers.describer.id} returned no camera motion`);
  }
  const contentTexts = await profiled('wait for describer', () => Promise.all(described.map((frameIndex) => required(contents.get(frameIndex)))));

  const fps = info.fpsRational;
  const timeOf = (frameIndex: number): number => (frameIndex * fps.den) / fps.num;
  const header: StreamHeader = {
    sourceWidth: info.width,
    sourceHeight: info.height,
    fps,
    frameCount,
    durationSeconds: info.durationSeconds,
    workingWidth: working.width,
    workingHeight: working.height,
  };
  const keyframes: KeyframeEntry[] = described.map((frameIndex, i) => {
    const content = required(contentTexts[i]);
    return {
      frameIndex,
      time: timeOf(frameIndex),
      format: 'layer',
      width: working.width,
      height: working.height,
      image: new Uint8Array(0),
      content: content.text,
      ...(content.semantic ? { contentSemantic: content.semantic } : {}),
    };
  });
  const clips: ClipEntry[] = motions.map((motionText, j) => ({
    index: j,
    startFrame: required(described[j]),
    endFrame: required(described[j + 1]),
    startTime: timeOf(required(described[j])),
    endTime: timeOf(required(described[j + 1])),
    motion: motionText.text,
    ...(motionText.semantic ? { motionSemantic: motionText.semantic } : {}),
    camera: motionText.camera,
  }));
  const semanticId = analyzers.semanticCodec ? checkSemantic(analyzers.semanticCodec, [...contentTexts, ...motions]) : undefined;
  const sound = await profiled('wait for audio', () => audio);
  const representation: CmvcRepresentation = {
    header,
    keyframes,
    clips,
    layer,
    weights: { levels: WEIGHT_LEVELS, values: weights },
    semanticCodecs: {
      ...(semanticId && keyframes.every((k) => k.contentSemantic) ? { content: semanticId } : {}),
      ...(semanticId && clips.length > 0 && clips.every((c) => c.motionSemantic) ? { motion: semanticId } : {}),
    },
    ...(motion?.hasFields ? { motionSideChannel: motion.finish() } : {}),
    ...(sound ? { audio: sound } : {}),
  };
  report('write', 0);
  const textForm = options.textForm ?? 'text';
  const stream = writeStream(representation, textForm);
  const withoutMotionSideChannel = motion ? writeStream({ ...representation, weights: { levels: WEIGHT_LEVELS, values: motion.weightsWithout }, motionSideChannel: undefined }, textForm) : undefined;
  report('write', 1);
  return { ...stream, source: info, strategy, thumbnails: await Promise.all(thumbnails), plan, ...(withoutMotionSideChannel ? { withoutMotionSideChannel } : {}) };
}

function writeStream(representation: CmvcRepresentation, textForm: TextForm): EncodedStream {
  const { motionSideChannel, ...rest } = representation;
  // An absent side channel is left out rather than set to undefined, so both forms compare equal.
  const rep: CmvcRepresentation = motionSideChannel ? representation : rest;
  const written = writeBitstream(rep, { textForm });
  return { bitstream: written.bytes, representation: rep, sections: written.sections, rate: rateReport(parseBitstream(written.bytes)) };
}

/**
 * Gathers the side-channel fields of the intermediate frames as they are fitted, in frame order,
 * and the weights each frame would get without a side channel.
 */
class MotionFieldCollector {
  private readonly fieldIndex: Int32Array;
  private readonly fields: Int16Array[] = [];
  /** Quantised (wi, wl) per intermediate frame for a stream without the side channel. */
  readonly weightsWithout: Uint8Array;
  constructor(
    private readonly grid: MotionGrid,
    pairs: number,
  ) {
    this.fieldIndex = new Int32Array(pairs).fill(-1);
    this.weightsWithout = new Uint8Array(2 * pairs);
  }

  get hasFields(): boolean {
    return this.fields.length > 0;
  }

  add(pair: number, vectors: Int16Array | null, withoutMotion: InterpolationWeights): void {
    this.weightsWithout[2 * pair] = quantiseWeight(withoutMotion.wi);
    this.weightsWithout[2 * pair + 1] = quantiseWeight(withoutMotion.wl);
    if (!vectors) return;
    this.fieldIndex[pair] = this.fields.length;
    this.fields.push(vectors);
  }

  finish(): MotionSideChannel {
    const perField = this.fields[0]?.length ?? 0;
    const vectors = new Int16Array(this.fields.length * perField);
    this.fields.forEach((field, i) => vectors.set(field, i * perField));
    return { columns: this.grid.columns, rows: this.grid.rows, unitsPerPixel: this.grid.unitsPerPixel, fieldIndex: this.fieldIndex, vectors };
  }
}

/**
 * The structured form is stored only if the codec expands every entry back to exactly its text;
 * otherwise a decoder would see different descriptions, so the structured form is dropped.
 */
function checkSemantic(codec: SemanticTextCodec, described: readonly { text: string; semantic?: Uint8Array }[]): string | undefined {
  try {
    return described.every(({ text, semantic }) => semantic === undefined || codec.expand(semantic) === text) ? codec.id : undefined;
  } catch {
    return undefined;
  }
}

function sampleRate(frames: readonly TimedFrame[]): number {
  const first = frames[0];
  const last = frames[frames.length - 1];
  if (!first || !last || last.time <= first.time) return 0;
  return (frames.length - 1) / (last.time - first.time);
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new CodecError('INTERNAL', 'missing keyframe data');
  return value;
}

async function describe<T extends { text: string }>(call: () => Promise<T>, describerId: string): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (error) {
    throw new CodecError('ANALYZER_FAILED', `describer ${describerId} failed: ${(error as Error).message}`, { cause: error });
  }
  if (typeof result?.text !== 'string') throw new CodecError('ANALYZER_FAILED', `describer ${describerId} returned no text`);
  return result;
}
