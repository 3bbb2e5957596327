export { builtinAnalyzers, loadAnalyzers, MODELS_PACKAGE, type AnalyzerProvider, type AnalyzerSet } from './provider.ts';
export { createTechnicalDescriber, measureCameraMotion, technicalSemanticCodec, TECHNICAL_DESCRIBER_ID } from './technical-describer.ts';
