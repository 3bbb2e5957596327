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
  /** Words matched in full text (stemmed, stopwords dropped); empty turns full-text matching off. */
  readonly text: string;
  /** Query embedding for semantic similarity; without it, full-text only. */
  readonly embedding?: Float32Array;
  readonly limit: number;
  readonly offset: number;
  /** Moments whose similarity (see `SearchRepository.searchMoments`) is below this floor are dropped. */
  readonly minSimilarity: number;
  /**
   * The cosine similarity the query reaches with text about nothing in particular (0 without one):
   * similarities are rescaled so that this is 0 and a perfect match 1.
   */
  readonly baseline?: number;
  readonly filter?: MomentFilter;
  /** How many nearest captions the semantic search contributes as candidates. */
  readonly candidates?: number;
}

export interface MomentRow {
  readonly captionId: string;
  readonly kind: 'CONTENT' | 'MOTION' | 'SPEECH';
  readonly text: string;
  readonly highlight: string;
  readonly videoId: string;
  readonly clipId: string | null;
  readonly keyframeId: string | null;
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** How well the caption matches the query, 0..1 (see `SearchRepository.searchMoments`). */
  readonly similarity: number;
}

export interface KeyframeMatch {
  readonly videoId: string;
  readonly keyframeId: string;
  readonly blobKey: string;
  readonly similarity: number;
}

/**
 * A caption that contains a share f of the query's words (full text, stemmed) has its similarity s
 * mapped onto l + (1 − l)·s with l = f·TEXT_MATCH_MIN: a caption that says exactly what was asked is
 * a match even when the embeddings of a one-word query and a long caption are far apart. The
 * caller leaves words every caption shares out of `text` (docs/search-relevance.md).
 */
export const TEXT_MATCH_MIN = 0.35;
/** Full-text matches ranked at most; see docs/BENCHMARKS.md (1M captions, common words). */
const TEXT_MATCH_CAP = 2_000;
const HIGHLIGHT_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true';
/** Captions holding a word from which it counts as common (see `SearchOptions.commonWordCaptions`). */
export const COMMON_WORD_CAPTIONS = 50_000;

export interface SearchOptions {
  /**
   * A query word that at least this many captions hold (by the statistics ANALYZE keeps) fetches
   * no full-text candidates when the query has an embedding: its GIN posting list would cost more
   * than the rest of the search ("camera" is in half of all captions), and its matches are an
   * arbitrary sample anyway. It still counts in every candidate's word share.
   */
  readonly commonWordCaptions?: number;
}

/**
 * Moment search with one similarity in 0..1 for every result, so results can be cut at a floor
 * and shown to people as a percentage: the cosine similarity c of the caption's and the query's
 * embeddings, rescaled against the query's baseline b as (c − b) / (1 − b) and clamped to 0..1,
 * then lifted by the share of the words of `text` the caption contains (see TEXT_MATCH_MIN; full
 * text over the generated tsvector, GIN). Candidates are the nearest captions (pgvector HNSW) and
 * the captions containing any of the words that are not common (SearchOptions.commonWordCaptions).
 * Without a query embedding the similarity is the share of the query's words the caption
 * contains, and every word fetches candidates.
 */
export class SearchRepository {
  private readonly commonWordCaptions: number;

  constructor(
    private readonly db: Database,
    options: SearchOptions = {},
  ) {
    const commonWordCaptions = options.commonWordCaptions ?? COMMON_WORD_CAPTIONS;
    if (!Number.isInteger(commonWordCaptions) || commonWordCaptions < 1) throw new RangeError(`commonWordCaptions must be a positive integer, not ${commonWordCaptions}`);
    this.commonWordCaptions = commonWordCaptions;
  }

  async searchMoments(query: MomentQuery): Promise<MomentRow[]> {
    // Row counts are written into the statement, not bound: the plan of a prepared statement is
    // then reused only where it was made for the same limits (an unknown LIMIT would make the
    // planner expect a tenth of the table and may leave the HNSW index out).
    const candidates = Prisma.raw(String(candidateCount(query)));
    const vector = query.embedding ? toVectorLiteral(query.embedding) : null;
    const baseline = Math.min(0.99, Math.max(0, query.baseline ?? 0));
    const videos = videoFilter(query.filter ?? {});
    // One statement, no transaction: the HNSW settings come with the connection (hnswConnectionOptions).
    // The query vector is bound once (qv): every bound copy of its ~5 KB of text costs the client milliseconds.
    return this.db.$queryRaw<MomentRow[]>`
      WITH qv AS (SELECT ${vector}::vector AS v),
      words AS (SELECT COALESCE(tsvector_to_array(to_tsvector('english', ${query.text})), '{}') AS lexemes),
      -- The query's common words (SearchOptions.commonWordCaptions), by the statistics ANALYZE keeps.
      common AS (
        SELECT COALESCE(array_agg(e.lexeme), '{}') AS lexemes
        FROM pg_stats s
        CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, share)
        CROSS JOIN words
        WHERE s.schemaname = current_schema() AND s.tablename = 'Caption' AND s.attname = 'search'
          AND e.lexeme = ANY(words.lexemes)
          AND e.share * (SELECT reltuples FROM pg_class WHERE oid = '"Caption"'::regclass) >= ${Prisma.raw(String(this.commonWordCaptions))}
      ),
      q AS (
        SELECT words.lexemes,
               CASE WHEN cardinality(words.lexemes) = 0 THEN ''::tsquery
                    ELSE to_tsquery('simple', array_to_string(ARRAY(SELECT quote_literal(l) FROM unnest(words.lexemes) l), ' | ')) END AS tsq,
               CASE WHEN cardinality(candidate.lexemes) = 0 THEN NULL
                    ELSE to_tsquery('simple', array_to_string(ARRAY(SELECT quote_literal(l) FROM unnest(candidate.lexemes) l), ' | ')) END AS candidate_tsq
        FROM words, common,
          -- With a query vector, common words fetch no full-text candidates (their GIN posting lists
          -- cost more than the rest of the search); they still count in every candidate's share.
          LATERAL (SELECT ARRAY(SELECT l FROM unnest(words.lexemes) l
                                WHERE (SELECT v FROM qv) IS NULL OR l <> ALL (common.lexemes)) AS lexemes) candidate
      ),
      -- A common word can match millions of captions: rank only the first few thousand matches.
      text_matches AS (
        SELECT c.id, c.search
        FROM "Caption" c JOIN "Video" v ON v.id = c."videoId", q
        WHERE q.candidate_tsq IS NOT NULL AND c.search @@ q.candidate_tsq AND ${videos}
        LIMIT ${Prisma.raw(String(TEXT_MATCH_CAP))}
      ),
      nearest AS (
        SELECT e."captionId" AS id, c.search, e.vector <=> (SELECT v FROM qv) AS distance
        FROM "Embedding" e
        JOIN "Caption" c ON c.id = e."captionId"
        JOIN "Video" v ON v.id = c."videoId"
        WHERE (SELECT v FROM qv) IS NOT NULL AND ${videos}
        ORDER BY e.vector <=> (SELECT v FROM qv)
        LIMIT ${candidates}
      ),
      -- The share of the query's words each caption holds, computed once per candidate: the
      -- caption's lexemes less those left once the query's are deleted (one call, no subquery).
      nearest_shares AS MATERIALIZED (
        SELECT n.id, n.distance,
          (length(n.search) - length(ts_delete(n.search, q.lexemes)))::float8 / GREATEST(1, cardinality(q.lexemes)) AS share
        FROM nearest n CROSS JOIN q
      ),
      -- Of the word matches, only the best by share (as many as the nearest) get their embedding
      -- fetched, each a random read of a 2 KB vector. One left out could outrank them only by a
      -- higher cosine, and the captions nearest by cosine are candidates already.
      text_shares AS MATERIALIZED (
        SELECT t.id, (length(t.search) - length(ts_delete(t.search, q.lexemes)))::float8 / GREATEST(1, cardinality(q.lexemes)) AS share
        FROM text_matches t CROSS JOIN q
        WHERE NOT EXISTS (SELECT 1 FROM nearest n WHERE n.id = t.id)
        ORDER BY share DESC, t.id
        LIMIT ${candidates}
      ),
      shares AS (
        SELECT id, distance, share FROM nearest_shares
        UNION ALL
        SELECT t.id, (SELECT e.vector <=> (SELECT v FROM qv) FROM "Embedding" e WHERE e."captionId" = t.id), t.share
        FROM text_shares t
      ),
      top AS MATERIALIZED (
        SELECT id, similarity FROM (
          SELECT s.id,
            CASE WHEN (SELECT v FROM qv) IS NULL THEN s.share
                 ELSE s.share * ${TEXT_MATCH_MIN}::float8 + (1 - s.share * ${TEXT_MATCH_MIN}::float8)
                      * LEAST(1.0, GREATEST(0.0, (COALESCE(1 - s.distance, 0) - ${baseline}::float8) / (1 - ${baseline}::float8)))
            END::float8 AS similarity
          FROM shares s
        ) scored
        WHERE similarity >= ${query.minSimilarity}::float8
        ORDER BY similarity DESC, id
        LIMIT ${query.limit} OFFSET ${query.offset}
      )
      SELECT c.id AS "captionId", c.kind::text AS kind, c.text,
             ts_headline('english', c.text, q.tsq, ${HIGHLIGHT_OPTIONS}) AS highlight,
             c."videoId", c."clipId",
             COALESCE(c."keyframeId", start_keyframe.id) AS "keyframeId",
             COALESCE(c."startSeconds", cl."startSeconds", 0)::float8 AS "startSeconds",
             COALESCE(c."endSeconds", cl."endSeconds", v."durationSeconds")::float8 AS "endSeconds",
             f.similarity
      FROM top f
      JOIN "Caption" c ON c.id = f.id
      JOIN "Video" v ON v.id = c."videoId"
      LEFT JOIN "Clip" cl ON cl.id = c."clipId"
      LEFT JOIN "Keyframe" start_keyframe
        ON start_keyframe."videoId" = c."videoId" AND start_keyframe."frameIndex" = cl."startFrame"
      CROSS JOIN q
      ORDER BY f.similarity DESC, c.id`;
  }

  /**
   * Keyframes of other videos whose content caption is nearest to `embedding` (HNSW, cosine):
   * the exemplars the TT2V retrieval generator composes from.
   */
  async nearestKeyframes(embedding: Float32Array, limit: number, excludeVideoId: string | null): Promise<KeyframeMatch[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
    return this.db.$queryRaw<KeyframeMatch[]>`
      WITH qv AS (SELECT ${toVectorLiteral(embedding)}::vector AS v)
      SELECT k."videoId", k.id AS "keyframeId", k."blobKey", (1 - (e.vector <=> (SELECT v FROM qv)))::float8 AS similarity
      FROM "Embedding" e
      JOIN "Caption" c ON c.id = e."captionId"
      JOIN "Keyframe" k ON k.id = c."keyframeId"
      WHERE c.kind = 'CONTENT' AND k."blobKey" IS NOT NULL
        AND (${excludeVideoId}::uuid IS NULL OR k."videoId" <> ${excludeVideoId}::uuid)
      ORDER BY e.vector <=> (SELECT v FROM qv)
      LIMIT ${Prisma.raw(String(limit))}`;
  }
}

/** At least the requested candidates and the page's end, rounded up to a power of two so few distinct statements exist. */
function candidateCount(query: MomentQuery): number {
  const wanted = Math.max(query.candidates ?? 100, query.offset + query.limit);
  return wanted <= 100 ? 100 : 2 ** Math.ceil(Math.log2(wanted));
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
