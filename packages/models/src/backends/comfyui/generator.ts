import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { DEFAULT_MEDIA_TOOLS, type MediaTools } from '@cmvc/media-io';
import { BackendError } from '../errors.ts';
import { assertRgbFrame, decodeImageToRgb, encodePng, evenlySpacedIndices } from '../frames.ts';
import { HttpBackendClient, isRecord, sleep, standardErrorMessage } from '../http.ts';
import type { HttpBackendOptions } from '../http.ts';
import type { BackendHealth, HealthCheckable } from '../types.ts';
import type { GenerationMode, GenerationRequest, Generator, RgbFrame } from '../../types.ts';
import { countImagePages, decodeAnimatedImage, decodeVideo } from './decode.ts';
import type { DecodeTarget } from './decode.ts';
import { composePrompt, fillWorkflow, requestSeed, validateWorkflow } from './workflow.ts';
import type { ComfyWorkflow, Placeholder } from './workflow.ts';

export interface ComfyUiGeneratorOptions extends HttpBackendOptions {
  /** API-format text-to-video workflow; must contain {{prompt}}. */
  readonly tt2vWorkflow?: unknown;
  /** API-format image+text-to-video workflow; must contain {{first_image}} (and usually {{last_image}}). */
  readonly it2vWorkflow?: unknown;
  /** Default: a generic list of artefacts to avoid. */
  readonly negativePrompt?: string;
  /** Fixed seed for every clip; default: derived from the request, so a clip regenerates identically. */
  readonly seed?: number;
  /** Default 1 s. */
  readonly pollIntervalMs?: number;
  /** Limit for one clip, upload to decoded frames. Default 30 min. */
  readonly generationTimeoutMs?: number;
  /** ComfyUI input subfolder for uploaded keyframes. Default "cmvc". */
  readonly uploadSubfolder?: string;
  /** The ffmpeg and ffprobe that decode the returned video. Default: both on PATH. */
  readonly tools?: MediaTools;
  /** Default "comfyui". */
  readonly id?: string;
}

export const DEFAULT_NEGATIVE_PROMPT = 'blurry, low quality, distorted, deformed, flickering, watermark, text artifacts';

const VIDEO_EXTENSIONS = new Set(['.mp4', '.webm', '.mov', '.mkv', '.avi', '.m4v', '.gif']);
const MAX_SIDE = 4096;
const MAX_FRAMES = 4096;

interface OutputFile {
  readonly node: string;
  readonly filename: string;
  readonly subfolder: string;
  readonly type: string;
}

/** Generator that runs user-supplied ComfyUI workflows over ComfyUI's HTTP API. */
export class ComfyUiGenerator implements Generator, HealthCheckable {
  readonly id: string;
  readonly modes: readonly GenerationMode[];
  private readonly client: HttpBackendClient;
  private readonly workflows: Partial<Record<GenerationMode, { workflow: ComfyWorkflow; used: ReadonlySet<Placeholder> }>> = {};
  private readonly options: ComfyUiGeneratorOptions;
  private readonly clientId = randomUUID();

  constructor(options: ComfyUiGeneratorOptions) {
    this.id = options.id ?? 'comfyui';
    this.options = options;
    this.client = new HttpBackendClient(this.id, options);
    if (options.tt2vWorkflow !== undefined) this.workflows.tt2v = validateWorkflow(this.id, 'tt2v', options.tt2vWorkflow);
    if (options.it2vWorkflow !== undefined) this.workflows.it2v = validateWorkflow(this.id, 'it2v', options.it2vWorkflow);
    this.modes = (['tt2v', 'it2v'] as const).filter((mode) => this.workflows[mode]);
    if (this.modes.length === 0) throw new BackendError('BACKEND_CONFIG', this.id, 'configure tt2vWorkflow and/or it2vWorkflow');
    if (options.seed !== undefined && (!Number.isSafeInteger(options.seed) || options.seed < 0)) {
      throw new BackendError('BACKEND_CONFIG', this.id, `seed must be a non-negative integer, got ${options.seed}`);
    }
  }

  async health(): Promise<BackendHealth> {
    return this.client.probe('/system_stats', (body) => {
      if (!isRecord(body) || !isRecord(body['system'])) throw new Error('not system stats');
      const version = body['system']['comfyui_version'];
      const devices = Array.isArray(body['devices']) ? body['devices'].filter(isRecord) : [];
      const device = devices[0];
      const free = device && typeof device['vram_free'] === 'number' ? `, ${(device['vram_free'] / 2 ** 30).toFixed(1)} GiB VRAM free` : '';
      return `ComfyUI ${typeof version === 'string' ? version : '(unknown version)'} on ${device && typeof device['name'] === 'string' ? device['name'] : 'unknown device'}${free}; modes ${this.modes.join(', ')}`;
    });
  }

  async generateClip(request: GenerationRequest, onProgress?: (fraction: number) => void): Promise<RgbFrame[]> {
    const template = this.workflows[request.mode];
    if (!template) throw new BackendError('BACKEND_CONFIG', this.id, `no ${request.mode} workflow is configured (modes: ${this.modes.join(', ')})`);
    this.checkRequest(request);
    const timeoutMs = this.options.generationTimeoutMs ?? 30 * 60_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
    let promptId: string | undefined;
    try {
      onProgress?.(0);
      const images = await this.uploadKeyframes(request, template.used, signal);
      onProgress?.(0.05);
      const prompt = fillWorkflow(template.workflow, {
        prompt: composePrompt(request),
        negative_prompt: this.options.negativePrompt ?? DEFAULT_NEGATIVE_PROMPT,
        width: request.width,
        height: request.height,
        frames: request.frameCount,
        fps: request.fps,
        seed: this.options.seed ?? requestSeed(request),
        first_image: images.first ?? '',
        last_image: images.last ?? '',
      });
      // Not aborted midway: once sent, the server may have queued the prompt, and only its id lets us remove it again.
      promptId = await this.queuePrompt(prompt);
      signal.throwIfAborted();
      onProgress?.(0.1);
      const outputs = await this.waitForOutputs(promptId, signal);
      onProgress?.(0.8);
      const frames = await this.decodeOutputs(outputs, request, signal);
      onProgress?.(1);
      return frames;
    } catch (error) {
      if (promptId !== undefined && signal.aborted) void this.cancel(promptId);
      if (request.signal?.aborted) throw request.signal.reason;
      if (deadline.aborted) {
        throw new BackendError('BACKEND_TIMEOUT', this.id, `clip generation did not finish within ${timeoutMs} ms${promptId ? ` (prompt ${promptId})` : ''}`, { cause: error });
      }
      throw error;
    }
  }

  private checkRequest(request: GenerationRequest): void {
    const { width, height, frameCount, fps } = request;
    for (const [name, value, max] of [['width', width, MAX_SIDE], ['height', height, MAX_SIDE], ['frameCount', frameCount, MAX_FRAMES]] as const) {
      if (!Number.isInteger(value) || value <= 0 || value > max) throw new BackendError('BACKEND_CONFIG', this.id, `${name} must be an integer in 1..${max}, got ${value}`);
    }
    if (!Number.isFinite(fps) || fps <= 0) throw new BackendError('BACKEND_CONFIG', this.id, `fps must be positive, got ${fps}`);
    if (request.mode === 'it2v') {
      if (!request.keyframes) throw new BackendError('BACKEND_CONFIG', this.id, 'it2v generation needs the two keyframes');
      request.keyframes.forEach((frame, i) => assertRgbFrame(frame, this.id, i === 0 ? 'first keyframe' : 'last keyframe'));
    }
  }

  private async uploadKeyframes(request: GenerationRequest, used: ReadonlySet<Placeholder>, signal: AbortSignal): Promise<{ first?: string; last?: string }> {
    if (request.mode !== 'it2v' || !request.keyframes) return {};
    const token = randomUUID();
    const [firstFrame, lastFrame] = request.keyframes;
    const [first, last] = await Promise.all([
      used.has('first_image') ? this.uploadImage(firstFrame, `cmvc-${token}-first.png`, signal) : undefined,
      used.has('last_image') ? this.uploadImage(lastFrame, `cmvc-${token}-last.png`, signal) : undefined,
    ]);
    return { ...(first ? { first } : {}), ...(last ? { last } : {}) };
  }

  /** `POST /upload/image` (multipart: image, type, subfolder, overwrite) → the name a LoadImage node accepts. */
  private async uploadImage(frame: RgbFrame, filename: string, signal: AbortSignal): Promise<string> {
    const png = await encodePng(frame);
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), filename);
    form.append('type', 'input');
    form.append('subfolder', this.options.uploadSubfolder ?? 'cmvc');
    form.append('overwrite', 'true');
    const body = await this.client.json('/upload/image', { form, signal });
    if (!isRecord(body) || typeof body['name'] !== 'string' || !body['name']) {
      throw new BackendError('BACKEND_BAD_RESPONSE', this.id, '/upload/image answer has no name');
    }
    const subfolder = typeof body['subfolder'] === 'string' ? body['subfolder'] : '';
    return subfolder ? `${subfolder}/${body['name']}` : body['name'];
  }

  private async queuePrompt(prompt: Record<string, unknown>): Promise<string> {
    const body = await this.client.json('/prompt', {
      json: { prompt, client_id: this.clientId },
      describeError: (_status, errorBody) => describePromptError(errorBody),
    });
    if (isRecord(body) && isRecord(body['node_errors']) && Object.keys(body['node_errors']).length > 0) {
      throw new BackendError('BACKEND_REJECTED', this.id, `workflow rejected: ${describePromptError(body)}`);
    }
    if (!isRecord(body) || typeof body['prompt_id'] !== 'string') throw new BackendError('BACKEND_BAD_RESPONSE', this.id, '/prompt answer has no prompt_id');
    return body['prompt_id'];
  }

  /** Polls `GET /history/{id}` until ComfyUI records the prompt as finished. */
  private async waitForOutputs(promptId: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    const pollMs = this.options.pollIntervalMs ?? 1000;
    for (;;) {
      const history = await this.client.json(`/history/${encodeURIComponent(promptId)}`, { signal });
      const entry = isRecord(history) ? history[promptId] : undefined;
      if (isRecord(entry)) {
        const status = isRecord(entry['status']) ? entry['status'] : {};
        const outputs = isRecord(entry['outputs']) ? entry['outputs'] : {};
        if (status['status_str'] === 'error') {
          throw new BackendError('BACKEND_REJECTED', this.id, `workflow failed: ${describeExecutionError(status['messages'])}`);
        }
        if (status['completed'] === true || status['status_str'] === 'success' || (status['status_str'] === undefined && Object.keys(outputs).length > 0)) {
          return outputs;
        }
        if (status['completed'] === false && Array.isArray(status['messages']) && status['messages'].some((m) => Array.isArray(m) && m[0] === 'execution_interrupted')) {
          throw new BackendError('BACKEND_REJECTED', this.id, `prompt ${promptId} was interrupted on the server`);
        }
      }
      await sleep(pollMs, signal);
    }
  }

  private async decodeOutputs(outputs: Record<string, unknown>, request: GenerationRequest, signal: AbortSignal): Promise<RgbFrame[]> {
    const target: DecodeTarget = { width: request.width, height: request.height, frameCount: request.frameCount };
    const all = collectOutputFiles(outputs);
    const saved = all.filter((file) => file.type === 'output');
    const files = saved.length > 0 ? saved : all;
    if (files.length === 0) throw new BackendError('BACKEND_BAD_RESPONSE', this.id, 'the workflow finished without any image or video output');
    const fail = (file: OutputFile, cause: unknown): BackendError =>
      new BackendError('BACKEND_BAD_RESPONSE', this.id, `cannot decode output ${file.filename}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });

    const video = files.find((file) => VIDEO_EXTENSIONS.has(extname(file.filename).toLowerCase()));
    if (video) {
      const data = await this.fetchOutput(video, signal);
      try {
        return await decodeVideo(data, extname(video.filename).slice(1), target, this.options.tools ?? DEFAULT_MEDIA_TOOLS, signal);
      } catch (cause) {
        if (signal.aborted) throw cause;
        throw fail(video, cause);
      }
    }
    // Image outputs: the node that saved the most images is the frame sequence (others are previews or extras).
    const byNode = new Map<string, OutputFile[]>();
    for (const file of files) byNode.set(file.node, [...(byNode.get(file.node) ?? []), file]);
    const sequence = [...byNode.values()].reduce((best, list) => (list.length > best.length ? list : best));
    const first = sequence[0] as OutputFile;
    const firstData = await this.fetchOutput(first, signal);
    try {
      if (sequence.length === 1 || (await countImagePages(firstData)) > 1) return await decodeAnimatedImage(firstData, target);
    } catch (cause) {
      throw fail(first, cause);
    }
    const indices = evenlySpacedIndices(sequence.length, request.frameCount);
    const decoded = new Map<number, RgbFrame>();
    for (const index of new Set(indices)) {
      const file = sequence[index] as OutputFile;
      const data = index === 0 ? firstData : await this.fetchOutput(file, signal);
      try {
        decoded.set(index, await decodeImageToRgb(data, request.width, request.height));
      } catch (cause) {
        throw fail(file, cause);
      }
    }
    return indices.map((index) => decoded.get(index) as RgbFrame);
  }

  private async fetchOutput(file: OutputFile, signal: AbortSignal): Promise<Uint8Array> {
    const { data } = await this.client.bytes('/view', { query: { filename: file.filename, subfolder: file.subfolder, type: file.type }, signal });
    return data;
  }

  /** Best effort: drop the prompt from the queue if it has not started (never interrupts other users' work). */
  private async cancel(promptId: string): Promise<void> {
    await this.client.json('/queue', { json: { delete: [promptId] }, timeoutMs: 5_000 }).catch(() => undefined);
  }
}

/** Every `{filename, subfolder, type}` entry of every node's output lists (images, gifs, videos, ...), in node order. */
function collectOutputFiles(outputs: Record<string, unknown>): OutputFile[] {
  const nodes = Object.keys(outputs).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const files: OutputFile[] = [];
  for (const node of nodes) {
    const output = outputs[node];
    if (!isRecord(output)) continue;
    for (const list of Object.values(output)) {
      if (!Array.isArray(list)) continue;
      for (const entry of list) {
        if (isRecord(entry) && typeof entry['filename'] === 'string' && entry['filename']) {
          files.push({
            node,
            filename: entry['filename'],
            subfolder: typeof entry['subfolder'] === 'string' ? entry['subfolder'] : '',
            type: typeof entry['type'] === 'string' ? entry['type'] : 'output',
          });
        }
      }
    }
  }
  return files;
}

/** `{error:{message}, node_errors:{id:{class_type, errors:[{message, details}]}}}` → one line. */
function describePromptError(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const parts: string[] = [];
  const head = standardErrorMessage(body);
  if (head) parts.push(head);
  if (isRecord(body['error']) && typeof body['error']['details'] === 'string' && body['error']['details']) parts.push(body['error']['details']);
  if (isRecord(body['node_errors'])) {
    for (const [node, info] of Object.entries(body['node_errors'])) {
      if (!isRecord(info)) continue;
      const errors = Array.isArray(info['errors']) ? info['errors'].filter(isRecord) : [];
      const text = errors.map((e) => [e['message'], e['details']].filter((s) => typeof s === 'string' && s).join(': ')).join('; ');
      parts.push(`node ${node}${typeof info['class_type'] === 'string' ? ` (${info['class_type']})` : ''}: ${text || 'invalid'}`);
    }
  }
  return parts.length > 0 ? parts.join(' | ') : undefined;
}

/** Reads the `execution_error` event from a history entry's `status.messages`. */
function describeExecutionError(messages: unknown): string {
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (Array.isArray(message) && message[0] === 'execution_error' && isRecord(message[1])) {
        const data = message[1];
        const where = [data['node_type'], data['node_id'] !== undefined ? `node ${String(data['node_id'])}` : undefined].filter(Boolean).join(' ');
        return `${where ? `${where}: ` : ''}${typeof data['exception_message'] === 'string' ? data['exception_message'].trim() : 'execution error'}`;
      }
    }
  }
  return 'execution error (no details in history)';
}
