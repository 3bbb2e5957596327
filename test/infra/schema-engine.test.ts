/**
 * The WebAssembly schema-engine stand-in (packages/db/schema-engine/schema-engine.mjs), driven the
 * way the Prisma CLI drives it: one-shot `cli` commands, and JSON-RPC through `prisma migrate diff`
 * (which needs the shadow-database workaround). Database parts need DATABASE_URL.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const ENGINE = resolve(REPO_ROOT, 'packages/db/schema-engine/schema-engine.mjs');
const PRISMA = resolve(REPO_ROOT, 'node_modules/prisma/build/index.js');
const databaseUrl = process.env.DATABASE_URL;
const run = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function execute(command: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Runs a one-shot engine command and returns the error code it logged, if any. */
async function engineCli(url: string, command: string): Promise<{ code: number; errorCode: string | undefined }> {
  const outcome = await execute(process.execPath, [ENGINE, '--datasource', JSON.stringify({ url }), 'cli', command]);
  expect(outcome.stdout).toBe('');
  const logs = outcome.stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: string; fields: { error_code?: string } });
  return { code: outcome.code, errorCode: logs.find((log) => log.level === 'ERROR')?.fields.error_code };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

describe('schema engine stand-in, one-shot commands', () => {
  it('reports an unreachable server as P1001 with exit status 1', async () => {
    expect(await engineCli('postgresql://cmvc:cmvc@127.0.0.1:1/cmvc', 'can-connect-to-database')).toEqual({ code: 1, errorCode: 'P1001' });
  });

  it('rejects a non-PostgreSQL URL as P1013', async () => {
    expect(await engineCli('mysql://user@localhost/db', 'can-connect-to-database')).toEqual({ code: 1, errorCode: 'P1013' });
  });

  it.skipIf(!databaseUrl)('creates, finds and drops a database', async () => {
    const url = withDatabase(databaseUrl!, `engine_test_${randomUUID().slice(0, 8)}`);
    expect(await engineCli(url, 'can-connect-to-database')).toEqual({ code: 1, errorCode: 'P1003' });
    expect(await engineCli(url, 'create-database')).toEqual({ code: 0, errorCode: undefined });
    expect(await engineCli(url, 'can-connect-to-database')).toEqual({ code: 0, errorCode: undefined });
    expect(await engineCli(url, 'drop-database')).toEqual({ code: 0, errorCode: undefined });
    expect(await engineCli(url, 'can-connect-to-database')).toEqual({ code: 1, errorCode: 'P1003' });
  });
});

describe.skipIf(!databaseUrl)('schema engine stand-in, through the Prisma CLI', () => {
  const prisma = (...args: string[]) =>
    execute(process.execPath, [PRISMA, ...args, '--config', 'prisma/prisma.config.ts'], { PRISMA_SCHEMA_ENGINE_BINARY: ENGINE });

  it('prints the SQL for the whole schema from empty', async () => {
    const outcome = await prisma('migrate', 'diff', '--from-empty', '--to-schema', 'prisma/schema.prisma', '--script');
    expect(outcome.code, outcome.stderr).toBe(0);
    for (const table of ['Video', 'Clip', 'Keyframe', 'Caption', 'Embedding', 'Rendition']) {
      expect(outcome.stdout).toContain(`CREATE TABLE "${table}"`);
    }
  });

  it('replays the migrations in a temporary shadow database that agrees with the schema on every table, and drops it', async () => {
    const outcome = await prisma('migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--script');
    expect(outcome.code, outcome.stderr).toBe(0);
    // Only what Prisma's schema language cannot express may differ (hand-written indexes, the generated column).
    expect(outcome.stdout).not.toMatch(/CREATE TABLE|ADD COLUMN|DROP COLUMN|CREATE TYPE/);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('reports the migration history as up to date', async () => {
    const outcome = await prisma('migrate', 'status');
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain('Database schema is up to date');
  });
});
