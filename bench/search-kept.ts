/**
 * A seeded, indexed search-benchmark database kept for later runs (`--keep`, `--reuse DIR`): at 1M
 * captions seeding and building the HNSW index take 5–30 minutes, so comparing settings or
 * statements on one build saves a rebuild per variant. The kept data directory holds a manifest of
 * what was built; a later run checks it and the database against what that run asks for.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError, REPO_ROOT, withClient } from './lib.ts';
import { hnswParameters, SEARCH_INDEXES, type SearchIndexDefinitions } from './search-seeder.ts';

const MANIFEST = 'search-bench.json';

/** What a kept database holds, written once its indexes are built. */
export interface KeptSearchDatabase {
  /** Rows in "Embedding". */
  readonly captions: number;
  readonly seed: number;
  readonly topics: number;
  /** The indexes as built (`pg_get_indexdef`), m and ef_construction included. */
  readonly indexes: SearchIndexDefinitions;
  readonly seedMs: number;
  readonly ginMs: number;
  readonly hnswMs: number;
  /** ISO date of the build. */
  readonly builtAt: string;
}

/** What a run asks of the database it times. */
export interface WantedSearchDatabase {
  readonly captions: number;
  readonly seed: number;
  readonly topics: number;
  /** undefined: whatever the kept database was built with. */
  readonly m: number | undefined;
  readonly efConstruction: number | undefined;
  /** The migrations in prisma/migrations. */
  readonly migrations: readonly string[];
}

/** What the kept database holds now. */
export interface ObservedSearchDatabase {
  readonly embeddings: number;
  readonly indexes: { readonly gin: string | null; readonly hnsw: string | null };
  /** Migrations applied (finished, not rolled back). */
  readonly migrations: readonly string[];
}

/** Why the kept database cannot stand in for a fresh build of `wanted`; empty when it can. */
export function keptDatabaseProblems(kept: KeptSearchDatabase, wanted: WantedSearchDatabase, observed: ObservedSearchDatabase): string[] {
  const problems: string[] = [];
  if (kept.captions !== wanted.captions) problems.push(`it was seeded with ${kept.captions} captions, not ${wanted.captions}`);
  if (kept.seed !== wanted.seed || kept.topics !== wanted.topics) {
    problems.push(`its corpus has seed ${kept.seed} and ${kept.topics} topics, not seed ${wanted.seed} and ${wanted.topics} topics`);
  }
  if (observed.embeddings !== kept.captions) problems.push(`"Embedding" holds ${observed.embeddings} rows, not the ${kept.captions} seeded`);
  if (observed.indexes.gin !== kept.indexes.gin) problems.push(`${SEARCH_INDEXES.gin} is ${observed.indexes.gin ?? 'missing'}, not as built (${kept.indexes.gin})`);
  if (observed.indexes.hnsw !== kept.indexes.hnsw) problems.push(`${SEARCH_INDEXES.hnsw} is ${observed.indexes.hnsw ?? 'missing'}, not as built (${kept.indexes.hnsw})`);
  const built = hnswParameters(kept.indexes.hnsw);
  if ((wanted.m ?? built.m) !== built.m || (wanted.efConstruction ?? built.efConstruction) !== built.efConstruction) {
    problems.push(`its HNSW index has m = ${built.m}, ef_construction = ${built.efConstruction}, not m = ${wanted.m ?? built.m}, ef_construction = ${wanted.efConstruction ?? built.efConstruction}`);
  }
  const missing = wanted.migrations.filter((name) => !observed.migrations.includes(name));
  const unknown = observed.migrations.filter((name) => !wanted.migrations.includes(name));
  if (missing.length > 0) problems.push(`migrations not applied: ${missing.join(', ')}`);
  if (unknown.length > 0) problems.push(`migrations applied that prisma/migrations lacks: ${unknown.join(', ')}`);
  return problems;
}

export async function writeKeptManifest(dataDir: string, kept: KeptSearchDatabase): Promise<void> {
  await writeFile(join(dataDir, MANIFEST), `${JSON.stringify(kept, null, 2)}\n`);
}

export async function readKeptManifest(dataDir: string): Promise<KeptSearchDatabase> {
  let text: string;
  try {
    text = await readFile(join(dataDir, MANIFEST), 'utf8');
  } catch {
    throw new BenchError('INVALID_FLAG', `${dataDir} holds no ${MANIFEST}: it is not a database kept by bench:search --keep (or its build did not finish)`);
  }
  return JSON.parse(text) as KeptSearchDatabase;
}

export async function repositoryMigrations(): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, 'prisma/migrations'), { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

export async function observeSearchDatabase(databaseUrl: string): Promise<ObservedSearchDatabase> {
  return withClient(databaseUrl, async (client) => {
    const embeddings = Number((await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM "Embedding"`)).rows[0]!.count);
    const { rows } = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY($1)`,
      [Object.values(SEARCH_INDEXES)],
    );
    const definition = (name: string) => rows.find((row) => row.name === name)?.definition ?? null;
    const migrations = await client.query<{ name: string }>(
      `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    return {
      embeddings,
      indexes: { gin: definition(SEARCH_INDEXES.gin), hnsw: definition(SEARCH_INDEXES.hnsw) },
      migrations: migrations.rows.map((row) => row.name),
    };
  });
}
