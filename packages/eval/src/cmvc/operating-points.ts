import {
  QUALITY_PRESETS_ORDER,
  decodeBitstream,
  encodeVideo,
  writeBitstream,
  type Analyzers,
  type CmvcRepresentation,
  type EncodeOptions,
  type EncodeResult,
  type EncodedStream,
  type MediaInfo,
  type QualityPreset,
  type SectionInfo,
  type SemanticTextCodec,
  type TextForm,
  type Generator,
} from '@cmvc/codec';
import { EvalError } from '../errors.ts';
import type { MediaIo } from '@cmvc/media-io';

/** The keyframe layer's rate–distortion target (the codec's `LayerTarget`). */
export type LayerTarget = NonNullable<EncodeOptions['layerTarget']>;

/**
 * The lowest IT2V setting: no interpolation-quality floor, the coarsest AV1 quantizer at every
 * spacing, keyframes at most 2 s apart, the layer coded at a quarter of the working size. It lies
 * below the rate AV1 itself reaches with its own reductions.
 */
export const FLOOR_LAYER_TARGET: LayerTarget = { interpolationPsnr: 0, crf: 63, crfPerDoubling: 0, maxSpacingSeconds: 2, scale: 0.25 };

export type CmvcPointName = QualityPreset | 'floor';
export const CMVC_POINT_NAMES: readonly CmvcPointName[] = [...QUALITY_PRESETS_ORDER, 'floor'];

/**
 * One CMVC setting: a quality preset (the encoder's own defaults otherwise, `keyframes` unset) or
 * the `floor` layer target, and whether it is also measured with the motion side channel.
 */
export interface CmvcOperatingPoint {
  readonly name: CmvcPointName;
  readonly quality?: QualityPreset;
  readonly layerTarget?: LayerTarget;
  readonly withMotionSideChannel: boolean;
}

/** The named points in the given order; those in `motionPoints` (a subset) also with the motion side channel. */
export function cmvcOperatingPoints(names: readonly CmvcPointName[], motionPoints: readonly CmvcPointName[] = []): CmvcOperatingPoint[] {
  for (const name of [...names, ...motionPoints]) if (!CMVC_POINT_NAMES.includes(name)) throw new EvalError('INVALID_OPTIONS', `unknown CMVC operating point ${name}`);
  const unmatched = motionPoints.filter((name) => !names.includes(name));
  if (unmatched.length > 0) throw new EvalError('INVALID_OPTIONS', `motion side-channel points must also be evaluated without it: ${unmatched.join(', ')}`);
  return [...new Set(names)].map((name) => ({
    name,
    ...(name === 'floor' ? { layerTarget: FLOOR_LAYER_TARGET } : { quality: name }),
    withMotionSideChannel: motionPoints.includes(name),
  }));
}

/** The same label with and without the side channel: the method tells them apart. */
export const operatingPointLabel = (point: CmvcOperatingPoint): string => point.name;

/** What the report says a point is. */
export function operatingPointDescription(point: CmvcOperatingPoint): string {
  if (point.layerTarget) {
    const t = point.layerTarget;
    return `${point.name}: layerTarget { interpolationPsnr ${t.interpolationPsnr}, crf ${t.crf}, crfPerDoubling ${t.crfPerDoubling}, maxSpacingSeconds ${t.maxSpacingSeconds}, scale ${t.scale ?? 1} }`;
  }
  return `${point.name}: quality preset ${point.quality}`;
}

export interface OperatingPointStreams {
  /** Without the motion side channel (method `cmvc-it2v`). */
  readonly plain: EncodedStream;
  /** With it (method `cmvc-it2v-motion`), when the point asks for it. */
  readonly withMotion?: EncodedStream;
  /** One AVIF thumbnail per described keyframe (format-2 keyframe entries carry no image). */
  readonly thumbnails: EncodeResult['thumbnails'];
}

/**
 * Encodes `reference` at one operating point, without sound (`audioKbps: 0`: the clips have none
 * and no method is charged for it); the smallest text form is chosen (`auto`). With the side
 * channel, one encode gives both streams (the encoder fits the plain weights anyway), and the plain
 * one is byte for byte what an encode without the side channel writes. `media`: what the codec's
 * `probe` says of `reference`, when the caller has it (every point of a clip shares one probe).
 */
export async function encodeOperatingPoint(
  mediaIo: MediaIo,
  reference: string,
  point: CmvcOperatingPoint,
  analyzers: Analyzers,
  options: { readonly textForm?: TextForm; readonly media?: MediaInfo; readonly signal?: AbortSignal } = {},
): Promise<OperatingPointStreams> {
  const { textForm = 'auto', media, signal } = options;
  const motionSideChannel = point.withMotionSideChannel ? 'coarse' : 'off';
  const result = await encodeVideo(mediaIo.videoFile(reference), {
      layerCodec: mediaIo.av1LayerCodec,
      ...(point.quality ? { quality: point.quality } : {}),
      ...(point.layerTarget ? { layerTarget: point.layerTarget } : {}),
      textForm,
      motionSideChannel,
      audioKbps: 0,
      ...(media ? { media } : {}),
      ...(signal ? { signal } : {}),
    },
    analyzers,
  );
  if (!point.withMotionSideChannel) return { plain: result, thumbnails: result.thumbnails };
  if (!result.withoutMotionSideChannel) throw new EvalError('INTERNAL', 'the encoder returned no stream without the motion side channel');
  return { plain: result.withoutMotionSideChannel, withMotion: result, thumbnails: result.thumbnails };
}

/**
 * The same stream without any description (empty content and motion texts, no structured
 * sections): what an IT2V-only archive would store. IT2V reconstructs the same frames from it.
 */
export function withoutTexts(representation: CmvcRepresentation): Uint8Array {
  const stripped: CmvcRepresentation = {
    ...representation,
    keyframes: representation.keyframes.map(({ contentSemantic: _, ...keyframe }) => ({ ...keyframe, content: '' })),
    clips: representation.clips.map(({ motionSemantic: _, ...clip }) => ({ ...clip, motion: '' })),
    semanticCodecs: {},
  };
  return writeBitstream(stripped, { textForm: 'text' }).bytes;
}

const TT2V_SECTIONS: ReadonlySet<string> = new Set(['contentText', 'contentSemantic', 'motionText', 'motionSemantic', 'cameraMotion']);

/**
 * Bytes TT2V decoding reads: the container header and section table plus the description and
 * camera sections (it never reads keyframe images or IT2V weights).
 */
export function tt2vBytes(totalBytes: number, sections: readonly SectionInfo[]): number {
  const payload = sections.reduce((sum, section) => sum + section.length, 0);
  const overhead = totalBytes - payload;
  return overhead + sections.filter((section) => TT2V_SECTIONS.has(section.kind)).reduce((sum, section) => sum + section.length, 0);
}

export interface CmvcDecodeOptions {
  readonly mode: 'it2v' | 'tt2v';
  readonly output: string;
  readonly generator?: Generator;
  readonly semanticCodecs?: readonly SemanticTextCodec[];
  readonly signal?: AbortSignal;
}

/**
 * Decodes a stream at the source size and frame count; give `output` a .y4m name for a lossless
 * file (an .mp4 is re-encoded with x264 and must not be measured).
 */
export async function decodeOperatingPoint(mediaIo: MediaIo, bitstream: Uint8Array, options: CmvcDecodeOptions): Promise<string> {
  await decodeBitstream(bitstream, {
    mode: options.mode,
    layerCodec: mediaIo.av1LayerCodec, target: mediaIo.videoFileTarget(options.output),
    upscale: true,
    ...(options.generator ? { generator: options.generator } : {}),
    ...(options.semanticCodecs ? { semanticCodecs: options.semanticCodecs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return options.output;
}
