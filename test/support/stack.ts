/**
 * Starts the real archive for integration tests: the API, worker and (optionally) web processes,
 * against the PostgreSQL and Redis that scripts/test.sh started (DATABASE_URL, REDIS_URL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface Stack {
  readonly apiUrl: string;
  readonly webUrl: string | null;
  readonly ingestRoot: string;
  readonly blobDir: string;
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResponse<T>>;
  startWorker(extraEnv?: Record<string, string>): ChildProcess;
  /** Stops the API (SIGTERM) and starts it again on the same port. */
  restartApi(): Promise<void>;
  /** Throws with the process's output if any app process exited unexpectedly. */
  assertAlive(): void;
  /** Sends SIGTERM to every process and waits (SIGKILL after 10 s); says how each one ended. */
  stop(): Promise<ProcessExit[]>;
}

export interface GraphqlResponse<T> {
  readonly data?: T;
  readonly errors?: { message: string; extensions?: { code?: string } }[];
}

export function requireServices(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('Run integration tests through `npm test` (DATABASE_URL and REDIS_URL are unset)');
  return { databaseUrl, redisUrl };
}

/** Every file below `directory` (none when it does not exist), as paths. */
export async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Empties the database and the Redis database so each test file starts from nothing. */
export async function resetState(): Promise<void> {
  const { databaseUrl, redisUrl } = requireServices();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('TRUNCATE "Video", "ApiToken", "Session", "User" CASCADE');
  await client.end();
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  redis.disconnect();
}

export async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: requireServices().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function waitFor(url: string, child: ChildProcess, name: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${name} did not come up at ${url}:\n${log()}`);
}

function launch(name: string, command: string[], env: Record<string, string>): { child: ChildProcess; log: () => string } {
  let output = '';
  const child = spawn(command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (process.env.CMVC_TEST_VERBOSE) process.stderr.write(`[${name}] ${chunk}`);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  return { child, log: () => output };
}

export async function startStack(options: { web?: boolean; env?: Record<string, string> } = {}): Promise<Stack> {
  const { databaseUrl, redisUrl } = requireServices();
  await resetState();
  const workDir = await mkdtemp(join(tmpdir(), 'cmvc-stack-'));
  const ingestRoot = join(workDir, 'ingest');
  const blobDir = join(workDir, 'blobs');
  await mkdir(ingestRoot, { recursive: true });
  const apiPort = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    CMVC_DATA_DIR: workDir,
    BLOB_DIR: blobDir,
    INGEST_ROOTS: ingestRoot,
    API_PORT: String(apiPort),
    ENCODE_KEYFRAME_SECONDS: '1',
    // Access control has its own test (auth.test.ts); elsewhere every caller may do everything.
    AUTH: 'off',
    ...options.env,
  };
  const children: ChildProcess[] = [];
  const logs = new Map<ChildProcess, { name: string; log: () => string }>();
  const expectedExits = new Set<ChildProcess>();
  const tsx = [process.execPath, '--import', 'tsx'];

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  let api: ReturnType<typeof launch>;
  const startApi = async () => {
    api = launch('api', [...tsx, 'apps/api/src/main.ts'], env);
    children.push(api.child);
    logs.set(api.child, { name: 'api', log: api.log });
    await waitFor(`${apiUrl}/healthz`, api.child, 'api', api.log);
  };
  await startApi();

  let webUrl: string | null = null;
  if (options.web) {
    const webPort = await freePort();
    const web = launch('web', [process.execPath, 'node_modules/next/dist/bin/next', 'start', 'apps/web', '-H', '127.0.0.1', '-p', String(webPort)], {
      ...env,
      API_URL: apiUrl,
      NEXT_TELEMETRY_DISABLED: '1',
    });
    children.push(web.child);
    logs.set(web.child, { name: 'web', log: web.log });
    webUrl = `http://127.0.0.1:${webPort}`;
    await waitFor(webUrl, web.child, 'web', web.log);
  }

  const stack: Stack = {
    apiUrl,
    webUrl,
    ingestRoot,
    blobDir,
    async graphql<T>(queryText: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: queryText, variables }),
      });
      return (await response.json()) as GraphqlResponse<T>;
    },
    startWorker(extraEnv = {}) {
      // As scripts/apps.sh and docker-compose.yml start it: with the worker's process environment (allocator).
      const worker = launch('worker', ['bash', 'scripts/worker-env.sh', ...tsx, 'workers/src/main.ts'], { ...env, ...extraEnv });
      children.push(worker.child);
      logs.set(worker.child, { name: 'worker', log: worker.log });
      return worker.child;
    },
    async restartApi() {
      const old = api.child;
      expectedExits.add(old);
      await new Promise<void>((done) => {
        old.once('exit', () => done());
        old.kill('SIGTERM');
      });
      await startApi();
    },
    assertAlive() {
      for (const [child, { name, log }] of logs) {
        if (child.exitCode !== null && child.signalCode === null && !expectedExits.has(child)) {
          throw new Error(`${name} exited with code ${child.exitCode}:\n${log()}`);
        }
      }
    },
    async stop() {
      for (const child of children) expectedExits.add(child);
      for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
      const exits = await Promise.all(
        children.map(
          (child) =>
            new Promise<ProcessExit>((done) => {
              const name = logs.get(child)!.name;
              let killed = false;
              const ended = () => done({ name, code: child.exitCode, signal: child.signalCode, killed });
              if (child.exitCode !== null || child.signalCode !== null) return ended();
              const timer = setTimeout(() => {
                killed = true;
                child.kill('SIGKILL');
              }, 10_000);
              child.once('exit', () => {
                clearTimeout(timer);
                ended();
              });
            }),
        ),
      );
      await rm(workDir, { recursive: true, force: true });
      return exits;
    },
  };
  return stack;
}

export interface ProcessExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the process ignored SIGTERM for 10 s and was killed. */
  readonly killed: boolean;
}

/** Waits until a video leaves QUEUED/ENCODING, and returns its final state. */
export async function waitForVideo(
  stack: Stack,
  id: string,
  timeoutMs = 240_000,
): Promise<{ status: string; error: string | null }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    stack.assertAlive();
    const response = await stack.graphql<{ video: { status: string; error: string | null } | null }>(
      'query($id: ID!) { video(id: $id) { status error } }',
      { id },
    );
    const video = response.data?.video;
    if (video && (video.status === 'READY' || video.status === 'FAILED')) return video;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`video ${id} did not finish encoding in ${timeoutMs} ms`);
}
