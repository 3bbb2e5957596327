import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiCaptioner, OpenAiEmbedder } from '../src/backends/index.ts';
import type { CameraMotion, ClipFrames, TimedFrame } from '../src/types.ts';
import { isObject, parseJsonBody, sendJson, startServer } from './backends-fixtures.ts';
import type { RecordedRequest, TestServer } from './backends-fixtures.ts';

// ---- A fake OpenAI-compatible server: validates requests as the real API does and answers in its format. ----

const VISION_MODEL = 'llava-test';
const EMBEDDING_MODELS: Record<string, { native: number; shortens: boolean }> = {
  'embed-512': { native: 512, shortens: false },
  'matryoshka-768': { native: 768, shortens: true },
  'plain-768': { native: 768, shortens: false },
};

function invalid(message: string, param: string | null = null): { error: Record<string, unknown> } {
  return { error: { message, type: 'invalid_request_error', param, code: null } };
}

/** Mean colour of a data-URL JPEG, named, so that the fake model's answer depends on the pixels it was sent. */
async function dominantColour(dataUrl: string): Promise<{ name: string; width: number; height: number }> {
  const image = sharp(Buffer.from(dataUrl.slice('data:image/jpeg;base64,'.length), 'base64'));
  const { channels, format, width, height } = { ...(await image.metadata()), ...(await image.stats()) };
  if (format !== 'jpeg') throw new Error('not a JPEG');
  const [r, g, b] = channels.map((c) => c.mean) as [number, number, number];
  const name = r > g && r > b ? 'red' : g > b ? 'green' : 'blue';
  return { name, width: width ?? 0, height: height ?? 0 };
}

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

function validateMessages(messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must be a non-empty array";
  for (const [i, message] of messages.entries()) {
    if (!isObject(message) || !['system', 'user', 'assistant'].includes(message['role'] as string)) return `Invalid 'messages[${i}].role'`;
    const content = message['content'];
    if (typeof content === 'string') continue;
    if (!Array.isArray(content)) return `Invalid type for 'messages[${i}].content'`;
    for (const [j, part] of content.entries()) {
      const ok =
        isObject(part) &&
        ((part['type'] === 'text' && typeof part['text'] === 'string') ||
          (part['type'] === 'image_url' && isObject(part['image_url']) && typeof part['image_url']['url'] === 'string' && /^data:image\/jpeg;base64,[A-Za-z0-9+/=]+$/.test(part['image_url']['url'])));
      if (!ok) return `Invalid value for 'messages[${i}].content[${j}]'`;
    }
  }
  return undefined;
}

function fakeEmbedding(text: string, size: number): number[] {
  return Array.from({ length: size }, (_, i) => {
    let v = 0;
    for (let c = 0; c < text.length; c += 1) v += ((text.charCodeAt(c) * (i + 7) * (c + 3)) % 23) - 11;
    return v / 10;
  });
}

async function openAiHandler(request: RecordedRequest, response: import('node:http').ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.path === '/v1/models') {
    sendJson(response, 200, { object: 'list', data: [VISION_MODEL, ...Object.keys(EMBEDDING_MODELS)].map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })) });
    return;
  }
  const body = parseJsonBody(request);
  if (request.method !== 'POST') return sendJson(response, 405, invalid('Method not allowed'));
  if (!isObject(body)) return sendJson(response, 400, invalid('We could not parse the JSON body of your request.'));
  if (typeof body['model'] !== 'string') return sendJson(response, 400, invalid('you must provide a model parameter', 'model'));

  if (request.path === '/v1/chat/completions') {
    if (body['model'] !== VISION_MODEL) return sendJson(response, 404, { error: { message: `The model \`${body['model']}\` does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
    const problem = validateMessages(body['messages']);
    if (problem) return sendJson(response, 400, invalid(problem, 'messages'));
    if (!Number.isInteger(body['max_tokens']) || (body['max_tokens'] as number) <= 0) return sendJson(response, 400, invalid("Invalid 'max_tokens'", 'max_tokens'));
    const temperature = body['temperature'];
    if (typeof temperature !== 'number' || temperature < 0 || temperature > 2) return sendJson(response, 400, invalid("Invalid 'temperature'", 'temperature'));
    const user = (body['messages'] as { role: string; content: ContentPart[] | string }[]).find((m) => m.role === 'user');
    const images = Array.isArray(user?.content) ? user.content.filter((p): p is Extract<ContentPart, { type: 'image_url' }> => p.type === 'image_url') : [];
    const colours = await Promise.all(images.map((p) => dominantColour(p.image_url.url)));
    const content =
      images.length === 1
        ? `  A ${colours[0]!.name} square on a plain background (${colours[0]!.width}x${colours[0]!.height}).\n`
        : `"The camera stays still while the scene turns from ${colours[0]?.name} to ${colours[colours.length - 1]?.name} over ${images.length} frames."`;
    return sendJson(response, 200, {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: VISION_MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  }

  if (request.path === '/v1/embeddings') {
    const model = EMBEDDING_MODELS[body['model'] as string];
    if (!model) return sendJson(response, 404, { error: { message: `The model \`${body['model']}\` does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
    const input = body['input'];
    if (!Array.isArray(input) || input.length === 0 || !input.every((s) => typeof s === 'string' && s.length > 0)) {
      return sendJson(response, 400, invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input'));
    }
    let size = model.native;
    if (body['dimensions'] !== undefined) {
      if (!model.shortens) return sendJson(response, 400, invalid('This model does not support specifying dimensions.', 'dimensions'));
      size = body['dimensions'] as number;
    }
    // Answer in reverse order: clients must place vectors by `index`.
    const data = (input as string[]).map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, size) })).reverse();
    return sendJson(response, 200, { object: 'list', data, model: body['model'], usage: { prompt_tokens: input.length, total_tokens: input.length } });
  }
  sendJson(response, 404, invalid(`Invalid URL (POST ${request.path})`));
}

function solidFrame(width: number, height: number, rgb: [number, number, number], index = 0, time = 0): TimedFrame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i += 1) data.set(rgb, i * 3);
  return { width, height, data, index, time };
}

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

let server: TestServer;
beforeAll(async () => {
  server = await startServer(openAiHandler);
});
afterAll(async () => {
  await server.close();
});

describe('OpenAiCaptioner over /chat/completions', () => {
  it('sends the keyframe as a JPEG data URL with system and user prompts, and returns the tidied answer', async () => {
    const captioner = new OpenAiCaptioner({ baseUrl: `${server.url}/v1`, model: VISION_MODEL, apiKey: 'sk-test', maxImageSide: 64 });
    const before = server.requests.length;
    const description = await captioner.describeKeyframe(solidFrame(128, 96, [230, 20, 20]));
    expect(description.text).toBe('A red square on a plain background (64x48).');
    const sent = server.requests[before]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers['authorization']).toBe('Bearer sk-test');
    const body = parseJsonBody(sent) as { messages: { role: string; content: unknown }[]; model: string; max_tokens: number; temperature: number };
    expect(body.model).toBe(VISION_MODEL);
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(body.max_tokens).toBeGreaterThan(0);
    expect((body.messages[1]!.content as ContentPart[]).map((p) => p.type)).toEqual(['text', 'image_url']);
  });

  it('sends several frames of a clip in one motion request and uses the injected camera estimator', async () => {
    const measured: CameraMotion = { kind: 'pan', dx: 0.12, dy: 0, zoom: 1 };
    let estimatorSaw = 0;
    const captioner = new OpenAiCaptioner({
      baseUrl: `${server.url}/v1`,
      model: VISION_MODEL,
      motionFrames: 3,
      estimateCamera: (clip: ClipFrames) => {
        estimatorSaw = clip.frames.length;
        return measured;
      },
    });
    const colours: [number, number, number][] = [[220, 10, 10], [220, 10, 10], [10, 200, 10], [10, 200, 10], [10, 10, 220]];
    const clip: ClipFrames = { fps: 2, frames: colours.map((rgb, i) => solidFrame(32, 24, rgb, i * 12, i / 2)) };
    const before = server.requests.length;
    const motion = await captioner.describeMotion(clip);
    expect(server.requests.length - before).toBe(1);
    // Three evenly spread frames: 0 (red), 2 (green), 4 (blue); first and last name the answer.
    expect(motion.text).toBe('The camera stays still while the scene turns from red to blue over 3 frames.');
    expect(motion.camera).toEqual(measured);
    expect(estimatorSaw).toBe(5);
    const body = parseJsonBody(server.requests[before]!) as { messages: { content: ContentPart[] }[] };
    const prompt = body.messages[1]!.content[0] as { text: string };
    expect(prompt.text).toContain('3 frames');
    expect(prompt.text).toContain('2.0-second');
  });

  it('reports a static camera when no estimator is configured', async () => {
    const captioner = new OpenAiCaptioner({ baseUrl: `${server.url}/v1`, model: VISION_MODEL });
    const clip: ClipFrames = { fps: 1, frames: [solidFrame(16, 16, [200, 0, 0]), solidFrame(16, 16, [0, 0, 200], 1, 1)] };
    expect((await captioner.describeMotion(clip)).camera).toEqual({ kind: 'static', dx: 0, dy: 0, zoom: 1 });
  });

  it('surfaces the server error message for a rejected request without retrying', async () => {
    const captioner = new OpenAiCaptioner({ baseUrl: `${server.url}/v1`, model: 'no-such-model', retryBaseDelayMs: 1 });
    const before = server.requests.length;
    await expect(captioner.describeKeyframe(solidFrame(8, 8, [1, 2, 3]))).rejects.toMatchObject({
      code: 'BACKEND_REJECTED',
      status: 404,
      message: expect.stringContaining('The model `no-such-model` does not exist'),
    });
    expect(server.requests.length - before).toBe(1);
  });

  it('rejects malformed frames before sending anything', async () => {
    const captioner = new OpenAiCaptioner({ baseUrl: `${server.url}/v1`, model: VISION_MODEL });
    await expect(captioner.describeKeyframe({ width: 4, height: 4, data: new Uint8Array(5), index: 0, time: 0 })).rejects.toMatchObject({ code: 'BACKEND_CONFIG' });
  });

  it('is healthy when /models lists the model, unhealthy when it does not', async () => {
    const healthy = await new OpenAiCaptioner({ baseUrl: `${server.url}/v1`, model: VISION_MODEL }).health();
    expect(healthy.ok).toBe(true);
    expect(healthy.latencyMs).toBeGreaterThanOrEqual(0);
    const missing = await new OpenAiCaptioner({ baseUrl: `${server.url}/v1`, model: 'absent' }).health();
    expect(missing).toMatchObject({ ok: false, detail: expect.stringContaining('does not serve model absent') });
  });
});

describe('OpenAiEmbedder over /embeddings', () => {
  it('batches, orders by index, L2-normalises and checks the dimension', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'embed-512', maxBatchSize: 2 });
    const texts = ['a red car', 'a dog runs', 'sunset over the sea', 'text on a sign', 'two people talk'];
    const before = server.requests.length;
    const vectors = await embedder.embed(texts);
    const batches = server.requests.slice(before).map((r) => (parseJsonBody(r) as { input: string[] }).input);
    expect(batches).toEqual([texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)]);
    expect(vectors).toHaveLength(5);
    for (const v of vectors) {
      expect(v).toHaveLength(512);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    const [single] = await embedder.embed(['sunset over the sea']);
    expect(Array.from(vectors[2]!)).toEqual(Array.from(single!));
    expect(Array.from(vectors[0]!)).not.toEqual(Array.from(vectors[1]!));
    expect(await embedder.embed([])).toEqual([]);
  });

  it('sends `dimensions` when asked and accepts the shortened vectors', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'matryoshka-768', dimensions: 512, requestDimensions: true });
    const before = server.requests.length;
    const [v] = await embedder.embed(['hello']);
    expect(v).toHaveLength(512);
    expect((parseJsonBody(server.requests[before]!) as { dimensions: number }).dimensions).toBe(512);
  });

  it('refuses vectors of another size with a clear error', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'plain-768' });
    await expect(embedder.embed(['hello'])).rejects.toMatchObject({
      code: 'BACKEND_BAD_RESPONSE',
      message: expect.stringContaining('returned 768-dimensional vectors but 512 are configured'),
    });
    const asking = new OpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'plain-768', requestDimensions: true });
    await expect(asking.embed(['hello'])).rejects.toMatchObject({ code: 'BACKEND_REJECTED', message: expect.stringContaining('does not support specifying dimensions') });
  });

  it('passes the API error through for invalid input', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'embed-512' });
    await expect(embedder.embed(['ok', ''])).rejects.toMatchObject({ code: 'BACKEND_REJECTED', status: 400, message: expect.stringContaining("'$.input' is invalid") });
  });
});
