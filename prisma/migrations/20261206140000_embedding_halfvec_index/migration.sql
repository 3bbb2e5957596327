-- The HNSW index holds half-precision copies of the embeddings (pgvector halfvec): half the index
-- pages a search reads, at 1M captions the difference between index pages in memory and read from
-- disk. Searches order by the same expression and score the rows it yields with the full vectors
-- (packages/db/src/repositories/search-repository.ts; docs/BENCHMARKS.md, search at 1M captions).
DROP INDEX "Embedding_vector_idx";

-- CreateIndex: approximate nearest-neighbour search by cosine distance, over halfvec copies
CREATE INDEX "Embedding_vector_idx" ON "Embedding" USING hnsw (("vector"::halfvec(512)) halfvec_cosine_ops);
