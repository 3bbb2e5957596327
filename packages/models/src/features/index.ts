export { createImageFeatureExtractor, type FeatureModelName, type ImageFeatureOptions } from './mobilenet.ts';
