import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobError } from '../src/blob-store.ts';
import { LocalDiskBlobStore, STALE_TEMPORARY_MS } from '../src/local-disk-store.ts';

let workDir: string;
let root: string;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cmvc-blob-test-'));
  root = join(workDir, 'blobs');
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function temporaries(): Promise<string[]> {
  return readdir(join(root, '.tmp')).catch(() => []);
}

describe('LocalDiskBlobStore.putFile', () => {
  it("copies a file it does not own, so later changes to the caller's file never reach the blob", async () => {
    const store = new LocalDiskBlobStore(root);
    const source = join(workDir, 'user-file.mp4');
    await writeFile(source, 'original bytes');
    const info = await store.putFile('sources/abc', source);
    expect(info).toEqual({ key: 'sources/abc', size: 14 });
    expect((await stat(join(root, 'sources', 'abc'))).ino).not.toBe((await stat(source)).ino);
    await writeFile(source, 'changed by the user');
    expect((await store.get('sources/abc')).toString()).toBe('original bytes');
    expect(await temporaries()).toEqual([]);
  });

  it('hard-links a temporary file the caller owns instead of copying it', async () => {
    const store = new LocalDiskBlobStore(root);
    const download = join(workDir, 'download');
    await writeFile(download, 'fetched bytes');
    await store.putFile('sources/def', download, { owned: true });
    const blob = await stat(join(root, 'sources', 'def'));
    expect(blob.ino).toBe((await stat(download)).ino);
    expect(blob.nlink).toBe(2);
    await rm(download);
    expect((await store.get('sources/def')).toString()).toBe('fetched bytes');
  });

  it('leaves no temporary behind when the source cannot be read', async () => {
    const store = new LocalDiskBlobStore(root);
    await expect(store.putFile('sources/missing', join(workDir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(store.putFile('sources/missing', join(workDir, 'nope'), { owned: true })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await temporaries()).toEqual([]);
    await expect(store.get('sources/missing')).rejects.toBeInstanceOf(BlobError);
  });
});

describe('LocalDiskBlobStore directories', () => {
  it('makes missing directories on demand, also when they vanish while the store is in use', async () => {
    const store = new LocalDiskBlobStore(root);
    const source = join(workDir, 'file');
    await writeFile(source, 'bytes');
    await store.put('a/b/c', Buffer.from('1'));
    await rm(root, { recursive: true });
    await store.putFile('sources/x', source);
    await rm(join(root, '.tmp'), { recursive: true });
    await store.putFile('sources/y', source, { owned: true });
    await store.putStream('d/e', Readable.from([Buffer.from('streamed')]));
    expect((await store.list('sources/')).map((blob) => blob.key)).toEqual(['sources/x', 'sources/y']);
    expect((await store.get('d/e')).toString()).toBe('streamed');
  });
});

describe('LocalDiskBlobStore temporaries', () => {
  it('sweeps temporaries a killed process left more than an hour ago on its first write, and keeps fresh ones', async () => {
    const earlier = new LocalDiskBlobStore(root);
    await earlier.put('seed', Buffer.from('x'));
    const stale = join(root, '.tmp', 'left-by-a-killed-process.tmp');
    const fresh = join(root, '.tmp', 'being-written-by-another-process.tmp');
    await writeFile(stale, 'partial');
    await writeFile(fresh, 'partial');
    const old = new Date(Date.now() - STALE_TEMPORARY_MS - 60_000);
    await utimes(stale, old, old);

    const restarted = new LocalDiskBlobStore(root);
    expect(await temporaries()).toHaveLength(2);
    await restarted.put('videos/v/representation.cmvc', Buffer.from('bitstream'));
    expect(await temporaries()).toEqual(['being-written-by-another-process.tmp']);
    expect(await readFile(join(root, 'seed'), 'utf8')).toBe('x');
  });

  it('reports how many temporaries a sweep removed, by age', async () => {
    const store = new LocalDiskBlobStore(root);
    expect(await store.sweepStaleTemporaries()).toBe(0);
    await store.put('a', Buffer.from('a'));
    await writeFile(join(root, '.tmp', 'one.tmp'), '1');
    await writeFile(join(root, '.tmp', 'two.tmp'), '2');
    expect(await store.sweepStaleTemporaries(STALE_TEMPORARY_MS)).toBe(0);
    expect(await store.sweepStaleTemporaries(1000, Date.now() + 5000)).toBe(2);
    expect(await temporaries()).toEqual([]);
  });
});
