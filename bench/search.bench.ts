/**
 * Hybrid-search benchmark: seeds N synthetic embedded captions (N/2 clips, each with a content
 * and a motion caption, 4 clips per video) into private PostgreSQL + pgvector, rebuilds the GIN
 * and HNSW indexes, and times the product's own `SearchRepository.searchMoments`.
 *
 *   node --import tsx bench/search.bench.ts [--sizes 100000,1000000] [--queries 200] [--warmup 20]
 *     [--topics 300] [--m N] [--ef-construction N] [--ef-search 100,200] [--budget-minutes 25]
 *     [--maintenance-work-mem-mb N] [--explain 3] [--recall-queries 100] [--warm-pass] [--keep | --reuse DIR]
 *
 * Sizes count embedded captions (rows in "Embedding", the size of the HNSW index) and are loaded
 * incrementally: the second size adds rows to the first. Prints Markdown tables on stdout.
 * `--warm-pass` runs every query once untimed before timing them at each ef_search. `--keep` keeps
 * the private PostgreSQL's data directory (the last size, seeded and indexed) and prints it;
 * `--reuse DIR` times that database again without seeding or building, after checking that it
 * holds what this run asks for (bench/search-kept.ts). Delete a kept directory with `rm -rf DIR`.
 */
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createDatabase, HNSW_EF_SEARCH, SearchRepository, toVectorLiteral } from '@cmvc/db';
import {
  BenchError,
  booleanFlag,
  databaseSize,
  elapsedMs,
  flag,
  formatBytes,
  formatCount,
  formatMs,
  integerFlag,
  integerListFlag,
  log,
  machineInfo,
  machineTable,
  markdownTable,
  mean,
  runBench,
  startPrivateServices,
  summarize,
  withClient,
  type LatencySummary,
} from './lib.ts';
import { CAPTIONS_PER_CLIP, CLIPS_PER_VIDEO, SyntheticCorpus, type QueryKind, type SyntheticQuery } from './search-corpus.ts';
import { recordHeadlines, type Headline } from './headlines.ts';
import { recallAtK, type Neighbour } from './search-recall.ts';
import { buildSearchIndexes, dropSearchIndexes, hnswParameters, seedClips, type SearchIndexDefinitions } from './search-seeder.ts';
import {
  keptDatabaseProblems,
  observeSearchDatabase,
  readKeptManifest,
  repositoryMigrations,
  writeKeptManifest,
  type KeptSearchDatabase,
} from './search-kept.ts';

/** What the API passes by default (SearchService: first = 20 → limit 21, minSimilarity 0.35). */
const API_LIMIT = 21;
const API_MIN_SIMILARITY = 0.35;
const PRODUCT_CANDIDATES = 100;
const RECALL_K = 20;
const SEED = 20_261_125;

interface TimedQuery {
  readonly query: SyntheticQuery;
  readonly ms: number;
  readonly results: number;
}

interface EfSearchRun {
  readonly efSearch: number;
  readonly overall: LatencySummary;
  readonly byKind: Map<QueryKind, { summary: LatencySummary; meanResults: number }>;
  readonly recall: Map<QueryKind | 'all', KindRecall>;
  readonly slowest: TimedQuery[];
}

interface SizeResult {
  readonly captions: number;
  readonly videos: number;
  readonly seedMs: number;
  readonly ginMs: number;
  readonly hnswMs: number | null;
  readonly databaseBytes: number;
  readonly hnswBytes: number;
  readonly ginBytes: number;
  readonly runs: EfSearchRun[];
  readonly explain: string | null;
}

async function setDatabaseSetting(databaseUrl: string, name: string, value: string | null): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    const database = (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
    await client.query(value === null ? `ALTER DATABASE "${database}" RESET ${name}` : `ALTER DATABASE "${database}" SET ${name} = ${value}`);
  });
}

async function timeQueries(databaseUrl: string, queries: readonly SyntheticQuery[], warmup: number, efSearch: number, warmPass = false): Promise<TimedQuery[]> {
  // The product sets ef_search on each connection (createDatabase); the timing client does the same.
  const db = createDatabase(databaseUrl, { hnswEfSearch: efSearch });
  const search = new SearchRepository(db);
  try {
    const timings: TimedQuery[] = [];
    const timedPass = queries.map((query, index) => ({ query, timed: index >= warmup }));
    const passes = warmPass ? [...queries.map((query) => ({ query, timed: false })), ...timedPass] : timedPass;
    for (const { query, timed } of passes) {
      const started = performance.now();
      const rows = await search.searchMoments({ text: query.text, embedding: query.embedding, limit: API_LIMIT, offset: 0, minSimilarity: API_MIN_SIMILARITY });
      const ms = elapsedMs(started);
      if (timed) timings.push({ query, ms, results: rows.length });
    }
    return timings;
  } finally {
    await db.$disconnect();
  }
}

/** The product's vector candidates (search-repository.ts, `nearest`): the same joins, filter and order. */
function productCandidates(limit: number): string {
  return `SELECT e."captionId" AS id, e.vector <=> $1::vector AS distance
    FROM "Embedding" e JOIN "Caption" c ON c.id = e."captionId" JOIN "Video" v ON v.id = c."videoId"
    WHERE v.status = 'READY' ORDER BY e.vector <=> $1::vector LIMIT ${limit}`;
}

/** `perKind` queries of each kind, drawn from the same stream as the timed ones. */
function recallQueries(corpus: SyntheticCorpus, perKind: number): SyntheticQuery[] {
  const picked: SyntheticQuery[] = [];
  const counts = new Map<QueryKind, number>();
  for (let batch = 0; picked.length < perKind * 3; batch += 1) {
    if (batch > 100) throw new BenchError('BENCH_FAILED', `the corpus yields too few queries of some kind for ${perKind} each`);
    for (const query of corpus.queries(perKind * 10 * (batch + 1), SEED + 1).slice(perKind * 10 * batch)) {
      const count = counts.get(query.kind) ?? 0;
      if (count < perKind) {
        counts.set(query.kind, count + 1);
        picked.push(query);
      }
    }
  }
  return picked;
}

/** The product's HNSW candidates of each query at `efSearch`, with the iterative scan the product sets. */
async function productCandidatesOf(databaseUrl: string, queries: readonly SyntheticQuery[], efSearch: number): Promise<Neighbour[][]> {
  return withClient(databaseUrl, async (client) => {
    await client.query(`SET hnsw.ef_search = ${efSearch}`);
    await client.query(`SET hnsw.iterative_scan = relaxed_order`);
    const found: Neighbour[][] = [];
    for (const query of queries) found.push((await client.query<Neighbour>(productCandidates(PRODUCT_CANDIDATES), [toVectorLiteral(query.embedding)])).rows);
    return found;
  });
}

/**
 * The exact nearest RECALL_K of every query, in one sequential scan: each query's RECALL_K-th
 * nearest candidate found by HNSW is a real row, so the exact RECALL_K nearest lie no farther than
 * it (`bounds`), and only rows within that bound are kept and ranked. One scan instead of one per
 * query, because each embedding (2 KB, stored out of line) costs more to read than to compare.
 * The candidates' filter (READY videos) must keep every embedding, or the comparison would not be
 * like with like.
 */
async function exactNearest(databaseUrl: string, queries: readonly SyntheticQuery[], bounds: readonly number[]): Promise<Neighbour[][]> {
  return withClient(databaseUrl, async (client) => {
    const filteredOut = await client.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM "Embedding" e JOIN "Caption" c ON c.id = e."captionId" JOIN "Video" v ON v.id = c."videoId" WHERE v.status <> 'READY'`,
    );
    if (filteredOut.rows[0]!.count !== '0') throw new BenchError('BENCH_FAILED', `${filteredOut.rows[0]!.count} embeddings belong to videos that are not READY`);
    // OFFSET 0 keeps the subquery a scan of its own, so each vector is read once, not once per query.
    const statement = `
      WITH q AS MATERIALIZED (SELECT i, v::vector AS v, bound FROM unnest($1::int[], $2::text[], $3::float8[]) AS q(i, v, bound)),
      e AS (SELECT "captionId" AS id, vector::real[]::vector AS v FROM "Embedding" OFFSET 0)
      SELECT i, id, distance FROM (
        SELECT q.i, e.id, e.v <=> q.v AS distance, row_number() OVER (PARTITION BY q.i ORDER BY e.v <=> q.v, e.id) AS rank
        FROM e CROSS JOIN q WHERE e.v <=> q.v <= q.bound
      ) ranked
      WHERE rank <= ${RECALL_K} ORDER BY i, rank`;
    const parameters = [queries.map((_, index) => index), queries.map((query) => toVectorLiteral(query.embedding)), bounds];
    const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement}`, parameters)).rows.map((row) => row['QUERY PLAN']).join('\n');
    if (!/Seq Scan on "Embedding"/.test(plan) || /Index/.test(plan)) throw new BenchError('BENCH_FAILED', `the exact scan is not a sequential scan:\n${plan}`);
    const exact: Neighbour[][] = queries.map(() => []);
    for (const row of (await client.query<{ i: number; id: string; distance: number }>(statement, parameters)).rows) exact[row.i]!.push({ id: row.id, distance: row.distance });
    return exact;
  });
}

interface KindRecall {
  readonly queries: number;
  /** Mean rows the product's candidate statement returned (of PRODUCT_CANDIDATES). */
  readonly candidates: number;
  /** Means over the queries of `recallAtK` of the product's candidates. */
  readonly ids: number;
  readonly idsRescored: number;
  readonly tieAware: number;
  /** Queries whose recall with ties is below 0.5: the search ended in the wrong neighbourhood. */
  readonly lost: number;
}

/** Recall@RECALL_K of the product's HNSW candidates against the exact nearest, overall and per query kind. */
function vectorQuality(queries: readonly SyntheticQuery[], found: readonly Neighbour[][], exact: readonly Neighbour[][]): Map<QueryKind | 'all', KindRecall> {
  const perQuery = queries.map((query, index) => ({ kind: query.kind, candidates: found[index]!.length, recall: recallAtK(exact[index]!, found[index]!, RECALL_K) }));
  const summary = new Map<QueryKind | 'all', KindRecall>();
  for (const kind of ['all', 'content', 'motion', 'broad'] as const) {
    const ofKind = perQuery.filter((entry) => kind === 'all' || entry.kind === kind);
    summary.set(kind, {
      queries: ofKind.length,
      candidates: mean(ofKind.map((entry) => entry.candidates)),
      ids: mean(ofKind.map((entry) => entry.recall.ids)),
      idsRescored: mean(ofKind.map((entry) => entry.recall.idsRescored)),
      tieAware: mean(ofKind.map((entry) => entry.recall.tieAware)),
      lost: ofKind.filter((entry) => entry.recall.tieAware < 0.5).length,
    });
  }
  return summary;
}

/**
 * Runs `query` once with auto_explain (ANALYZE, BUFFERS) loaded into new sessions and returns the
 * plan PostgreSQL logged for the product's own statement.
 */
async function explainProductQuery(databaseUrl: string, postgresLog: string, query: SyntheticQuery, efSearch: number): Promise<string | null> {
  const settings: [string, string][] = [
    ['session_preload_libraries', `'auto_explain'`],
    ['auto_explain.log_min_duration', '0'],
    ['auto_explain.log_analyze', 'on'],
    ['auto_explain.log_buffers', 'on'],
  ];
  const logBefore = (await readFile(postgresLog, 'utf8')).length;
  for (const [name, value] of settings) await setDatabaseSetting(databaseUrl, name, value);
  try {
    await timeQueries(databaseUrl, [query], 0, efSearch);
  } finally {
    for (const [name] of settings) await setDatabaseSetting(databaseUrl, name, null);
  }
  const logged = (await readFile(postgresLog, 'utf8')).slice(logBefore);
  const entries = logged.split(/\n(?=\d{4}-\d\d-\d\d )/);
  const plan = entries.filter((entry) => entry.includes('plan:') && entry.includes('text_matches')).at(-1);
  if (!plan) return null;
  // Drop the statement text (it is in search-repository.ts) and shorten the query vector literals.
  const lines = plan.split('\n');
  const textStart = lines.findIndex((line) => line.includes('Query Text:'));
  const planStart = lines.findIndex((line, index) => index > textStart && /^\t\S/.test(line));
  const kept = textStart >= 0 && planStart > textStart ? [...lines.slice(0, textStart), ...lines.slice(planStart)] : lines;
  return kept.join('\n').replace(/'\[[-0-9.,e]+\]'::vector/g, "'[…]'::vector");
}

async function textMatches(databaseUrl: string, text: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const result = await client.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM "Caption" WHERE search @@ websearch_to_tsquery('english', $1)`,
      [text],
    );
    return Number(result.rows[0]!.count);
  });
}

async function indexSizes(databaseUrl: string): Promise<{ hnsw: number; gin: number }> {
  return withClient(databaseUrl, async (client) => {
    const result = await client.query<{ hnsw: string | null; gin: string | null }>(
      `SELECT pg_relation_size(to_regclass('"Embedding_vector_idx"'))::text AS hnsw,
              pg_relation_size(to_regclass('"Caption_search_idx"'))::text AS gin`,
    );
    return { hnsw: Number(result.rows[0]!.hnsw ?? 0), gin: Number(result.rows[0]!.gin ?? 0) };
  });
}

function efSearchRun(efSearch: number, timings: TimedQuery[], recall: Map<QueryKind | 'all', KindRecall>): EfSearchRun {
  const byKind = new Map<QueryKind, { summary: LatencySummary; meanResults: number }>();
  for (const kind of ['content', 'motion', 'broad'] as const) {
    const ofKind = timings.filter((timing) => timing.query.kind === kind);
    byKind.set(kind, { summary: summarize(ofKind.map((timing) => timing.ms)), meanResults: mean(ofKind.map((timing) => timing.results)) });
  }
  return {
    efSearch,
    overall: summarize(timings.map((timing) => timing.ms)),
    byKind,
    recall,
    slowest: [...timings].sort((a, b) => b.ms - a.ms).slice(0, 10),
  };
}

async function main(): Promise<void> {
  const keep = booleanFlag('keep');
  const reuseDir = flag('reuse');
  if (keep && reuseDir !== undefined) throw new BenchError('INVALID_FLAG', '--keep and --reuse exclude each other (a reused database is kept anyway)');
  const kept = reuseDir === undefined ? undefined : await readKeptManifest(reuseDir);
  const sizes = integerListFlag('sizes', kept ? [kept.captions] : [100_000, 1_000_000], 8, 50_000_000);
  if (kept && sizes.length !== 1) throw new BenchError('INVALID_FLAG', '--reuse times one size, the kept one');
  const queryCount = integerFlag('queries', 200, 1, 100_000);
  const warmup = integerFlag('warmup', 20, 0, 10_000);
  const warmPass = booleanFlag('warm-pass');
  const topics = integerFlag('topics', 300, 1, 100_000);
  // Each value is set per connection, as the product's createDatabase does (its default: hnswConnectionOptions).
  const efSearchValues = integerListFlag('ef-search', [HNSW_EF_SEARCH], 1, 1000);
  const budgetMs = integerFlag('budget-minutes', 25, 1, 24 * 60) * 60_000;
  const explainCount = integerFlag('explain', 1, 0, 10);
  const recallPerKind = integerFlag('recall-queries', 100, 1, 10_000);
  const mFlag = flag('m') === undefined ? undefined : integerFlag('m', 0, 2, 100);
  const efConstructionFlag = flag('ef-construction') === undefined ? undefined : integerFlag('ef-construction', 0, 4, 1000);
  const parallelWorkers = Math.max(1, cpus().length - 1);
  for (const [index, size] of sizes.entries()) {
    if (size % (CAPTIONS_PER_CLIP * CLIPS_PER_VIDEO) !== 0) throw new BenchError('INVALID_FLAG', `every size must be a multiple of ${CAPTIONS_PER_CLIP * CLIPS_PER_VIDEO}, got ${size}`);
    if (index > 0 && size <= sizes[index - 1]!) throw new BenchError('INVALID_FLAG', '--sizes must be increasing (each size adds rows to the previous one)');
  }

  const services = await startPrivateServices('search', reuseDir === undefined ? {} : { reuseDir });
  try {
    const info = await machineInfo(services.databaseUrl);
    const corpus = new SyntheticCorpus(SEED, topics);
    const queries = corpus.queries(warmup + queryCount, SEED + 1);
    const recallSet = recallQueries(corpus, recallPerKind);
    const results: SizeResult[] = [];
    let loadedClips = 0;
    let indexes: SearchIndexDefinitions | undefined;
    for (const size of sizes) {
      const targetClips = size / CAPTIONS_PER_CLIP;
      let build: { seedMs: number; ginMs: number; hnswMs: number | null; m: number; efConstruction: number; maintenanceWorkMemMb: number | null };
      if (kept) {
        const wanted = { captions: size, seed: SEED, topics, m: mFlag, efConstruction: efConstructionFlag, migrations: await repositoryMigrations() };
        const problems = keptDatabaseProblems(kept, wanted, await observeSearchDatabase(services.databaseUrl));
        if (problems.length > 0) throw new BenchError('INVALID_FLAG', `the database kept in ${services.dataDir} does not fit this run: ${problems.join('; ')}`);
        log(`size ${formatCount(size)}: reusing the database built ${kept.builtAt}`);
        build = { seedMs: kept.seedMs, ginMs: kept.ginMs, hnswMs: kept.hnswMs, ...hnswParameters(kept.indexes.hnsw), maintenanceWorkMemMb: null };
      } else {
        const sizeStarted = performance.now();
        log(`size ${formatCount(size)}: seeding captions ${formatCount(loadedClips * CAPTIONS_PER_CLIP)}…${formatCount(size)}`);
        indexes = await dropSearchIndexes(services.databaseUrl, indexes);
        // The migrations' HNSW parameters unless the flags say otherwise.
        const m = mFlag ?? hnswParameters(indexes.hnsw).m;
        const efConstruction = efConstructionFlag ?? hnswParameters(indexes.hnsw).efConstruction;
        await seedClips(services.databaseUrl, corpus, loadedClips, targetClips);
        loadedClips = targetClips;
        const seedMs = elapsedMs(sizeStarted);
        log(`  seeded in ${formatMs(seedMs)}; building indexes`);
        // About 3 KB per element keeps pgvector's graph in memory (it slows down a lot once it spills).
        const defaultWorkMemMb = Math.min(Math.ceil((size * 3 * 1024 * 1.25) / 1024 ** 2) + 64, Math.floor((totalmem() * 0.4) / 1024 ** 2));
        const maintenanceWorkMemMb = integerFlag('maintenance-work-mem-mb', Math.max(256, defaultWorkMemMb), 64, 1024 * 1024);
        const built = await buildSearchIndexes(services.databaseUrl, indexes, {
          m,
          efConstruction,
          maintenanceWorkMemMb,
          parallelWorkers,
          hnswTimeoutMs: Math.max(60_000, budgetMs - elapsedMs(sizeStarted)),
        });
        build = { seedMs, ginMs: built.ginMs, hnswMs: built.hnswMs, m, efConstruction, maintenanceWorkMemMb };
        if (keep && size === sizes.at(-1) && built.hnswMs !== null) {
          const observed = await observeSearchDatabase(services.databaseUrl);
          if (!observed.indexes.gin || !observed.indexes.hnsw) throw new BenchError('BENCH_FAILED', 'the search indexes are missing after the build');
          await writeKeptManifest(services.dataDir, {
            captions: size,
            seed: SEED,
            topics,
            indexes: { gin: observed.indexes.gin, hnsw: observed.indexes.hnsw },
            seedMs,
            ginMs: built.ginMs,
            hnswMs: built.hnswMs,
            builtAt: new Date().toISOString(),
          });
          services.keep();
        }
      }
      const sizesOnDisk = await indexSizes(services.databaseUrl);
      const runs: EfSearchRun[] = [];
      let explain: string | null = null;
      if (build.hnswMs !== null) {
        const measured: { efSearch: number; timings: TimedQuery[]; found: Neighbour[][] }[] = [];
        for (const efSearch of efSearchValues) {
          log(`  timing ${queryCount} queries (+${warmup} warm-up${warmPass ? ', after an untimed pass over all' : ''}) at hnsw.ef_search = ${efSearch}`);
          const timings = await timeQueries(services.databaseUrl, queries, warmup, efSearch, warmPass);
          measured.push({ efSearch, timings, found: await productCandidatesOf(services.databaseUrl, recallSet, efSearch) });
        }
        const bounds = recallSet.map((_, index) => Math.min(...measured.map(({ found }) => found[index]![RECALL_K - 1]?.distance ?? 2)));
        log(`  exact nearest ${RECALL_K} of ${recallSet.length} recall queries (one sequential scan)`);
        const exactStarted = performance.now();
        const exact = await exactNearest(services.databaseUrl, recallSet, bounds);
        log(`  exact scan took ${formatMs(elapsedMs(exactStarted))}`);
        for (const { efSearch, timings, found } of measured) runs.push(efSearchRun(efSearch, timings, vectorQuality(recallSet, found, exact)));
        const seen = new Set<string>();
        const slowest = (runs[0]?.slowest ?? []).filter((timing) => !seen.has(timing.query.text) && seen.add(timing.query.text)).slice(0, explainCount);
        const explained: string[] = [];
        for (const timing of slowest) {
          const matches = await textMatches(services.databaseUrl, timing.query.text);
          const plan = await explainProductQuery(services.databaseUrl, join(services.dataDir, 'postgres/postgres.log'), timing.query, efSearchValues[0]!);
          explained.push(`-- "${timing.query.text}" (${timing.query.kind}): ${formatMs(timing.ms)}, ${formatCount(matches)} full-text matches\n${plan ?? '(no plan logged)'}`);
        }
        explain = explained.length > 0 ? explained.join('\n\n') : null;
      }
      results.push({
        captions: size,
        videos: targetClips / CLIPS_PER_VIDEO,
        seedMs: build.seedMs,
        ginMs: build.ginMs,
        hnswMs: build.hnswMs,
        databaseBytes: await databaseSize(services.databaseUrl),
        hnswBytes: sizesOnDisk.hnsw,
        ginBytes: sizesOnDisk.gin,
        runs,
        explain,
      });
      printSize(results.at(-1)!, { m: build.m, efConstruction: build.efConstruction, maintenanceWorkMemMb: build.maintenanceWorkMemMb, keptFrom: kept?.builtAt ?? null, parallelWorkers, queryCount, warmup, warmPass, topics, recallPerKind });
      recordSizeHeadlines(results.at(-1)!);
    }
    process.stdout.write(`\n${machineTable(info)}\n`);
    if (keep || kept) process.stdout.write(`\nKept database: ${services.dataDir} (--reuse ${services.dataDir}; delete it with rm -rf when done)\n`);
  } finally {
    await services.stop();
  }
}

function recordSizeHeadlines(result: SizeResult): void {
  const size = formatCount(result.captions);
  const headlines: Headline[] = [
    { bench: 'search', metric: `seed ${size} captions (COPY)`, value: result.seedMs / 1000, unit: 's' },
    ...(result.hnswMs === null ? [] : [{ bench: 'search', metric: `HNSW build at ${size}`, value: result.hnswMs / 1000, unit: 's' }]),
  ];
  const run = result.runs[0];
  if (run) {
    const target = result.captions === 1_000_000 ? '≤ 50 ms' : undefined;
    headlines.push({ bench: 'search', metric: `hybrid p50 at ${size}`, value: run.overall.p50, unit: 'ms' });
    headlines.push({ bench: 'search', metric: `hybrid p95 at ${size}`, value: run.overall.p95, unit: 'ms', ...(target ? { target } : {}) });
    for (const [kind, { summary }] of run.byKind) headlines.push({ bench: 'search', metric: `hybrid p95 at ${size}, ${kind} queries`, value: summary.p95, unit: 'ms' });
    const recall = run.recall.get('all')!;
    headlines.push({ bench: 'search', metric: `vector recall@${RECALL_K} at ${size}, ids`, value: recall.idsRescored, unit: '' });
    headlines.push({ bench: 'search', metric: `vector recall@${RECALL_K} at ${size}, with ties`, value: recall.tieAware, unit: '', ...(target ? { target: '≥ 0.98' } : {}) });
  }
  recordHeadlines(headlines);
}

function printSize(
  result: SizeResult,
  settings: {
    m: number;
    efConstruction: number;
    maintenanceWorkMemMb: number | null;
    /** When the reused database was built (`--reuse`), else null. */
    keptFrom: string | null;
    parallelWorkers: number;
    queryCount: number;
    warmup: number;
    warmPass: boolean;
    topics: number;
    recallPerKind: number;
  },
): void {
  const out: string[] = [];
  out.push(`\n### Search at ${formatCount(result.captions)} embedded captions (${formatCount(result.captions / CAPTIONS_PER_CLIP)} clips, ${formatCount(result.videos)} videos)\n`);
  out.push(
    `HNSW m = ${settings.m}, ef_construction = ${settings.efConstruction}; ` +
      (settings.keptFrom === null
        ? `maintenance_work_mem = ${settings.maintenanceWorkMemMb} MB, ${settings.parallelWorkers} parallel maintenance worker(s); `
        : `database seeded and indexed by an earlier run (${settings.keptFrom}), reused; `) +
      `${settings.topics} topics; ${settings.queryCount} queries after ${settings.warmPass ? 'an untimed pass over all of them and ' : ''}${settings.warmup} warm-up, ` +
      `limit ${API_LIMIT}, minSimilarity ${API_MIN_SIMILARITY}, sequential, through SearchRepository.searchMoments (Prisma + adapter-pg).\n`,
  );
  out.push(
    markdownTable(
      ['seed (COPY)', 'GIN build', 'HNSW build', 'DB size', 'HNSW index', 'GIN index'],
      [[formatMs(result.seedMs), formatMs(result.ginMs), result.hnswMs === null ? 'not finished within budget' : formatMs(result.hnswMs), formatBytes(result.databaseBytes), formatBytes(result.hnswBytes), formatBytes(result.ginBytes)]],
    ),
  );
  if (result.runs.length > 0) {
    const rows: string[][] = [];
    const recallRows: string[][] = [];
    for (const run of result.runs) {
      rows.push([String(run.efSearch), 'all', String(run.overall.count), formatMs(run.overall.p50), formatMs(run.overall.p95), formatMs(run.overall.p99), formatMs(run.overall.max), '']);
      for (const [kind, { summary, meanResults }] of run.byKind) {
        rows.push(['', kind, String(summary.count), formatMs(summary.p50), formatMs(summary.p95), formatMs(summary.p99), formatMs(summary.max), meanResults.toFixed(1)]);
      }
      for (const [kind, recall] of run.recall) {
        recallRows.push([kind === 'all' ? String(run.efSearch) : '', kind, String(recall.queries), recall.candidates.toFixed(0), recall.ids.toFixed(3), recall.idsRescored.toFixed(3), recall.tieAware.toFixed(4), String(recall.lost)]);
      }
    }
    out.push('');
    out.push(markdownTable(['ef_search', 'queries', 'n', 'p50', 'p95', 'p99', 'max', 'rows'], rows));
    out.push(
      `\nVector candidates against an exact scan, ${settings.recallPerKind} queries of each kind: recall@${RECALL_K} by id in HNSW order, by id among the ` +
        `${PRODUCT_CANDIDATES} candidates (re-scored, as the product does), and with ties (a candidate no farther than the exact ${RECALL_K}th counts); ` +
        `"lost": queries below 0.5 with ties.\n`,
    );
    out.push(markdownTable(['ef_search', 'queries', 'n', `cand. /${PRODUCT_CANDIDATES}`, 'ids, HNSW order', 'ids, re-scored', 'with ties', 'lost'], recallRows));
  }
  if (result.explain) out.push(`\nSlowest query at ef_search ${result.runs[0]!.efSearch}, EXPLAIN ANALYZE (auto_explain):\n\n\`\`\`\n${result.explain}\n\`\`\``);
  process.stdout.write(`${out.join('\n')}\n`);
}

runBench(main);
