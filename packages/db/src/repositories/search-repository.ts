import type { Database } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import { toVectorLiteral } from './representation-repository.ts';

/** Restricts which videos' moments are searched. */
export interface MomentFilter {
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly minDurationSeconds?: number;
  readonly maxDurationSeconds?: number;
  /** Videos carrying all of these tags. */
  readonly tags?: readonly string[];
}

export interface MomentQuery {
  readonly text: string;
  /** Query embedding for the semantic half of the ranking; without it, full-text only. */
  readonly embedding?: Float32Array;
  readonly limit: number;
  readonly offset: number;
  /** Semantic hits below this cosine similarity are dropped; full-text hits always count. */
  readonly minSimilarity: number;
  readonly filter?: MomentFilter;
  /** How many candidates each ranker contributes before fusion. */
  readonly candidates?: number;
}

export interface MomentRow {
  readonly captionId: string;
  readonly kind: 'CONTENT' | 'MOTION';
  readonly text: string;
  readonly highlight: string;
  readonly videoId: string;
  readonly clipId: string | null;
  readonly keyframeId: string | null;
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly score: number;
}

export interface KeyframeMatch {
  readonly videoId: string;
  readonly keyframeId: string;
  readonly blobKey: string;
  readonly similarity: number;
}

/** Reciprocal rank fusion constant (Cormack et al.); 60 is the usual choice. */
const RRF_K = 60;
/** Full-text matches ranked at most; see docs/BENCHMARKS.md (1M captions, common words). */
const TEXT_MATCH_CAP = 2_000;
const HIGHLIGHT_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true';

/**
 * Hybrid moment search: PostgreSQL full-text ranking (websearch_to_tsquery over the generated
 * tsvector, GIN) fused with pgvector cosine ranking (HNSW) by reciprocal rank fusion.
 */
export class SearchRepository {
  constructor(private readonly db: Database) {}

  async searchMoments(query: MomentQuery): Promise<MomentRow[]> {
    const candidates = Math.max(query.candidates ?? 100, query.offset + query.limit);
    const vector = query.embedding ? toVectorLiteral(query.embedding) : null;
    const videos = videoFilter(query.filter ?? {});
    // One statement, no transaction: the HNSW settings come with the connection (hnswConnectionOptions).
    return this.db.$queryRaw<MomentRow[]>`
      WITH q AS (SELECT websearch_to_tsquery('english', ${query.text}) AS tsq),
      -- A common word can match millions of captions: rank only the first few thousand matches.
      text_matches AS (
        SELECT c.id, c.search
        FROM "Caption" c JOIN "Video" v ON v.id = c."videoId", q
        WHERE c.search @@ q.tsq AND ${videos}
        LIMIT ${TEXT_MATCH_CAP}
      ),
      text_hits AS (
        SELECT m.id, row_number() OVER (ORDER BY ts_rank_cd(m.search, q.tsq) DESC, m.id) AS rank
        FROM text_matches m, q
        ORDER BY ts_rank_cd(m.search, q.tsq) DESC, m.id
        LIMIT ${candidates}
      ),
      nearest AS (
        SELECT e."captionId" AS id, e.vector <=> ${vector}::vector AS distance
        FROM "Embedding" e
        JOIN "Caption" c ON c.id = e."captionId"
        JOIN "Video" v ON v.id = c."videoId"
        WHERE ${vector}::text IS NOT NULL AND e.vector <=> ${vector}::vector <= ${1 - query.minSimilarity} AND ${videos}
        ORDER BY e.vector <=> ${vector}::vector
        LIMIT ${candidates}
      ),
      vector_hits AS (
        SELECT id, row_number() OVER (ORDER BY distance, id) AS rank FROM nearest
      ),
      fused AS (
        SELECT id, sum(1.0 / (${RRF_K} + rank))::float8 AS score
        FROM (SELECT id, rank FROM text_hits UNION ALL SELECT id, rank FROM vector_hits) ranked
        GROUP BY id
      )
      SELECT c.id AS "captionId", c.kind::text AS kind, c.text,
             ts_headline('english', c.text, q.tsq, ${HIGHLIGHT_OPTIONS}) AS highlight,
             c."videoId", c."clipId",
             COALESCE(c."keyframeId", start_keyframe.id) AS "keyframeId",
             COALESCE(cl."startSeconds", 0)::float8 AS "startSeconds",
             COALESCE(cl."endSeconds", v."durationSeconds")::float8 AS "endSeconds",
             f.score
      FROM fused f
      JOIN "Caption" c ON c.id = f.id
      JOIN "Video" v ON v.id = c."videoId"
      LEFT JOIN "Clip" cl ON cl.id = c."clipId"
      LEFT JOIN "Keyframe" start_keyframe
        ON start_keyframe."videoId" = c."videoId" AND start_keyframe."frameIndex" = cl."startFrame"
      CROSS JOIN q
      ORDER BY f.score DESC, c.id
      LIMIT ${query.limit} OFFSET ${query.offset}`;
  }

  /**
   * Keyframes of other videos whose content caption is nearest to `embedding` (HNSW, cosine):
   * the exemplars the TT2V retrieval generator composes from.
   */
  async nearestKeyframes(embedding: Float32Array, limit: number, excludeVideoId: string | null): Promise<KeyframeMatch[]> {
    const vector = toVectorLiteral(embedding);
    return this.db.$queryRaw<KeyframeMatch[]>`
      SELECT k."videoId", k.id AS "keyframeId", k."blobKey", (1 - (e.vector <=> ${vector}::vector))::float8 AS similarity
      FROM "Embedding" e
      JOIN "Caption" c ON c.id = e."captionId"
      JOIN "Keyframe" k ON k.id = c."keyframeId"
      WHERE c.kind = 'CONTENT' AND k."blobKey" IS NOT NULL
        AND (${excludeVideoId}::uuid IS NULL OR k."videoId" <> ${excludeVideoId}::uuid)
      ORDER BY e.vector <=> ${vector}::vector
      LIMIT ${limit}`;
  }
}

/** The filter as SQL over the video alias `v`, always including READY only. */
function videoFilter(filter: MomentFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`v.status = 'READY'`];
  if (filter.createdAfter) conditions.push(Prisma.sql`v."createdAt" >= ${filter.createdAfter}`);
  if (filter.createdBefore) conditions.push(Prisma.sql`v."createdAt" < ${filter.createdBefore}`);
  if (filter.minDurationSeconds !== undefined) conditions.push(Prisma.sql`v."durationSeconds" >= ${filter.minDurationSeconds}`);
  if (filter.maxDurationSeconds !== undefined) conditions.push(Prisma.sql`v."durationSeconds" <= ${filter.maxDurationSeconds}`);
  if (filter.tags && filter.tags.length > 0) conditions.push(Prisma.sql`v.tags @> ${[...filter.tags]}::text[]`);
  return Prisma.join(conditions, ' AND ');
}
