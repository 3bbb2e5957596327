import type { GenerationMode, Generator, ProgressListener, RgbFrame, SemanticTextCodec } from './contracts.ts';
import { parseBitstream } from './bitstream/container.ts';
import { BitstreamError } from './bitstream/errors.ts';
import { MOTION_VECTORS_PER_NODE } from './bitstream/format.ts';
import type { CmvcRepresentation, MotionSideChannel } from './bitstream/types.ts';
import { CodecError, throwIfAborted } from './errors.ts';
import { layerFrames, type LayerFrames } from './layer-frames.ts';
import type { FrameSink, LayerCodec, SegmentTarget, VideoOutputSpec, VideoTarget } from './media.ts';
import { dequantiseWeight, pairSequence, renderFrame, type FrameMotionVectors, type PairContext } from './it2v/index.ts';
import { decodeKeyframeImage } from './representation/keyframe-image.ts';

export interface DecodeOptions {
  readonly mode: GenerationMode;
  /** Where the video goes (`videoFileTarget` of @cmvc/media-io writes a file). */
  readonly target: VideoTarget;
  /** Decodes the keyframe layer (IT2V). */
  readonly layerCodec: LayerCodec;
  /** Required for `tt2v`. */
  readonly generator?: Generator;
  /** Scale the output to the source size (lanczos); by default the video is written at the working size. */
  readonly upscale?: boolean;
  readonly semanticCodecs?: readonly SemanticTextCodec[];
  /** Leave out the sound track even when the stream has one. */
  readonly mute?: boolean;
  readonly signal?: AbortSignal;
}

export interface DecodeResult {
  readonly mode: GenerationMode;
  readonly frameCount: number;
  readonly fps: { readonly num: number; readonly den: number };
  readonly width: number;
  readonly height: number;
}

export interface RenderOptions {
  readonly mode: GenerationMode;
  /** Decodes the keyframe layer (IT2V). */
  readonly layerCodec: LayerCodec;
  readonly generator?: Generator;
  readonly signal?: AbortSignal;
  readonly onFrame?: (index: number) => void;
  /**
   * First frame to produce (default 0). IT2V starts decoding at the keyframe-layer sequence that
   * holds it (version 2; version 1 at the clip), so a seek never decodes from the start.
   */
  readonly fromFrame?: number;
}

/** Decoded keyframes are needed twice (end of one clip, start of the next); keep only the latest two. */
function keyframeLoader(rep: CmvcRepresentation): (i: number) => Promise<RgbFrame> {
  const cache = new Map<number, RgbFrame>();
  return async (i) => {
    const cached = cache.get(i);
    if (cached) return cached;
    const entry = rep.keyframes[i];
    if (!entry) throw new CodecError('INTERNAL', `no keyframe ${i}`);
    const frame = await decodeKeyframeImage(entry.image, rep.header.workingWidth, rep.header.workingHeight).catch((error: unknown) => {
      throw new BitstreamError('BAD_SECTION', `keyframe ${i} image does not decode: ${(error as Error).message}`);
    });
    for (const key of cache.keys()) if (key < i - 1) cache.delete(key);
    cache.set(i, frame);
    return frame;
  };
}

function requireGenerator(mode: GenerationMode, generator: Generator | undefined): Generator {
  if (!generator) throw new CodecError('GENERATOR_UNAVAILABLE', `${mode.toUpperCase()} decoding needs a video generator; none is installed`);
  if (!generator.modes.includes(mode)) throw new CodecError('GENERATOR_UNAVAILABLE', `generator ${generator.id} does not support ${mode}`);
  return generator;
}

/** The side-channel field of the `pair`-th intermediate frame, if the stream has one for it. */
function frameMotion(channel: MotionSideChannel | undefined, pair: number): FrameMotionVectors | null {
  const index = channel?.fieldIndex[pair] ?? -1;
  if (!channel || index < 0) return null;
  const perField = channel.columns * channel.rows * MOTION_VECTORS_PER_NODE;
  return { grid: channel, vectors: channel.vectors.subarray(index * perField, (index + 1) * perField) };
}

async function* renderIt2v(rep: CmvcRepresentation, options: RenderOptions): AsyncGenerator<RgbFrame> {
  if (rep.layer) yield* renderLayer(rep, rep.layer, options);
  else yield* renderStills(rep, options);
}

/** Version 2: the decoded keyframe layer, and every other frame interpolated between its neighbours in the layer. */
async function* renderLayer(rep: CmvcRepresentation, layer: NonNullable<CmvcRepresentation['layer']>, options: RenderOptions): AsyncGenerator<RgbFrame> {
  const weights = requireWeights(rep);
  const { workingWidth, workingHeight } = rep.header;
  const frames = layerFrames(layer, options.layerCodec, options.signal, { width: workingWidth, height: workingHeight });
  const coded = layer.frameIndices;
  const from = options.fromFrame ?? 0;
  let position = 0;
  while (position + 1 < coded.length && coded[position + 1]! <= from) position += 1;
  // Every frame before a coded frame that is not itself coded has one weight pair.
  let pair = coded[position]! - position;
  // A rendered frame owns its pixels, so the next pair may reuse the last one's buffers.
  const nextPair = pairSequence();
  try {
    for (; position < coded.length; position += 1) {
      const start = coded[position]!;
      await frames.release(position);
      if (start >= from) yield await decodedFrame(frames, position);
      const end = coded[position + 1];
      if (end === undefined || end - start < 2) continue;
      let context: PairContext | undefined;
      for (let f = start + 1; f < end; f += 1, pair += 1) {
        if (f < from) continue;
        context ??= await nextPair(await decodedFrame(frames, position), await decodedFrame(frames, position + 1));
        yield renderFrame(context, weightsAt(weights, pair), frameMotion(rep.motionSideChannel, pair));
        throwIfAborted(options.signal);
      }
    }
  } finally {
    await frames.close();
  }
}

/** A layer frame; an AV1 sequence that does not decode is a defect of the stream. */
async function decodedFrame(frames: LayerFrames, position: number): Promise<RgbFrame> {
  try {
    return await frames.frame(position);
  } catch (error) {
    if (error instanceof Error && (error as { code?: unknown }).code === 'INVALID_MEDIA') throw new BitstreamError('BAD_SECTION', error.message);
    throw error;
  }
}

function requireWeights(rep: CmvcRepresentation): NonNullable<CmvcRepresentation['weights']> {
  if (!rep.weights) throw new CodecError('INVALID_OPTIONS', 'This stream keeps text only (its keyframe images were removed); decode it in TT2V mode');
  return rep.weights;
}

function weightsAt(weights: NonNullable<CmvcRepresentation['weights']>, pair: number): { wi: number; wl: number } {
  return { wi: dequantiseWeight(weights.values[2 * pair] ?? 0), wl: dequantiseWeight(weights.values[2 * pair + 1] ?? 0) };
}

/** Version 1: AVIF keyframe stills, every other frame interpolated between the keyframes around it. */
async function* renderStills(rep: CmvcRepresentation, options: RenderOptions): AsyncGenerator<RgbFrame> {
  const weights = requireWeights(rep);
  const load = keyframeLoader(rep);
  const from = options.fromFrame ?? 0;
  if (from === 0) yield await load(0);
  let pair = 0;
  // A rendered frame owns its pixels, so the next pair may reuse the last one's buffers.
  const nextPair = pairSequence();
  for (const [j, clip] of rep.clips.entries()) {
    if (clip.endFrame < from) {
      pair += clip.endFrame - clip.startFrame - 1;
      continue;
    }
    let context: PairContext | undefined;
    for (let f = clip.startFrame + 1; f < clip.endFrame; f += 1, pair += 1) {
      if (f < from) continue;
      context ??= await nextPair(await load(j), await load(j + 1));
      yield renderFrame(context, weightsAt(weights, pair), frameMotion(rep.motionSideChannel, pair));
      throwIfAborted(options.signal);
    }
    yield await load(j + 1);
  }
}

async function* renderTt2v(rep: CmvcRepresentation, options: RenderOptions): AsyncGenerator<RgbFrame> {
  const generator = requireGenerator('tt2v', options.generator);
  const { header } = rep;
  const fps = header.fps.num / header.fps.den;
  const text = (value: string | null, what: string): string => {
    if (value === null) throw new CodecError('SEMANTIC_CODEC_UNAVAILABLE', `${what} is stored only in structured form and no matching semantic codec was given`);
    return value;
  };
  // A single-keyframe stream is one still frame described by its content text.
  const clips =
    rep.clips.length > 0
      ? rep.clips.map((clip) => ({ clip, first: rep.keyframes[clip.index], last: rep.keyframes[clip.index + 1], frames: clip.endFrame - clip.startFrame + 1 }))
      : [{ clip: undefined, first: rep.keyframes[0], last: rep.keyframes[0], frames: 1 }];
  const from = options.fromFrame ?? 0;
  for (const [j, { clip, first, last, frames }] of clips.entries()) {
    if (!first || !last) throw new CodecError('INTERNAL', 'clip without keyframes');
    if (clip && clip.endFrame < from) continue;
    let generated: RgbFrame[];
    try {
      generated = await generator.generateClip({
        mode: 'tt2v',
        width: header.workingWidth,
        height: header.workingHeight,
        fps,
        frameCount: frames,
        contentTexts: [text(first.content, 'content text'), text(last.content, 'content text')],
        motionText: clip ? text(clip.motion, 'motion text') : '',
        ...(clip ? { camera: clip.camera } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof CodecError) throw error;
      throw new CodecError('GENERATOR_FAILED', `generator ${generator.id} failed: ${(error as Error).message}`, { cause: error });
    }
    if (generated.length !== frames || generated.some((f) => f.width !== header.workingWidth || f.height !== header.workingHeight || f.data.length !== f.width * f.height * 3))
      throw new CodecError('GENERATOR_FAILED', `generator ${generator.id} returned ${generated.length} frames, expected ${frames} of ${header.workingWidth}x${header.workingHeight}`);
    // Neighbouring clips share their boundary keyframe: emit it once.
    const firstFrame = clip?.startFrame ?? 0;
    for (const [k, frame] of generated.entries()) {
      if ((j > 0 && k === 0) || firstFrame + k < from) continue;
      yield frame;
    }
    throwIfAborted(options.signal);
  }
}

/** Reconstructs the frames of the video from `fromFrame` (default 0) to the end at working size, in order. */
export async function* renderFrames(rep: CmvcRepresentation, options: RenderOptions): AsyncGenerator<RgbFrame> {
  const from = options.fromFrame ?? 0;
  if (!Number.isInteger(from) || from < 0 || from >= rep.header.frameCount)
    throw new CodecError('INVALID_OPTIONS', `fromFrame must be an integer in 0..${rep.header.frameCount - 1}`);
  const frames = options.mode === 'it2v' ? renderIt2v(rep, options) : renderTt2v(rep, options);
  let index = from;
  for await (const frame of frames) {
    yield frame;
    options.onFrame?.(index);
    index += 1;
  }
  if (index !== rep.header.frameCount) throw new CodecError('GENERATOR_FAILED', `reconstructed ${index - from} frames from frame ${from}, the source had ${rep.header.frameCount}`);
}

/** The stream's representation, once it is clear that `options.mode` can decode it. */
function decodable(bytes: Uint8Array, options: Pick<DecodeOptions, 'mode' | 'generator' | 'semanticCodecs'>): CmvcRepresentation {
  const { representation: rep } = parseBitstream(bytes, { semanticCodecs: options.semanticCodecs });
  if (options.mode === 'tt2v') requireGenerator('tt2v', options.generator);
  if (options.mode === 'it2v' && rep.keyframes[0]?.format === 'none') {
    throw new CodecError('INVALID_OPTIONS', 'This stream keeps text only (its keyframe images were removed); decode it in TT2V mode');
  }
  return rep;
}

/** The output of a decode: working size, or the source size when upscaling; the stream's sound unless muted. */
function outputSpec(rep: CmvcRepresentation, options: Pick<DecodeOptions, 'mode' | 'upscale' | 'signal'>, sound: VideoOutputSpec['sound']): VideoOutputSpec {
  const { header } = rep;
  return {
    pixelFormat: options.mode === 'it2v' && rep.layer ? 'yuv444' : 'rgb24',
    width: header.workingWidth,
    height: header.workingHeight,
    fps: header.fps,
    ...(sound ? { sound } : {}),
    ...(options.upscale ? { outputWidth: header.sourceWidth, outputHeight: header.sourceHeight } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function outputSize(rep: CmvcRepresentation, upscale: boolean | undefined): { width: number; height: number } {
  const even = (value: number): number => Math.max(2, value - (value % 2));
  const { header } = rep;
  return upscale ? { width: even(header.sourceWidth), height: even(header.sourceHeight) } : { width: header.workingWidth, height: header.workingHeight };
}

/** Decodes a .cmvc stream into a video with the source's exact frame count and frame rate. */
export async function decodeBitstream(bytes: Uint8Array, options: DecodeOptions, onProgress?: ProgressListener): Promise<DecodeResult> {
  const rep = decodable(bytes, options);
  const { header } = rep;
  const sound = rep.audio && !options.mute ? { location: await options.target.keepSound(rep.audio.bytes) } : undefined;
  const sink = options.target.open(outputSpec(rep, options, sound));
  let written: number;
  try {
    for await (const frame of renderFrames(rep, {
      mode: options.mode,
      layerCodec: options.layerCodec,
      generator: options.generator,
      signal: options.signal,
      onFrame: (index) => onProgress?.({ stage: options.mode, fraction: (index + 1) / header.frameCount }),
    }))
      await sink.write(frame);
    written = await sink.close();
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  }
  return { mode: options.mode, frameCount: written, fps: header.fps, ...outputSize(rep, options.upscale) };
}

/** Seconds of video per HLS segment: short enough that the first one is ready soon, long enough that x264 and HTTP overheads stay small. */
export const SEGMENT_SECONDS = 2;

/** A video cut into segments of `framesPerSegment` frames (the last one shorter); fixed by frame count and rate alone. */
export interface SegmentGrid {
  readonly frameCount: number;
  readonly fps: { readonly num: number; readonly den: number };
  readonly framesPerSegment: number;
  readonly count: number;
}

export function segmentGrid(frameCount: number, fps: { readonly num: number; readonly den: number }, seconds = SEGMENT_SECONDS): SegmentGrid {
  const framesPerSegment = Math.max(1, Math.round((seconds * fps.num) / fps.den));
  return { frameCount, fps, framesPerSegment, count: Math.ceil(frameCount / framesPerSegment) };
}

/** Frames [start, end) of segment `index`, and where it starts and how long it lasts in seconds. */
export function segmentSpan(grid: SegmentGrid, index: number): { start: number; end: number; startSeconds: number; seconds: number } {
  const start = index * grid.framesPerSegment;
  const end = Math.min(grid.frameCount, start + grid.framesPerSegment);
  return { start, end, startSeconds: (start * grid.fps.den) / grid.fps.num, seconds: ((end - start) * grid.fps.den) / grid.fps.num };
}

/**
 * The segment to render next: the one a viewer waits for, else the one after the segment just
 * finished (playback goes forward), else the first one still missing; null when all are done.
 */
export function nextSegment(count: number, done: ReadonlySet<number>, previous: number | null, wanted: number | null): number | null {
  if (wanted !== null && wanted >= 0 && wanted < count && !done.has(wanted)) return wanted;
  for (let index = previous === null ? 0 : previous + 1; index < count; index += 1) if (!done.has(index)) return index;
  for (let index = 0; index < count; index += 1) if (!done.has(index)) return index;
  return null;
}

/** How the caller steers a segmented decode and takes each segment as it is finished. */
export interface SegmentSink {
  /** The grid is known; called once, before any segment is rendered. */
  start(grid: SegmentGrid): Promise<void>;
  /** The segment a viewer is waiting for, if any (asked before each segment). */
  wanted(): Promise<number | null>;
  /** Segment `index` is complete at `location` (the target's; it stays there until the decode returns). */
  finished(index: number, location: string): Promise<void>;
}

export interface SegmentDecodeOptions extends Omit<DecodeOptions, 'target'> {
  /** Where the segments go (`segmentFiles` of @cmvc/media-io writes `segment-<index>.ts` files to a folder). */
  readonly target: SegmentTarget;
  readonly segmentSeconds?: number;
  /** How often `sink.wanted()` is asked while a segment is being rendered (default 50 ms). */
  readonly wantedCheckMs?: number;
  /** How long to wait, once the grid is known, for a viewer to ask for a segment before starting with the first (default 500 ms). */
  readonly firstWantedWaitMs?: number;
}

/** A seek waits up to this long before the render turns to it; the render job answers `wanted()` from memory, so asking often costs nothing. */
const WANTED_CHECK_MS = 50;
const FIRST_WANTED_WAIT_MS = 500;

export interface SegmentDecodeResult {
  readonly grid: SegmentGrid;
  /** Where each segment is, in stream order. */
  readonly paths: readonly string[];
  /** Where the stream's sound track (Ogg Opus) is, if it has one and `mute` is not set. */
  readonly audioPath: string | null;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes a .cmvc stream into HLS MPEG-TS segments, each encoded on its own (starting with an IDR
 * frame, at its place on the stream clock), so they can be made in any order: a seek renders from
 * the keyframe-layer sequence holding the wanted segment (`renderFrames({ fromFrame })`) and goes
 * on forward from there, then fills in the rest.
 */
export async function decodeSegments(bytes: Uint8Array, options: SegmentDecodeOptions, sink: SegmentSink, onProgress?: ProgressListener): Promise<SegmentDecodeResult> {
  const rep = decodable(bytes, options);
  const { header } = rep;
  const grid = segmentGrid(header.frameCount, header.fps, options.segmentSeconds);
  const audioPath = rep.audio && !options.mute ? await options.target.keepSound(rep.audio.bytes) : null;
  await sink.start(grid);
  // The player asks for its segment right after reading the playlist; starting with it, rather than
  // with segment 0, spares a seek the wait for a keyframe-layer sequence it does not need.
  const waitUntil = Date.now() + (options.firstWantedWaitMs ?? FIRST_WANTED_WAIT_MS);
  let firstWanted = await sink.wanted();
  while (firstWanted === null && Date.now() < waitUntil) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    firstWanted = await sink.wanted();
  }

  const paths: string[] = [];
  const done = new Set<number>();
  let frames: AsyncGenerator<RgbFrame> | null = null;
  let position = -1;
  let previous: number | null = null;
  let framesDone = 0;
  let reported = 0;
  try {
    for (let index = nextSegment(grid.count, done, null, firstWanted); index !== null; index = nextSegment(grid.count, done, previous, await sink.wanted())) {
      const span = segmentSpan(grid, index);
      if (!frames || position !== span.start) {
        await frames?.return(undefined);
        frames = renderFrames(rep, { mode: options.mode, layerCodec: options.layerCodec, generator: options.generator, signal: options.signal, fromFrame: span.start });
        position = span.start;
      }
      const segment = options.target.open(index, {
        ...outputSpec(rep, options, audioPath ? { location: audioPath, window: { startSeconds: span.startSeconds, seconds: span.seconds } } : undefined),
        timeOffsetSeconds: span.startSeconds,
      });
      // A viewer who seeks elsewhere while this segment renders is served first; this one is made again later.
      let switchTo: number | null = null;
      let checked = Date.now();
      try {
        while (position < span.end) {
          if (Date.now() - checked >= (options.wantedCheckMs ?? WANTED_CHECK_MS)) {
            checked = Date.now();
            const wanted = await sink.wanted();
            if (wanted !== null && wanted !== index && nextSegment(grid.count, done, null, wanted) === wanted) {
              switchTo = wanted;
              break;
            }
          }
          const next = await frames.next();
          if (next.done) throw new CodecError('GENERATOR_FAILED', `the video ended at frame ${position}, the source had ${header.frameCount}`);
          await segment.write(next.value);
          position += 1;
          const fraction = (framesDone + position - span.start) / header.frameCount;
          if (fraction > reported) onProgress?.({ stage: options.mode, fraction: (reported = fraction) });
        }
        if (switchTo === null) await segment.close();
      } catch (error) {
        await segment.abort().catch(() => undefined);
        throw error;
      }
      if (switchTo !== null) {
        await segment.abort();
        continue;
      }
      done.add(index);
      paths[index] = segment.location;
      previous = index;
      framesDone += span.end - span.start;
      await sink.finished(index, segment.location);
    }
  } finally {
    await frames?.return(undefined);
  }
  return { grid, paths, audioPath, ...outputSize(rep, options.upscale) };
}
