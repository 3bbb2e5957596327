import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { BackendError } from '../errors.ts';
import { assertRgbFrame } from '../frames.ts';
import type { BackendHealth, HealthCheckable } from '../types.ts';
import type { ImageFeatureExtractor, RgbFrame, TextEmbedder } from '../../types.ts';
import { l2Normalise } from '../../runtime/frame.ts';
import { parsePreprocessorConfig, preprocessClipImage } from './preprocess.ts';
import type { ClipImagePreprocessing } from './preprocess.ts';
import { ClipTokenizer } from './tokenizer.ts';

/**
 * A CLIP export on local disk. Files are looked up in `directory`, then in `directory/onnx`:
 * - image encoder: `vision_model.onnx` or `visual.onnx` — input NCHW float32 pixels, output [N, D] embeddings;
 * - text encoder: `text_model.onnx` or `textual.onnx` — input [N, context] int64/int32 token ids (plus
 *   `attention_mask` when the graph asks for it), output [N, D];
 * - tokenizer: `vocab.json` + `merges.txt` (OpenCLIP/OpenAI), or a Hugging Face `tokenizer.json`;
 *   `tokenizer_config.json` may set `model_max_length` and `pad_token`;
 * - optional `preprocessor_config.json`: `image_mean`, `image_std`, `crop_size`, `size` (defaults: OpenAI CLIP, 224).
 * The output used is the one named image_embeds/text_embeds (or *_features, embeds), else the first rank-2 output.
 */
export interface ClipModelOptions {
  readonly directory: string;
  /** Embedding width the outputs must have. Default 512 (ViT-B/32, ViT-B/16). */
  readonly dimensions?: number;
  /** Overrides the tokenizer's context length (default 77). */
  readonly contextLength?: number;
  /** Default "clip:<directory name>". */
  readonly id?: string;
  /** Threads per ONNX session. Default 1. */
  readonly threads?: number;
}

const VISION_FILES = ['vision_model.onnx', 'visual.onnx'];
const TEXT_FILES = ['text_model.onnx', 'textual.onnx'];
const IMAGE_OUTPUTS = ['image_embeds', 'image_features', 'embeds', 'embeddings'];
const TEXT_OUTPUTS = ['text_embeds', 'text_features', 'embeds', 'embeddings'];
const MAX_BATCH = 16;

interface LoadedClip {
  readonly vision: ort.InferenceSession;
  readonly text: ort.InferenceSession;
  readonly tokenizer: ClipTokenizer;
  readonly preprocessing: ClipImagePreprocessing;
  readonly files: string;
}

/** CLIP image and text encoders sharing one lazily loaded model directory. */
export class OnnxClipModel implements HealthCheckable {
  readonly id: string;
  readonly dimensions: number;
  readonly images: ImageFeatureExtractor;
  readonly texts: TextEmbedder;
  private readonly options: ClipModelOptions;
  private loading: Promise<LoadedClip> | undefined;

  constructor(options: ClipModelOptions) {
    this.options = options;
    this.id = options.id ?? `clip:${basename(options.directory)}`;
    this.dimensions = options.dimensions ?? 512;
    if (!Number.isInteger(this.dimensions) || this.dimensions <= 0) {
      throw new BackendError('BACKEND_CONFIG', this.id, `dimensions must be a positive integer, got ${this.dimensions}`);
    }
    const model = this;
    this.images = { id: `${this.id}:image`, dimensions: this.dimensions, embed: (frames) => model.embedImages(frames) };
    this.texts = { id: `${this.id}:text`, dimensions: this.dimensions, embed: (texts) => model.embedTexts(texts) };
  }

  /** Loads the sessions and tokenizer once; a failed load is retried on the next call. */
  load(): Promise<LoadedClip> {
    this.loading ??= loadClip(this.id, this.options).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async health(): Promise<BackendHealth> {
    const started = performance.now();
    try {
      const loaded = await this.load();
      return { ok: true, latencyMs: Math.round(performance.now() - started), detail: `${loaded.files} loaded, ${this.dimensions}-d` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async release(): Promise<void> {
    const loading = this.loading;
    this.loading = undefined;
    if (!loading) return;
    const loaded = await loading.catch(() => undefined);
    await Promise.all([loaded?.vision.release(), loaded?.text.release()]);
  }

  async embedImages(frames: readonly RgbFrame[]): Promise<Float32Array[]> {
    frames.forEach((frame, i) => assertRgbFrame(frame, this.id, `image ${i}`));
    if (frames.length === 0) return [];
    const { vision, preprocessing } = await this.load();
    const inputName = pickName(vision.inputNames, ['pixel_values', 'image', 'input']);
    const side = preprocessing.cropSize;
    const item = 3 * side * side;
    const out: Float32Array[] = [];
    for (const batch of chunks(frames, batchLimit(vision, inputName))) {
      const pixels = new Float32Array(batch.length * item);
      const prepared = await Promise.all(batch.map((frame) => preprocessClipImage(frame, preprocessing)));
      prepared.forEach((chw, i) => pixels.set(chw, i * item));
      const result = await this.run(vision, { [inputName]: new ort.Tensor('float32', pixels, [batch.length, 3, side, side]) }, IMAGE_OUTPUTS);
      out.push(...result);
    }
    return out;
  }

  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { text: session, tokenizer } = await this.load();
    const idsName = pickName(
      session.inputNames.filter((name) => !/mask/i.test(name)),
      ['input_ids', 'text', 'input'],
    );
    const maskName = session.inputNames.find((name) => /mask/i.test(name));
    const length = tokenizer.contextLength;
    const out: Float32Array[] = [];
    for (const batch of chunks(texts, batchLimit(session, idsName))) {
      const encoded = batch.map((text) => tokenizer.encode(text));
      const ids = new Int32Array(batch.length * length);
      const mask = new Int32Array(batch.length * length);
      encoded.forEach((e, i) => {
        ids.set(e.ids, i * length);
        mask.fill(1, i * length, i * length + e.length);
      });
      const feeds: Record<string, ort.Tensor> = { [idsName]: integerTensor(session, idsName, ids, [batch.length, length]) };
      if (maskName) feeds[maskName] = integerTensor(session, maskName, mask, [batch.length, length]);
      out.push(...(await this.run(session, feeds, TEXT_OUTPUTS)));
    }
    return out;
  }

  private async run(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, preferred: readonly string[]): Promise<Float32Array[]> {
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await session.run(feeds);
    } catch (cause) {
      throw new BackendError('BACKEND_BAD_RESPONSE', this.id, `ONNX inference failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    const name = preferred.find((candidate) => results[candidate] !== undefined) ?? session.outputNames.find((candidate) => results[candidate]?.dims.length === 2);
    const tensor = name === undefined ? undefined : results[name];
    if (!tensor || tensor.dims.length !== 2 || tensor.type !== 'float32') {
      throw new BackendError('BACKEND_BAD_RESPONSE', this.id, `model has no [batch, dim] float32 embedding output (outputs: ${session.outputNames.join(', ')})`);
    }
    const [rows, width] = tensor.dims as [number, number];
    if (width !== this.dimensions) {
      throw new BackendError('BACKEND_BAD_RESPONSE', this.id, `output ${name} has ${width} dimensions but ${this.dimensions} are configured`);
    }
    const data = tensor.data as Float32Array;
    return Array.from({ length: rows }, (_, row) => l2Normalise(data.slice(row * width, (row + 1) * width)));
  }
}

async function loadClip(id: string, options: ClipModelOptions): Promise<LoadedClip> {
  const { directory } = options;
  const visionPath = await findFile(directory, VISION_FILES);
  const textPath = await findFile(directory, TEXT_FILES);
  if (!visionPath || !textPath) {
    const missing = [!visionPath && VISION_FILES.join(' or '), !textPath && TEXT_FILES.join(' or ')].filter(Boolean).join(' and ');
    throw new BackendError('BACKEND_UNAVAILABLE', id, `${directory} has no ${missing} (looked in the folder and its onnx/ subfolder)`);
  }
  const tokenizerConfig = (await readOptionalJson(id, join(directory, 'tokenizer_config.json'))) as Record<string, unknown> | undefined;
  const contextLength =
    options.contextLength ??
    (typeof tokenizerConfig?.['model_max_length'] === 'number' && tokenizerConfig['model_max_length'] <= 1024
      ? tokenizerConfig['model_max_length']
      : 77);
  const tokenizer = await loadTokenizer(id, directory, contextLength, tokenizerConfig?.['pad_token']);
  const preprocessing = parsePreprocessorConfig(await readOptionalJson(id, join(directory, 'preprocessor_config.json')));
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  let vision: ort.InferenceSession;
  let text: ort.InferenceSession;
  try {
    vision = await ort.InferenceSession.create(visionPath, sessionOptions);
  } catch (cause) {
    throw new BackendError('BACKEND_CONFIG', id, `cannot load ${visionPath}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  try {
    text = await ort.InferenceSession.create(textPath, sessionOptions);
  } catch (cause) {
    await vision.release();
    throw new BackendError('BACKEND_CONFIG', id, `cannot load ${textPath}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  checkImageInput(id, vision, preprocessing.cropSize);
  return { vision, text, tokenizer, preprocessing, files: `${basename(visionPath)} + ${basename(textPath)}` };
}

async function loadTokenizer(id: string, directory: string, contextLength: number, padToken: unknown): Promise<ClipTokenizer> {
  const read = (name: string): Promise<string | undefined> => readFile(join(directory, name), 'utf8').catch(() => undefined);
  const [vocab, merges, tokenizerJson] = await Promise.all([read('vocab.json'), read('merges.txt'), read('tokenizer.json')]);
  const build = (padId?: number): ClipTokenizer => {
    if (vocab !== undefined && merges !== undefined) return ClipTokenizer.fromVocabAndMerges(vocab, merges, { contextLength, padId });
    if (tokenizerJson !== undefined) return ClipTokenizer.fromTokenizerJson(tokenizerJson, { contextLength, padId });
    throw new BackendError('BACKEND_UNAVAILABLE', id, `${directory} has neither vocab.json + merges.txt nor tokenizer.json`);
  };
  const tokenizer = build();
  const padContent = typeof padToken === 'string' ? padToken : typeof padToken === 'object' && padToken !== null ? (padToken as { content?: unknown }).content : undefined;
  if (typeof padContent !== 'string') return tokenizer;
  const [padId] = tokenizer.tokenize(padContent);
  return padId === undefined ? tokenizer : build(padId);
}

function checkImageInput(id: string, session: ort.InferenceSession, cropSize: number): void {
  const name = pickName(session.inputNames, ['pixel_values', 'image', 'input']);
  const meta = session.inputMetadata[session.inputNames.indexOf(name)];
  if (!meta?.isTensor || meta.shape.length === 0) return;
  const [, channels, height, width] = meta.shape;
  const fixedMismatch = (dim: number | string | undefined, expected: number): boolean => typeof dim === 'number' && dim > 0 && dim !== expected;
  if (meta.shape.length !== 4 || fixedMismatch(channels, 3) || fixedMismatch(height, cropSize) || fixedMismatch(width, cropSize)) {
    throw new BackendError('BACKEND_CONFIG', id, `image input ${name} has shape [${meta.shape.join(', ')}], expected [N, 3, ${cropSize}, ${cropSize}] (check preprocessor_config.json)`);
  }
}

function batchLimit(session: ort.InferenceSession, inputName: string): number {
  const meta = session.inputMetadata[session.inputNames.indexOf(inputName)];
  const batch = meta?.isTensor ? meta.shape[0] : undefined;
  return typeof batch === 'number' && batch > 0 ? batch : MAX_BATCH;
}

function integerTensor(session: ort.InferenceSession, name: string, values: Int32Array, dims: number[]): ort.Tensor {
  const meta = session.inputMetadata[session.inputNames.indexOf(name)];
  if (meta?.isTensor && meta.type === 'int32') return new ort.Tensor('int32', values, dims);
  return new ort.Tensor('int64', BigInt64Array.from(values, (value) => BigInt(value)), dims);
}

function pickName(names: readonly string[], preferred: readonly string[]): string {
  const name = preferred.find((candidate) => names.includes(candidate)) ?? names[0];
  if (name === undefined) throw new BackendError('BACKEND_CONFIG', 'clip', 'ONNX graph has no inputs');
  return name;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

async function findFile(directory: string, names: readonly string[]): Promise<string | undefined> {
  for (const folder of [directory, join(directory, 'onnx')]) {
    for (const name of names) {
      const path = join(folder, name);
      if (await access(path).then(() => true, () => false)) return path;
    }
  }
  return undefined;
}

async function readOptionalJson(id: string, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BackendError('BACKEND_CONFIG', id, `${path} is not valid JSON`, { cause });
  }
}
