/** RenditionService's playlist and segment waits, against an in-memory rendition store. */
import type { Rendition, RenditionRepository, RenditionSegment } from '@cmvc/db';
import type { ArchiveEvent } from '@cmvc/jobs';
import { MemoryEvents } from '../../../test/support/memory-ports.ts';
import { describe, expect, it } from 'vitest';
import { segmentGrid } from '@cmvc/codec';
import { hlsPlaylist, RenditionService, segmentAtSeconds, segmentFileName } from '../src/services/rendition-service.ts';
import { rejectionCode } from '../../../test/support/domain-errors.ts';

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
  const events = new MemoryEvents();
  const announce = () => void events.publish({ type: 'rendition-updated', renditionId: ID });
  /** Changes the row as a render job does, and announces it. */
  const update = (fields: Partial<Rendition>) => {
    Object.assign(rendition, fields);
    announce();
  };
  const finish = (index: number, announced = true) => {
    segments.set(index, { renditionId: ID, index, blobKey: `renditions/v/${ID}/${index}.ts`, bytes: 1, createdAt: new Date() });
    if (announced) announce();
  };
  return { rendition, repository, wanted, finish, update, events, service: new RenditionService({ renditions: repository, videos: null as never, keyframes: null as never, queues: null as never, capabilities: { tt2v: { available: false } }, events }) };
}


describe('rendition streams', () => {
  it('waits for the playlist the render job writes', async () => {
    const store = memoryRenditions({ status: 'QUEUED' });
    setTimeout(() => store.update({ status: 'RENDERING', playlist: '#EXTM3U\n', segmentCount: 3 }), 250);
    expect(await store.service.playlist(ID)).toBe('#EXTM3U\n');
  });

  it('asks for the segment where the player will start as soon as the playlist is written', async () => {
    // 50 frames at 10 fps: segments of 2, 2 and 1 s.
    const playlist = hlsPlaylist(segmentGrid(50, { num: 10, den: 1 }), segmentFileName);
    const store = memoryRenditions({ status: 'QUEUED' });
    setTimeout(() => store.update({ status: 'RENDERING', playlist, segmentCount: 3 }), 150);
    expect(await store.service.playlist(ID, undefined, 3.5)).toBe(playlist);
    expect(store.wanted).toEqual([1]);
    expect(await store.service.playlist(ID)).toBe(playlist);
    expect(store.wanted).toEqual([1]);
  });

  it('finds the segment that holds a time from the playlist alone', () => {
    const playlist = hlsPlaylist(segmentGrid(50, { num: 10, den: 1 }), segmentFileName);
    expect([0, 1.99, 2, 3.99, 4, 4.9, 60].map((seconds) => segmentAtSeconds(playlist, seconds))).toEqual([0, 0, 1, 1, 2, 2, 2]);
  });

  it('asks for a missing segment once and answers when it is rendered', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    setTimeout(() => store.finish(4), 350);
    const segment = await store.service.segment(ID, 4);
    expect(segment.index).toBe(4);
    expect(store.wanted).toEqual([4]);
  });

  it('answers as soon as the render job announces the segment, and tells the job which one is wanted', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    const heard: ArchiveEvent[] = [];
    await store.events.subscribe((event) => void heard.push(event));
    const started = performance.now();
    setTimeout(() => store.finish(3), 150);
    expect((await store.service.segment(ID, 3)).index).toBe(3);
    // Well before the once-a-second recheck: the announcement, not a poll, ended the wait.
    expect(performance.now() - started).toBeLessThan(900);
    expect(heard[0]).toEqual({ type: 'segment-wanted', renditionId: ID, index: 3 });
  });

  it('looks again on its own when an announcement is lost', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    setTimeout(() => store.finish(2, false), 100);
    expect((await store.service.segment(ID, 2)).index).toBe(2);
  });

  it('does not ask for a segment that exists', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    store.finish(0);
    expect((await store.service.segment(ID, 0)).index).toBe(0);
    expect(store.wanted).toEqual([]);
  });

  it('refuses an index past the end, an unknown rendition, and stops waiting when the render fails', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    expect(await rejectionCode(store.service.segment(ID, 5))).toBe('BAD_SEGMENT');
    expect(await rejectionCode(store.service.playlist('00000000-0000-4000-8000-000000000002'))).toBe('NOT_FOUND');
    setTimeout(() => store.update({ status: 'FAILED', error: 'boom' }), 250);
    expect(await rejectionCode(store.service.segment(ID, 2))).toBe('RENDITION_FAILED');
  });

  it('stops waiting when the client goes away', async () => {
    const store = memoryRenditions({ playlist: '#EXTM3U\n', segmentCount: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(store.service.segment(ID, 1, controller.signal)).rejects.toThrow(/abort/i);
  });
});
