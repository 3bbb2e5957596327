/**
 * Contracts between the codec and whatever analyses or generates pixels and text.
 * The codec depends only on these shapes; `@cmvc/models` implements them, and tests
 * can supply small deterministic versions.
 */

/** Decoded pictures: packed RGB24 or Y′CbCr 4:4:4 (see `RgbFrame.pixelFormat`), defined with the media I/O. */
import type { RgbFrame, TimedFrame } from '@cmvc/media-io/frames';
export type { RgbFrame, TimedFrame };

/** Image features for keyframe selection (paper Eq. 1). Vectors are L2-normalised. */
export interface ImageFeatureExtractor {
  /** Stable identifier, e.g. "mobilenet-v2" or "clip:ViT-B-32". */
  readonly id: string;
  readonly dimensions: number;
  embed(frames: readonly RgbFrame[]): Promise<Float32Array[]>;
}

/** Sentence embeddings for captions and queries. Vectors are L2-normalised. */
export interface TextEmbedder {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Global camera motion over a clip, as the describer measured it. */
export interface CameraMotion {
  readonly kind: 'static' | 'pan' | 'tilt' | 'zoom';
  /** Mean translation per second as a fraction of frame width (x) and height (y); +x is right, +y is down. */
  readonly dx: number;
  readonly dy: number;
  /** Scale change per second: 1 is none, above 1 zooms in. */
  readonly zoom: number;
}

/** T_k,i: what one keyframe shows. */
export interface ContentDescription {
  readonly text: string;
  /** The describer's compact structured form; `SemanticTextCodec.expand(semantic)` gives back `text` exactly. */
  readonly semantic?: Uint8Array;
  /** Labels of the objects a detecting describer found (one per detection); not stored in the bitstream. */
  readonly objects?: readonly string[];
}

/** T_m,j: how things move in one clip. */
export interface MotionDescription {
  readonly text: string;
  readonly semantic?: Uint8Array;
  readonly camera: CameraMotion;
}

/** The frames of one clip m_j handed to motion analysis, sampled at `fps`, first and last keyframe included. */
export interface ClipFrames {
  readonly frames: readonly TimedFrame[];
  readonly fps: number;
}

export interface SceneDescriber {
  readonly id: string;
  describeKeyframe(frame: TimedFrame): Promise<ContentDescription>;
  describeMotion(clip: ClipFrames): Promise<MotionDescription>;
}

/** Deterministic expansion of a describer's structured form back into text, used by the decoder. */
export interface SemanticTextCodec {
  /** Identifier written into the bitstream so a decoder can tell which expander it needs. */
  readonly id: string;
  expand(semantic: Uint8Array): string;
}

export type GenerationMode = 'tt2v' | 'it2v';

export interface GenerationRequest {
  readonly mode: GenerationMode;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameCount: number;
  /** Content text of the clip's first keyframe, then of its last. */
  readonly contentTexts: readonly [string, string];
  readonly motionText: string;
  readonly camera?: CameraMotion;
  /** IT2V only: the decoded first and last keyframes of the clip. */
  readonly keyframes?: readonly [RgbFrame, RgbFrame];
  readonly signal?: AbortSignal;
}

/** A video generation backend (TT2V and/or IT2V) that produces one clip's frames. */
export interface Generator {
  readonly id: string;
  readonly modes: readonly GenerationMode[];
  /** Returns exactly `request.frameCount` frames of `request.width` × `request.height`. */
  generateClip(request: GenerationRequest, onProgress?: (fraction: number) => void): Promise<RgbFrame[]>;
}

export type ProgressListener = (event: { readonly stage: string; readonly fraction: number }) => void;
