import { BackendError } from './errors.ts';
import { HttpBackendClient, isRecord } from './http.ts';
import type { HttpBackendOptions } from './http.ts';
import { openAiModelHealth } from './openai-common.ts';
import type { BackendHealth, HealthCheckable } from './types.ts';
import type { TextEmbedder } from '../types.ts';
import { l2Normalise } from '../runtime/frame.ts';

export interface OpenAiEmbedderOptions extends HttpBackendOptions {
  /** e.g. "text-embedding-3-small", "nomic-embed-text", "BAAI/bge-small-en-v1.5". */
  readonly model: string;
  /** Length every vector must have. Default 512, the width of the database's vector column. */
  readonly dimensions?: number;
  /**
   * Send `dimensions` in the request so the server shortens its vectors (OpenAI text-embedding-3, some vLLM
   * Matryoshka models). Without it a server whose native size differs from `dimensions` is an error.
   */
  readonly requestDimensions?: boolean;
  /** Inputs per request. Default 64. */
  readonly maxBatchSize?: number;
}

/** TextEmbedder over an OpenAI-compatible `POST {baseUrl}/embeddings`. */
export class OpenAiEmbedder implements TextEmbedder, HealthCheckable {
  readonly id: string;
  readonly dimensions: number;
  private readonly client: HttpBackendClient;
  private readonly model: string;
  private readonly requestDimensions: boolean;
  private readonly maxBatchSize: number;

  constructor(options: OpenAiEmbedderOptions) {
    if (!options.model) throw new BackendError('BACKEND_CONFIG', 'openai-embeddings', 'model is required');
    this.model = options.model;
    this.dimensions = options.dimensions ?? 512;
    this.id = `openai-embeddings:${options.model}@${this.dimensions}`;
    if (!Number.isInteger(this.dimensions) || this.dimensions <= 0) {
      throw new BackendError('BACKEND_CONFIG', this.id, `dimensions must be a positive integer, got ${this.dimensions}`);
    }
    this.maxBatchSize = options.maxBatchSize ?? 64;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize <= 0) {
      throw new BackendError('BACKEND_CONFIG', this.id, `maxBatchSize must be a positive integer, got ${this.maxBatchSize}`);
    }
    this.requestDimensions = options.requestDimensions ?? false;
    this.client = new HttpBackendClient(this.id, options);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.maxBatchSize))));
    }
    return vectors;
  }

  health(): Promise<BackendHealth> {
    return openAiModelHealth(this.client, this.model);
  }

  private async embedBatch(input: readonly string[]): Promise<Float32Array[]> {
    const body = await this.client.json('/embeddings', {
      json: {
        model: this.model,
        input,
        encoding_format: 'float',
        ...(this.requestDimensions ? { dimensions: this.dimensions } : {}),
      },
    });
    const data = isRecord(body) && Array.isArray(body['data']) ? body['data'] : undefined;
    if (!data) throw new BackendError('BACKEND_BAD_RESPONSE', this.id, 'embeddings answer has no data array');
    if (data.length !== input.length) {
      throw new BackendError('BACKEND_BAD_RESPONSE', this.id, `sent ${input.length} inputs but got ${data.length} embeddings`);
    }
    const ordered: (Float32Array | undefined)[] = new Array(input.length).fill(undefined);
    data.forEach((entry, position) => {
      const index = isRecord(entry) && entry['index'] !== undefined ? entry['index'] : position;
      const embedding = isRecord(entry) ? entry['embedding'] : undefined;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= input.length || ordered[index]) {
        throw new BackendError('BACKEND_BAD_RESPONSE', this.id, `embedding ${position} has a missing, duplicate or out-of-range index`);
      }
      if (!Array.isArray(embedding) || !embedding.every((value) => typeof value === 'number' && Number.isFinite(value))) {
        throw new BackendError('BACKEND_BAD_RESPONSE', this.id, `embedding ${index} is not an array of finite numbers (base64 encoding is not supported)`);
      }
      if (embedding.length !== this.dimensions) {
        const hint = this.requestDimensions
          ? 'the server ignored the requested `dimensions`'
          : 'choose a model of that size, or set requestDimensions if the model can shorten its vectors';
        throw new BackendError(
          'BACKEND_BAD_RESPONSE',
          this.id,
          `model ${this.model} returned ${embedding.length}-dimensional vectors but ${this.dimensions} are configured: ${hint}`,
        );
      }
      ordered[index] = l2Normalise(Float32Array.from(embedding as number[]));
    });
    return ordered as Float32Array[];
  }
}
