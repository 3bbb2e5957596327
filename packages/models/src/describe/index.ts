export {
  CmvcDescriber,
  contentRecordFor,
  createSceneDescriber,
  createSemanticCodec,
  motionRecordFor,
  SEMANTIC_CODEC_ID,
  type ClipAnalysis,
  type ClipFrames,
  type ContentDescription,
  type DescriberOptions,
  type KeyframeAnalysis,
  type MotionDescription,
  type SceneDescriber,
  type SemanticTextCodec,
  type TimedFrame,
} from './describer.ts';
export { decodeRecord, encodeRecord, STRUCTURED_VERSION } from './binary.ts';
export { renderRecord } from './render.ts';
export {
  CAMERA_MOVES,
  POSITIONS,
  positionOf,
  RECORD_LIMITS,
  sanitiseReadText,
  type AreaMotion,
  type CameraMove,
  type ContentRecord,
  type DescriptionRecord,
  type MotionRecord,
  type ObjectCount,
  type ObjectMotion,
  type Position,
} from './record.ts';
export { refineDetections, type PriorOptions } from './priors.ts';
export { ACTION_THRESHOLDS, actionsOf, headYaw, summariseActions, trackPoses, type PoseTrack, type TrackedPerson } from './actions.ts';
export { ThreadedDescriber } from './threaded.ts';
