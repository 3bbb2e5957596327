/** VideoRepository's batched writes against the real PostgreSQL: order, duplicates, batches, media. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, VideoRepository, type Database, type NewVideo } from '@cmvc/db';
import { query, requireServices, resetState } from '../support/stack.ts';

let db: Database;
let videos: VideoRepository;

beforeAll(() => {
  db = createDatabase(requireServices().databaseUrl);
  videos = new VideoRepository(db);
});

afterAll(async () => {
  await db?.$disconnect();
});

beforeEach(async () => {
  await resetState();
});

function newVideo(name: string): NewVideo {
  const sha256 = createHash('sha256').update(name).digest('hex');
  return { title: name, tags: ['t'], sha256, sourceBytes: 5_000_000_000, sourceBlobKey: `sources/${sha256}` };
}

describe('VideoRepository.createManyQueued', () => {
  it('inserts 2,500 rows in one statement, answering in input order with the first of each repeated hash created', async () => {
    const inputs = Array.from({ length: 2500 }, (_, index) => newVideo(`video ${index}`));
    // The same hash again, with another title, at the start, in the middle and at the end.
    const batch = [newVideo('video 7'), ...inputs.slice(0, 1200), { ...newVideo('video 7'), title: 'later title' }, ...inputs.slice(1200), newVideo('video 2499')];
    const results = await videos.createManyQueued(batch);
    expect(results).toHaveLength(batch.length);
    results.forEach((result, position) => expect(result.video.sha256).toBe(batch[position]!.sha256));
    expect(results.filter((result) => result.created)).toHaveLength(2500);
    expect(results[0]).toMatchObject({ created: true, video: { title: 'video 7' } });
    expect(results[8]).toMatchObject({ created: false, video: { id: results[0]!.video.id } });
    expect(results[1201]).toMatchObject({ created: false, video: { id: results[0]!.video.id, title: 'video 7' } });
    expect(results.at(-1)).toMatchObject({ created: false, video: { id: results.at(-2)!.video.id } });
    expect(results[5]!.video).toMatchObject({ status: 'QUEUED', tier: 'FULL', error: null, durationSeconds: null, width: null, sourceBytes: 5_000_000_000n, tags: ['t'] });
    // Same clock as rows Prisma writes itself.
    const { video: viaPrisma } = await videos.createQueued(newVideo('reference'));
    const reference = await db.video.update({ where: { id: viaPrisma.id }, data: { title: 'touched' } });
    expect(Math.abs(results[5]!.video.createdAt.getTime() - reference.updatedAt.getTime())).toBeLessThan(60_000);
    expect(Math.abs(results[5]!.video.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const [count] = await query<{ count: string }>('SELECT count(*) FROM "Video"');
    expect(Number(count!.count)).toBe(2501);
  });

  it('returns existing rows with created false, next to new ones', async () => {
    const [first] = await videos.createManyQueued([newVideo('old')]);
    const results = await videos.createManyQueued([newVideo('new 1'), newVideo('old'), newVideo('new 2')]);
    expect(results.map((result) => result.created)).toEqual([true, false, true]);
    expect(results[1]!.video.id).toBe(first!.video.id);
    expect((await videos.findManyBySha256([newVideo('old').sha256, newVideo('new 2').sha256, 'f'.repeat(64)])).map((video) => video.title).sort()).toEqual(['new 2', 'old']);
  });

  it('gives concurrent batches over the same hashes exactly one creator per hash, without deadlocks', async () => {
    const inputs = Array.from({ length: 1500 }, (_, index) => newVideo(`shared ${index}`));
    const calls = await Promise.all([
      videos.createManyQueued(inputs),
      videos.createManyQueued([...inputs].reverse()),
      videos.createManyQueued(inputs.filter((_, index) => index % 3 === 0)),
    ]);
    const creators = new Map<string, number>();
    const ids = new Map<string, string>();
    for (const results of calls) {
      for (const result of results) {
        if (result.created) creators.set(result.video.sha256, (creators.get(result.video.sha256) ?? 0) + 1);
        expect(ids.get(result.video.sha256) ?? result.video.id).toBe(result.video.id);
        ids.set(result.video.sha256, result.video.id);
      }
    }
    expect(creators.size).toBe(1500);
    expect([...creators.values()].every((count) => count === 1)).toBe(true);
  });

  it('records the media facts the encode job probed', async () => {
    const { video } = await videos.createQueued(newVideo('probe me'));
    const updated = await videos.setMedia(video.id, { durationSeconds: 2.5, fps: 24, width: 320, height: 240, frameCount: 60 });
    expect(updated).toMatchObject({ durationSeconds: 2.5, fps: 24, width: 320, height: 240, frameCount: 60 });
  });
});
