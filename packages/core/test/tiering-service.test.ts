/** TieringService against in-memory ports: refusals leave everything as it was; a demotion writes, switches, then deletes. */
import { describe, expect, it } from 'vitest';
import { blobKeys } from '@cmvc/blob';
import { systemClock, type Clock } from '../src/ports.ts';
import { parseBitstream, writeBitstream } from '@cmvc/codec';
import type { Keyframe, RepresentationRepository, Video } from '@cmvc/db';
import { TieringService } from '../src/services/tiering-service.ts';
import { syntheticRepresentation } from '../../codec/test/fixtures.ts';
import { MemoryBlobStore, MemoryEvents, MemoryVideos, videoRow } from '../../../test/support/memory-ports.ts';
import type { ArchiveEvent } from '@cmvc/jobs';

type TextOnlyCall = Parameters<RepresentationRepository['markTextOnly']>;

function setup(rows: Video[], keyframes: Keyframe[] = [], clock: Clock = systemClock) {
  const videos = new MemoryVideos(rows);
  const blobs = new MemoryBlobStore();
  const switched: TextOnlyCall[] = [];
  const representations = {
    async markTextOnly(...call: TextOnlyCall) {
      switched.push(call);
      const row = videos.rows.find((video) => video.id === call[0])!;
      Object.assign(row, { tier: 'TT2V_ONLY', bitstreamBlobKey: call[1].blobKey, bitstreamBytes: call[1].bytes, tieringSavedBytes: call[2] });
      for (const keyframe of keyframes) keyframe.blobKey = null;
    },
  };
  // Copies, as a database read gives: the service keeps the keys it read while the rows change.
  const keyframeStore = { findByVideoIds: async (ids: readonly string[]) => keyframes.filter((keyframe) => ids.includes(keyframe.videoId)).map((keyframe) => ({ ...keyframe })) };
  const events = new MemoryEvents();
  const published: ArchiveEvent[] = [];
  void events.subscribe((event) => published.push(event));
  return { tiering: new TieringService(videos, keyframeStore, representations, blobs, [], events, clock), videos, blobs, switched, published };
}

function keyframe(videoId: string, frameIndex: number, bytes: number): Keyframe {
  return { id: `${videoId}-${frameIndex}`, videoId, frameIndex, timeSeconds: frameIndex / 24, blobKey: blobKeys.keyframe(videoId, frameIndex, 'webp'), bytes, format: 'webp', width: 64, height: 48 };
}

describe('tiering', () => {
  it('refuses an unknown, an unfinished and an already demoted video with their codes, changing nothing', async () => {
    const queued = videoRow({ status: 'ENCODING' });
    const demoted = videoRow({ status: 'READY', tier: 'TT2V_ONLY', bitstreamBlobKey: 'videos/x/representation.text.cmvc' });
    const { tiering, blobs, switched, published } = setup([queued, demoted]);
    await expect(tiering.demoteToTextOnly('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ name: 'DomainError', code: 'NOT_FOUND' });
    await expect(tiering.demoteToTextOnly(queued.id)).rejects.toMatchObject({ code: 'VIDEO_NOT_READY', message: expect.stringContaining('ENCODING') });
    await expect(tiering.demoteToTextOnly(demoted.id)).rejects.toMatchObject({ code: 'ALREADY_DEMOTED' });
    expect(blobs.blobs.size).toBe(0);
    expect(switched).toEqual([]);
    expect(published).toEqual([]);
  });

  it('writes the text-only bitstream, switches the rows, then deletes the images and the old bitstream', async () => {
    const full = writeBitstream(syntheticRepresentation()).bytes;
    const video = videoRow({ status: 'READY', bitstreamBlobKey: '' });
    video.bitstreamBlobKey = blobKeys.bitstream(video.id);
    const images = [keyframe(video.id, 0, 300), keyframe(video.id, 17, 200)];
    const { tiering, blobs, switched, published } = setup([video], images);
    await blobs.put(video.bitstreamBlobKey, full);
    for (const image of images) await blobs.put(image.blobKey!, new Uint8Array(image.bytes));

    const result = await tiering.demoteToTextOnly(video.id);
    const textOnlyKey = blobKeys.textOnlyBitstream(video.id);
    const textOnly = await blobs.get(textOnlyKey);
    expect([...blobs.blobs.keys()]).toEqual([textOnlyKey]);
    expect(parseBitstream(new Uint8Array(textOnly)).representation.keyframes.every((frame) => frame.image.length === 0)).toBe(true);
    expect(result.bytesSaved).toBe(500 + full.byteLength - textOnly.byteLength);
    expect(switched).toEqual([[video.id, expect.objectContaining({ blobKey: textOnlyKey, bytes: textOnly.byteLength }), result.bytesSaved]]);
    expect(result.video).toMatchObject({ tier: 'TT2V_ONLY', bitstreamBlobKey: textOnlyKey });
    expect(published).toEqual([{ type: 'video-updated', videoId: video.id }]);
  });

  it('demotes, by the clock it is given, the READY videos older than the policy, and tells their watchers', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600 * 1000);
    const [old, recent, failed] = [videoRow({ status: 'READY', createdAt: daysAgo(40) }), videoRow({ status: 'READY', createdAt: daysAgo(10) }), videoRow({ status: 'FAILED', createdAt: daysAgo(90) })];
    const { tiering, blobs, switched, published } = setup([old, recent, failed], [], { now: () => now });
    for (const video of [old, recent]) {
      video.bitstreamBlobKey = blobKeys.bitstream(video.id);
      await blobs.put(video.bitstreamBlobKey, writeBitstream(syntheticRepresentation()).bytes);
    }
    expect(await tiering.demoteOlderThan(30)).toMatchObject({ demoted: 1 });
    expect(switched.map(([videoId]) => videoId)).toEqual([old.id]);
    expect(published).toEqual([{ type: 'video-updated', videoId: old.id }]);
  });

  it('runs the age policy as its job only when TIERING_AFTER_DAYS is set', async () => {
    const old = videoRow({ status: 'ENCODING', createdAt: new Date('2020-01-01T00:00:00Z') });
    const { tiering, videos } = setup([old]);
    let asked = 0;
    const findDemotable = videos.findDemotable.bind(videos);
    videos.findDemotable = async (before, limit) => {
      asked += 1;
      return findDemotable(before, limit);
    };
    await tiering.policyJob(undefined).run(null as never);
    expect(asked).toBe(0);
    await tiering.policyJob(30).run(null as never);
    expect(asked).toBe(1);
  });
});
