import type { CameraMotion } from '../contracts.ts';
import type { Rational } from '@cmvc/media-io/frames';

export interface StreamHeader {
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly fps: Rational;
  readonly frameCount: number;
  readonly durationSeconds: number;
  /** Size the decoder reconstructs at (keyframes are scaled to it; weights were fitted at it). */
  readonly workingWidth: number;
  readonly workingHeight: number;
}

/**
 * Where a keyframe's pixels are: `avif` a still image of its own (format version 1), `layer` the
 * AV1 keyframe layer (version 2), `none` nowhere: the stream keeps text only and decodes in TT2V mode only.
 */
export type KeyframeImageFormat = 'avif' | 'layer' | 'none';

export interface KeyframeEntry {
  readonly frameIndex: number;
  /** Seconds from the start: frameIndex / fps. */
  readonly time: number;
  readonly format: KeyframeImageFormat;
  readonly width: number;
  readonly height: number;
  /** The AVIF still (format `avif`); empty otherwise. */
  readonly image: Uint8Array;
  /** T_k,i; null when the stream carries only the structured form and no expander was available. */
  readonly content: string | null;
  readonly contentSemantic?: Uint8Array;
}

export interface ClipEntry {
  readonly index: number;
  /** Frame indices of the clip's first and last keyframe (shared with neighbouring clips). */
  readonly startFrame: number;
  readonly endFrame: number;
  readonly startTime: number;
  readonly endTime: number;
  /** T_m,j; null when only the structured form is present and no expander was available. */
  readonly motion: string | null;
  readonly motionSemantic?: Uint8Array;
  readonly camera: CameraMotion;
}

export interface InterpolationWeightTrack {
  /** Weights are integers 0..levels-1. */
  readonly levels: number;
  /** Interleaved (wi, wl) for every non-keyframe frame, in frame order. */
  readonly values: Uint8Array;
}

/** Everything a .cmvc stream carries, in decoded form. */
export interface CmvcRepresentation {
  readonly header: StreamHeader;
  readonly keyframes: readonly KeyframeEntry[];
  readonly clips: readonly ClipEntry[];
  /**
   * The frames IT2V codes as pixels (version 2): every described keyframe and the frames the encoder's
   * rate–distortion search added; absent in version 1 and in text-only streams.
   */
  readonly layer?: KeyframeLayer;
  /**
   * (w_i, w_l) of every frame IT2V interpolates: the frames that are not keyframes (version 1) or not
   * in the layer (version 2). Absent only in a version-2 text-only stream.
   */
  readonly weights?: InterpolationWeightTrack;
  /** `SemanticTextCodec.id`s needed to expand the structured sections, when present. */
  readonly semanticCodecs: { readonly content?: string; readonly motion?: string };
  /** Coarse residual motion for IT2V (section 8); absent when the encoder did not send it. */
  readonly motionSideChannel?: MotionSideChannel;
  /** The sound track (section 10), when the source had one and the encoder kept it. */
  readonly audio?: AudioTrack;
}

/** Pixels of the keyframe layer: consecutive runs of coded frames, each one AV1 sequence. */
export interface KeyframeLayer {
  /** Coded size; the decoder scales decoded frames to the working size. */
  readonly width: number;
  readonly height: number;
  /** Strictly increasing, first 0 and last frameCount-1. */
  readonly frameIndices: readonly number[];
  /** In order; their frame counts add up to `frameIndices.length`. Each starts with a key frame. */
  readonly segments: readonly LayerSegment[];
}

export interface LayerSegment {
  readonly frames: number;
  /** AV1 OBUs, low-overhead format (temporal units back to back). */
  readonly obus: Uint8Array;
}

export interface AudioTrack {
  readonly codec: 'opus';
  /** An Ogg Opus stream. */
  readonly bytes: Uint8Array;
}

/**
 * Per intermediate frame, a coarse correction of the IT2V keyframe flow on a `columns` × `rows`
 * grid (see `it2v/motion-field.ts` for how it is rendered, docs/bitstream.md for the coding).
 */
export interface MotionSideChannel {
  readonly columns: number;
  readonly rows: number;
  /** Vector components are integers in 1/unitsPerPixel working pixels. */
  readonly unitsPerPixel: number;
  /** For each frame that is not a keyframe, in frame order (as the weights): its field's index in `vectors`, or -1 for none. */
  readonly fieldIndex: Int32Array;
  /** The fields back to back, each `columns · rows` nodes (row-major) of (dx0, dy0, dx1, dy1). */
  readonly vectors: Int16Array;
}
