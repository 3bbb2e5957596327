/**
 * scripts/services.sh: settings, and a real start/stop cycle of private PostgreSQL and Redis
 * instances in a throw-away data directory on free ports (system instances are left alone).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../support/stack.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVICES = resolve(import.meta.dirname, '../../scripts/services.sh');
const run = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function services(command: string, env: Record<string, string | undefined>): Promise<Outcome> {
  const baseEnv = { ...process.env };
  for (const name of ['CMVC_DATA_DIR', 'CMVC_PG_PORT', 'CMVC_REDIS_PORT']) delete baseEnv[name];
  try {
    const { stdout, stderr } = await run(SERVICES, [command], { env: { ...baseEnv, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}


/** Parses `export NAME=value` lines. */
function parseExports(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => /^export ([A-Z_]+)=(.*)$/.exec(line))
      .map((match) => {
        if (!match) throw new Error(`not an export line in: ${stdout}`);
        return [match[1]!, match[2]!];
      }),
  );
}

describe('services.sh settings', () => {
  it('prints the default connection URLs', async () => {
    const outcome = await services('env', {});
    expect(outcome.code).toBe(0);
    expect(parseExports(outcome.stdout)).toEqual({
      DATABASE_URL: 'postgresql://cmvc:cmvc@127.0.0.1:54329/cmvc',
      REDIS_URL: 'redis://127.0.0.1:63799',
    });
  });

  it('prints URLs for overridden ports', async () => {
    const pgPort = 20_000 + Math.floor(Math.random() * 20_000);
    const outcome = await services('env', { CMVC_PG_PORT: String(pgPort), CMVC_REDIS_PORT: String(pgPort + 1) });
    expect(parseExports(outcome.stdout)).toEqual({
      DATABASE_URL: `postgresql://cmvc:cmvc@127.0.0.1:${pgPort}/cmvc`,
      REDIS_URL: `redis://127.0.0.1:${pgPort + 1}`,
    });
  });

  it.each([
    ['CMVC_PG_PORT', 'abc'],
    ['CMVC_REDIS_PORT', '70000'],
    ['CMVC_PG_PORT', '80'],
  ])('rejects %s=%s with a message naming the setting', async (name, value) => {
    const outcome = await services('env', { [name]: value });
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain(name);
  });

  it('rejects an unknown command with usage', async () => {
    const outcome = await services('restart-everything', {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/usage: .*start\|stop\|status\|env/);
  });
});

describe('services.sh lifecycle', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cmvc-services-'));
    // When tests run as root, PostgreSQL runs as the postgres user and must reach the directory.
    await chmod(dataDir, 0o755);
    const pgPort = await freePort();
    let redisPort = await freePort();
    while (redisPort === pgPort) redisPort = await freePort();
    env = { CMVC_DATA_DIR: dataDir, CMVC_PG_PORT: String(pgPort), CMVC_REDIS_PORT: String(redisPort) };
  });

  afterAll(async () => {
    if (!dataDir) return;
    await services('stop', env);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports both services stopped before the first start', async () => {
    const outcome = await services('status', env);
    expect(outcome.code).toBe(3);
    expect(outcome.stdout).toMatch(/^postgres: stopped/m);
    expect(outcome.stdout).toMatch(/^redis: stopped/m);
  });

  it('starts both, idempotently, with the cmvc role and database and a persistent Redis', async () => {
    const first = await services('start', env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain('creating role cmvc');

    const second = await services('start', env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('already running');
    expect(second.stderr).not.toContain('creating');

    const status = await services('status', env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^postgres: running on 127\.0\.0\.1:/m);

    const { DATABASE_URL: databaseUrl } = parseExports((await services('env', env)).stdout);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ rolsuper: boolean; rolcreatedb: boolean; db: string }>(
        `SELECT rolsuper, rolcreatedb, current_database() AS db FROM pg_roles WHERE rolname = current_user`,
      );
      expect(rows).toEqual([{ rolsuper: true, rolcreatedb: true, db: 'cmvc' }]);
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    } finally {
      await client.end();
    }

    const appendonly = await run('redis-cli', ['-h', '127.0.0.1', '-p', env.CMVC_REDIS_PORT!, 'config', 'get', 'appendonly']);
    expect(appendonly.stdout.split('\n')[1]).toBe('yes');
  });

  it('stops both, idempotently', async () => {
    const first = await services('stop', env);
    expect(first.code, first.stderr).toBe(0);
    const second = await services('stop', env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('postgres not running');
    expect(second.stderr).toContain('redis not running');
    const status = await services('status', env);
    expect(status.code).toBe(3);
  });
});
