/**
 * Common words in moment search (SearchOptions.commonWordCaptions): with a query embedding, a word
 * that many captions hold fetches no full-text candidates (at 1M captions "camera" alone is a GIN
 * bitmap of 500k postings), yet still counts in the word share of every candidate found another
 * way. Rows are written with SQL: the embeddings are constructed so that which captions are the
 * nearest is known exactly.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, SearchRepository, TEXT_MATCH_MIN, type Database, type MomentRow } from '@cmvc/db';
import { query, requireServices, resetState } from '../support/stack.ts';

const DIMENSIONS = 512;
/**
 * Captions and their cosine with the query. The street captions are the nearest, but less similar
 * than a full-text match of the whole query (TEXT_MATCH_MIN = 0.35) that is orthogonal to it.
 */
const STREET = { text: 'a quiet street at dusk', cosine: 0.3, count: 150 };
const CRANE = { text: 'camera cranes up over a quiet street', cosine: 0.5 };
const FIELD = { text: 'camera stays still over an empty field', cosine: 0, count: 150 };
const PENGUIN = { text: 'camera follows a penguin on the ice', cosine: 0 };
/** "camera" is in 152 captions: common at this threshold, not at the default. */
const COMMON_WORD_CAPTIONS = 100;

/** A unit vector with cosine `cosine` to QUERY (axis 0), the rest along its own axis. */
function vector(cosine: number, ownAxis: number): Float32Array {
  const values = new Float32Array(DIMENSIONS);
  values[0] = cosine;
  values[ownAxis] = Math.sqrt(1 - cosine ** 2);
  return values;
}

const QUERY = Float32Array.from({ length: DIMENSIONS }, (_, index) => (index === 0 ? 1 : 0));

let db: Database;
let withCommonWords: SearchRepository;
let withDefaults: SearchRepository;

beforeAll(async () => {
  await resetState();
  db = createDatabase(requireServices().databaseUrl);
  withCommonWords = new SearchRepository(db, { commonWordCaptions: COMMON_WORD_CAPTIONS });
  withDefaults = new SearchRepository(db);
  const videoId = randomUUID();
  await query(
    `INSERT INTO "Video" ("id", "title", "sha256", "sourceBytes", "durationSeconds", "fps", "width", "height", "frameCount", "status", "updatedAt")
     VALUES ($1, 'common words', $2, 1000, 60, 25, 640, 360, 1500, 'READY', now())`,
    [videoId, 'c'.repeat(64)],
  );
  const rows = [
    ...Array.from({ length: STREET.count }, (_, index) => ({ text: STREET.text, vector: vector(STREET.cosine, 10 + index) })),
    ...Array.from({ length: FIELD.count }, (_, index) => ({ text: FIELD.text, vector: vector(FIELD.cosine, 200 + index) })),
    { text: PENGUIN.text, vector: vector(PENGUIN.cosine, 400) },
    { text: CRANE.text, vector: vector(CRANE.cosine, 401) },
  ];
  const captionIds = rows.map(() => randomUUID());
  await query(
    `INSERT INTO "Caption" ("id", "videoId", "kind", "text") SELECT id, $1, 'CONTENT', text FROM unnest($2::uuid[], $3::text[]) AS r(id, text)`,
    [videoId, captionIds, rows.map((row) => row.text)],
  );
  await query(
    `INSERT INTO "Embedding" ("id", "captionId", "model", "vector")
     SELECT gen_random_uuid(), id, 'test', v::vector FROM unnest($1::uuid[], $2::text[]) AS r(id, v)`,
    [captionIds, rows.map((row) => `[${Array.from(row.vector).join(',')}]`)],
  );
  // Which words are common comes from the statistics ANALYZE keeps.
  await query('ANALYZE "Caption"');
});

afterAll(async () => {
  await db?.$disconnect();
});

/** 20 results: 100 vector candidates, fewer than the street captions. */
function search(repository: SearchRepository, text: string, embedding?: Float32Array, limit = 20): Promise<MomentRow[]> {
  return repository.searchMoments({ text, ...(embedding ? { embedding } : {}), limit, offset: 0, minSimilarity: 0 });
}

const texts = (rows: MomentRow[]) => new Set(rows.map((row) => row.text));

describe('common words in moment search', () => {
  it('lets a word below the threshold fetch the captions it is in, ahead of nearer ones without it', async () => {
    const rows = await search(withDefaults, 'camera', QUERY);
    expect(texts(rows)).toContain(FIELD.text);
    expect(texts(rows)).not.toContain(STREET.text);
  });

  it('finds a query of common words only by its embedding, with the word still lifting the similarity', async () => {
    const rows = await search(withCommonWords, 'camera', QUERY);
    expect(texts(rows)).toEqual(new Set([CRANE.text, STREET.text]));
    expect(rows[0]!.text).toBe(CRANE.text);
    const [unlifted] = await search(withCommonWords, 'zebra', QUERY);
    expect(unlifted!.text).toBe(CRANE.text);
    expect(unlifted!.similarity).toBeCloseTo(CRANE.cosine, 5);
    expect(rows[0]!.similarity).toBeCloseTo(TEXT_MATCH_MIN + (1 - TEXT_MATCH_MIN) * CRANE.cosine, 5);
  });

  it('fetches a mixed query by its rarer words and counts the common ones in the share', async () => {
    const rows = await search(withCommonWords, 'camera penguin', QUERY);
    expect(texts(rows)).toEqual(new Set([CRANE.text, PENGUIN.text, STREET.text]));
    // Both words: the full lift, although the caption's embedding is orthogonal to the query's.
    expect(rows.find((row) => row.text === PENGUIN.text)!.similarity).toBeCloseTo(TEXT_MATCH_MIN, 5);
  });

  it('keeps common words as full-text candidates when the query has no embedding', async () => {
    const rows = await search(withCommonWords, 'camera', undefined, 300);
    expect(rows).toHaveLength(FIELD.count + 2);
    expect(rows.every((row) => row.similarity === 1)).toBe(true);
  });
});
