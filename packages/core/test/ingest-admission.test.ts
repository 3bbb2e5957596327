/** IngestService against in-memory ports: which items are admitted, refused (with which code), stored and enqueued. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blobKeys } from '@cmvc/blob';
import { DomainError } from '../src/errors.ts';
import { IngestService, MAX_INGEST_ITEMS } from '../src/services/ingest-service.ts';
import type { IngestSource, ResolvedSource } from '../src/services/source-resolver.ts';
import { MemoryBlobStore, MemoryVideos, RecordingQueues, videoRow } from '../../../test/support/memory-ports.ts';

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

/**
 * Sources are paths whose content the spec chooses: `/clips/<content>.mp4`. A path under
 * /outside/ is refused as the real resolver refuses it; /fails/ breaks with an unexpected error.
 */
function setup(options: { existing?: string[]; mediaCheck?: (path: string) => Promise<void> } = {}) {
  const files = new Map<string, Buffer>();
  const released: string[] = [];
  const resolver = {
    async resolve(item: IngestSource): Promise<ResolvedSource> {
      const path = item.path!;
      if (path.startsWith('/outside/')) throw new DomainError('PATH_OUTSIDE_ROOT', `${path} is outside the allowed ingest roots`);
      if (path.startsWith('/fails/')) throw new Error('EIO: i/o error, read');
      const content = path.slice('/clips/'.length).replace(/\.mp4$/, '');
      files.set(path, Buffer.from(content));
      return {
        localPath: path,
        sha256: sha256(content),
        bytes: content.length,
        defaultTitle: content,
        owned: false,
        checkContainer: async () => ({ format: 'iso-bmff', brand: 'isom', bytes: content.length }),
        release: async () => void released.push(path),
        consumed: async () => {},
      };
    },
  };
  const videos = new MemoryVideos((options.existing ?? []).map((content) => videoRow({ sha256: sha256(content), status: 'READY' })));
  const blobs = new MemoryBlobStore(files);
  const queues = new RecordingQueues();
  const mediaCheck = options.mediaCheck ? { check: options.mediaCheck } : null;
  return { service: new IngestService(resolver, videos, blobs, queues, mediaCheck), videos, blobs, queues, released };
}

describe('ingest admission', () => {
  it('stores, records and enqueues each new source once, keeping the order of the input', async () => {
    const { service, videos, blobs, queues, released } = setup();
    const outcomes = await service.ingest([{ path: '/clips/a.mp4' }, { path: '/clips/b.mp4', title: ' Bee ', tags: ['Birds', 'birds ', ''] }, { path: '/clips/a.mp4' }]);
    expect(outcomes.map((outcome) => outcome.index)).toEqual([0, 1, 2]);
    expect(outcomes.map((outcome) => [outcome.created, outcome.error])).toEqual([[true, null], [true, null], [false, null]]);
    expect(outcomes[2]!.video!.id).toBe(outcomes[0]!.video!.id);
    expect(videos.rows.map((row) => [row.title, row.tags, row.status])).toEqual([['a', [], 'QUEUED'], ['Bee', ['birds'], 'QUEUED']]);
    expect([...blobs.blobs.keys()].sort()).toEqual([blobKeys.source(sha256('a')), blobKeys.source(sha256('b'))].sort());
    expect(queues.encodes).toEqual(videos.rows.map((row) => row.id));
    expect(released.sort()).toEqual(['/clips/a.mp4', '/clips/a.mp4', '/clips/b.mp4']);
  });

  it('answers a source archived before with its video, neither storing nor enqueueing it again', async () => {
    const { service, blobs, queues } = setup({ existing: ['a'] });
    const [outcome] = await service.ingest([{ path: '/clips/a.mp4' }]);
    expect(outcome).toMatchObject({ created: false, error: null, video: { sha256: sha256('a'), status: 'READY' } });
    expect(blobs.blobs.size).toBe(0);
    expect(queues.encodes).toEqual([]);
  });

  it('refuses items alone, with the code of their domain error, and hides unexpected errors behind INTERNAL', async () => {
    const { service, queues } = setup();
    const outcomes = await service.ingest([
      { path: '/outside/a.mp4' },
      { path: '/clips/ok.mp4' },
      { path: '/fails/b.mp4' },
      { path: '/clips/c.mp4', tags: Array.from({ length: 40 }, (_, index) => `tag${index}`) },
      { path: '/clips/d.mp4', uploadId: '00000000-0000-4000-8000-000000000000' },
    ]);
    expect(outcomes.map((outcome) => outcome.error?.code ?? null)).toEqual(['PATH_OUTSIDE_ROOT', null, 'INTERNAL', 'INVALID_INPUT', null]);
    expect(outcomes[2]!.error!.message).toBe('Internal error while ingesting this item');
    expect(outcomes[2]!.error!.message).not.toContain('EIO');
    expect(queues.encodes).toHaveLength(2);
  });

  it('refuses what the media check refuses, and stores nothing for it', async () => {
    const { service, blobs, videos } = setup({
      mediaCheck: async (path) => {
        if (path.includes('huge')) throw new DomainError('MEDIA_TOO_LARGE', 'The video is 8000×8000; the limit is 4096×4096');
        if (path.includes('odd')) throw new DomainError('BUSY', 'not an ingest code');
      },
    });
    const outcomes = await service.ingest([{ path: '/clips/huge.mp4' }, { path: '/clips/odd.mp4' }, { path: '/clips/fine.mp4' }]);
    expect(outcomes.map((outcome) => outcome.error?.code ?? null)).toEqual(['MEDIA_TOO_LARGE', 'INTERNAL', null]);
    expect([...blobs.blobs.keys()]).toEqual([blobKeys.source(sha256('fine'))]);
    expect(videos.rows.map((row) => row.title)).toEqual(['fine']);
  });

  it('leaves no blob behind when recording the new videos fails', async () => {
    const { service, videos, blobs, queues } = setup();
    videos.createManyQueued = async () => {
      throw new Error('connection terminated');
    };
    const outcomes = await service.ingest([{ path: '/clips/a.mp4' }, { path: '/clips/b.mp4' }]);
    expect(outcomes.map((outcome) => outcome.error)).toEqual([
      { code: 'INTERNAL', message: 'Internal error while recording new videos' },
      { code: 'INTERNAL', message: 'Internal error while recording new videos' },
    ]);
    expect(blobs.blobs.size).toBe(0);
    expect(queues.encodes).toEqual([]);
  });

  it(`refuses more than ${MAX_INGEST_ITEMS} items at once`, async () => {
    const { service } = setup();
    const items = Array.from({ length: MAX_INGEST_ITEMS + 1 }, () => ({ path: '/clips/a.mp4' }));
    await expect(service.ingest(items)).rejects.toMatchObject({ name: 'DomainError', code: 'INVALID_INPUT' });
  });
});
