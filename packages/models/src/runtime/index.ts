export { ModelError, type ModelErrorCode } from './errors.ts';
export { assertFrames, assertRgbFrame, cosineSimilarity, l2Normalise, MAX_FRAME_SIDE } from './frame.ts';
export { loadTf, loadGraphModelFromDisk, loadLayersModelFromDisk, diskHandler, artifactsHandler, type Tf } from './tf.ts';
export { loadOrt, loadOnnxSession, type OnnxOptions } from './onnx.ts';
export { packageDir, packageFile } from './paths.ts';
export { sharedModel, loadedModelKeys, type SharedModel } from './shared.ts';
