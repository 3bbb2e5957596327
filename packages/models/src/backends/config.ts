import { OnnxClipModel } from './clip/onnx-clip.ts';
import type { ClipModelOptions } from './clip/onnx-clip.ts';
import { ComfyUiGenerator } from './comfyui/generator.ts';
import type { ComfyUiGeneratorOptions } from './comfyui/generator.ts';
import { OpenAiCaptioner } from './openai-captioner.ts';
import type { OpenAiCaptionerOptions } from './openai-captioner.ts';
import { OpenAiEmbedder } from './openai-embedder.ts';
import type { OpenAiEmbedderOptions } from './openai-embedder.ts';
import type { BackendHealth, HealthCheckable } from './types.ts';

/** Which optional backends are plugged in; every part may be left out. */
export interface BackendConfig {
  /** SceneDescriber over an OpenAI-compatible vision chat endpoint. */
  readonly captioner?: OpenAiCaptionerOptions;
  /** TextEmbedder over an OpenAI-compatible embeddings endpoint. */
  readonly embedder?: OpenAiEmbedderOptions;
  /** CLIP image + text encoders from a local ONNX export. */
  readonly clip?: ClipModelOptions;
  /** TT2V/IT2V generator over ComfyUI. */
  readonly generator?: ComfyUiGeneratorOptions;
}

export type BackendRole = keyof BackendConfig;

export interface Backends {
  readonly captioner?: OpenAiCaptioner;
  readonly embedder?: OpenAiEmbedder;
  readonly clip?: OnnxClipModel;
  readonly generator?: ComfyUiGenerator;
}

export interface BackendStatus {
  readonly role: BackendRole;
  /** The backend's id, or the role when its configuration is invalid. */
  readonly id: string;
  /** Base URL or model directory. */
  readonly target: string;
  readonly health: BackendHealth;
}

/** Builds the configured backends; throws a BACKEND_CONFIG BackendError for an invalid part. */
export function createBackends(config: BackendConfig): Backends {
  return {
    ...(config.captioner ? { captioner: new OpenAiCaptioner(config.captioner) } : {}),
    ...(config.embedder ? { embedder: new OpenAiEmbedder(config.embedder) } : {}),
    ...(config.clip ? { clip: new OnnxClipModel(config.clip) } : {}),
    ...(config.generator ? { generator: new ComfyUiGenerator(config.generator) } : {}),
  };
}

const FACTORIES: { readonly [R in BackendRole]: (options: NonNullable<BackendConfig[R]>) => HealthCheckable & { readonly id: string } } = {
  captioner: (options) => new OpenAiCaptioner(options),
  embedder: (options) => new OpenAiEmbedder(options),
  clip: (options) => new OnnxClipModel(options),
  generator: (options) => new ComfyUiGenerator(options),
};

/**
 * Lists every configured backend with its health, checked in parallel; each check is bounded by its own
 * health timeout. An invalid configuration is reported as an unhealthy entry rather than thrown.
 */
export async function describeBackends(config: BackendConfig): Promise<BackendStatus[]> {
  const roles = (Object.keys(FACTORIES) as BackendRole[]).filter((role) => config[role] !== undefined);
  return Promise.all(
    roles.map(async (role): Promise<BackendStatus> => {
      const options = config[role] as NonNullable<BackendConfig[typeof role]>;
      const target = 'directory' in options ? options.directory : options.baseUrl;
      let backend: HealthCheckable & { readonly id: string; release?: () => Promise<void> };
      try {
        backend = (FACTORIES[role] as (o: typeof options) => HealthCheckable & { readonly id: string })(options);
      } catch (error) {
        return { role, id: role, target, health: { ok: false, detail: error instanceof Error ? error.message : String(error) } };
      }
      const health = await backend.health();
      await backend.release?.();
      return { role, id: backend.id, target, health };
    }),
  );
}
