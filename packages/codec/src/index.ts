/** @cmvc/codec: Cross-Modality Video Coding (encoder, decoder, bitstream). */
export type * from './contracts.ts';
export type * from './media.ts';
export { CodecError, type CodecErrorCode } from './errors.ts';
export { encodeVideo, type Analyzers, type EncodedStream, type EncodeOptions, type EncodeProfileReport, type EncodeResult } from './encoder.ts';
export { addProfiledStages, EncodeProfile, profiled, profiledSync, withProfile, type StageTiming } from './profile.ts';
export {
  decodeBitstream,
  decodeSegments,
  nextSegment,
  renderFrames,
  segmentGrid,
  segmentSpan,
  SEGMENT_SECONDS,
  type DecodeOptions,
  type DecodeResult,
  type RenderOptions,
  type SegmentDecodeOptions,
  type SegmentDecodeResult,
  type SegmentGrid,
  type SegmentSink,
} from './decoder.ts';
export {
  BitstreamError,
  FORMAT_VERSION,
  LIMITS,
  SECTION_TYPES,
  parseBitstream,
  withoutKeyframeImages,
  writeBitstream,
  type BitstreamErrorCode,
  type ClipEntry,
  type CmvcRepresentation,
  type InterpolationWeightTrack,
  type KeyframeEntry,
  type KeyframeImageFormat,
  type MotionSideChannel,
  type ParseOptions,
  type ParsedBitstream,
  type SectionInfo,
  type SectionKind,
  type StreamHeader,
  type TextForm,
  type WriteOptions,
  type WrittenBitstream,
} from './bitstream/index.ts';
export type { MediaInfo, Rational, Size } from '@cmvc/media-io/frames';
export * from './keyframes/index.ts';
export {
  QUALITY_PRESETS,
  QUALITY_PRESETS_ORDER,
  decodeKeyframeImage,
  encodeKeyframeImage,
  estimatedKeyframeBytes,
  type QualityPreset,
  type QualityPresetSettings,
} from './representation/keyframe-image.ts';
export { keyframeCountForRate, rateReport, type ClipRate, type RateBudget, type RateReport, type SectionRate } from './representation/rate.ts';
export { encodeTextList, encodeByteList, TEXT_CODINGS, type EncodedList, type TextCoding } from './entropy/index.ts';
export * from './analyzers/index.ts';
export {
  GenerationUnavailableError,
  InMemoryExemplarLibrary,
  RetrievalGenerator,
  parseMotionText,
  type Exemplar,
  type ExemplarLibrary,
  type RetrievalGeneratorOptions,
} from './tt2v/index.ts';
export { IT2V_MODEL_ID, MOTION_SIDE_CHANNEL_MODES, type MotionSideChannelMode } from './it2v/index.ts';
export { loadOpenCv, type CvMat, type CvSize, type OpenCv, type OpenCvRuntime } from './it2v/opencv.ts';
export { EXIT, type CliCommand, type CliIo } from './command.ts';
export { fixed, table } from './format.ts';
export { farnebackFlow } from './it2v/flow.ts';
