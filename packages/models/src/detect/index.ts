export { createObjectDetector, type DetectorModelName, type DetectorOptions } from './detector.ts';
export { decodeCenternet, decodeNanodet, intersectionOverUnion, nonMaxSuppression, type NanodetLevel } from './decode.ts';
export { cocoLabels } from './labels.ts';
