export { selectKeyframes, type KeyframeSelection, type KeyframeSelectionOptions } from './select.ts';
export {
  KEYFRAME_STRATEGIES,
  clampKeyframeCount,
  randomKeyframes,
  searchIntervals,
  seededRandom,
  uniformKeyframes,
  type FrameInterval,
  type KeyframeStrategy,
} from './plan.ts';
export { cosineSimilarity, meanSquaredError } from './distance.ts';
