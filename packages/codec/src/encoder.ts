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
import type { ClipEntry, CmvcRepresentation, KeyframeEntry, MotionSideChannel, StreamHeader } from './bitstream/types.ts';
import { CodecError, throwIfAborted } from './errors.ts';
import { decodeFrames } from './io/decode-frames.ts';
import { probe, type MediaInfo } from './io/probe.ts';
import { sizeForWidth, workingSize, type Size } from './io/resize.ts';
import {
  MOTION_SIDE_CHANNEL_MODES,
  fitWeights,
  fitWeightsWithMotion,
  motionGridFor,
  preparePair,
  quantiseWeight,
  WEIGHT_LEVELS,
  type InterpolationWeights,
  type MotionGrid,
  type MotionSideChannelMode,
  type PairContext,
} from './it2v/index.ts';
import { selectKeyframes, type KeyframeSelection } from './keyframes/select.ts';
import { clampKeyframeCount, type KeyframeStrategy } from './keyframes/plan.ts';
import { decodeKeyframeImage, encodeKeyframeImage, estimatedKeyframeBytes, type QualityPreset } from './representation/keyframe-image.ts';
import { keyframeCountForRate, rateReport, type RateReport } from './representation/rate.ts';

export interface EncodeOptions {
  /** Number of keyframes n (≥ 2). Takes precedence over `targetKbps`. */
  readonly keyframes?: number;
  /** Derive n from a target bitrate instead. */
  readonly targetKbps?: number;
  /** Default: `cs` when a feature extractor is supplied, else `mse`. */
  readonly strategy?: KeyframeStrategy;
  readonly quality?: QualityPreset;
  /** Seed for the `random` strategy. */
  readonly seed?: number;
  /** Working (reconstruction) height; the source is never upscaled. Default 480. */
  readonly workingHeight?: number;
  /** What `probe` found for this input, when the caller probed it already (saves a second ffprobe). */
  readonly media?: MediaInfo;
  /** Width frames are reduced to for keyframe selection. Default 224. */
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
   * which IT2V uses to correct the keyframe flow; the weights are fitted for rendering with it.
   * Default `off`.
   */
  readonly motionSideChannel?: MotionSideChannelMode;
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
}

/** Typical coded sizes used only to turn a target bitrate into a keyframe count. */
const RATE_ESTIMATES = { contentBytes: 40, motionBytes: 30, weightBytesPerFrame: 0.5, overheadBytes: 120 } as const;
/** Typical coded side-channel bytes per interpolated frame (`coarse`: 7–50 on the evaluation clips). */
const SIDE_CHANNEL_BYTES_PER_FRAME = 24;
/** Default keyframe count: one per 3 s plus the last frame (the paper found few keyframes rate-distortion best). */
const SECONDS_PER_DEFAULT_KEYFRAME = 3;

/**
 * AVIF bytes of the first frame at the chosen preset: a per-video calibration of the keyframe cost,
 * which varies several-fold with content, used to turn a target bitrate into a keyframe count.
 */
async function measureKeyframeBytes(frames: AsyncIterable<TimedFrame>, quality: QualityPreset): Promise<number | undefined> {
  for await (const frame of frames) return (await encodeKeyframeImage(frame, quality)).bytes.length;
  return undefined;
}

function keyframeCount(options: EncodeOptions, info: MediaInfo, frameCount: number, working: Size, measuredKeyframeBytes?: number): number {
  if (options.keyframes !== undefined) {
    if (!Number.isInteger(options.keyframes) || options.keyframes < 2) throw new CodecError('INVALID_OPTIONS', 'keyframes must be an integer ≥ 2');
    return clampKeyframeCount(options.keyframes, frameCount);
  }
  if (options.targetKbps !== undefined) {
    if (!(options.targetKbps > 0)) throw new CodecError('INVALID_OPTIONS', 'targetKbps must be positive');
    return keyframeCountForRate({
      targetKbps: options.targetKbps,
      durationSeconds: info.durationSeconds,
      frameCount,
      bytesPerKeyframe: measuredKeyframeBytes ?? estimatedKeyframeBytes(options.quality ?? 'low', working.width * working.height),
      ...RATE_ESTIMATES,
      weightBytesPerFrame: RATE_ESTIMATES.weightBytesPerFrame + ((options.motionSideChannel ?? 'off') === 'off' ? 0 : SIDE_CHANNEL_BYTES_PER_FRAME),
    });
  }
  return clampKeyframeCount(Math.round(info.durationSeconds / SECONDS_PER_DEFAULT_KEYFRAME) + 1, frameCount);
}

const MOTION_SAMPLES_PER_SECOND = 3;
const MOTION_SAMPLES_MIN = 8;
const MOTION_SAMPLES_MAX = 32;

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

/** Encodes a video file into a CMVC bitstream (paper: keyframe selection, Eq. 1; representation; Eq. 2 accounting). */
export async function encodeVideo(inputPath: string, options: EncodeOptions, analyzers: Analyzers, onProgress?: ProgressListener): Promise<EncodeResult> {
  const { signal } = options;
  const report = (stage: string, fraction: number): void => onProgress?.({ stage, fraction: Math.max(0, Math.min(1, fraction)) });
  const strategy = options.strategy ?? (analyzers.featureExtractor ? 'cs' : 'mse');
  const quality = options.quality ?? 'low';
  const sideChannel = options.motionSideChannel ?? 'off';
  if (!MOTION_SIDE_CHANNEL_MODES.includes(sideChannel))
    throw new CodecError('INVALID_OPTIONS', `motionSideChannel must be one of ${MOTION_SIDE_CHANNEL_MODES.join(', ')}`);
  if (strategy === 'cs' && !analyzers.featureExtractor)
    throw new CodecError('INVALID_OPTIONS', 'keyframe strategy "cs" needs an image feature extractor; use "mse" without models');

  report('probe', 0);
  const info = options.media ?? (await probe(inputPath, signal));
  const working = workingSize(info, options.workingHeight ?? 480);
  const analysis = sizeForWidth(working, options.analysisWidth ?? 224);
  const decode = (): AsyncIterable<TimedFrame> => decodeFrames(inputPath, { ...working, fps: info.fps, signal });

  const measuredKeyframeBytes = options.keyframes === undefined && options.targetKbps !== undefined ? await measureKeyframeBytes(decode(), quality) : undefined;

  // Pass 1: keyframe selection. A container's frame count can be wrong; the stream is authoritative.
  let frameCount = info.frameCount;
  let selection: KeyframeSelection | undefined;
  for (let attempt = 0; attempt < 2 && !selection; attempt += 1) {
    const plannedCount = frameCount;
    const n = keyframeCount(options, info, plannedCount, working, measuredKeyframeBytes);
    const result = await selectKeyframes(decode(), {
      frameCount: plannedCount,
      keyframeCount: n,
      strategy,
      featureExtractor: analyzers.featureExtractor,
      seed: options.seed,
      analysisSize: analysis,
      onFrame: (index) => report('select', (index + 1) / plannedCount),
    });
    if (result.indices.length > 0) selection = result;
    frameCount = result.deliveredFrames;
  }
  if (!selection) throw new CodecError('SOURCE_CHANGED', `the frame count of ${inputPath} changed between decodes`);
  throwIfAborted(signal);

  // Keyframe images, round-tripped so the weights are fitted against what the decoder will see.
  const images: { bytes: Uint8Array; width: number; height: number }[] = [];
  const decodedKeyframes: RgbFrame[] = [];
  const contents: { text: string; semantic?: Uint8Array }[] = [];
  for (const [i, frame] of selection.frames.entries()) {
    // Image coding runs on libvips' threads, so the describer can work at the same time.
    const [image, content] = await Promise.all([
      encodeKeyframeImage(frame, quality),
      describe(() => analyzers.describer.describeKeyframe(frame), analyzers.describer.id),
    ]);
    images.push(image);
    decodedKeyframes.push(await decodeKeyframeImage(image.bytes, working.width, working.height));
    contents.push(content);
    report('keyframes', (i + 1) / selection.frames.length);
    throwIfAborted(signal);
  }

  // Pass 2: IT2V weights against the real frames, and motion descriptions per clip.
  const indices = selection.indices;
  const clipCount = indices.length - 1;
  const weights = new Uint8Array(2 * (frameCount - indices.length));
  const motionGrid = motionGridFor(sideChannel, working.width, working.height);
  const motion = motionGrid ? new MotionFieldCollector(motionGrid, frameCount - indices.length) : undefined;
  // Motion descriptions run while the next clip's weights are fitted; at most two are in flight.
  const pendingMotions: Promise<MotionDescription>[] = [];
  const MAX_PENDING_MOTIONS = 2;
  if (clipCount > 0) {
    const samplesFor = (start: number, end: number) => motionSampleCount(start, end, info.fps, options.motionSamplesPerClip);
    let clip = 0;
    let context: PairContext | undefined;
    let sampled: TimedFrame[] = [];
    let sampleIndices = motionSampleIndices(indices[0] ?? 0, indices[1] ?? 0, samplesFor(indices[0] ?? 0, indices[1] ?? 0));
    let weightOffset = 0;
    let settledMotions = 0;
    for await (const frame of decode()) {
      checkSize(frame, working, 'decoded frame');
      if (frame.index >= frameCount) throw new CodecError('SOURCE_CHANGED', `${inputPath} delivered more frames on the second decode`);
      const start = indices[clip] ?? 0;
      const end = indices[clip + 1] ?? 0;
      if (sampleIndices.has(frame.index)) sampled.push(frame);
      if (frame.index > start && frame.index < end) {
        context ??= await preparePair(required(decodedKeyframes[clip]), required(decodedKeyframes[clip + 1]));
        const t = (frame.index - start) / (end - start);
        let fitted: InterpolationWeights;
        if (motion && motionGrid) {
          const withMotion = fitWeightsWithMotion(context, frame, t, motionGrid);
          motion.add(weightOffset / 2, withMotion.motion?.vectors ?? null, withMotion.withoutMotion);
          fitted = withMotion.weights;
        } else fitted = fitWeights(context, frame, t);
        weights[weightOffset++] = quantiseWeight(fitted.wi);
        weights[weightOffset++] = quantiseWeight(fitted.wl);
      }
      if (frame.index === end) {
        const clipFrames = { frames: sampled, fps: sampleRate(sampled) };
        const pending = describe(() => analyzers.describer.describeMotion(clipFrames), analyzers.describer.id);
        pending.catch(() => undefined); // observed below; avoids an unhandled rejection while it waits
        pendingMotions.push(pending);
        if (pendingMotions.length - settledMotions >= MAX_PENDING_MOTIONS) await pendingMotions[settledMotions++];
        clip += 1;
        context = undefined;
        if (clip < clipCount) {
          sampleIndices = motionSampleIndices(end, indices[clip + 1] ?? end, samplesFor(end, indices[clip + 1] ?? end));
          sampled = [frame];
        }
      }
      report('weights', (frame.index + 1) / frameCount);
      throwIfAborted(signal);
    }
    if (pendingMotions.length !== clipCount || weightOffset !== weights.length)
      throw new CodecError('SOURCE_CHANGED', `the frame count of ${inputPath} changed between decodes`);
  }
  const motions = await Promise.all(pendingMotions);
  for (const motion of motions) {
    if (!motion.camera || !['static', 'pan', 'tilt', 'zoom'].includes(motion.camera.kind))
      throw new CodecError('ANALYZER_FAILED', `describer ${analyzers.describer.id} returned no camera motion`);
  }

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
  const keyframes: KeyframeEntry[] = indices.map((frameIndex, i) => {
    const image = required(images[i]);
    const content = required(contents[i]);
    return {
      frameIndex,
      time: timeOf(frameIndex),
      format: 'avif',
      width: image.width,
      height: image.height,
      image: image.bytes,
      content: content.text,
      ...(content.semantic ? { contentSemantic: content.semantic } : {}),
    };
  });
  const clips: ClipEntry[] = motions.map((motion, j) => ({
    index: j,
    startFrame: required(indices[j]),
    endFrame: required(indices[j + 1]),
    startTime: timeOf(required(indices[j])),
    endTime: timeOf(required(indices[j + 1])),
    motion: motion.text,
    ...(motion.semantic ? { motionSemantic: motion.semantic } : {}),
    camera: motion.camera,
  }));
  const semanticId = analyzers.semanticCodec ? checkSemantic(analyzers.semanticCodec, [...contents, ...motions]) : undefined;
  const representation: CmvcRepresentation = {
    header,
    keyframes,
    clips,
    weights: { levels: WEIGHT_LEVELS, values: weights },
    semanticCodecs: {
      ...(semanticId && keyframes.every((k) => k.contentSemantic) ? { content: semanticId } : {}),
      ...(semanticId && clips.length > 0 && clips.every((c) => c.motionSemantic) ? { motion: semanticId } : {}),
    },
    ...(motion?.hasFields ? { motionSideChannel: motion.finish() } : {}),
  };
  report('write', 0);
  const textForm = options.textForm ?? 'text';
  const stream = writeStream(representation, textForm);
  const withoutMotionSideChannel = motion ? writeStream({ ...representation, weights: { levels: WEIGHT_LEVELS, values: motion.weightsWithout }, motionSideChannel: undefined }, textForm) : undefined;
  report('write', 1);
  return { ...stream, source: info, strategy, ...(withoutMotionSideChannel ? { withoutMotionSideChannel } : {}) };
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
