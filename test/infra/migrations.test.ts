/**
 * Checks what the hand-written parts of the migrations put in the database: the pgvector
 * extension, the generated full-text column on Caption with its GIN index, and the HNSW index on
 * Embedding.vector. Runs against DATABASE_URL after `prisma migrate deploy`; every write happens in
 * a transaction that is rolled back.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const databaseUrl = process.env.DATABASE_URL;
const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../prisma/migrations');
const EMBEDDING_DIMENSIONS = 512;

function randomUnitVector(dimensions: number): number[] {
  const values = Array.from({ length: dimensions }, () => Math.random() * 2 - 1);
  const norm = Math.hypot(...values);
  return values.map((value) => value / norm);
}

function vectorLiteral(values: readonly number[]): string {
  return `[${values.join(',')}]`;
}

describe.skipIf(!databaseUrl)('database migrations', () => {
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
  });

  /** Runs `work` inside a transaction that is always rolled back. */
  async function inRolledBackTransaction(work: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await work();
    } finally {
      await client.query('ROLLBACK');
    }
  }

  async function insertVideo(): Promise<string> {
    const id = randomUUID();
    await client.query(
      `INSERT INTO "Video" ("id", "title", "sha256", "sourceBytes", "durationSeconds", "fps", "width", "height", "frameCount", "updatedAt")
       VALUES ($1, 'migration test', $2, 1, 1, 25, 64, 64, 25, now())`,
      [id, randomUUID().replaceAll('-', '').padEnd(64, '0')],
    );
    return id;
  }

  async function insertCaption(videoId: string, text: string): Promise<string> {
    const id = randomUUID();
    await client.query(`INSERT INTO "Caption" ("id", "videoId", "kind", "text") VALUES ($1, $2, 'CONTENT', $3)`, [id, videoId, text]);
    return id;
  }

  it('applied every migration in prisma/migrations, none failed', async () => {
    const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
    const onDisk = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(onDisk);
  });

  it('installs the pgvector extension', async () => {
    const { rows } = await client.query<{ extversion: string }>(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.extversion).toMatch(/^\d+\.\d+/);
  });

  it('fills Caption.search from the caption text and keeps it in step', async () => {
    await inRolledBackTransaction(async () => {
      const marker = `marker${randomUUID().slice(0, 8)}`;
      const videoId = await insertVideo();
      const captionId = await insertCaption(videoId, `Two dogs were running across the fields ${marker}`);

      const search = async (query: string): Promise<string[]> =>
        (
          await client.query<{ id: string }>(
            `SELECT "id" FROM "Caption" WHERE "search" @@ plainto_tsquery('english', $1)`,
            [query],
          )
        ).rows.map((row) => row.id);

      const { rows } = await client.query<{ search: string }>(`SELECT "search"::text AS search FROM "Caption" WHERE "id" = $1`, [captionId]);
      // English stemming: "dogs" -> dog, "running" -> run; stop words are dropped.
      expect(rows[0]!.search).toContain("'dog'");
      expect(rows[0]!.search).toContain("'run'");
      expect(rows[0]!.search).not.toContain("'the'");
      expect(await search(`dog run ${marker}`)).toEqual([captionId]);

      await client.query(`UPDATE "Caption" SET "text" = $2 WHERE "id" = $1`, [captionId, `A red kite above the sea ${marker}`]);
      expect(await search(`dog ${marker}`)).toEqual([]);
      expect(await search(`kites ${marker}`)).toEqual([captionId]);
    });
  });

  it('refuses direct writes to the generated search column', async () => {
    await inRolledBackTransaction(async () => {
      const videoId = await insertVideo();
      const captionId = await insertCaption(videoId, 'a caption');
      await client.query('SAVEPOINT direct_write');
      await expect(
        client.query(`UPDATE "Caption" SET "search" = to_tsvector('english', 'other') WHERE "id" = $1`, [captionId]),
      ).rejects.toMatchObject({ code: '428C9' });
      await client.query('ROLLBACK TO SAVEPOINT direct_write');
    });
  });

  it('has a GIN index on Caption.search and an HNSW cosine index on Embedding.vector', async () => {
    const { rows } = await client.query<{ tablename: string; indexdef: string }>(
      `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('Caption', 'Embedding')`,
    );
    const definitions = rows.map((row) => `${row.tablename}: ${row.indexdef}`);
    expect(definitions).toContainEqual(expect.stringMatching(/^Caption: .*USING gin \(search\)/));
    expect(definitions).toContainEqual(expect.stringMatching(/^Embedding: .*USING hnsw \(vector vector_cosine_ops\)/));
  });

  it('stores 512-dimensional embeddings and answers nearest-neighbour queries through the HNSW index', async () => {
    await inRolledBackTransaction(async () => {
      const videoId = await insertVideo();
      const vectors = Array.from({ length: 20 }, () => randomUnitVector(EMBEDDING_DIMENSIONS));
      const captionIds: string[] = [];
      for (const [index, vector] of vectors.entries()) {
        const captionId = await insertCaption(videoId, `caption ${index}`);
        captionIds.push(captionId);
        await client.query(`INSERT INTO "Embedding" ("id", "captionId", "model", "vector") VALUES ($1, $2, 'test', $3::vector)`, [
          randomUUID(),
          captionId,
          vectorLiteral(vector),
        ]);
      }

      const target = 7;
      const probe = vectorLiteral(vectors[target]!);
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT "captionId" FROM "Embedding" ORDER BY "vector" <=> $1::vector LIMIT 3`,
        [probe],
      );
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('Embedding_vector_idx');
      const nearest = await client.query<{ captionId: string; distance: number }>(
        `SELECT "captionId", ("vector" <=> $1::vector) AS distance FROM "Embedding" ORDER BY "vector" <=> $1::vector LIMIT 1`,
        [probe],
      );
      expect(nearest.rows[0]!.captionId).toBe(captionIds[target]);
      expect(nearest.rows[0]!.distance).toBeCloseTo(0, 5);

      await client.query('SAVEPOINT wrong_dimensions');
      await expect(
        client.query(`INSERT INTO "Embedding" ("id", "captionId", "model", "vector") VALUES ($1, $2, 'test', '[1,2,3]')`, [
          randomUUID(),
          await insertCaption(videoId, 'short vector'),
        ]),
      ).rejects.toMatchObject({ code: '22000' });
      await client.query('ROLLBACK TO SAVEPOINT wrong_dimensions');
    });
  });
});
