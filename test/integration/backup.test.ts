/**
 * `npm run backup` and `npm run restore` round trip against the real PostgreSQL, Redis and blob
 * store: what a backup holds comes back after the archive lost it, and nothing else stays.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../support/media.ts';
import { query, REPO_ROOT, startStack, type Stack } from '../support/stack.ts';

const run = promisify(execFile);
let stack: Stack;
let backupRoot: string;

async function blobFiles(): Promise<Record<string, string>> {
  const entries = await readdir(stack.blobDir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries.filter((candidate) => candidate.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(stack.blobDir, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return files;
}

const npm = (script: string, args: string[]) =>
  run('npm', ['run', '--silent', script, '--', ...args], { cwd: REPO_ROOT, env: { ...process.env, BLOB_DIR: stack.blobDir } });

beforeAll(async () => {
  stack = await startStack();
  backupRoot = await mkdtemp(join(tmpdir(), 'cmvc-backup-'));
});

afterAll(async () => {
  await stack?.stop();
  await rm(backupRoot, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('brings back the rows and blobs of the backup, and drops what came after it', async () => {
    const clip = join(stack.ingestRoot, 'kept.mp4');
    await makeClip(clip, { seconds: 1 });
    const ingest = await stack.graphql<{ ingestVideos: { video: { id: string } }[] }>(
      'mutation($path: String!) { ingestVideos(inputs: [{ path: $path, title: "Kept", tags: ["backup"] }]) { video { id } } }',
      { path: clip },
    );
    const id = ingest.data!.ingestVideos[0]!.video.id;
    // A finished video's blobs, as the encoder leaves them.
    await mkdir(join(stack.blobDir, 'videos', id, 'keyframes'), { recursive: true });
    await writeFile(join(stack.blobDir, 'videos', id, 'representation.cmvc'), 'bitstream bytes');
    await query('UPDATE "Video" SET "bitstreamBlobKey" = $2 WHERE id = $1', [id, `videos/${id}/representation.cmvc`]);
    const before = await blobFiles();
    const rowsBefore = await query('SELECT id, title, tags, status, "sourceBlobKey", "bitstreamBlobKey" FROM "Video" ORDER BY id');

    const target = join(backupRoot, 'one');
    await npm('backup', [target]);
    expect(JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8')).blobs).toBe(Object.keys(before).length);

    // After the backup: the video is deleted, another blob appears.
    await stack.graphql('mutation($ids: [ID!]!) { deleteVideos(ids: $ids) }', { ids: [id] });
    await mkdir(join(stack.blobDir, 'videos', '00000000-0000-4000-8000-000000000001'), { recursive: true });
    await writeFile(join(stack.blobDir, 'videos', '00000000-0000-4000-8000-000000000001', 'representation.cmvc'), 'later');
    expect(await query('SELECT 1 FROM "Video"')).toEqual([]);

    await expect(npm('restore', [target])).rejects.toThrow(/--replace/);
    await npm('restore', [target, '--replace']);
    expect(await query('SELECT id, title, tags, status, "sourceBlobKey", "bitstreamBlobKey" FROM "Video" ORDER BY id')).toEqual(rowsBefore);
    expect(await blobFiles()).toEqual(before);
    const restored = await stack.graphql<{ video: { title: string; tags: string[] } }>('query($id: ID!) { video(id: $id) { title tags } }', { id });
    expect(restored.data!.video).toEqual({ title: 'Kept', tags: ['backup'] });
  });
});
