/**
 * Bulk-loads synthetic clips (videos, clips, keyframes, captions, embeddings) with one COPY per
 * table over parallel connections, then (re)builds the full-text and HNSW indexes. Seeding is
 * benchmark setup, so it writes SQL directly; the timed search goes through SearchRepository.
 */
import { randomUUID } from 'node:crypto';
import { endianness } from 'node:os';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { binaryCopyHeader, binaryCopyTrailer, binaryEmbeddingRows, textCopyRow } from './copy-encoding.ts';
import { BenchError, elapsedMs, log } from './lib.ts';
import { CAPTIONS_PER_CLIP, CLIPS_PER_VIDEO, type SyntheticCorpus } from './search-corpus.ts';

export const EMBEDDING_MODEL = 'bench-synthetic-512';
const CLIPS_PER_BATCH = 4_000;
const CLIP_FRAMES = 100;
const FPS = 25;

const COPY_STATEMENTS = {
  video: `COPY "Video" ("id", "title", "sha256", "sourceBytes", "durationSeconds", "fps", "width", "height", "frameCount",
            "bitstreamBlobKey", "bitstreamBytes", "status", "updatedAt") FROM STDIN`,
  clip: `COPY "Clip" ("id", "videoId", "index", "startFrame", "endFrame", "startSeconds", "endSeconds") FROM STDIN`,
  keyframe: `COPY "Keyframe" ("id", "videoId", "frameIndex", "timeSeconds", "blobKey", "bytes", "format", "width", "height") FROM STDIN`,
  caption: `COPY "Caption" ("id", "videoId", "clipId", "keyframeId", "kind", "text") FROM STDIN`,
  embedding: `COPY "Embedding" ("id", "captionId", "model", "vector") FROM STDIN (FORMAT binary)`,
} as const;
type Table = keyof typeof COPY_STATEMENTS;

interface CopyChannel {
  readonly client: pg.Client;
  readonly stream: Writable;
  readonly done: Promise<void>;
}

async function openCopy(databaseUrl: string, statement: string): Promise<CopyChannel> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // The rows are consistent by construction: skip the per-row foreign-key triggers while loading.
  await client.query(`SET session_replication_role = replica`);
  const stream = client.query(copyFrom(statement));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  return { client, stream, done };
}

async function write(stream: Writable, chunk: string | Buffer): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

/**
 * Appends clips [fromClip, toClip) of `corpus`. Ranges must start and end on video boundaries.
 * Call `dropSearchIndexes` first and `buildSearchIndexes` after: loading into indexed tables is
 * several times slower.
 */
export async function seedClips(databaseUrl: string, corpus: SyntheticCorpus, fromClip: number, toClip: number): Promise<void> {
  if (fromClip % CLIPS_PER_VIDEO !== 0 || toClip % CLIPS_PER_VIDEO !== 0 || toClip < fromClip) {
    throw new BenchError('INVALID_FLAG', `clip range [${fromClip}, ${toClip}) must be aligned to ${CLIPS_PER_VIDEO} clips per video`);
  }
  if (endianness() !== 'LE') throw new BenchError('BENCH_FAILED', 'binary COPY encoding assumes a little-endian host');
  const tables = Object.keys(COPY_STATEMENTS) as Table[];
  const channels = new Map<Table, CopyChannel>();
  for (const table of tables) channels.set(table, await openCopy(databaseUrl, COPY_STATEMENTS[table]));
  const stream = (table: Table) => channels.get(table)!.stream;
  // Rejects as soon as any COPY fails, so a write waiting for 'drain' does not hang forever.
  const failures = Promise.race(tables.map((table) => channels.get(table)!.done.then(() => new Promise<never>(() => {}))));
  failures.catch(() => undefined);
  const started = performance.now();
  const now = new Date().toISOString();
  try {
    await Promise.race([failures, write(stream('embedding'), binaryCopyHeader())]);
    let lastReport = performance.now();
    for (let batchStart = fromClip; batchStart < toClip; batchStart += CLIPS_PER_BATCH) {
      const batchEnd = Math.min(toClip, batchStart + CLIPS_PER_BATCH);
      const rows: Record<Exclude<Table, 'embedding'>, string[]> = { video: [], clip: [], keyframe: [], caption: [] };
      const embeddings: { id: string; captionId: string; vector: Float32Array }[] = [];
      let videoId = '';
      for (let clipIndex = batchStart; clipIndex < batchEnd; clipIndex += 1) {
        const clip = corpus.clip(clipIndex);
        if (clip.index === 0) {
          videoId = randomUUID();
          const frames = CLIPS_PER_VIDEO * CLIP_FRAMES;
          rows.video.push(
            textCopyRow([videoId, `Synthetic video ${clip.videoIndex}`, clip.videoIndex.toString(16).padStart(64, '0'), 2_000_000, frames / FPS, FPS, 640, 360, frames,
              `bitstreams/${clip.videoIndex}`, 40_000, 'READY', now]),
          );
        }
        const clipId = randomUUID();
        const keyframeId = randomUUID();
        const startFrame = clip.index * CLIP_FRAMES;
        rows.clip.push(textCopyRow([clipId, videoId, clip.index, startFrame, startFrame + CLIP_FRAMES - 1, startFrame / FPS, (startFrame + CLIP_FRAMES) / FPS]));
        rows.keyframe.push(textCopyRow([keyframeId, videoId, startFrame, startFrame / FPS, `keyframes/${clipId}.avif`, 18_000, 'avif', 640, 360]));
        const contentId = randomUUID();
        const motionId = randomUUID();
        rows.caption.push(textCopyRow([contentId, videoId, clipId, keyframeId, 'CONTENT', clip.content.text]));
        rows.caption.push(textCopyRow([motionId, videoId, clipId, null, 'MOTION', clip.motion.text]));
        embeddings.push({ id: randomUUID(), captionId: contentId, vector: clip.content.embedding });
        embeddings.push({ id: randomUUID(), captionId: motionId, vector: clip.motion.embedding });
      }
      await Promise.race([
        failures,
        Promise.all([
          ...(['video', 'clip', 'keyframe', 'caption'] as const).map((table) => write(stream(table), rows[table].join(''))),
          write(stream('embedding'), binaryEmbeddingRows(embeddings, EMBEDDING_MODEL)),
        ]),
      ]);
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        const captions = (batchEnd - fromClip) * CAPTIONS_PER_CLIP;
        log(`  seeded ${captions.toLocaleString('en-US')} captions (${Math.round(captions / (elapsedMs(started) / 1000))}/s)`);
      }
    }
    await Promise.race([failures, write(stream('embedding'), binaryCopyTrailer())]);
    for (const channel of channels.values()) channel.stream.end();
    await Promise.all([...channels.values()].map((channel) => channel.done));
  } finally {
    await Promise.all([...channels.values()].map((channel) => channel.client.end().catch(() => undefined)));
  }
}

/** pgvector's HNSW defaults, for an index definition that names none. */
const HNSW_DEFAULTS = { m: 16, efConstruction: 64 } as const;

/** The `m` and `ef_construction` an HNSW index definition (`pg_get_indexdef`) sets. */
export function hnswParameters(definition: string): { m: number; efConstruction: number } {
  const options = /\bWITH \(([^)]*)\)/.exec(definition)?.[1] ?? '';
  const option = (name: string) => new RegExp(`\\b${name}\\s*=\\s*'?(\\d+)`).exec(options)?.[1];
  return { m: Number(option('m') ?? HNSW_DEFAULTS.m), efConstruction: Number(option('ef_construction') ?? HNSW_DEFAULTS.efConstruction) };
}

export interface IndexSettings {
  /** HNSW graph degree (pgvector default 16). */
  readonly m: number;
  /** HNSW build-time candidate list (pgvector default 64). */
  readonly efConstruction: number;
  readonly maintenanceWorkMemMb: number;
  readonly parallelWorkers: number;
  /** Abort the HNSW build after this long (statement_timeout); 0 for no limit. */
  readonly hnswTimeoutMs: number;
}

export interface IndexBuildResult {
  readonly ginMs: number;
  /** null when the HNSW build ran past `hnswTimeoutMs` and was cancelled. */
  readonly hnswMs: number | null;
  readonly analyzeMs: number;
}

/** The GIN and HNSW search indexes, as the migrations define them (`pg_get_indexdef`). */
export interface SearchIndexDefinitions {
  readonly gin: string;
  readonly hnsw: string;
}

export const SEARCH_INDEXES = { gin: 'Caption_search_idx', hnsw: 'Embedding_vector_idx' } as const;

/**
 * Drops the search indexes and returns their definitions, so that `buildSearchIndexes` rebuilds
 * exactly what the migrations created (the product's query plans depend on it). Pass the
 * definitions of an earlier call when the indexes are already dropped.
 */
export async function dropSearchIndexes(databaseUrl: string, known?: SearchIndexDefinitions): Promise<SearchIndexDefinitions> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY($1)`,
      [Object.values(SEARCH_INDEXES)],
    );
    const definition = (name: string) => rows.find((row) => row.name === name)?.definition;
    const gin = definition(SEARCH_INDEXES.gin) ?? known?.gin;
    const hnsw = definition(SEARCH_INDEXES.hnsw) ?? known?.hnsw;
    if (!gin || !hnsw) throw new BenchError('BENCH_FAILED', `the migrations define no ${SEARCH_INDEXES.gin} or ${SEARCH_INDEXES.hnsw} index`);
    for (const name of Object.values(SEARCH_INDEXES)) await client.query(`DROP INDEX IF EXISTS "${name}"`);
    return { gin, hnsw };
  } finally {
    await client.end();
  }
}

export async function buildSearchIndexes(databaseUrl: string, definitions: SearchIndexDefinitions, settings: IndexSettings): Promise<IndexBuildResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '${Math.round(settings.maintenanceWorkMemMb)}MB'`);
    await client.query(`SET max_parallel_maintenance_workers = ${Math.round(settings.parallelWorkers)}`);
    let started = performance.now();
    await client.query(definitions.gin);
    const ginMs = elapsedMs(started);
    log(`  GIN index built in ${(ginMs / 1000).toFixed(1)} s`);
    started = performance.now();
    let hnswMs: number | null = null;
    await client.query(`SET statement_timeout = ${Math.max(0, Math.round(settings.hnswTimeoutMs))}`);
    try {
      const withoutParameters = definitions.hnsw.replace(/\s+WITH \([^)]*\)/, '');
      await client.query(`${withoutParameters} WITH (m = ${Math.round(settings.m)}, ef_construction = ${Math.round(settings.efConstruction)})`);
      hnswMs = elapsedMs(started);
      log(`  HNSW index built in ${(hnswMs / 1000).toFixed(1)} s`);
    } catch (error) {
      if ((error as { code?: string }).code !== '57014') throw error;
      log(`  HNSW build cancelled after ${(elapsedMs(started) / 1000).toFixed(0)} s (time budget)`);
    }
    await client.query('SET statement_timeout = 0');
    started = performance.now();
    await client.query('ANALYZE "Video", "Clip", "Keyframe", "Caption", "Embedding"');
    return { ginMs, hnswMs, analyzeMs: elapsedMs(started) };
  } finally {
    await client.end();
  }
}
