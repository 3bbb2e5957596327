/**
 * `npm run backup [-- <directory>]`: a dump of the database (pg_dump custom format) and a copy of
 * every blob, into a new directory (default `$CMVC_DATA_DIR/backups/<time>`). The database is
 * dumped first, so every blob a dumped row references is copied unless it was deleted meanwhile;
 * `npm run restore` reports any such blob, and removes blobs no row references.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createBlobStore } from '@cmvc/blob';
import { archiveConfig, BACKED_UP_PREFIXES, BLOB_DIRECTORY, DATABASE_FILE, MANIFEST_FILE, pgTool, run, type Manifest } from './backup-lib.ts';

const config = archiveConfig();
const createdAt = new Date();
const target = resolve(process.argv[2] ?? join(config.dataDir, 'backups', createdAt.toISOString().replace(/[:.]/g, '-')));
await mkdir(target, { recursive: true });
if ((await readdir(target)).length > 0) throw new Error(`${target} is not empty`);

await run(pgTool('pg_dump'), ['--format=custom', '--no-owner', `--file=${join(target, DATABASE_FILE)}`, `--dbname=${config.databaseUrl}`]);

const blobs = createBlobStore(config.blobStore);
let count = 0;
let bytes = 0;
for (const prefix of BACKED_UP_PREFIXES) {
  for (const blob of await blobs.list(prefix)) {
    const path = join(target, BLOB_DIRECTORY, blob.key);
    await mkdir(dirname(path), { recursive: true });
    await blobs.download(blob.key, path);
    count += 1;
    bytes += blob.size;
  }
}
const manifest: Manifest = { createdAt: createdAt.toISOString(), blobs: count, blobBytes: bytes };
await writeFile(join(target, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`backup written to ${target}: database and ${count} blobs (${bytes} bytes)`);
