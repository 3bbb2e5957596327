export type {
  RgbFrame,
  Box,
  Detection,
  ObjectDetector,
  OcrLine,
  TextReader,
  ImageFeatureExtractor,
  TextEmbedder,
  SuperResolver,
  Disposable,
} from './types.ts';
export * from './runtime/index.ts';
export * from './features/index.ts';
export * from './detect/index.ts';
export * from './ocr/index.ts';
export * from './text/index.ts';
export * from './superres/index.ts';
export * from './backends/index.ts';
export * from './motion/index.ts';
export * from './scene/index.ts';
export * from './describe/index.ts';
export * from './speech/index.ts';
export * from './people/index.ts';
// backends/, motion/ and describe/ each declare some of the codec's contract shapes; name one
// source for each so the star exports above don't clash.
export type { CameraMotion } from './motion/index.ts';
export type { ClipFrames, ContentDescription, MotionDescription, SceneDescriber, SemanticTextCodec, TimedFrame } from './describe/index.ts';
export * from './registry.ts';
export { modelsCommand } from './models-command.ts';
