/** scripts/worker-env.sh: the worker's process is started with glibc's malloc arenas capped. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const WORKER_ENV = resolve(import.meta.dirname, '../../scripts/worker-env.sh');
const run = promisify(execFile);

/** What the started process sees as MALLOC_ARENA_MAX, given the caller's environment. */
async function arenaMaxSeen(callerValue: string | undefined): Promise<string> {
  const env = { ...process.env };
  delete env.MALLOC_ARENA_MAX;
  if (callerValue !== undefined) env.MALLOC_ARENA_MAX = callerValue;
  const { stdout } = await run('bash', [WORKER_ENV, process.execPath, '-e', 'process.stdout.write(String(process.env.MALLOC_ARENA_MAX))'], { env });
  return stdout;
}

describe('scripts/worker-env.sh', () => {
  it('caps the malloc arenas at 2 when the caller sets nothing', async () => {
    expect(await arenaMaxSeen(undefined)).toBe('2');
  });

  it('keeps a value the caller set', async () => {
    expect(await arenaMaxSeen('4')).toBe('4');
  });

  it('runs the command in its place: its arguments and exit status pass through', async () => {
    const failed = run('bash', [WORKER_ENV, process.execPath, '-e', 'process.exit(Number(process.argv[1]))', '7']);
    await expect(failed).rejects.toMatchObject({ code: 7 });
    // exec: the command is this process's child, not the script's, so a stop signal reaches it.
    const { stdout } = await run('bash', [WORKER_ENV, 'bash', '-c', 'echo "$PPID"']);
    expect(Number(stdout.trim())).toBe(process.pid);
  });
});
