export { BitstreamError, type BitstreamErrorCode } from './errors.ts';
export {
  parseBitstream,
  withoutKeyframeImages,
  writeBitstream,
  type ParseOptions,
  type ParsedBitstream,
  type SectionInfo,
  type TextForm,
  type WriteOptions,
  type WrittenBitstream,
} from './container.ts';
export { FORMAT_VERSION, LIMITS, SECTION_TYPES, type SectionKind } from './format.ts';
export type { ClipEntry, CmvcRepresentation, InterpolationWeightTrack, KeyframeEntry, KeyframeImageFormat, MotionSideChannel, StreamHeader } from './types.ts';
