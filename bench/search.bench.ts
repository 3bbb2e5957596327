/**
 * Hybrid-search benchmark: seeds N synthetic embedded captions (N/2 clips, each with a content
 * and a motion caption, 4 clips per video) into private PostgreSQL + pgvector, rebuilds the GIN
 * and HNSW indexes, and times the product's own `SearchRepository.searchMoments`.
 *
 *   node --import tsx bench/search.bench.ts [--sizes 100000,1000000] [--queries 200] [--warmup 20]
 *     [--topics 300] [--m 16] [--ef-construction 64] [--ef-search 40,100] [--budget-minutes 25]
 *     [--maintenance-work-mem-mb N] [--explain 3]
 *
 * Sizes count embedded captions (rows in "Embedding", the size of the HNSW index) and are loaded
 * incrementally: the second size adds rows to the first. Prints Markdown tables on stdout.
 */
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createDatabase, SearchRepository, toVectorLiteral } from '@cmvc/db';
import {
  BenchError,
  databaseSize,
  elapsedMs,
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
import { buildSearchIndexes, dropSearchIndexes, seedClips, type SearchIndexDefinitions } from './search-seeder.ts';

/** What the API passes by default (SearchService: first = 20 → limit 21, minSimilarity 0.35). */
const API_LIMIT = 21;
const API_MIN_SIMILARITY = 0.35;
const PRODUCT_CANDIDATES = 100;
const RECALL_QUERIES = 10;
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
  readonly vectorCandidates: number;
  readonly recall: number;
  readonly rerankedRecall: number;
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

async function timeQueries(databaseUrl: string, queries: readonly SyntheticQuery[], warmup: number, efSearch: number): Promise<TimedQuery[]> {
  // The product sets ef_search on each connection (createDatabase); the timing client does the same.
  const db = createDatabase(databaseUrl, { hnswEfSearch: efSearch });
  const search = new SearchRepository(db);
  try {
    const timings: TimedQuery[] = [];
    for (const [index, query] of queries.entries()) {
      const started = performance.now();
      const rows = await search.searchMoments({ text: query.text, embedding: query.embedding, limit: API_LIMIT, offset: 0, minSimilarity: API_MIN_SIMILARITY });
      const ms = elapsedMs(started);
      if (index >= warmup) timings.push({ query, ms, results: rows.length });
    }
    return timings;
  } finally {
    await db.$disconnect();
  }
}

interface VectorQuality {
  /** Mean rows HNSW returned of the product's 100 vector candidates. */
  readonly candidates: number;
  /** recall@20 of HNSW's own order against an exact scan. */
  readonly recall: number;
  /** recall@20 once the candidates are re-scored with the full vectors, as the product does. */
  readonly rerankedRecall: number;
}

/** How many of the product's 100 vector candidates HNSW returns, and recall@20 against exact search. */
async function vectorQuality(databaseUrl: string, queries: readonly SyntheticQuery[], efSearch: number): Promise<VectorQuality> {
  return withClient(databaseUrl, async (client) => {
    await client.query(`SET hnsw.ef_search = ${efSearch}`);
    await client.query(`SET hnsw.iterative_scan = relaxed_order`);
    const candidateCounts: number[] = [];
    const recalls: number[] = [];
    const rerankedRecalls: number[] = [];
    for (const query of queries.slice(0, RECALL_QUERIES)) {
      const literal = toVectorLiteral(query.embedding);
      const nearest = `SELECT e."captionId" FROM "Embedding" e ORDER BY e.vector <=> $1::vector LIMIT $2`;
      const approximate = await client.query<{ captionId: string }>(nearest, [literal, PRODUCT_CANDIDATES]);
      candidateCounts.push(approximate.rowCount ?? 0);
      await client.query('SET enable_indexscan = off');
      const exact = await client.query<{ captionId: string }>(nearest, [literal, RECALL_K]);
      await client.query('RESET enable_indexscan');
      const exactIds = exact.rows.map((row) => row.captionId);
      const inTop = new Set(approximate.rows.slice(0, RECALL_K).map((row) => row.captionId));
      const inCandidates = new Set(approximate.rows.map((row) => row.captionId));
      recalls.push(exactIds.filter((id) => inTop.has(id)).length / Math.max(1, exactIds.length));
      // Re-scored exactly, the candidates' best 20 are the exact best 20 that are among them.
      rerankedRecalls.push(exactIds.filter((id) => inCandidates.has(id)).length / Math.max(1, exactIds.length));
    }
    return { candidates: mean(candidateCounts), recall: mean(recalls), rerankedRecall: mean(rerankedRecalls) };
  });
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

function efSearchRun(efSearch: number, timings: TimedQuery[], quality: VectorQuality): EfSearchRun {
  const byKind = new Map<QueryKind, { summary: LatencySummary; meanResults: number }>();
  for (const kind of ['content', 'motion', 'broad'] as const) {
    const ofKind = timings.filter((timing) => timing.query.kind === kind);
    byKind.set(kind, { summary: summarize(ofKind.map((timing) => timing.ms)), meanResults: mean(ofKind.map((timing) => timing.results)) });
  }
  return {
    efSearch,
    overall: summarize(timings.map((timing) => timing.ms)),
    byKind,
    vectorCandidates: quality.candidates,
    recall: quality.recall,
    rerankedRecall: quality.rerankedRecall,
    slowest: [...timings].sort((a, b) => b.ms - a.ms).slice(0, 10),
  };
}

async function main(): Promise<void> {
  const sizes = integerListFlag('sizes', [100_000, 1_000_000], 8, 50_000_000);
  const queryCount = integerFlag('queries', 200, 1, 100_000);
  const warmup = integerFlag('warmup', 20, 0, 10_000);
  const topics = integerFlag('topics', 300, 1, 100_000);
  const m = integerFlag('m', 16, 2, 100);
  const efConstruction = integerFlag('ef-construction', 64, 4, 1000);
  // The product sets hnsw.ef_search per connection (to its candidate count, 100); the database
  // setting below is for the exact-vs-HNSW recall check.
  const efSearchValues = integerListFlag('ef-search', [PRODUCT_CANDIDATES], 1, 1000);
  const budgetMs = integerFlag('budget-minutes', 25, 1, 24 * 60) * 60_000;
  const explainCount = integerFlag('explain', 1, 0, 10);
  const parallelWorkers = Math.max(1, cpus().length - 1);
  for (const [index, size] of sizes.entries()) {
    if (size % (CAPTIONS_PER_CLIP * CLIPS_PER_VIDEO) !== 0) throw new BenchError('INVALID_FLAG', `every size must be a multiple of ${CAPTIONS_PER_CLIP * CLIPS_PER_VIDEO}, got ${size}`);
    if (index > 0 && size <= sizes[index - 1]!) throw new BenchError('INVALID_FLAG', '--sizes must be increasing (each size adds rows to the previous one)');
  }

  const services = await startPrivateServices('search');
  try {
    const info = await machineInfo(services.databaseUrl);
    const corpus = new SyntheticCorpus(SEED, topics);
    const queries = corpus.queries(warmup + queryCount, SEED + 1);
    const results: SizeResult[] = [];
    let loadedClips = 0;
    let indexes: SearchIndexDefinitions | undefined;
    for (const size of sizes) {
      const targetClips = size / CAPTIONS_PER_CLIP;
      const sizeStarted = performance.now();
      log(`size ${formatCount(size)}: seeding captions ${formatCount(loadedClips * CAPTIONS_PER_CLIP)}…${formatCount(size)}`);
      indexes = await dropSearchIndexes(services.databaseUrl, indexes);
      await seedClips(services.databaseUrl, corpus, loadedClips, targetClips);
      loadedClips = targetClips;
      const seedMs = elapsedMs(sizeStarted);
      log(`  seeded in ${formatMs(seedMs)}; building indexes`);
      // About 3 KB per element keeps pgvector's graph in memory (it slows down a lot once it spills).
      const defaultWorkMemMb = Math.min(Math.ceil((size * 3 * 1024 * 1.25) / 1024 ** 2) + 64, Math.floor((totalmem() * 0.4) / 1024 ** 2));
      const maintenanceWorkMemMb = integerFlag('maintenance-work-mem-mb', Math.max(256, defaultWorkMemMb), 64, 1024 * 1024);
      const build = await buildSearchIndexes(services.databaseUrl, indexes, {
        m,
        efConstruction,
        maintenanceWorkMemMb,
        parallelWorkers,
        hnswTimeoutMs: Math.max(60_000, budgetMs - elapsedMs(sizeStarted)),
      });
      const sizesOnDisk = await indexSizes(services.databaseUrl);
      const runs: EfSearchRun[] = [];
      let explain: string | null = null;
      if (build.hnswMs !== null) {
        for (const efSearch of efSearchValues) {
          log(`  timing ${queryCount} queries (+${warmup} warm-up) at hnsw.ef_search = ${efSearch}`);
          await setDatabaseSetting(services.databaseUrl, 'hnsw.ef_search', String(efSearch));
          const timings = await timeQueries(services.databaseUrl, queries, warmup, efSearch);
          runs.push(efSearchRun(efSearch, timings, await vectorQuality(services.databaseUrl, queries, efSearch)));
        }
        await setDatabaseSetting(services.databaseUrl, 'hnsw.ef_search', null);
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
        seedMs,
        ginMs: build.ginMs,
        hnswMs: build.hnswMs,
        databaseBytes: await databaseSize(services.databaseUrl),
        hnswBytes: sizesOnDisk.hnsw,
        ginBytes: sizesOnDisk.gin,
        runs,
        explain,
      });
      printSize(results.at(-1)!, { m, efConstruction, maintenanceWorkMemMb, parallelWorkers, queryCount, warmup, topics });
      recordSizeHeadlines(results.at(-1)!);
    }
    process.stdout.write(`\n${machineTable(info)}\n`);
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
    headlines.push({ bench: 'search', metric: `HNSW recall@${RECALL_K} at ${size}`, value: run.recall, unit: '' });
    headlines.push({ bench: 'search', metric: `vector recall@${RECALL_K} at ${size}, re-scored`, value: run.rerankedRecall, unit: '', ...(target ? { target: '≥ 0.98' } : {}) });
  }
  recordHeadlines(headlines);
}

function printSize(
  result: SizeResult,
  settings: { m: number; efConstruction: number; maintenanceWorkMemMb: number; parallelWorkers: number; queryCount: number; warmup: number; topics: number },
): void {
  const out: string[] = [];
  out.push(`\n### Search at ${formatCount(result.captions)} embedded captions (${formatCount(result.captions / CAPTIONS_PER_CLIP)} clips, ${formatCount(result.videos)} videos)\n`);
  out.push(
    `HNSW m = ${settings.m}, ef_construction = ${settings.efConstruction}; maintenance_work_mem = ${settings.maintenanceWorkMemMb} MB, ` +
      `${settings.parallelWorkers} parallel maintenance worker(s); ${settings.topics} topics; ${settings.queryCount} queries after ${settings.warmup} warm-up, ` +
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
    for (const run of result.runs) {
      rows.push([String(run.efSearch), 'all', String(run.overall.count), formatMs(run.overall.p50), formatMs(run.overall.p95), formatMs(run.overall.p99), formatMs(run.overall.max), '', run.vectorCandidates.toFixed(0), run.recall.toFixed(3), run.rerankedRecall.toFixed(3)]);
      for (const [kind, { summary, meanResults }] of run.byKind) {
        rows.push(['', kind, String(summary.count), formatMs(summary.p50), formatMs(summary.p95), formatMs(summary.p99), formatMs(summary.max), meanResults.toFixed(1), '', '', '']);
      }
    }
    out.push('');
    out.push(markdownTable(['ef_search', 'queries', 'n', 'p50', 'p95', 'p99', 'max', 'rows', `vector cand. /${PRODUCT_CANDIDATES}`, `recall@${RECALL_K} (HNSW order)`, `recall@${RECALL_K} (re-scored)`], rows));
  }
  if (result.explain) out.push(`\nSlowest query at ef_search ${result.runs[0]!.efSearch}, EXPLAIN ANALYZE (auto_explain):\n\n\`\`\`\n${result.explain}\n\`\`\``);
  process.stdout.write(`${out.join('\n')}\n`);
}

runBench(main);
