/** Writes apps/api/schema.graphql from the executable schema; a test checks it stays in sync. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { buildSchema } from '../src/server.ts';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, `${printSchema(buildSchema())}\n`);
console.log(`wrote ${target}`);
