import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The generator removes a prompt in the background after it gives up: wait for the request rather than a fixed time (a busy machine delays it). */
async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
import { BackendError, ComfyUiGenerator, composePrompt } from '../src/backends/index.ts';
import type { GenerationRequest, RgbFrame } from '../src/types.ts';
import { isObject, parseJsonBody, sendJson, startServer } from './backends-fixtures.ts';
import type { RecordedRequest, TestServer } from './backends-fixtures.ts';

// ---- A fake ComfyUI: validates /prompt like ComfyUI's validate_prompt, "executes" a few node types, serves /view. ----

type InputKind = 'INT' | 'FLOAT' | 'STRING' | 'LINK' | 'IMAGE_FILE' | 'BOOLEAN';
const NODE_TYPES: Record<string, Record<string, InputKind>> = {
  CheckpointLoaderSimple: { ckpt_name: 'STRING' },
  CLIPTextEncode: { text: 'STRING', clip: 'LINK' },
  EmptyHunyuanLatentVideo: { width: 'INT', height: 'INT', length: 'INT', batch_size: 'INT' },
  LoadImage: { image: 'IMAGE_FILE' },
  WanFirstLastFrameToVideo: { width: 'INT', height: 'INT', length: 'INT', batch_size: 'INT', positive: 'LINK', negative: 'LINK', vae: 'LINK', start_image: 'LINK', end_image: 'LINK' },
  KSampler: { seed: 'INT', steps: 'INT', cfg: 'FLOAT', model: 'LINK', positive: 'LINK', negative: 'LINK', latent_image: 'LINK' },
  VAEDecode: { samples: 'LINK', vae: 'LINK' },
  VHS_VideoCombine: { images: 'LINK', frame_rate: 'FLOAT', filename_prefix: 'STRING', format: 'STRING' },
  SaveImage: { images: 'LINK', filename_prefix: 'STRING' },
  SaveAnimatedWEBP: { images: 'LINK', fps: 'FLOAT', filename_prefix: 'STRING' },
  PreviewImage: { images: 'LINK' },
};
const OUTPUT_NODES = new Set(['VHS_VideoCombine', 'SaveImage', 'SaveAnimatedWEBP', 'PreviewImage']);

interface StoredFile {
  readonly data: Buffer;
  readonly type: string;
}

class FakeComfy {
  readonly uploads = new Map<string, Buffer>();
  readonly files = new Map<string, StoredFile>();
  readonly prompts: { id: string; body: Record<string, unknown> }[] = [];
  readonly history = new Map<string, unknown>();
  readonly deleted: string[] = [];
  /** Polls answered `{}` before the entry appears, as while the prompt is queued/running. */
  pendingPolls = 2;
  /** When set, the prompt never finishes. */
  neverFinish = false;
  private readonly polls = new Map<string, number>();

  handle = async (request: RecordedRequest, response: ServerResponse): Promise<void> => {
    if (request.method === 'GET' && request.path === '/system_stats') {
      return sendJson(response, 200, {
        system: { os: 'posix', ram_total: 2 ** 36, ram_free: 2 ** 35, comfyui_version: '0.3.40', python_version: '3.12.3', pytorch_version: '2.7.0', embedded_python: false, argv: ['main.py'] },
        devices: [{ name: 'cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 85e9, vram_free: 80 * 2 ** 30, torch_vram_total: 0, torch_vram_free: 0 }],
      });
    }
    if (request.method === 'POST' && request.path === '/upload/image') return this.upload(request, response);
    if (request.method === 'POST' && request.path === '/prompt') return this.prompt(request, response);
    if (request.method === 'POST' && request.path === '/queue') {
      const body = parseJsonBody(request);
      if (isObject(body) && Array.isArray(body['delete'])) this.deleted.push(...(body['delete'] as string[]));
      response.writeHead(200).end();
      return;
    }
    if (request.method === 'GET' && request.path.startsWith('/history/')) {
      const id = decodeURIComponent(request.path.slice('/history/'.length));
      const polls = (this.polls.get(id) ?? 0) + 1;
      this.polls.set(id, polls);
      const entry = this.history.get(id);
      return sendJson(response, 200, entry && polls > this.pendingPolls && !this.neverFinish ? { [id]: entry } : {});
    }
    if (request.method === 'GET' && request.path === '/view') {
      const key = `${request.query.get('type')}/${request.query.get('subfolder')}/${request.query.get('filename')}`;
      const file = this.files.get(key);
      if (!file) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.data.length }).end(file.data);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
  };

  private async upload(request: RecordedRequest, response: ServerResponse): Promise<void> {
    const form = await new Response(new Uint8Array(request.body), { headers: { 'content-type': String(request.headers['content-type']) } }).formData().catch(() => undefined);
    const image = form?.get('image');
    if (!form || !(image instanceof File)) {
      response.writeHead(400).end();
      return;
    }
    const subfolder = String(form.get('subfolder') ?? '');
    const type = String(form.get('type') ?? 'input');
    const name = image.name;
    this.uploads.set(subfolder ? `${subfolder}/${name}` : name, Buffer.from(await image.arrayBuffer()));
    sendJson(response, 200, { name, subfolder, type });
  }

  private prompt(request: RecordedRequest, response: ServerResponse): Promise<void> | void {
    const body = parseJsonBody(request);
    if (!isObject(body) || !isObject(body['prompt'])) {
      return sendJson(response, 400, { error: { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: "Node ID '#'", extra_info: {} }, node_errors: {} });
    }
    if (typeof body['client_id'] !== 'string') return sendJson(response, 400, { error: { type: 'invalid_prompt', message: 'client_id must be a string', details: '', extra_info: {} }, node_errors: {} });
    const prompt = body['prompt'];
    const nodeErrors: Record<string, unknown> = {};
    for (const [id, node] of Object.entries(prompt)) {
      const classType = isObject(node) ? node['class_type'] : undefined;
      const spec = typeof classType === 'string' ? NODE_TYPES[classType] : undefined;
      if (!isObject(node) || !spec || !isObject(node['inputs'])) {
        return sendJson(response, 400, { error: { type: 'invalid_prompt', message: `Cannot execute because node ${String(classType)} does not exist.`, details: `Node ID '#${id}'`, extra_info: {} }, node_errors: {} });
      }
      const errors: unknown[] = [];
      for (const [input, kind] of Object.entries(spec)) {
        const value = node['inputs'][input];
        const bad = (message: string): void => {
          errors.push({ type: 'invalid_input_type', message, details: `${input}, ${JSON.stringify(value)}`, extra_info: { input_name: input } });
        };
        if (value === undefined) errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: input, extra_info: { input_name: input } });
        else if (kind === 'LINK') {
          if (!Array.isArray(value) || typeof value[0] !== 'string' || !(value[0] in prompt) || !Number.isInteger(value[1])) bad('Bad linked input, must be a length-2 list of [string, int]');
        } else if (kind === 'INT' && !Number.isInteger(value)) bad('Failed to convert an input value to a INT value');
        else if (kind === 'FLOAT' && typeof value !== 'number') bad('Failed to convert an input value to a FLOAT value');
        else if (kind === 'STRING' && typeof value !== 'string') bad('Failed to convert an input value to a STRING value');
        else if (kind === 'IMAGE_FILE' && (typeof value !== 'string' || !this.uploads.has(value))) {
          errors.push({ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `image - Invalid image file: ${String(value)}`, extra_info: { input_name: input } });
        }
      }
      if (errors.length > 0) nodeErrors[id] = { errors, dependent_outputs: [], class_type: classType };
    }
    if (Object.keys(nodeErrors).length > 0) {
      return sendJson(response, 400, { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: nodeErrors });
    }
    const id = randomUUID();
    this.prompts.push({ id, body });
    return this.execute(id, prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>).then(() =>
      sendJson(response, 200, { prompt_id: id, number: this.prompts.length - 1, node_errors: {} }),
    );
  }

  /** Renders outputs 16 px wider and 8 px taller than asked, with `length + 3` frames, so the client must resample. */
  private async execute(id: string, prompt: Record<string, { class_type: string; inputs: Record<string, unknown> }>): Promise<void> {
    const nodes = Object.entries(prompt);
    const geometry = nodes.find(([, n]) => 'length' in n.inputs)![1].inputs as { width: number; height: number; length: number };
    const width = geometry.width + 16;
    const height = geometry.height + 8;
    const count = geometry.length + 3;
    const messages: unknown[] = [['execution_start', { prompt_id: id, timestamp: Date.now() }]];
    const sampler = nodes.find(([, n]) => n.class_type === 'KSampler');
    if (sampler && (sampler[1].inputs['steps'] as number) > 100) {
      messages.push([
        'execution_error',
        {
          prompt_id: id,
          node_id: sampler[0],
          node_type: 'KSampler',
          executed: [],
          exception_message: 'Allocation on device 0 would exceed allowed memory. (out of memory)\n',
          exception_type: 'torch.OutOfMemoryError',
          traceback: ['  File "execution.py", line 327, in execute\n'],
          current_inputs: {},
          current_outputs: {},
        },
      ]);
      this.history.set(id, { prompt: [0, id, prompt, {}, []], outputs: {}, status: { status_str: 'error', completed: false, messages }, meta: {} });
      return;
    }
    // IT2V frames blend from the first uploaded keyframe to the last; TT2V frames are a flat green.
    const loads = nodes.filter(([, n]) => n.class_type === 'LoadImage').map(([, n]) => this.uploads.get(n.inputs['image'] as string)!);
    const colourAt = async (t: number): Promise<[number, number, number]> => {
      if (loads.length < 2) return [40, 200, 60];
      const [a, b] = await Promise.all(loads.map(async (png) => (await sharp(png).stats()).channels.map((c) => c.mean)));
      return [0, 1, 2].map((c) => Math.round(a![c]! * (1 - t) + b![c]! * t)) as [number, number, number];
    };
    const outputs: Record<string, unknown> = {};
    for (const [nodeId, node] of nodes) {
      if (!OUTPUT_NODES.has(node.class_type)) continue;
      const prefix = String(node.inputs['filename_prefix'] ?? 'ComfyUI');
      const subfolder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      const base = prefix.slice(prefix.lastIndexOf('/') + 1);
      if (node.class_type === 'PreviewImage') {
        const name = `ComfyUI_temp_${nodeId}.png`;
        this.files.set(`temp//${name}`, { data: await solidPng(width, height, [255, 255, 255]), type: 'temp' });
        outputs[nodeId] = { images: [{ filename: name, subfolder: '', type: 'temp' }] };
      } else if (node.class_type === 'SaveImage') {
        const images = [];
        for (let i = 0; i < count; i += 1) {
          const filename = `${base}_${String(i + 1).padStart(5, '0')}_.png`;
          this.files.set(`output/${subfolder}/${filename}`, { data: await solidPng(width, height, await colourAt(i / (count - 1))), type: 'output' });
          images.push({ filename, subfolder, type: 'output' });
        }
        outputs[nodeId] = { images };
      } else if (node.class_type === 'SaveAnimatedWEBP') {
        const filename = `${base}_00001_.webp`;
        const frames = Buffer.concat(await Promise.all(Array.from({ length: count }, async (_, i) => solidRaw(width, height, i < count / 2 ? [220, 30, 30] : [30, 30, 220]))));
        const webp = await sharp(frames, { raw: { width, height: height * count, channels: 3, pageHeight: height } }).webp({ lossless: true }).toBuffer();
        this.files.set(`output/${subfolder}/${filename}`, { data: webp, type: 'output' });
        outputs[nodeId] = { images: [{ filename, subfolder, type: 'output' }], animated: [true] };
      } else {
        const filename = `${base}_00001.mp4`;
        this.files.set(`output/${subfolder}/${filename}`, { data: greenMp4(width, height, count, Number(node.inputs['frame_rate'])), type: 'output' });
        outputs[nodeId] = { gifs: [{ filename, subfolder, type: 'output', format: 'video/h264-mp4', frame_rate: node.inputs['frame_rate'] }] };
      }
    }
    messages.push(['execution_success', { prompt_id: id, timestamp: Date.now() }]);
    this.history.set(id, { prompt: [0, id, prompt, {}, Object.keys(outputs)], outputs, status: { status_str: 'success', completed: true, messages }, meta: {} });
  }
}

function solidRaw(width: number, height: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i += 1) data.set(rgb, i * 3);
  return data;
}
function solidPng(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp(solidRaw(width, height, rgb), { raw: { width, height, channels: 3 } }).png().toBuffer();
}
function greenMp4(width: number, height: number, frames: number, fps: number): Buffer {
  const folder = mkdtempSync(join(tmpdir(), 'fake-comfy-'));
  try {
    const path = join(folder, 'out.mp4');
    const run = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=c=0x28C83C:s=${width}x${height}:r=${fps}`, '-frames:v', String(frames), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', path]);
    if (run.status !== 0) throw new Error(run.stderr.toString());
    return readFileSync(path);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// ---- Workflows in ComfyUI API format, as "Export (API)" writes them, with placeholders. ----

const TT2V_WORKFLOW = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'wan2.1_t2v_1.3B.safetensors' } },
  '2': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['1', 1] } },
  '3': { class_type: 'CLIPTextEncode', inputs: { text: '{{negative_prompt}}', clip: ['1', 1] } },
  '4': { class_type: 'EmptyHunyuanLatentVideo', inputs: { width: '{{width}}', height: '{{height}}', length: '{{frames}}', batch_size: 1 } },
  '5': { class_type: 'KSampler', inputs: { seed: '{{seed}}', steps: 20, cfg: 6, sampler_name: 'uni_pc', model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
  '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
  '7': { class_type: 'VHS_VideoCombine', inputs: { images: ['6', 0], frame_rate: '{{fps}}', filename_prefix: 'cmvc/clip-{{seed}}', format: 'video/h264-mp4', save_output: true } },
};

const IT2V_WORKFLOW = {
  '1': TT2V_WORKFLOW['1'],
  '2': TT2V_WORKFLOW['2'],
  '3': TT2V_WORKFLOW['3'],
  '8': { class_type: 'LoadImage', inputs: { image: '{{first_image}}' } },
  '9': { class_type: 'LoadImage', inputs: { image: '{{last_image}}' } },
  '10': { class_type: 'WanFirstLastFrameToVideo', inputs: { width: '{{width}}', height: '{{height}}', length: '{{frames}}', batch_size: 1, positive: ['2', 0], negative: ['3', 0], vae: ['1', 2], start_image: ['8', 0], end_image: ['9', 0] } },
  '5': { class_type: 'KSampler', inputs: { seed: '{{seed}}', steps: 20, cfg: 6, model: ['1', 0], positive: ['10', 0], negative: ['10', 1], latent_image: ['10', 2] } },
  '6': TT2V_WORKFLOW['6'],
  '11': { class_type: 'PreviewImage', inputs: { images: ['6', 0] } },
  '12': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'cmvc/frames' } },
};

function solidFrame(width: number, height: number, rgb: [number, number, number]): RgbFrame {
  return { width, height, data: new Uint8Array(solidRaw(width, height, rgb)) };
}
function meanRgb(frame: RgbFrame): number[] {
  const sums = [0, 0, 0];
  for (let i = 0; i < frame.data.length; i += 1) sums[i % 3]! += frame.data[i]!;
  return sums.map((s) => s / (frame.width * frame.height));
}

const baseRequest: Omit<GenerationRequest, 'mode'> = {
  width: 48,
  height: 32,
  fps: 8,
  frameCount: 12,
  contentTexts: ['A green field under a clear sky', 'A green field with a red kite'],
  motionText: 'A kite rises slowly from the left',
};

let fake: FakeComfy;
let server: TestServer;
beforeAll(async () => {
  fake = new FakeComfy();
  server = await startServer(fake.handle);
});
afterAll(async () => {
  await server.close();
});

describe('ComfyUiGenerator', () => {
  it('TT2V: fills the template, queues it, polls history, decodes the video to the exact size and frame count', async () => {
    const generator = new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: TT2V_WORKFLOW, pollIntervalMs: 20 });
    expect(generator.modes).toEqual(['tt2v']);
    const progress: number[] = [];
    const request: GenerationRequest = { ...baseRequest, mode: 'tt2v' };
    const frames = await generator.generateClip(request, (f) => progress.push(f));

    expect(frames).toHaveLength(12);
    for (const frame of frames) {
      expect([frame.width, frame.height, frame.data.length]).toEqual([48, 32, 48 * 32 * 3]);
      const [r, g, b] = meanRgb(frame);
      expect(g).toBeGreaterThan(150);
      expect(r).toBeLessThan(90);
      expect(b).toBeLessThan(110);
    }
    const queued = fake.prompts.at(-1)!.body as { prompt: Record<string, { inputs: Record<string, unknown> }>; client_id: string };
    expect(typeof queued.client_id).toBe('string');
    expect(queued.prompt['2']!.inputs['text']).toBe(composePrompt(request));
    expect(queued.prompt['2']!.inputs['text']).toContain('A kite rises slowly from the left.');
    expect(typeof queued.prompt['3']!.inputs['text']).toBe('string');
    expect(queued.prompt['4']!.inputs).toMatchObject({ width: 48, height: 32, length: 12, batch_size: 1 });
    const seed = queued.prompt['5']!.inputs['seed'];
    expect(Number.isInteger(seed)).toBe(true);
    expect(queued.prompt['7']!.inputs['filename_prefix']).toBe(`cmvc/clip-${String(seed)}`);
    expect(queued.prompt['7']!.inputs['frame_rate']).toBe(8);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // The same request regenerates with the same seed.
    await generator.generateClip(request);
    expect((fake.prompts.at(-1)!.body as typeof queued).prompt['5']!.inputs['seed']).toBe(seed);
  });

  it('IT2V: uploads both keyframes, wires their names into LoadImage, and resamples the saved image sequence', async () => {
    const generator = new ComfyUiGenerator({ baseUrl: server.url, it2vWorkflow: IT2V_WORKFLOW, pollIntervalMs: 20, uploadSubfolder: 'cmvc' });
    const uploadsBefore = server.requests.filter((r) => r.path === '/upload/image').length;
    const frames = await generator.generateClip({ ...baseRequest, mode: 'it2v', frameCount: 7, keyframes: [solidFrame(40, 30, [230, 20, 20]), solidFrame(40, 30, [20, 20, 230])] });

    expect(server.requests.filter((r) => r.path === '/upload/image').length - uploadsBefore).toBe(2);
    const queued = fake.prompts.at(-1)!.body as { prompt: Record<string, { inputs: Record<string, unknown> }> };
    const first = queued.prompt['8']!.inputs['image'] as string;
    const last = queued.prompt['9']!.inputs['image'] as string;
    expect(first).toMatch(/^cmvc\/cmvc-.+-first\.png$/);
    expect(last).toMatch(/^cmvc\/cmvc-.+-last\.png$/);
    const uploaded = await sharp(fake.uploads.get(first)!).raw().toBuffer({ resolveWithObject: true });
    expect([uploaded.info.width, uploaded.info.height]).toEqual([40, 30]);
    expect([uploaded.data[0], uploaded.data[1], uploaded.data[2]]).toEqual([230, 20, 20]);

    expect(frames).toHaveLength(7);
    expect(frames.every((f) => f.width === 48 && f.height === 32)).toBe(true);
    const [r0, , b0] = meanRgb(frames[0]!);
    const [r6, , b6] = meanRgb(frames[6]!);
    expect(r0).toBeGreaterThan(200);
    expect(b0).toBeLessThan(40);
    expect(b6).toBeGreaterThan(200);
    expect(r6).toBeLessThan(40);
    // Frames in between move monotonically from red to blue.
    const reds = frames.map((f) => meanRgb(f)[0]!);
    expect(reds).toEqual([...reds].sort((a, b) => b - a));
    // The temp preview (white) was not taken for output.
    expect(frames.some((f) => meanRgb(f).every((c) => c > 240))).toBe(false);
  });

  it('decodes an animated WebP output (SaveAnimatedWEBP) page by page', async () => {
    const workflow = { ...TT2V_WORKFLOW, '7': { class_type: 'SaveAnimatedWEBP', inputs: { images: ['6', 0], fps: '{{fps}}', filename_prefix: 'anim' } } };
    const generator = new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: workflow, pollIntervalMs: 20 });
    const frames = await generator.generateClip({ ...baseRequest, mode: 'tt2v', frameCount: 4 });
    expect(frames).toHaveLength(4);
    expect(meanRgb(frames[0]!)[0]).toBeGreaterThan(200);
    expect(meanRgb(frames[3]!)[2]).toBeGreaterThan(200);
  });

  it('reports an execution error from history as BACKEND_REJECTED with the node and exception', async () => {
    const workflow = { ...TT2V_WORKFLOW, '5': { ...TT2V_WORKFLOW['5'], inputs: { ...TT2V_WORKFLOW['5'].inputs, steps: 500 } } };
    const generator = new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: workflow, pollIntervalMs: 20 });
    const error = await generator.generateClip({ ...baseRequest, mode: 'tt2v' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'BACKEND_REJECTED', message: expect.stringContaining('KSampler node 5: Allocation on device 0 would exceed allowed memory') });
  });

  it('reports /prompt validation errors (node_errors) as BACKEND_REJECTED', async () => {
    const workflow = { ...TT2V_WORKFLOW, '4': { class_type: 'EmptyHunyuanLatentVideo', inputs: { width: 'wide', height: '{{height}}', length: '{{frames}}', batch_size: 1 } } };
    const generator = new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: workflow, pollIntervalMs: 20 });
    await expect(generator.generateClip({ ...baseRequest, mode: 'tt2v' })).rejects.toMatchObject({
      code: 'BACKEND_REJECTED',
      status: 400,
      message: expect.stringMatching(/Prompt outputs failed validation.*node 4 \(EmptyHunyuanLatentVideo\): Failed to convert an input value to a INT value/),
    });
  });

  it('gives up with BACKEND_TIMEOUT when the prompt never finishes, and removes it from the queue', async () => {
    fake.neverFinish = true;
    try {
      const generator = new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: TT2V_WORKFLOW, pollIntervalMs: 20, generationTimeoutMs: 400 });
      const started = Date.now();
      await expect(generator.generateClip({ ...baseRequest, mode: 'tt2v' })).rejects.toMatchObject({ code: 'BACKEND_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(3000);
      await eventually(() => expect(fake.deleted).toContain(fake.prompts.at(-1)!.id));
    } finally {
      fake.neverFinish = false;
    }
  });

  it('stops when the caller aborts, rethrowing the abort reason, and removes the prompt from the queue', async () => {
    fake.neverFinish = true;
    try {
      const generator = new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: TT2V_WORKFLOW, pollIntervalMs: 20 });
      const controller = new AbortController();
      const reason = new Error('user cancelled');
      setTimeout(() => controller.abort(reason), 150);
      await expect(generator.generateClip({ ...baseRequest, mode: 'tt2v', signal: controller.signal })).rejects.toBe(reason);
      await eventually(() => expect(fake.deleted).toContain(fake.prompts.at(-1)!.id));
    } finally {
      fake.neverFinish = false;
    }
  });

  it('validates templates and requests up front', () => {
    expect(() => new ComfyUiGenerator({ baseUrl: server.url })).toThrow(/tt2vWorkflow and\/or it2vWorkflow/);
    expect(() => new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: { '1': { class_type: 'X', inputs: { a: '{{promt}}' } } } })).toThrow(/unknown placeholder \{\{promt\}\}/);
    expect(() => new ComfyUiGenerator({ baseUrl: server.url, it2vWorkflow: TT2V_WORKFLOW })).toThrow(/must contain \{\{first_image\}\}/);
    expect(() => new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: [1, 2] })).toThrow(BackendError);
  });

  it('refuses a mode it has no workflow for, and IT2V without keyframes', async () => {
    const generator = new ComfyUiGenerator({ baseUrl: server.url, it2vWorkflow: IT2V_WORKFLOW });
    await expect(generator.generateClip({ ...baseRequest, mode: 'tt2v' })).rejects.toMatchObject({ code: 'BACKEND_CONFIG' });
    await expect(generator.generateClip({ ...baseRequest, mode: 'it2v' })).rejects.toMatchObject({ code: 'BACKEND_CONFIG' });
  });

  it('is healthy via /system_stats', async () => {
    const health = await new ComfyUiGenerator({ baseUrl: server.url, tt2vWorkflow: TT2V_WORKFLOW }).health();
    expect(health.ok).toBe(true);
    expect(health.detail).toContain('ComfyUI 0.3.40');
    expect(health.detail).toContain('NVIDIA H100');
  });
});
