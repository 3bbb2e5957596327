export {
  analyseMotion,
  CAMERA_THRESHOLDS,
  type CameraMotion,
  type MotionAnalysis,
  type MotionAnalysisOptions,
  type MovingArea,
  type MovingObject,
  type TimedRgbFrame,
  typicalCounts,
} from './analyse.ts';
export { COUNT_RULES, countableDetections } from './counts.ts';
export { fitCameraMotion, type SimilarityMotion } from './camera.ts';
export { analysisSize, denseFlow, toAnalysisGray, DEFAULT_ANALYSIS_WIDTH, MAX_ANALYSIS_WIDTH, type FlowField, type GrayImage } from './flow.ts';
export { findMovingRegions, refineRegionVelocities, type MovingRegion } from './foreground.ts';
export { loadOpenCv, type OpenCv, type OpenCvRuntime } from './opencv.ts';
export {
  classifyMovement,
  crossesEdge,
  linkTracks,
  MOTION_DIRECTIONS,
  SPEED_WORDS,
  TRACK_THRESHOLDS,
  type MotionDirection,
  type Movement,
  type Observation,
  type SpeedWord,
  type Track,
} from './tracks.ts';
