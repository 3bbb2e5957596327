/** The committed SQL snapshots (packages/db/queries) match what the repositories send to the real PostgreSQL. */
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureSqlSnapshots, repositoryMethods, SQL_CASES } from '../../packages/db/scripts/sql-snapshots.ts';
import { requireServices, resetState } from '../support/stack.ts';

const queries = new URL('../../packages/db/queries/', import.meta.url);

describe('repository SQL snapshots (run `npm run sql:write` after changing a repository)', () => {
  let captured: Map<string, string>;
  beforeAll(async () => {
    await resetState();
    captured = await captureSqlSnapshots(requireServices().databaseUrl);
  });

  it('has a case for every public repository method', () => {
    const covered = new Set<string>(SQL_CASES.map((sqlCase) => sqlCase.name));
    expect(repositoryMethods().filter((method) => !covered.has(method))).toEqual([]);
    expect([...covered].filter((name) => !repositoryMethods().includes(name))).toEqual([]);
  });

  it('matches the committed packages/db/queries/*.sql', async () => {
    const committed = (await readdir(queries)).filter((name) => name.endsWith('.sql')).sort();
    expect(committed).toEqual([...captured.keys()]);
    for (const [name, sql] of captured) expect(await readFile(new URL(name, queries), 'utf8'), name).toBe(sql);
  });
});
