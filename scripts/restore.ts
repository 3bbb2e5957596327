/**
 * `npm run restore -- <backup directory> [--replace]`: puts a backup from `npm run backup` back.
 * The database is restored with pg_restore (tables dropped and recreated); the blob store must
 * be empty, or `--replace` empties it first. Stop the API and workers before restoring. Videos
 * that were still queued or encoding get their encode jobs again; blobs no restored row references
 * are removed and rows whose blobs are missing are reported (the blob reconciler).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { BlobReconciler } from '@cmvc/core';
import { createBlobStore } from '@cmvc/blob';
import { createDatabase, VideoRepository } from '@cmvc/db';
import { createJobQueues, createRedisConnection } from '@cmvc/jobs';
import { archiveConfig, BACKED_UP_PREFIXES, BLOB_DIRECTORY, DATABASE_FILE, MANIFEST_FILE, pgTool, run, type Manifest } from './backup-lib.ts';

const args = process.argv.slice(2);
const source = args.find((arg) => !arg.startsWith('--'));
if (!source) throw new Error('usage: npm run restore -- <backup directory> [--replace]');
const backup = resolve(source);
const manifest = JSON.parse(await readFile(join(backup, MANIFEST_FILE), 'utf8')) as Manifest;
const config = archiveConfig();
const blobs = createBlobStore(config.blobStore);

const existing = (await Promise.all(BACKED_UP_PREFIXES.map((prefix) => blobs.list(prefix)))).flat();
if (existing.length > 0 && !args.includes('--replace')) {
  throw new Error(`The blob store holds ${existing.length} blobs; restore into an empty archive, or pass --replace to delete them first`);
}
await run(pgTool('pg_restore'), ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${config.databaseUrl}`, join(backup, DATABASE_FILE)]);
for (const prefix of BACKED_UP_PREFIXES) await blobs.deletePrefix(prefix);

const blobRoot = join(backup, BLOB_DIRECTORY);
const files = (await readdir(blobRoot, { recursive: true, withFileTypes: true }).catch(() => [])).filter((entry) => entry.isFile());
for (const file of files) {
  const path = join(file.parentPath, file.name);
  await blobs.putFile(relative(blobRoot, path), path);
}

const db = createDatabase(config.databaseUrl);
const videos = new VideoRepository(db);
const { removed, missing } = await new BlobReconciler(videos, blobs, 0).run();
const unfinished = (await db.video.findMany({ where: { status: { in: ['QUEUED', 'ENCODING'] } }, select: { id: true } })).map((video) => video.id);
if (unfinished.length > 0) {
  await db.video.updateMany({ where: { id: { in: unfinished } }, data: { status: 'QUEUED' } });
  const redis = createRedisConnection(config.redisUrl);
  const queues = createJobQueues(redis);
  await queues.enqueueEncodes(unfinished);
  await queues.close();
  redis.disconnect();
}
await db.$disconnect();
console.log(`restored the backup of ${manifest.createdAt}: database, ${files.length} blobs; ${unfinished.length} videos queued to encode again`);
if (removed.length > 0) console.log(`removed ${removed.length} blobs no restored row references`);
for (const { key, videoId } of missing) console.error(`video ${videoId} references blob ${key}, which the backup does not hold`);
