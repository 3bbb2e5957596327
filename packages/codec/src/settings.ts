import type { KeyframeStrategy } from './keyframes/plan.ts';
import type { LayerTarget } from './keyframes/segments.ts';
import type { MotionSideChannelMode } from './it2v/motion-estimate.ts';
import type { QualityPreset } from './representation/keyframe-image.ts';

/**
 * Quality presets of the keyframe layer. Each names the interpolation quality the rate–distortion
 * planner holds every segment to and the AV1 quantizer of its keyframes; see docs/bitstream.md
 * ("Choosing the keyframe layer") for the measurements behind the numbers.
 */
export const LAYER_TARGETS: Readonly<Record<QualityPreset, LayerTarget>> = {
  low: { interpolationPsnr: 35, crf: 63, crfPerDoubling: 2, maxSpacingSeconds: 2 },
  middle: { interpolationPsnr: 38, crf: 57, crfPerDoubling: 2, maxSpacingSeconds: 1 },
  high: { interpolationPsnr: 41, crf: 50, crfPerDoubling: 2, maxSpacingSeconds: 0.5 },
};

/**
 * The one definition of the encoder's defaults: the `cmvc` CLI, the worker (through
 * packages/config) and the evaluation all start from these.
 */
export const DEFAULT_ENCODE_SETTINGS = {
  quality: 'middle' as QualityPreset,
  strategy: 'cs' as KeyframeStrategy,
  /** About one described keyframe (content text) per this many seconds. */
  describeEverySeconds: 3,
  /** At most this many described keyframes per video. */
  maxKeyframes: 64,
  /** Longest keyframe-layer segment: a seek decodes at most this much of the layer. */
  maxSegmentSeconds: 10,
  /** Reconstruction height; sources are never upscaled. */
  workingHeight: 480,
  /**
   * SVT-AV1 preset of a keyframe-layer segment by its spacing: sparser layers code fewer frames per
   * second of video, so they can afford a slower, tighter preset for the same encode time.
   */
  layerPresetFor: (spacing: number): number => (spacing >= 4 ? 4 : spacing >= 2 ? 5 : 6),
  /**
   * Whether SVT-AV1 may look ahead in a keyframe-layer segment, by its spacing. A layer of every frame
   * is a video whose frames predict each other, and the lookahead's temporal-dependency model pays
   * there; frames 2 or more apart code smaller for the same quality without it (docs/BENCHMARKS.md,
   * issue-15L).
   */
  layerLookaheadFor: (spacing: number): boolean => spacing < 2,
  motionSideChannel: 'off' as MotionSideChannelMode,
  /** Opus bitrate of the sound track, kbit/s; 0 leaves the sound out. */
  audioKbps: 10,
} as const;
