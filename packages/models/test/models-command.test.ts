import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { modelsCommand } from '../src/models-command.ts';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { io: { stdout, stderr, signal: new AbortController().signal } as never, output: () => out };
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('cmvc models', () => {
  it('lists the backend of every task as JSON', async () => {
    const { io: streams, output } = io();
    expect(await modelsCommand.run(['list', '--json'], streams)).toBe(0);
    const rows = JSON.parse(output()) as { task: string; backend: string }[];
    expect(rows.find((row) => row.task === 'text embeddings')?.backend).toBe('use-lite');
    expect(rows.find((row) => row.task === 'object detection')?.backend).toBe('centernet');
  });

  it('reports a remote backend that is down, with exit code 4, without hanging', async () => {
    process.env.CMVC_EMBEDDER = 'openai';
    process.env.CMVC_EMBEDDINGS_URL = 'http://127.0.0.1:9/v1';
    process.env.CMVC_EMBEDDINGS_MODEL = 'text-embedding-test';
    const { io: streams, output } = io();
    expect(await modelsCommand.run(['list', '--json'], streams)).toBe(4);
    const remote = (JSON.parse(output()) as { task: string; status: string }[]).find((row) => row.task === 'remote embedder');
    expect(remote?.status).toMatch(/^DOWN: /);
  });

  it('refuses unknown actions as a usage error', async () => {
    expect(await modelsCommand.run(['dance'], io().io)).toBe(2);
  });
});
