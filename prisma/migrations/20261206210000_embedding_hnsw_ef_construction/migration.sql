-- Rebuild the HNSW index with a wider build-time candidate list: ef_construction 200 (pgvector's
-- default, used until now, is 64; m stays 16). At 1M captions recall@20 of the search's vector
-- candidates was 0.926 at ef_search 200 with 64, and 0.963-0.971 at 200 and 0.987 at ef_search 350
-- (HNSW_EF_SEARCH) with 200 (docs/BENCHMARKS.md, "m = 16, ef_construction = 200, warm, on one kept
-- database"). The build takes about 2.5 times as long.
DROP INDEX "Embedding_vector_idx";
CREATE INDEX "Embedding_vector_idx" ON "Embedding" USING hnsw ("vector" vector_cosine_ops) WITH (m = 16, ef_construction = 200);
