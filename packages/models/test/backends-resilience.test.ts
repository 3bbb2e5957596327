import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, ComfyUiGenerator, OpenAiCaptioner, OpenAiEmbedder, describeBackends } from '../src/backends/index.ts';
import type { BackendHealth, HttpBackendOptions } from '../src/backends/index.ts';
import { closedPortUrl, sendJson, startServer, startSilentServer } from './backends-fixtures.ts';
import type { RecordedRequest, TestServer } from './backends-fixtures.ts';

/** Minimal correct answers for each API, so a request that gets through succeeds. */
async function answer(request: RecordedRequest, response: ServerResponse): Promise<void> {
  switch (request.path) {
    case '/v1/models':
      return sendJson(response, 200, { object: 'list', data: [{ id: 'm', object: 'model', created: 0, owned_by: 'x' }] });
    case '/v1/chat/completions':
      return sendJson(response, 200, { id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'A grey square.' }, finish_reason: 'stop' }] });
    case '/v1/embeddings':
      return sendJson(response, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: Array.from({ length: 512 }, (_, i) => i % 5) }], model: 'm' });
    case '/prompt':
      return sendJson(response, 200, { prompt_id: 'p1', number: 0, node_errors: {} });
    case '/history/p1':
      return sendJson(response, 200, { p1: { prompt: [], outputs: { '9': { images: [{ filename: 'f.png', subfolder: '', type: 'output' }] } }, status: { status_str: 'success', completed: true, messages: [] } } });
    case '/view': {
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer();
      response.writeHead(200, { 'content-type': 'image/png' }).end(png);
      return;
    }
    case '/system_stats':
      return sendJson(response, 200, { system: { comfyui_version: '0.3.40' }, devices: [] });
    default:
      response.writeHead(404).end();
  }
}

const WORKFLOW = { '1': { class_type: 'SaveImage', inputs: { filename_prefix: 'x', text: '{{prompt}}' } } };
const GREY = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(128), index: 0, time: 0 };

interface Adapter {
  readonly name: string;
  /** Path of the first request the call makes. */
  readonly path: string;
  call(options: HttpBackendOptions): Promise<unknown>;
  health(options: HttpBackendOptions): Promise<BackendHealth>;
}

const ADAPTERS: Adapter[] = [
  {
    name: 'captioner',
    path: '/v1/chat/completions',
    call: (o) => new OpenAiCaptioner({ ...o, baseUrl: `${o.baseUrl}/v1`, model: 'm' }).describeKeyframe(GREY),
    health: (o) => new OpenAiCaptioner({ ...o, baseUrl: `${o.baseUrl}/v1`, model: 'm' }).health(),
  },
  {
    name: 'embedder',
    path: '/v1/embeddings',
    call: (o) => new OpenAiEmbedder({ ...o, baseUrl: `${o.baseUrl}/v1`, model: 'm' }).embed(['hello']),
    health: (o) => new OpenAiEmbedder({ ...o, baseUrl: `${o.baseUrl}/v1`, model: 'm' }).health(),
  },
  {
    name: 'comfyui',
    path: '/prompt',
    call: (o) =>
      new ComfyUiGenerator({ ...o, tt2vWorkflow: WORKFLOW, pollIntervalMs: 10 }).generateClip({
        mode: 'tt2v',
        width: 8,
        height: 8,
        fps: 4,
        frameCount: 2,
        contentTexts: ['a', 'b'],
        motionText: 'c',
      }),
    health: (o) => new ComfyUiGenerator({ ...o, tt2vWorkflow: WORKFLOW }).health(),
  },
];

let down: string;
let silent: TestServer;
beforeAll(async () => {
  down = await closedPortUrl();
  silent = await startSilentServer();
});
afterAll(async () => {
  await silent.close();
});

describe.each(ADAPTERS)('$name over HTTP', (adapter) => {
  it('retries a 503 and succeeds on the next attempt', async () => {
    let failures = 1;
    const server = await startServer((request, response) => {
      if (request.path === adapter.path && failures-- > 0) return sendJson(response, 503, { error: { message: 'loading model' } });
      return answer(request, response);
    });
    try {
      await expect(adapter.call({ baseUrl: server.url, retryBaseDelayMs: 5 })).resolves.toBeDefined();
      expect(server.requests.filter((r) => r.path === adapter.path)).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('honours Retry-After on 429', async () => {
    let failures = 1;
    const server = await startServer((request, response) => {
      if (request.path === adapter.path && failures-- > 0) return sendJson(response, 429, { error: { message: 'slow down' } }, { 'retry-after': '0.2' });
      return answer(request, response);
    });
    try {
      const started = Date.now();
      await adapter.call({ baseUrl: server.url, retryBaseDelayMs: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      await server.close();
    }
  });

  it('stops after the configured retries with BACKEND_UNAVAILABLE', async () => {
    const server = await startServer((request, response) => sendJson(response, 502, { error: { message: 'bad gateway' } }));
    try {
      await expect(adapter.call({ baseUrl: server.url, maxRetries: 2, retryBaseDelayMs: 5 })).rejects.toMatchObject({
        code: 'BACKEND_UNAVAILABLE',
        status: 502,
        message: expect.stringContaining('after 3 attempts'),
      });
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('reports a closed port as BACKEND_UNAVAILABLE and unhealthy', async () => {
    const error = await adapter.call({ baseUrl: down, maxRetries: 1, retryBaseDelayMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });
    const health = await adapter.health({ baseUrl: down });
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('ECONNREFUSED');
  });

  it('times out quickly against a server that never answers, without retrying', async () => {
    const before = silent.requests.length;
    const started = Date.now();
    await expect(adapter.call({ baseUrl: silent.url, timeoutMs: 250, retryBaseDelayMs: 5 })).rejects.toMatchObject({ code: 'BACKEND_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(silent.requests.length - before).toBe(1);
    const healthStarted = Date.now();
    const health = await adapter.health({ baseUrl: silent.url, healthTimeoutMs: 250 });
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('no answer within 250 ms');
    expect(Date.now() - healthStarted).toBeLessThan(2000);
  });

  it('sends the API key in the configured header', async () => {
    const server = await startServer(answer);
    try {
      await adapter.call({ baseUrl: server.url, apiKey: 'k-123', apiKeyHeader: 'X-Api-Key' });
      expect(server.requests.every((r) => r.headers['x-api-key'] === 'k-123')).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('describeBackends', () => {
  it('lists every configured backend with its health, promptly, even when some are down or misconfigured', async () => {
    const healthy = await startServer(answer);
    try {
      const started = Date.now();
      const statuses = await describeBackends({
        captioner: { baseUrl: `${down}/v1`, model: 'm' },
        embedder: { baseUrl: `${healthy.url}/v1`, model: 'm' },
        clip: { directory: '/nonexistent/clip-model' },
        generator: { baseUrl: silent.url, tt2vWorkflow: WORKFLOW, healthTimeoutMs: 300 },
      });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(statuses.map((s) => [s.role, s.health.ok])).toEqual([
        ['captioner', false],
        ['embedder', true],
        ['clip', false],
        ['generator', false],
      ]);
      expect(statuses[1]).toMatchObject({ id: 'openai-embeddings:m@512', target: `${healthy.url}/v1` });
      expect(statuses[2]!.health.detail).toContain('/nonexistent/clip-model');
      const invalid = await describeBackends({ generator: { baseUrl: healthy.url } });
      expect(invalid[0]).toMatchObject({ role: 'generator', health: { ok: false, detail: expect.stringContaining('tt2vWorkflow') } });
    } finally {
      await healthy.close();
    }
  });
});
