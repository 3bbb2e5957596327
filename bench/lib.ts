/**
 * Shared helpers for the archive benchmarks: statistics, table printing, machine information,
 * command-line flags, and private PostgreSQL/Redis services in a throw-away data directory.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '..');

export class BenchError extends Error {
  constructor(
    readonly code: 'INVALID_FLAG' | 'SERVICES_FAILED' | 'BENCH_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'BenchError';
  }
}

// ---------------------------------------------------------------- statistics

/** Nearest-rank percentile of `values` (0 < p ≤ 100); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** The middle value, or the mean of the two middle values; NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  return {
    count: latenciesMs.length,
    p50: percentile(latenciesMs, 50),
    p95: percentile(latenciesMs, 95),
    p99: percentile(latenciesMs, 99),
    max: latenciesMs.length === 0 ? Number.NaN : Math.max(...latenciesMs),
    mean: mean(latenciesMs),
  };
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function elapsedMs(start: number): number {
  return performance.now() - start;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: elapsedMs(start) };
}

// ---------------------------------------------------------------- formatting

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A Markdown table (also readable in a terminal); every row must have one cell per header. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

// ---------------------------------------------------------------- machine

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memory: string;
  readonly os: string;
  readonly node: string;
  readonly postgres?: string;
  readonly pgvector?: string;
}

export async function machineInfo(databaseUrl?: string): Promise<MachineInfo> {
  const processors = cpus();
  const base = {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memory: `${formatBytes(totalmem())} total, ${formatBytes(freemem())} free at start`,
    os: `${osType()} ${release()}`,
    node: process.version,
  };
  if (!databaseUrl) return base;
  return withClient(databaseUrl, async (client) => {
    const versions = await client.query<{ postgres: string; pgvector: string | null }>(
      `SELECT current_setting('server_version') AS postgres,
              (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector`,
    );
    const row = versions.rows[0]!;
    return { ...base, postgres: row.postgres, pgvector: row.pgvector ?? 'not installed' };
  });
}

export function machineTable(info: MachineInfo): string {
  const rows: [string, string][] = [
    ['date (UTC)', new Date().toISOString().slice(0, 16).replace('T', ' ')],
    ['CPU', `${info.cpuModel} × ${info.cores} cores`],
    ['memory', info.memory],
    ['OS', info.os],
    ['Node.js', info.node],
  ];
  if (info.postgres) rows.push(['PostgreSQL', info.postgres]);
  if (info.pgvector) rows.push(['pgvector', info.pgvector]);
  return markdownTable(['machine', ''], rows);
}

// ---------------------------------------------------------------- flags

/** Reads `--name value` or `--name=value` from argv; undefined when absent. */
export function flag(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === `--${name}`) {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) throw new BenchError('INVALID_FLAG', `--${name} needs a value`);
      return value;
    }
    if (argument.startsWith(`--${name}=`)) return argument.slice(name.length + 3);
  }
  return undefined;
}

export function booleanFlag(name: string, argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes(`--${name}`);
}

export function integerFlag(name: string, fallback: number, min: number, max: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchError('INVALID_FLAG', `--${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

export function integerListFlag(name: string, fallback: readonly number[], min: number, max: number): number[] {
  const raw = flag(name);
  if (raw === undefined) return [...fallback];
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < min || value > max)) {
    throw new BenchError('INVALID_FLAG', `--${name} must be a comma-separated list of integers between ${min} and ${max}, got '${raw}'`);
  }
  return values;
}

// ---------------------------------------------------------------- services

const interruptCleanups: (() => Promise<unknown>)[] = [];

/**
 * Runs `cleanup` (latest registered first) when the benchmark is interrupted, so that an
 * interrupted run leaves no PostgreSQL, Redis or app processes behind on the shared machine.
 */
export function onInterrupt(cleanup: () => Promise<unknown>): void {
  if (interruptCleanups.length === 0) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        log(`${signal}: cleaning up`);
        void (async () => {
          for (const step of [...interruptCleanups].reverse()) await step().catch(() => undefined);
          process.exit(130);
        })();
      });
    }
  }
  interruptCleanups.push(cleanup);
}

export interface PrivateServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly dataDir: string;
  /** Stops PostgreSQL and Redis and deletes the data directory, unless it is kept. */
  stop(): Promise<void>;
  /** Keep the data directory when `stop` runs (an interrupted run still deletes a new one). */
  keep(): void;
}

export interface PrivateServicesOptions {
  /**
   * Start on this data directory of an earlier run (kept with `keep()`) instead of a new one: no
   * migrations are applied, and the directory is never deleted.
   */
  readonly reuseDir?: string;
}

/**
 * Starts PostgreSQL and Redis of their own (scripts/services.sh) in a new data directory under
 * /tmp and applies the migrations. Benchmarks truncate and bulk-load tables, so they never touch
 * a database they did not create. Ports: BENCH_PG_PORT / BENCH_REDIS_PORT (default 54369 / 63839).
 */
export async function startPrivateServices(label: string, options: PrivateServicesOptions = {}): Promise<PrivateServices> {
  const reused = options.reuseDir !== undefined;
  const dataDir = options.reuseDir === undefined ? await mkdtemp(join(tmpdir(), `cmvc-bench-${label}-`)) : resolve(options.reuseDir);
  if (reused && !existsSync(join(dataDir, 'postgres/data/PG_VERSION'))) {
    throw new BenchError('INVALID_FLAG', `${dataDir} holds no PostgreSQL cluster of an earlier benchmark run`);
  }
  // When run as root, PostgreSQL runs as `postgres`, which must be able to enter the directory.
  await chmod(dataDir, 0o755);
  const env = {
    ...process.env,
    CMVC_DATA_DIR: dataDir,
    CMVC_PG_PORT: process.env.BENCH_PG_PORT ?? '54369',
    CMVC_REDIS_PORT: process.env.BENCH_REDIS_PORT ?? '63839',
  };
  const services = join(REPO_ROOT, 'scripts/services.sh');
  let kept = reused;
  const stopServices = async () => {
    await run('bash', [services, 'stop'], { env, cwd: REPO_ROOT }).catch((error: unknown) => log(`stopping services failed: ${String(error)}`));
  };
  const removeNew = async () => {
    if (!reused) await rm(dataDir, { recursive: true, force: true });
  };
  const stop = async () => {
    await stopServices();
    if (kept) log(`kept ${dataDir}`);
    else await removeNew();
  };
  try {
    log(`starting private services in ${dataDir}`);
    await run('bash', [services, 'start'], { env, cwd: REPO_ROOT });
    const { stdout } = await run('bash', [services, 'env'], { env, cwd: REPO_ROOT });
    const databaseUrl = /DATABASE_URL=(\S+)/.exec(stdout)?.[1];
    const redisUrl = /REDIS_URL=(\S+)/.exec(stdout)?.[1];
    if (!databaseUrl || !redisUrl) throw new BenchError('SERVICES_FAILED', `scripts/services.sh env printed no URLs:\n${stdout}`);
    if (!reused) {
      await run(process.execPath, [join(REPO_ROOT, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy', '--config', 'prisma/prisma.config.ts'], {
        env: { ...env, DATABASE_URL: databaseUrl },
        cwd: REPO_ROOT,
      });
    }
    onInterrupt(async () => {
      await stopServices();
      await removeNew();
    });
    return {
      databaseUrl,
      redisUrl,
      dataDir,
      stop,
      keep: () => {
        kept = true;
      },
    };
  } catch (error) {
    await stopServices();
    await removeNew();
    if (error instanceof BenchError) throw error;
    const detail = error instanceof Error ? `${error.message}\n${(error as { stderr?: string }).stderr ?? ''}` : String(error);
    throw new BenchError('SERVICES_FAILED', `could not start private services: ${detail}`);
  }
}

export async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function databaseSize(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const result = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
    return Number(result.rows[0]!.bytes);
  });
}

/** Runs `main`, printing a BenchError's code and message (not a stack) and exiting non-zero on failure. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof BenchError) process.stderr.write(`bench failed (${error.code}): ${error.message}\n`);
      else process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
