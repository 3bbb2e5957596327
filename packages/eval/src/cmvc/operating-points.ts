import {
  QUALITY_PRESETS_ORDER,
  decodeBitstream,
  encodeVideo,
  writeBitstream,
  type Analyzers,
  type CmvcRepresentation,
  type EncodedStream,
  type MediaInfo,
  type QualityPreset,
  type SectionInfo,
  type SemanticTextCodec,
  type TextForm,
  type Generator,
} from '@cmvc/codec';
import { EvalError } from '../errors.ts';

/** One CMVC setting: keyframe count, keyframe image quality, and whether it is also measured with the motion side channel. */
export interface CmvcOperatingPoint {
  readonly keyframes: number;
  readonly quality: QualityPreset;
  readonly withMotionSideChannel: boolean;
}

/** Every keyframe count × quality; the qualities in `motionQualities` (a subset) also with the motion side channel. */
export function cmvcOperatingPoints(keyframeCounts: readonly number[], qualities: readonly QualityPreset[], motionQualities: readonly QualityPreset[] = []): CmvcOperatingPoint[] {
  for (const n of keyframeCounts) if (!Number.isInteger(n) || n < 2) throw new EvalError('INVALID_OPTIONS', 'keyframe counts must be integers ≥ 2');
  for (const q of [...qualities, ...motionQualities]) if (!QUALITY_PRESETS_ORDER.includes(q)) throw new EvalError('INVALID_OPTIONS', `unknown quality preset ${q}`);
  const unmatched = motionQualities.filter((q) => !qualities.includes(q));
  if (unmatched.length > 0) throw new EvalError('INVALID_OPTIONS', `motion side-channel qualities must also be evaluated without it: ${unmatched.join(', ')}`);
  return keyframeCounts.flatMap((keyframes) => qualities.map((quality) => ({ keyframes, quality, withMotionSideChannel: motionQualities.includes(quality) })));
}

/** The same label with and without the side channel: the method tells them apart. */
export const operatingPointLabel = (point: CmvcOperatingPoint): string => `n${point.keyframes} ${point.quality}`;

export interface OperatingPointStreams {
  /** Without the motion side channel (method `cmvc-it2v`). */
  readonly plain: EncodedStream;
  /** With it (method `cmvc-it2v-motion`), when the point asks for it. */
  readonly withMotion?: EncodedStream;
}

/**
 * Encodes `reference` at one operating point; the smallest text form is chosen (`auto`). With the
 * side channel, one encode gives both streams (the encoder fits the plain weights anyway), and the
 * plain one is byte for byte what an encode without the side channel writes. `media`: what the
 * codec's `probe` says of `reference`, when the caller has it (every point of a clip shares one probe).
 */
export async function encodeOperatingPoint(
  reference: string,
  point: CmvcOperatingPoint,
  analyzers: Analyzers,
  options: { readonly textForm?: TextForm; readonly media?: MediaInfo; readonly signal?: AbortSignal } = {},
): Promise<OperatingPointStreams> {
  const { textForm = 'auto', media, signal } = options;
  const motionSideChannel = point.withMotionSideChannel ? 'coarse' : 'off';
  const result = await encodeVideo(
    reference,
    { keyframes: point.keyframes, quality: point.quality, textForm, motionSideChannel, ...(media ? { media } : {}), ...(signal ? { signal } : {}) },
    analyzers,
  );
  if (!point.withMotionSideChannel) return { plain: result };
  if (!result.withoutMotionSideChannel) throw new EvalError('INTERNAL', 'the encoder returned no stream without the motion side channel');
  return { plain: result.withoutMotionSideChannel, withMotion: result };
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

/** Decodes a stream to an mp4 at the source size and frame count. */
export async function decodeOperatingPoint(bitstream: Uint8Array, options: CmvcDecodeOptions): Promise<string> {
  const result = await decodeBitstream(bitstream, {
    mode: options.mode,
    output: options.output,
    upscale: true,
    ...(options.generator ? { generator: options.generator } : {}),
    ...(options.semanticCodecs ? { semanticCodecs: options.semanticCodecs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return result.output;
}
