/** scripts/worker-env.sh: the worker's process starts with its allocator chosen and glibc's malloc arenas capped. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const WORKER_ENV = resolve(import.meta.dirname, '../../scripts/worker-env.sh');
const run = promisify(execFile);

interface Seen {
  readonly arenaMax: string;
  readonly mallocConf: string;
  readonly nodeOptions: string;
  /** The shared objects mapped into the started process. */
  readonly libraries: string;
  readonly stderr: string;
}

/** What the started process sees, given variables the caller sets (undefined: unset). */
async function seen(callerEnv: Record<string, string | undefined> = {}): Promise<Seen> {
  const env = { ...process.env };
  for (const name of ['MALLOC_ARENA_MAX', 'MALLOC_CONF', 'WORKER_MALLOC', 'LD_PRELOAD', 'NODE_OPTIONS']) delete env[name];
  for (const [name, value] of Object.entries(callerEnv)) if (value !== undefined) env[name] = value;
  const script = `const fs = require('node:fs');
process.stdout.write(JSON.stringify({
  arenaMax: String(process.env.MALLOC_ARENA_MAX),
  mallocConf: String(process.env.MALLOC_CONF),
  nodeOptions: String(process.env.NODE_OPTIONS),
  libraries: fs.readFileSync('/proc/self/maps', 'utf8'),
}));`;
  const { stdout, stderr } = await run('bash', [WORKER_ENV, process.execPath, '-e', script], { env, maxBuffer: 16 << 20 });
  return { ...(JSON.parse(stdout) as Omit<Seen, 'stderr'>), stderr };
}

describe('scripts/worker-env.sh', () => {
  it('caps the malloc arenas at 2 when the caller sets nothing', async () => {
    expect((await seen()).arenaMax).toBe('2');
  });

  it('keeps a value the caller set', async () => {
    expect((await seen({ MALLOC_ARENA_MAX: '4' })).arenaMax).toBe('4');
  });

  // scripts/setup-system.sh installs libjemalloc2.
  it('runs the process on jemalloc by default, returning freed pages within a second', async () => {
    const started = await seen();
    expect(started.libraries).toMatch(/libjemalloc\.so\.2/);
    expect(started.mallocConf).toContain('dirty_decay_ms:1000');
    expect(started.stderr).toBe('');
  });

  it("keeps the caller's jemalloc settings", async () => {
    expect((await seen({ MALLOC_CONF: 'narenas:1' })).mallocConf).toBe('narenas:1');
  });

  it("caps V8's young generation, and keeps the caller's Node options after it so that they win", async () => {
    expect((await seen()).nodeOptions).toBe('--max-semi-space-size=4');
    expect((await seen({ NODE_OPTIONS: '--max-semi-space-size=16' })).nodeOptions).toBe('--max-semi-space-size=4 --max-semi-space-size=16');
  });

  it('leaves glibc malloc in place when asked to', async () => {
    expect((await seen({ WORKER_MALLOC: 'glibc' })).libraries).not.toMatch(/libjemalloc/);
  });

  it('refuses an unknown allocator before starting anything', async () => {
    await expect(seen({ WORKER_MALLOC: 'tcmalloc' })).rejects.toMatchObject({ code: 64, stderr: expect.stringContaining('WORKER_MALLOC must be jemalloc or glibc') });
  });

  it('runs the command in its place: its arguments and exit status pass through', async () => {
    const failed = run('bash', [WORKER_ENV, process.execPath, '-e', 'process.exit(Number(process.argv[1]))', '7']);
    await expect(failed).rejects.toMatchObject({ code: 7 });
    // exec: the command is this process's child, not the script's, so a stop signal reaches it.
    const { stdout } = await run('bash', [WORKER_ENV, 'bash', '-c', 'echo "$PPID"']);
    expect(Number(stdout.trim())).toBe(process.pid);
  });
});
