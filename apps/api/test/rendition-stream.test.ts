/** RenditionService's playlist and segment waits, against an in-memory rendition store. */
import type { Rendition, RenditionRepository, RenditionSegment } from '@cmvc/db';
import { DomainError } from '@cmvc/core';
import { describe, expect, it } from 'vitest';
import { RenditionService } from '../src/services/rendition-service.ts';

const ID = '00000000-0000-4000-8000-000000000001';

/** The few repository calls the stream methods make, over plain objects a test changes as a worker would. */
function memoryRenditions(initial: Partial<Rendition>) {
  const rendition = { id: ID, status: 'RENDERING', playlist: null, segmentCount: null, wantedSegment: null, error: null, ...initial } as Rendition;
  const segments = new Map<number, RenditionSegment>();
  const wanted: number[] = [];
  const repository = {
    findById: async (id: string) => (id === ID ? { ...rendition } : null),
    findSegment: async (_id: string, index: number) => segments.get(index) ?? null,
    wantSegment: async (_id: string, index: number) => void wanted.push(index),
  } as unknown as RenditionRepository;
  const finish = (index: number) => segments.set(index, { renditionId: ID, index, blobKey: `renditions/v/${ID}/${index}.ts`, bytes: 1, createdAt: new Date() });
  return { rendition, repository, wanted, finish };
}

const service = (repository: RenditionRepository) => new RenditionService(repository, null as never, null as never, null as never, { tt2v: { available: false } });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
  );
}

describe('rendition streams', () => {
  it('waits for the playlist the render job writes', async () => {
    const store = memoryRenditions({ status: 'QUEUED' });
    setTimeout(() => Object.assign(store.rendition, { status: 'RENDERING', playlist: '#EXTM3U\n', segmentCount: 3 }), 250);
    expect(await service(store.repository).playlist(ID)).toBe('#EXTM3U\n');
  });

  it('asks for a missing segment once and answers when it is rendered', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    setTimeout(() => store.finish(4), 350);
    const segment = await service(store.repository).segment(ID, 4);
    expect(segment.index).toBe(4);
    expect(store.wanted).toEqual([4]);
  });

  it('does not ask for a segment that exists', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    store.finish(0);
    expect((await service(store.repository).segment(ID, 0)).index).toBe(0);
    expect(store.wanted).toEqual([]);
  });

  it('refuses an index past the end, an unknown rendition, and stops waiting when the render fails', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    expect(await codeOf(service(store.repository).segment(ID, 5))).toBe('BAD_SEGMENT');
    expect(await codeOf(service(store.repository).playlist('00000000-0000-4000-8000-000000000002'))).toBe('NOT_FOUND');
    setTimeout(() => Object.assign(store.rendition, { status: 'FAILED', error: 'boom' }), 250);
    expect(await codeOf(service(store.repository).segment(ID, 2))).toBe('RENDITION_FAILED');
  });

  it('stops waiting when the client goes away', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(service(store.repository).segment(ID, 1, controller.signal)).rejects.toThrow(/abort/i);
  });
});
