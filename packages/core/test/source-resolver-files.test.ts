/** SourceResolver's server paths and uploads through its LocalFiles and Scratch ports, on an in-memory file system. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { blobKeys } from '@cmvc/blob';
import type { Fetcher } from '../src/ports.ts';
import { SourceResolver } from '../src/services/source-resolver.ts';
import { MemoryBlobStore, MemoryFiles, MemoryScratch } from '../../../test/support/memory-ports.ts';
import { rejectionCode } from '../../../test/support/domain-errors.ts';

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');
/** A Y4M header and one 2×2 4:4:4 frame: enough for the container check. */
const clip = (frames = 1) => Buffer.concat([Buffer.from('YUV4MPEG2 W2 H2 F25:1 C444\n'), ...Array.from({ length: frames }, () => Buffer.from('FRAME\n\0\0\0\0\0\0\0\0\0\0\0\0'))]);
const UPLOAD_ID = '0b7e2f9c-5c1a-4d2e-9f00-3a6b8c9d0e1f';

/**
 * /media is the ingest root, holding clip.y4m and a folder; /media/escape links to /private,
 * /media/inside links to a file in the root.
 */
function setup(options: { maxBytes?: number; fetcher?: Fetcher } = {}) {
  const files = new MemoryFiles(
    new Map([
      ['/media/clip.y4m', clip()],
      ['/private/secret.y4m', clip()],
    ]),
    new Set(['/media', '/media/folder', '/private']),
    new Map([
      ['/media/escape', '/private'],
      ['/media/inside.y4m', '/media/clip.y4m'],
    ]),
  );
  const scratch = new MemoryScratch(files);
  const blobs = new MemoryBlobStore(files.files);
  const fetcher: Fetcher = options.fetcher ?? { get: async () => Promise.reject(new Error('no network in this spec')) };
  const resolver = new SourceResolver({
    roots: ['/media'],
    allowPrivateUrls: false,
    maxBytes: options.maxBytes ?? 1 << 20,
    blobs,
    lookupHost: async () => [{ address: '192.0.2.10', family: 4 }],
    fetcher,
    scratch,
    files,
  });
  return { resolver, files, scratch, blobs };
}

describe('server paths through the LocalFiles port', () => {
  it('resolves a file inside a root, through a link too, hashing it and checking its container from the same read', async () => {
    const { resolver } = setup();
    for (const path of ['/media/clip.y4m', '/media/inside.y4m', '/media/folder/../clip.y4m']) {
      const source = await resolver.resolve({ path });
      expect(source).toMatchObject({ localPath: '/media/clip.y4m', sha256: sha256(clip()), bytes: clip().length, defaultTitle: 'clip', owned: false });
      expect(await source.checkContainer()).toMatchObject({ format: 'y4m' });
    }
  });

  it('refuses paths outside the roots (by .. or by a link), relative paths, missing files, folders and files over the limit', async () => {
    const { resolver, files } = setup({ maxBytes: 100 });
    files.files.set('/media/long.y4m', clip(10));
    expect(await rejectionCode(resolver.resolve({ path: '/media/../private/secret.y4m' }))).toBe('PATH_OUTSIDE_ROOT');
    expect(await rejectionCode(resolver.resolve({ path: '/media/escape/secret.y4m' }))).toBe('PATH_OUTSIDE_ROOT');
    expect(await rejectionCode(resolver.resolve({ path: '/media' }))).toBe('PATH_OUTSIDE_ROOT');
    expect(await rejectionCode(resolver.resolve({ path: 'media/clip.y4m' }))).toBe('INVALID_INPUT');
    expect(await rejectionCode(resolver.resolve({ path: '/media/gone.y4m' }))).toBe('NOT_FOUND');
    expect(await rejectionCode(resolver.resolve({ path: '/media/folder' }))).toBe('INVALID_INPUT');
    expect(await rejectionCode(resolver.resolve({ path: '/media/long.y4m' }))).toBe('TOO_LARGE');
  });

  it('hashes a file too large to read whole as a stream, and checks its container only when asked', async () => {
    const { resolver, files } = setup({ maxBytes: 1 << 30 });
    const large = Buffer.concat([clip(), Buffer.alloc(5 * 1024 * 1024)]);
    files.files.set('/media/large.y4m', large);
    const source = await resolver.resolve({ path: '/media/large.y4m' });
    expect(source).toMatchObject({ sha256: sha256(large), bytes: large.length });
    expect(await source.checkContainer()).toMatchObject({ format: 'y4m' });
  });
});

describe('uploads and downloads through the LocalFiles and Scratch ports', () => {
  it('copies an upload into a scratch folder, removes the copy on release and the upload once consumed', async () => {
    const { resolver, blobs, scratch } = setup();
    await blobs.put(blobKeys.upload(UPLOAD_ID), clip(2));
    const source = await resolver.resolve({ uploadId: UPLOAD_ID });
    expect(source).toMatchObject({ sha256: sha256(clip(2)), bytes: clip(2).length, owned: true, defaultTitle: 'Upload 0b7e2f9c' });
    expect(scratch.live).toEqual([source.localPath.slice(0, source.localPath.lastIndexOf('/'))]);
    await source.release();
    expect(scratch.live).toEqual([]);
    await source.consumed();
    expect(blobs.blobs.size).toBe(0);
  });

  it('answers UPLOAD_NOT_FOUND for a missing upload and leaves no scratch folder', async () => {
    const { resolver, scratch } = setup();
    expect(await rejectionCode(resolver.resolve({ uploadId: UPLOAD_ID }))).toBe('UPLOAD_NOT_FOUND');
    expect(scratch.live).toEqual([]);
  });

  it('writes a download of undeclared length into the scratch folder, and stops at the size limit', async () => {
    const body = clip(8);
    const fetcher: Fetcher = { get: async () => ({ status: 200, location: null, contentLength: null, body: Readable.from([body.subarray(0, 50), body.subarray(50)]) }) };
    const fits = setup({ fetcher });
    const source = await fits.resolver.resolve({ url: 'https://videos.example/a/clip.y4m' });
    expect(fits.files.files.get(source.localPath)).toEqual(body);
    expect(source).toMatchObject({ sha256: sha256(body), bytes: body.length, owned: true, defaultTitle: 'clip' });
    await source.release();
    expect(fits.scratch.live).toEqual([]);

    const tooLarge = setup({ fetcher, maxBytes: 100 });
    expect(await rejectionCode(tooLarge.resolver.resolve({ url: 'https://videos.example/a/clip.y4m' }))).toBe('TOO_LARGE');
    expect(tooLarge.scratch.live).toEqual([]);
    expect([...tooLarge.files.files.keys()].filter((path) => path.startsWith('/scratch/'))).toEqual([]);
  });
});
