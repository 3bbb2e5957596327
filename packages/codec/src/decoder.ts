import { rm } from 'node:fs/promises';
import { extname } from 'node:path';
import type { GenerationMode, Generator, ProgressListener, RgbFrame, SemanticTextCodec } from './contracts.ts';
import { parseBitstream } from './bitstream/container.ts';
import { BitstreamError } from './bitstream/errors.ts';
import { MOTION_VECTORS_PER_NODE } from './bitstream/format.ts';
import type { CmvcRepresentation, MotionSideChannel } from './bitstream/types.ts';
import { CodecError, throwIfAborted } from './errors.ts';
import { createVideoEncoder, type VideoFormat } from './io/video-encoder.ts';
import { dequantiseWeight, preparePair, renderFrame, type FrameMotionVectors } from './it2v/index.ts';
import { decodeKeyframeImage } from './representation/keyframe-image.ts';

export interface DecodeOptions {
  readonly mode: GenerationMode;
  /** Output video path. */
  readonly output: string;
  /** Container; by default taken from the output extension (.webm → webm, else mp4). */
  readonly format?: VideoFormat;
  /** Required for `tt2v`. */
  readonly generator?: Generator;
  /** Scale the output to the source size (lanczos); by default the video is written at the working size. */
  readonly upscale?: boolean;
  readonly semanticCodecs?: readonly SemanticTextCodec[];
  readonly signal?: AbortSignal;
}

export interface DecodeResult {
  readonly output: string;
  readonly mode: GenerationMode;
  readonly frameCount: number;
  readonly fps: { readonly num: number; readonly den: number };
  readonly width: number;
  readonly height: number;
}

export interface RenderOptions {
  readonly mode: GenerationMode;
  readonly generator?: Generator;
  readonly signal?: AbortSignal;
  readonly onFrame?: (index: number) => void;
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
  const load = keyframeLoader(rep);
  yield await load(0);
  let pair = 0;
  for (const [j, clip] of rep.clips.entries()) {
    const k0 = await load(j);
    const k1 = await load(j + 1);
    const context = await preparePair(k0, k1);
    for (let f = clip.startFrame + 1; f < clip.endFrame; f += 1, pair += 1) {
      const wi = dequantiseWeight(rep.weights.values[2 * pair] ?? 0);
      const wl = dequantiseWeight(rep.weights.values[2 * pair + 1] ?? 0);
      yield renderFrame(context, { wi, wl }, frameMotion(rep.motionSideChannel, pair));
      throwIfAborted(options.signal);
    }
    yield k1;
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
  for (const [j, { clip, first, last, frames }] of clips.entries()) {
    if (!first || !last) throw new CodecError('INTERNAL', 'clip without keyframes');
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
    yield* j === 0 ? generated : generated.slice(1);
    throwIfAborted(options.signal);
  }
}

/** Reconstructs every frame of the video at working size, in order; exactly `header.frameCount` frames. */
export async function* renderFrames(rep: CmvcRepresentation, options: RenderOptions): AsyncGenerator<RgbFrame> {
  const frames = options.mode === 'it2v' ? renderIt2v(rep, options) : renderTt2v(rep, options);
  let index = 0;
  for await (const frame of frames) {
    yield frame;
    options.onFrame?.(index);
    index += 1;
  }
  if (index !== rep.header.frameCount) throw new CodecError('GENERATOR_FAILED', `reconstructed ${index} frames, the source had ${rep.header.frameCount}`);
}

/** Decodes a .cmvc stream into a video file with the source's exact frame count and frame rate. */
export async function decodeBitstream(bytes: Uint8Array, options: DecodeOptions, onProgress?: ProgressListener): Promise<DecodeResult> {
  const { representation: rep } = parseBitstream(bytes, { semanticCodecs: options.semanticCodecs });
  if (options.mode === 'tt2v') requireGenerator('tt2v', options.generator);
  if (options.mode === 'it2v' && rep.keyframes[0]?.format === 'none') {
    throw new CodecError('INVALID_OPTIONS', 'This stream keeps text only (its keyframe images were removed); decode it in TT2V mode');
  }
  const { header } = rep;
  const format: VideoFormat = options.format ?? (extname(options.output).toLowerCase() === '.webm' ? 'webm' : 'mp4');
  const sink = createVideoEncoder(options.output, {
    width: header.workingWidth,
    height: header.workingHeight,
    fps: header.fps,
    format,
    ...(options.upscale ? { outputWidth: header.sourceWidth, outputHeight: header.sourceHeight } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let written: number;
  try {
    for await (const frame of renderFrames(rep, {
      mode: options.mode,
      generator: options.generator,
      signal: options.signal,
      onFrame: (index) => onProgress?.({ stage: options.mode, fraction: (index + 1) / header.frameCount }),
    }))
      await sink.write(frame);
    written = await sink.close();
  } catch (error) {
    sink.abort();
    // A partial video must not look like a result.
    await rm(options.output, { force: true }).catch(() => undefined);
    throw error;
  }
  const even = (value: number): number => Math.max(2, value - (value % 2));
  return {
    output: options.output,
    mode: options.mode,
    frameCount: written,
    fps: header.fps,
    width: options.upscale ? even(header.sourceWidth) : header.workingWidth,
    height: options.upscale ? even(header.sourceHeight) : header.workingHeight,
  };
}
