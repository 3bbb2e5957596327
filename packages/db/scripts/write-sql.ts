/**
 * `npm run sql:write`: rewrites packages/db/queries/*.sql against the test database (started and
 * migrated on first use, like `npm test`; its data is emptied first).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { captureSqlSnapshots } from './sql-snapshots.ts';

const root = new URL('../../../', import.meta.url).pathname;
const queries = new URL('../queries/', import.meta.url).pathname;

const environment = execFileSync('bash', ['-c', 'source scripts/lib.sh; export CMVC_DATA_DIR="${CMVC_TEST_DATA_DIR:-$PWD/.test-data}" CMVC_PG_PORT="${CMVC_TEST_PG_PORT:-54339}" CMVC_REDIS_PORT="${CMVC_TEST_REDIS_PORT:-63809}"; CMVC_SKIP_WEB_BUILD=1 bash scripts/prepare.sh >&2; bash scripts/services.sh env'], { cwd: root, encoding: 'utf8' });
const databaseUrl = /DATABASE_URL=(\S+)/.exec(environment)?.[1];
if (!databaseUrl) throw new Error('scripts/services.sh printed no DATABASE_URL');

const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
await client.query('TRUNCATE "Video", "ApiToken", "Session", "User" CASCADE');
await client.end();

const snapshots = await captureSqlSnapshots(databaseUrl);
await mkdir(queries, { recursive: true });
for (const stale of (await readdir(queries)).filter((name) => name.endsWith('.sql') && !snapshots.has(name))) await rm(`${queries}${stale}`);
for (const [name, content] of snapshots) await writeFile(`${queries}${name}`, content);
console.log(`wrote ${snapshots.size} files to ${queries}`);
