import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENVIRONMENT_VARIABLES, loadConfig, loadScriptConfig, loadToolConfig } from '../src/index.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** Variables documented in README that packages/config does not parse, and the file that reads each. */
const OUTSIDE_CONFIG: Record<string, { file: string; pattern: RegExp }> = {
  NODE_ENV: { file: 'scripts/apps.sh', pattern: /NODE_ENV/ },
  WEB_PORT: { file: 'scripts/apps.sh', pattern: /WEB_PORT/ },
  API_URL: { file: 'apps/web/lib/proxy.ts', pattern: /process\.env\.API_URL/ },
  MALLOC_ARENA_MAX: { file: 'scripts/worker-env.sh', pattern: /export MALLOC_ARENA_MAX=/ },
  WORKER_MALLOC: { file: 'scripts/worker-env.sh', pattern: /WORKER_MALLOC:-jemalloc/ },
};

/** The backticked names in the first column of README's settings tables ("Configuration" up to "Access control"). */
function documentedVariables(): Set<string> {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('### Access control'));
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const firstCell = /^\| ([^|]+) \|/.exec(line)?.[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]!);
  }
  return names;
}

const minimal = { DATABASE_URL: 'postgresql://cmvc@127.0.0.1:5432/cmvc' };

describe('configuration', () => {
  it('documents exactly the variables it parses, plus the few read elsewhere', () => {
    const documented = documentedVariables();
    const known = new Set([...ENVIRONMENT_VARIABLES, ...Object.keys(OUTSIDE_CONFIG)]);
    expect([...documented].filter((name) => !known.has(name)).sort()).toEqual([]);
    expect([...known].filter((name) => !documented.has(name)).sort()).toEqual([]);
    for (const [name, { file, pattern }] of Object.entries(OUTSIDE_CONFIG)) expect(read(file), `${name} in ${file}`).toMatch(pattern);
  });

  it('sets in docker-compose.yml only variables something reads', () => {
    const compose = read('docker-compose.yml');
    const known = new Set([...ENVIRONMENT_VARIABLES, ...Object.keys(OUTSIDE_CONFIG), 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']);
    const set = [...compose.matchAll(/^ {2,}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]!);
    expect(set.length).toBeGreaterThan(5);
    expect(set.filter((name) => !known.has(name))).toEqual([]);
  });

  it('hands the configured ffmpeg and ffprobe on, to the server and the CLIs alike', () => {
    const env = { ...minimal, FFMPEG_PATH: '/opt/ffmpeg/bin/ffmpeg', FFPROBE_PATH: '/opt/ffmpeg/bin/ffprobe' };
    expect(loadConfig(env).ffmpeg).toEqual({ ffmpegPath: '/opt/ffmpeg/bin/ffmpeg', ffprobePath: '/opt/ffmpeg/bin/ffprobe' });
    expect(loadToolConfig(env).ffmpeg).toEqual(loadConfig(env).ffmpeg);
    expect(loadToolConfig({}).ffmpeg).toEqual({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' });
  });

  it('reads the model settings: defaults, choices and endpoints', () => {
    expect(loadToolConfig({}).models).toEqual({
      features: 'mobilenet-v2',
      detector: 'centernet',
      detectionScoreThreshold: 0.35,
      superResolution: { size: 'slim', scale: 2 },
      ocr: true,
      people: true,
      describer: 'builtin',
      embedder: 'use-lite',
    });
    const models = loadToolConfig({
      CMVC_DETECTOR: 'nanodet',
      CMVC_ESRGAN_SCALE: '4',
      CMVC_OCR: 'off',
      CMVC_DESCRIBER: 'openai',
      CMVC_CAPTIONER_URL: 'http://127.0.0.1:11434/v1',
      CMVC_CAPTIONER_MODEL: 'llava',
      COMFYUI_URL: 'http://127.0.0.1:8188',
      COMFYUI_TT2V_WORKFLOW: 'tt2v.json',
    }).models;
    expect(models).toMatchObject({ detector: 'nanodet', superResolution: { scale: 4 }, ocr: false, describer: 'openai' });
    expect(models.captioner).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llava' });
    expect(models.comfyui).toEqual({ baseUrl: 'http://127.0.0.1:8188', tt2vWorkflow: 'tt2v.json' });
  });

  it('refuses unknown names and incomplete backend settings with ConfigError', () => {
    for (const env of [
      { CMVC_DETECTOR: 'yolo' },
      { CMVC_DETECTION_THRESHOLD: '2' },
      { CMVC_FEATURES: 'clip' },
      { CMVC_DESCRIBER: 'openai' },
      { CMVC_EMBEDDER: 'openai', CMVC_EMBEDDINGS_URL: 'http://127.0.0.1:9' },
      { CMVC_DEBUG: 'maybe' },
    ]) {
      expect(() => loadToolConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
    expect(() => loadConfig({ ...minimal, TT2V_GENERATOR: 'comfyui' })).toThrow(/COMFYUI_URL/);
    expect(() => loadConfig({})).toThrow(/DATABASE_URL/);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ ...minimal, CMVC_FEATURES: '', WORKER_NAME: '', API_PORT: '', VMAF_MODEL_PATH: '' });
    expect(config.models.features).toBe('mobilenet-v2');
    expect(config.worker.name).toContain(':');
    expect(config.api.port).toBe(4000);
    expect(config.vmaf).toEqual({});
  });

  it('gives a script the private services only when DATABASE_URL is unset, under the variables set', () => {
    const privateServices = { DATABASE_URL: 'postgresql://private@127.0.0.1:54320/cmvc', REDIS_URL: 'redis://127.0.0.1:63790' };
    let asked = 0;
    const ask = () => {
      asked += 1;
      return privateServices;
    };
    expect(loadScriptConfig(ask, minimal).databaseUrl).toBe(minimal.DATABASE_URL);
    expect(asked).toBe(0);
    const config = loadScriptConfig(ask, { DATABASE_URL: '', REDIS_URL: 'redis://127.0.0.1:6400' });
    expect(asked).toBe(1);
    expect(config.databaseUrl).toBe(privateServices.DATABASE_URL);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6400');
  });
});
