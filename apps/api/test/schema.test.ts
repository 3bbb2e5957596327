import { readFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../src/server.ts';

describe('committed SDL', () => {
  it('matches the executable schema (run `npm run schema:write` after changing it)', async () => {
    const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSchema(buildSchema())}\n`);
  });
});
