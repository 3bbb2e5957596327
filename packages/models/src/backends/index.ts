/**
 * Pluggable model backends for work this machine cannot do itself (vision-language captioning, CLIP,
 * video diffusion). Each implements a codec contract (see ../types.ts) and `health()` (./types.ts):
 *
 * - `OpenAiCaptioner` — SceneDescriber over an OpenAI-compatible `/chat/completions` with images (Ollama,
 *   vLLM, llama.cpp server, LM Studio, OpenAI). `MotionDescription.camera` comes from the injected
 *   `estimateCamera`; without one it is always `STATIC_CAMERA`.
 * - `OpenAiEmbedder` — TextEmbedder over an OpenAI-compatible `/embeddings`, vectors checked against `dimensions`.
 * - `OnnxClipModel` — CLIP `images` (ImageFeatureExtractor) and `texts` (TextEmbedder) from a local ONNX export;
 *   the accepted folder layout is documented on `ClipModelOptions`.
 * - `ComfyUiGenerator` — Generator running user-supplied TT2V/IT2V ComfyUI API workflows with {{placeholders}}.
 *
 * HTTP backends share `HttpBackendClient`: per-request timeout, bounded retries with exponential backoff and
 * jitter on network errors, 429 and 5xx (a timeout is not retried), and `BackendError` codes.
 */
export type { BackendHealth, HealthCheckable } from './types.ts';
export { BackendError, isBackendError } from './errors.ts';
export type { BackendErrorCode } from './errors.ts';
export { HttpBackendClient } from './http.ts';
export type { HttpBackendOptions } from './http.ts';
export {
  OpenAiCaptioner,
  KEYFRAME_PROMPT,
  KEYFRAME_SYSTEM_PROMPT,
  MOTION_SYSTEM_PROMPT,
  motionPrompt,
  STATIC_CAMERA,
} from './openai-captioner.ts';
export type { OpenAiCaptionerOptions, CameraMotionEstimator } from './openai-captioner.ts';
export { OpenAiEmbedder } from './openai-embedder.ts';
export type { OpenAiEmbedderOptions } from './openai-embedder.ts';
export { ClipTokenizer, BYTE_ENCODER, cleanText } from './clip/tokenizer.ts';
export type { EncodedText, ClipTokenizerFiles } from './clip/tokenizer.ts';
export { preprocessClipImage, parsePreprocessorConfig, CLIP_MEAN, CLIP_STD } from './clip/preprocess.ts';
export type { ClipImagePreprocessing } from './clip/preprocess.ts';
export { OnnxClipModel } from './clip/onnx-clip.ts';
export type { ClipModelOptions } from './clip/onnx-clip.ts';
export { ComfyUiGenerator, DEFAULT_NEGATIVE_PROMPT } from './comfyui/generator.ts';
export type { ComfyUiGeneratorOptions } from './comfyui/generator.ts';
export { composePrompt, fillWorkflow, requestSeed, validateWorkflow, PLACEHOLDERS } from './comfyui/workflow.ts';
export type { ComfyWorkflow, Placeholder, PlaceholderValues } from './comfyui/workflow.ts';
export { createBackends, describeBackends } from './config.ts';
export type { BackendConfig, BackendRole, BackendStatus, Backends } from './config.ts';
