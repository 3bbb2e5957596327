/** Constants of the .cmvc container, versions 1 and 2. See docs/bitstream.md. */

export const MAGIC = [0x43, 0x4d, 0x56, 0x43] as const; // "CMVC"
/** The version new streams are written in. */
export const FORMAT_VERSION = 2;
/** Version 1 (AVIF keyframe stills) is still read. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

export const SECTION_TYPES = {
  keyframes: 1,
  contentText: 2,
  motionText: 3,
  cameraMotion: 4,
  it2vWeights: 5,
  contentSemantic: 6,
  motionSemantic: 7,
  motionSideChannel: 8,
  keyframeLayer: 9,
  audio: 10,
} as const;
export type SectionKind = keyof typeof SECTION_TYPES;
export const SECTION_NAMES = new Map<number, SectionKind>(Object.entries(SECTION_TYPES).map(([name, type]) => [type, name as SectionKind]));

/** Section flag: a decoder that does not know this section type may skip it. */
export const SECTION_FLAG_OPTIONAL = 0x01;

/** Fixed header: magic, version, flags, dimensions, rate, counts, duration, working size, section count. */
export const FIXED_HEADER_BYTES = 35;
export const SECTION_ENTRY_BYTES = 10;
export const HEADER_CRC_BYTES = 4;

export const LIMITS = {
  maxFrameCount: 10_000_000,
  maxDimension: 16384,
  maxSections: 64,
  maxFpsTerm: 1_000_000,
  maxDurationSeconds: 10_000_000,
  maxCodecIdBytes: 64,
  /** Camera motion magnitudes are stored in 1/10000 units. */
  cameraScale: 10_000,
  maxCameraMagnitude: 1_000_000_000,
  /** Motion side channel: grid columns and rows, vector units per pixel, component magnitude, decoded bytes. */
  maxMotionGrid: 64,
  maxMotionUnitsPerPixel: 16,
  maxMotionComponent: 32767,
  maxMotionSideChannelBytes: 256 * 1024 * 1024,
  /** Keyframe layer: coded frames per AV1 sequence (bounds what a decoder buffers and how far back a seek decodes). */
  maxLayerSegmentFrames: 256,
} as const;

/** Section 9 codec: AV1 in the low-overhead OBU format (one sequence per segment). */
export const LAYER_CODECS = { av1: 1 } as const;
/** Section 10 codec: Opus in Ogg. */
export const AUDIO_CODECS = { opus: 1 } as const;

/** Payload version of section 8 (`motionSideChannel`). */
export const MOTION_SIDE_CHANNEL_VERSION = 1;
/** Values per grid node: (dx, dy) of the k0 side, then of the k1 side. */
export const MOTION_VECTORS_PER_NODE = 4;

/**
 * `none`: the images were removed (text-only tier); frame indices remain. `avif` (version 1 only):
 * an AVIF still per keyframe. `layer` (version 2 only): the pixels are in the keyframe layer (section 9).
 */
export const IMAGE_FORMATS = { none: 0, avif: 1, layer: 2 } as const;

export const CAMERA_KINDS = ['static', 'pan', 'tilt', 'zoom'] as const;
