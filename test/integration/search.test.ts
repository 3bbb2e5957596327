/**
 * Search over a synthetic archive whose captions are known: paraphrased queries must land on the
 * right moment (±1 clip), every moment carries a similarity in 0..1, the calibrated floor turns
 * unrelated queries (and common words alone) away, filters hold, and pages must not overlap.
 * Rows are written through the product's own repositories, with real USE-lite embeddings.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, RepresentationRepository, VideoRepository, type Database } from '@cmvc/db';
import { createTextEmbedder } from '@cmvc/models';
import { query, requireServices, startStack, type Stack } from '../support/stack.ts';

/** Each video is a sequence of scenes; clip j shows scene j. */
const ARCHIVE = [
  { title: 'commute', tags: ['city'], duration: 40, scenes: ['a red car drives from left to right on a busy highway', 'a bus stops at a crowded station', 'cyclists ride across a bridge over a river', 'a train leaves the platform at night'] },
  { title: 'home', tags: ['indoor'], duration: 20, scenes: ['a cook chops vegetables on a wooden kitchen counter', 'a cat sleeps on a sofa next to a window', 'two children build a tower of toy blocks', 'a man reads a newspaper at the breakfast table'] },
  { title: 'coast', tags: ['outdoor', 'nature'], duration: 60, scenes: ['waves crash on a rocky beach at sunset', 'a surfer paddles out into the ocean', 'seagulls fly over a fishing boat in the harbour', 'people walk a dog along the sandy shore'] },
  { title: 'factory', tags: ['indoor', 'industry'], duration: 30, scenes: ['bottles move along a conveyor belt', 'a robotic arm welds a car door', 'a worker in a helmet inspects metal bolts', 'boxes are stacked onto a pallet by a forklift'] },
];

const PARAPHRASES: { query: string; title: string; clip: number }[] = [
  { query: 'automobile driving on the motorway', title: 'commute', clip: 0 },
  { query: 'someone cutting vegetables in the kitchen', title: 'home', clip: 0 },
  { query: 'ocean waves hitting rocks in the evening', title: 'coast', clip: 0 },
  { query: 'a kitty napping on the couch', title: 'home', clip: 1 },
  { query: 'glass bottles on an assembly line', title: 'factory', clip: 0 },
  { query: 'birds flying above a boat', title: 'coast', clip: 2 },
];

let stack: Stack;
let db: Database;
const videoIds = new Map<string, string>();

const SEARCH = `query($q: String!, $first: Int, $after: String, $filter: MomentFilter, $min: Float) {
  search(query: $q, first: $first, after: $after, filter: $filter, minSimilarity: $min) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { similarity startSeconds endSeconds clip { index } caption { kind text } video { id title } } }
  }
}`;

interface SearchResult {
  search: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { similarity: number; startSeconds: number; endSeconds: number; clip: { index: number }; caption: { kind: string; text: string }; video: { id: string; title: string } } }[];
  };
}

beforeAll(async () => {
  stack = await startStack();
  db = createDatabase(requireServices().databaseUrl);
  const videos = new VideoRepository(db);
  const representations = new RepresentationRepository(db);
  const embedder = createTextEmbedder();
  try {
    for (const entry of ARCHIVE) {
      const clipSeconds = entry.duration / entry.scenes.length;
      const { video } = await videos.createQueued({
        title: entry.title,
        tags: entry.tags,
        sha256: createHash('sha256').update(entry.title).digest('hex'),
        sourceBytes: 1_000_000,
        durationSeconds: entry.duration,
        fps: 25,
        width: 640,
        height: 360,
        frameCount: entry.duration * 25,
        sourceBlobKey: `sources/${entry.title}`,
      });
      videoIds.set(entry.title, video.id);
      const keyframes = Array.from({ length: entry.scenes.length + 1 }, (_, index) => ({
        frameIndex: Math.min(index * clipSeconds * 25, entry.duration * 25 - 1),
        timeSeconds: index * clipSeconds,
        blobKey: `videos/${video.id}/keyframes/${index}.avif`,
        bytes: 1000,
        format: 'avif',
        width: 320,
        height: 180,
      }));
      const texts = entry.scenes.map((scene) => `camera static; ${scene}`);
      const vectors = await embedder.embed(texts);
      await representations.saveReady(video.id, {
        keyframes,
        clips: entry.scenes.map((_, index) => ({
          index,
          startFrame: keyframes[index]!.frameIndex,
          endFrame: keyframes[index + 1]!.frameIndex,
          startSeconds: index * clipSeconds,
          endSeconds: (index + 1) * clipSeconds,
        })),
        captions: texts.map((text, index) => ({ kind: 'MOTION' as const, text, clipIndex: index, embedding: { model: embedder.id, vector: vectors[index]! } })),
        bitstream: { blobKey: `videos/${video.id}/representation.cmvc`, bytes: 5000, sections: [] },
        keepSource: false,
      });
    }
  } finally {
    await embedder.dispose();
  }
});

afterAll(async () => {
  await db?.$disconnect();
  await stack?.stop();
});

async function search(variables: Record<string, unknown>): Promise<SearchResult['search']> {
  const response = await stack.graphql<SearchResult>(SEARCH, { first: 5, ...variables });
  expect(response.errors).toBeUndefined();
  return response.data!.search;
}

describe('hybrid moment search', () => {
  it.each(PARAPHRASES)('finds "$query" in $title, clip $clip (±1)', async ({ query: q, title, clip }) => {
    const [top] = (await search({ q })).edges.map((edge) => edge.node);
    expect(top?.video.title).toBe(title);
    expect(Math.abs(top!.clip.index - clip)).toBeLessThanOrEqual(1);
    const seconds = ARCHIVE.find((entry) => entry.title === title)!.duration / 4;
    expect(top!.startSeconds).toBeCloseTo(top!.clip.index * seconds, 5);
    expect(top!.endSeconds).toBeCloseTo((top!.clip.index + 1) * seconds, 5);
  });

  it('ranks an exact word match first and highlights it', async () => {
    const response = await stack.graphql<{ search: { edges: { node: { highlight: string; video: { title: string } } }[] } }>(
      '{ search(query: "forklift", first: 3) { edges { node { highlight video { title } } } } }',
    );
    const [top] = response.data!.search.edges;
    expect(top!.node.video.title).toBe('factory');
    expect(top!.node.highlight).toContain('<mark>forklift</mark>');
  });

  it('returns nothing for unrelated queries at the default floor', async () => {
    for (const q of ['zyxwvutsrq qwxz', 'a violin concerto in an opera house', 'quarterly tax figures in a spreadsheet']) {
      expect((await search({ q })).edges, q).toEqual([]);
    }
  });

  it('does not let a common word that every caption shares past the floor on its own', async () => {
    // Every caption starts with "camera static": a full-text match, but not a meaningful one.
    const all = await search({ q: 'static', first: 50, min: 0 });
    expect(all.edges.length).toBeGreaterThanOrEqual(16);
    expect((await search({ q: 'static' })).edges).toEqual([]);
  });

  it('gives every moment a similarity in 0..1, best first, and applies the floor it is given', async () => {
    const all = (await search({ q: 'a vehicle on a road', first: 50, min: 0 })).edges.map((edge) => edge.node.similarity);
    expect(all.length).toBeGreaterThan(5);
    for (const value of all) expect(value).toBeGreaterThanOrEqual(0), expect(value).toBeLessThanOrEqual(1);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
    expect(all[0]!).toBeGreaterThan(all.at(-1)!);
    const floor = (all[0]! + all.at(-1)!) / 2;
    const cut = (await search({ q: 'a vehicle on a road', first: 50, min: floor })).edges.map((edge) => edge.node.similarity);
    expect(cut.length).toBeLessThan(all.length);
    expect(Math.min(...cut)).toBeGreaterThanOrEqual(floor);
  });

  it('filters by tags, duration and creation date', async () => {
    const indoor = await search({ q: 'people doing things', first: 20, min: 0, filter: { tags: ['Indoor'] } });
    expect(new Set(indoor.edges.map((edge) => edge.node.video.title))).toEqual(new Set(['home', 'factory']));
    const long = await search({ q: 'people doing things', first: 20, min: 0, filter: { minDurationSeconds: 35 } });
    expect(new Set(long.edges.map((edge) => edge.node.video.title))).toEqual(new Set(['commute', 'coast']));
    await query(`UPDATE "Video" SET "createdAt" = now() - interval '10 days' WHERE title = 'coast'`);
    const recent = await search({ q: 'waves on a beach', first: 20, min: 0, filter: { createdAfter: new Date(Date.now() - 86_400_000).toISOString() } });
    expect(recent.edges.some((edge) => edge.node.video.title === 'coast')).toBe(false);
    expect(recent.edges.length).toBeGreaterThan(0);
  });

  it('pages through results with Relay cursors, without overlap', async () => {
    const first = await search({ q: 'a vehicle', first: 3, min: 0 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await search({ q: 'a vehicle', first: 3, min: 0, after: first.pageInfo.endCursor });
    const seen = (page: typeof first) => page.edges.map((edge) => edge.node.caption.text);
    expect(seen(second).some((text) => seen(first).includes(text))).toBe(false);
    expect(first.edges.at(-1)!.node.similarity).toBeGreaterThanOrEqual(second.edges[0]!.node.similarity);
  });
});
