import { describe, expect, it } from 'vitest';
import { keptDatabaseProblems, type KeptSearchDatabase, type ObservedSearchDatabase, type WantedSearchDatabase } from '../../bench/search-kept.ts';
import { hnswParameters } from '../../bench/search-seeder.ts';

const GIN = 'CREATE INDEX "Caption_search_idx" ON public."Caption" USING gin (search)';
const hnsw = (m: number, efConstruction: number) =>
  `CREATE INDEX "Embedding_vector_idx" ON public."Embedding" USING hnsw (vector vector_cosine_ops) WITH (m='${m}', ef_construction='${efConstruction}')`;
const MIGRATIONS = ['20261125034445_init', '20261206130000_rendition_segments'];

const kept: KeptSearchDatabase = {
  captions: 1_000_000,
  seed: 20_261_125,
  topics: 300,
  indexes: { gin: GIN, hnsw: hnsw(16, 200) },
  seedMs: 78_000,
  ginMs: 20_000,
  hnswMs: 590_000,
  builtAt: '2026-12-06T19:50:00.000Z',
};
const wanted: WantedSearchDatabase = { captions: 1_000_000, seed: 20_261_125, topics: 300, m: undefined, efConstruction: undefined, migrations: MIGRATIONS };
const observed: ObservedSearchDatabase = { embeddings: 1_000_000, indexes: { gin: GIN, hnsw: hnsw(16, 200) }, migrations: MIGRATIONS };

describe('keptDatabaseProblems (bench:search --reuse)', () => {
  it('accepts a kept database that holds what the run asks for, with or without the index flags', () => {
    expect(keptDatabaseProblems(kept, wanted, observed)).toEqual([]);
    expect(keptDatabaseProblems(kept, { ...wanted, m: 16, efConstruction: 200 }, observed)).toEqual([]);
  });

  it('rejects another size, corpus or index build than the one asked for', () => {
    expect(keptDatabaseProblems(kept, { ...wanted, captions: 100_000 }, observed)).toEqual(['it was seeded with 1000000 captions, not 100000']);
    expect(keptDatabaseProblems(kept, { ...wanted, topics: 100 }, observed)).toHaveLength(1);
    expect(keptDatabaseProblems(kept, { ...wanted, efConstruction: 64 }, observed)).toEqual([
      'its HNSW index has m = 16, ef_construction = 200, not m = 16, ef_construction = 64',
    ]);
  });

  it('rejects a database changed since it was kept: rows, indexes, migrations', () => {
    expect(keptDatabaseProblems(kept, wanted, { ...observed, embeddings: 999_999 })).toEqual(['"Embedding" holds 999999 rows, not the 1000000 seeded']);
    expect(keptDatabaseProblems(kept, wanted, { ...observed, indexes: { gin: GIN, hnsw: null } })[0]).toMatch(/^Embedding_vector_idx is missing/);
    expect(keptDatabaseProblems(kept, wanted, { ...observed, indexes: { gin: GIN, hnsw: hnsw(16, 64) } })).toHaveLength(1);
    expect(keptDatabaseProblems(kept, { ...wanted, migrations: [...MIGRATIONS, '20261206200000_new'] }, observed)).toEqual([
      'migrations not applied: 20261206200000_new',
    ]);
    expect(keptDatabaseProblems(kept, wanted, { ...observed, migrations: [...MIGRATIONS, '20261206200000_gone'] })).toEqual([
      'migrations applied that prisma/migrations lacks: 20261206200000_gone',
    ]);
  });
});

describe('hnswParameters', () => {
  it('reads m and ef_construction from an index definition, with pgvector’s defaults where it names none', () => {
    expect(hnswParameters(hnsw(24, 128))).toEqual({ m: 24, efConstruction: 128 });
    expect(hnswParameters('CREATE INDEX "Embedding_vector_idx" ON "Embedding" USING hnsw ("vector" vector_cosine_ops)')).toEqual({ m: 16, efConstruction: 64 });
    expect(hnswParameters('CREATE INDEX x ON e USING hnsw (v vector_cosine_ops) WITH (ef_construction = 200)')).toEqual({ m: 16, efConstruction: 200 });
  });
});
