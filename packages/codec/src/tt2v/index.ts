/** TT2V by retrieval: clips composed from other archived videos' keyframes, chosen by content text. */
export { GenerationUnavailableError, RetrievalGenerator, type RetrievalGeneratorOptions } from './generator.ts';
export { InMemoryExemplarLibrary, type Exemplar, type ExemplarLibrary, type NearestOptions } from './library.ts';
export { parseMotionText, planCameraPath, type CameraPath, type CropWindow } from './camera.ts';
