/**
 * Ingest benchmark against the real API and workers on private PostgreSQL and Redis:
 *
 *  1. acceptance: one `ingestVideos` mutation with N (default 1,000) distinct small files
 *     inside an ingest root, timed end to end over HTTP, then the same call again (all known);
 *  2. breakdown: the steps IngestService runs (per item: resolve + read + sha256 + container sniff,
 *     blob copy; once per call: the lookup by sha256, the batched insert, addBulk), each timed
 *     over the same files with the service's lanes, using the product's own classes;
 *  3. encode throughput: a fixed set of short clips encoded by one and by two worker processes.
 *
 *   node --import tsx bench/ingest.bench.ts [--items 1000] [--bases 20] [--encode-clips 8]
 *     [--encode-seconds 4] [--skip-encode] [--compare-probe]
 *
 * `--compare-probe` adds what ffprobe would cost on the request path (it now runs in the encode job).
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { blobKeys, createBlobStore } from '@cmvc/blob';
import { mediaIo } from '@cmvc/media-io';
import { createDatabase, VideoRepository } from '@cmvc/db';
import { createJobQueues, createRedisConnection } from '@cmvc/jobs';
import { mapInLanes, RESOLVE_LANES, type ResolvedSource, SourceResolver, STORE_LANES } from '@cmvc/core';
import { recordHeadlines } from './headlines.ts';
import type { Stack } from '../test/support/stack.ts';
import { withBenchStack } from './bench-stack.ts';
import {
  BenchError,
  booleanFlag,
  elapsedMs,
  formatCount,
  formatMs,
  integerFlag,
  log,
  machineTable,
  markdownTable,
  runBench,
  withClient,
} from './lib.ts';

const run = promisify(execFile);
const INGEST_MUTATION = `mutation($inputs: [IngestVideoInput!]!) {
  ingestVideos(inputs: $inputs) { index created error { code message } video { id } }
}`;

interface IngestResult {
  readonly index: number;
  readonly created: boolean;
  readonly error: { code: string; message: string } | null;
  readonly video: { id: string } | null;
}

function loadAverage(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' / ');
}

// ---------------------------------------------------------------- media

const BASE_SOURCES = ['testsrc2', 'smptebars', 'rgbtestsrc', 'mandelbrot', 'life', 'cellauto', 'testsrc', 'smptehdbars', 'yuvtestsrc', 'pal75bars'];

/** Distinct tiny H.264 clips from lavfi sources (source × size × rate). */
async function makeBaseClips(directory: string, count: number, seconds: number, size: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  return mapInLanes(
    Array.from({ length: count }, (_, index) => index),
    cpus().length,
    async (index) => {
      const path = join(directory, `base-${index}.mp4`);
      const source = BASE_SOURCES[index % BASE_SOURCES.length]!;
      const rate = 20 + Math.floor(index / BASE_SOURCES.length) * 5;
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `${source}=size=${size}:rate=${rate}`, '-t', String(seconds),
        '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', path]);
      return path;
    },
  );
}

/** Distinct files (different sha256) that stay valid video: remux a base clip with its own title tag. */
async function makeVariants(bases: readonly string[], directory: string, count: number, prefix: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  return mapInLanes(
    Array.from({ length: count }, (_, index) => index),
    cpus().length,
    async (index) => {
      const path = join(directory, `${prefix}-${String(index).padStart(5, '0')}.mp4`);
      await run('ffmpeg', ['-v', 'error', '-y', '-i', bases[index % bases.length]!, '-c', 'copy', '-metadata', `title=${prefix} ${index}`, path]);
      return path;
    },
  );
}

// ---------------------------------------------------------------- acceptance

async function ingest(stack: Stack, paths: readonly string[]): Promise<{ ms: number; results: IngestResult[]; load: string }> {
  const started = performance.now();
  const response = await stack.graphql<{ ingestVideos: IngestResult[] }>(INGEST_MUTATION, { inputs: paths.map((path) => ({ path })) });
  const ms = elapsedMs(started);
  const load = loadAverage();
  if (response.errors?.length || !response.data) {
    throw new BenchError('BENCH_FAILED', `ingestVideos failed: ${JSON.stringify(response.errors ?? 'no data')}`);
  }
  const failed = response.data.ingestVideos.filter((result) => result.error);
  if (failed.length > 0) {
    throw new BenchError('BENCH_FAILED', `${failed.length} items were refused, e.g. ${JSON.stringify(failed[0]!.error)}`);
  }
  return { ms, results: response.data.ingestVideos, load };
}

// ---------------------------------------------------------------- breakdown

interface Stage {
  readonly name: string;
  readonly lanes: number | null;
  readonly wallMs: number;
  readonly perItemMs: number;
}

/**
 * Runs the IngestService's steps one at a time over all files (the per-item steps with the
 * service's lanes), so each step's share of the acceptance time can be read off. Leaves rows,
 * blobs and jobs behind; the caller resets state afterwards.
 */
async function breakdown(databaseUrl: string, redisUrl: string, root: string, paths: readonly string[], compareProbe: boolean): Promise<Stage[]> {
  const blobDir = await mkdtemp(join('/tmp', 'cmvc-bench-blobs-'));
  const blobs = createBlobStore({ kind: 'local', directory: blobDir });
  const resolver = new SourceResolver({ roots: [root], allowPrivateUrls: false, maxBytes: 4 * 1024 ** 3, blobs });
  const db = createDatabase(databaseUrl);
  const videos = new VideoRepository(db);
  const redis = createRedisConnection(redisUrl);
  const queues = createJobQueues(redis);
  const stages: Stage[] = [];
  const perItem = async <R>(name: string, lanes: number, work: (path: string, index: number) => Promise<R>): Promise<R[]> => {
    const times: number[] = [];
    const started = performance.now();
    const results = await mapInLanes(paths, lanes, async (path, index) => {
      const itemStarted = performance.now();
      const result = await work(path, index);
      times.push(elapsedMs(itemStarted));
      return result;
    });
    stages.push({ name, lanes, wallMs: elapsedMs(started), perItemMs: times.reduce((sum, ms) => sum + ms, 0) / times.length });
    return results;
  };
  const once = async <R>(name: string, work: () => Promise<R>): Promise<R> => {
    const started = performance.now();
    const result = await work();
    stages.push({ name, lanes: null, wallMs: elapsedMs(started), perItemMs: Number.NaN });
    return result;
  };
  try {
    const sources: ResolvedSource[] = await perItem('resolve path, read, sha256 + container sniff (same read)', RESOLVE_LANES, (path) => resolver.resolve({ path }));
    const hashes = sources.map((source) => source.sha256);
    await once('lookup by sha256 (one query)', () => videos.findManyBySha256(hashes));
    await perItem('container check result', STORE_LANES, (_, index) => sources[index]!.checkContainer());
    await perItem('blob copy (putFile)', STORE_LANES, (_, index) => blobs.putFile(blobKeys.source(hashes[index]!), sources[index]!.localPath));
    const queued = await once(`insert rows (one INSERT … ON CONFLICT DO NOTHING, ${formatCount(paths.length)} rows)`, () =>
      videos.createManyQueued(
        sources.map((source) => ({ title: source.defaultTitle, tags: [], sha256: source.sha256, sourceBytes: source.bytes, sourceBlobKey: blobKeys.source(source.sha256) })),
      ),
    );
    await once(`addBulk (${formatCount(queued.length)} jobs)`, () => queues.enqueueEncodes(queued.map((result) => result.video.id)));
    if (compareProbe) {
      // Not on the request path any more: the encode job probes. Shown for comparison only.
      await perItem('ffprobe (now in the encode job; comparison)', RESOLVE_LANES, (_, index) => mediaIo().probe(sources[index]!.localPath));
    }
    return stages;
  } finally {
    await queues.close();
    redis.disconnect();
    await db.$disconnect();
    await rm(blobDir, { recursive: true, force: true });
  }
}

async function resetState(databaseUrl: string, redisUrl: string): Promise<void> {
  await withClient(databaseUrl, (client) => client.query('TRUNCATE "Video" CASCADE'));
  const redis = createRedisConnection(redisUrl);
  await redis.flushdb();
  redis.disconnect();
}

// ---------------------------------------------------------------- encode throughput

async function startReadyWorker(stack: Stack, name: string): Promise<ChildProcess> {
  const child = stack.startWorker({ WORKER_NAME: name, WORKER_CONCURRENCY: '1' });
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new BenchError('BENCH_FAILED', `worker ${name} was not ready within 180 s`)), 180_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new BenchError('BENCH_FAILED', `worker ${name} exited with ${code} before it was ready`));
    });
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  await exited;
}

interface Throughput {
  readonly workers: number;
  readonly videos: number;
  readonly sourceSeconds: number;
  readonly wallMs: number;
  readonly failed: number;
}

/** Ingests `paths` with `workers` warm worker processes running and waits until every video is encoded. */
async function encodeThroughput(stack: Stack, databaseUrl: string, paths: readonly string[], workers: number): Promise<Throughput> {
  const children: ChildProcess[] = [];
  try {
    for (let index = 0; index < workers; index += 1) children.push(await startReadyWorker(stack, `bench-worker-${index + 1}`));
    const started = performance.now();
    const { results } = await ingest(stack, paths);
    const ids = results.map((result) => result.video!.id);
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const rows = await withClient(databaseUrl, (client) =>
        client.query<{ status: string; seconds: number }>(`SELECT status::text, "durationSeconds" AS seconds FROM "Video" WHERE id = ANY($1::uuid[])`, [ids]),
      );
      const finished = rows.rows.filter((row) => row.status === 'READY' || row.status === 'FAILED');
      if (finished.length === ids.length) {
        return {
          workers,
          videos: ids.length,
          sourceSeconds: rows.rows.reduce((sum, row) => sum + row.seconds, 0),
          wallMs: elapsedMs(started),
          failed: rows.rows.filter((row) => row.status === 'FAILED').length,
        };
      }
      if (Date.now() > deadline) throw new BenchError('BENCH_FAILED', `encoding ${ids.length} videos took over 30 minutes`);
      const exited = children.find((child) => child.exitCode !== null);
      if (exited) throw new BenchError('BENCH_FAILED', `a worker exited with ${exited.exitCode} while encoding`);
      await new Promise((done) => setTimeout(done, 250));
    }
  } finally {
    for (const child of children) await stopWorker(child);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const items = integerFlag('items', 1000, 1, 10_000);
  const baseCount = integerFlag('bases', 20, 1, 1000);
  const encodeClips = integerFlag('encode-clips', 8, 1, 200);
  const encodeSeconds = integerFlag('encode-seconds', 4, 1, 120);
  const skipEncode = booleanFlag('skip-encode');
  const compareProbe = booleanFlag('compare-probe');

  await withBenchStack('ingest', async ({ services, stack, info, mediaDir }) => {
    log(`making ${baseCount} base clips and ${items} distinct files`);
    let started = performance.now();
    const bases = await makeBaseClips(join(mediaDir, 'bases'), baseCount, 1, '160x120');
    const paths = await makeVariants(bases, join(stack.ingestRoot, 'bulk'), items, 'bulk');
    log(`  media ready in ${formatMs(elapsedMs(started))}`);

    log('breakdown of the per-item steps');
    const stages = await breakdown(services.databaseUrl, services.redisUrl, stack.ingestRoot, paths, compareProbe);
    await resetState(services.databaseUrl, services.redisUrl);

    log(`acceptance: one ingestVideos mutation with ${items} items`);
    // The API has not touched the database yet: open its pool and let Prisma prepare first, as any
    // running server has, so the figure is the ingest and not the process's first query.
    const warmUpStarted = performance.now();
    await stack.graphql('{ videos(first: 1) { totalCount } }');
    const warmUpMs = elapsedMs(warmUpStarted);
    const first = await ingest(stack, paths);
    const createdCount = first.results.filter((result) => result.created).length;
    if (createdCount !== items) throw new BenchError('BENCH_FAILED', `expected ${items} new videos, got ${createdCount}`);
    const again = await ingest(stack, paths);
    if (again.results.some((result) => result.created)) throw new BenchError('BENCH_FAILED', 'a repeated ingest created new videos');
    recordHeadlines([
      { bench: 'ingest', metric: `ingestVideos, ${formatCount(items)} new files`, value: first.ms, unit: 'ms', target: '≤ 1000' },
      { bench: 'ingest', metric: `ingestVideos, ${formatCount(items)} known files`, value: again.ms, unit: 'ms' },
    ]);
    await resetState(services.databaseUrl, services.redisUrl);

    const throughput: Throughput[] = [];
    if (!skipEncode) {
      log(`encode throughput: ${encodeClips} clips of ${encodeSeconds} s`);
      started = performance.now();
      const encodeBases = await makeBaseClips(join(mediaDir, 'encode'), encodeClips, encodeSeconds, '320x240');
      for (const workers of [1, 2]) {
        // The same pictures each time, remuxed with a new title so that they are new videos.
        const clips = await makeVariants(encodeBases, join(stack.ingestRoot, `encode-${workers}`), encodeClips, `encode${workers}`);
        log(`  ${workers} worker process(es)`);
        throughput.push(await encodeThroughput(stack, services.databaseUrl, clips, workers));
      }
      log(`  done in ${formatMs(elapsedMs(started))}`);
    }

    const out: string[] = [];
    out.push(`\n### Ingest acceptance: one ingestVideos mutation, ${formatCount(items)} distinct files (1 s, 160×120 H.264, ~${baseCount} pictures remuxed with distinct titles)\n`);
    out.push(
      markdownTable(
        ['call', 'items', 'wall time', 'per item', 'load average (1/5/15 min) after'],
        [
          ['first ingest (all new)', formatCount(items), formatMs(first.ms), formatMs(first.ms / items), first.load],
          ['same call again (all known)', formatCount(items), formatMs(again.ms), formatMs(again.ms / items), again.load],
        ],
      ),
    );
    out.push(`\nBefore the first call, one \`videos(first: 1)\` query warmed the API's database pool (${formatMs(warmUpMs)}).`);
    out.push(`\nBreakdown: each step of IngestService run alone over the same ${formatCount(items)} files, in-process (lanes: how many items at a time):\n`);
    out.push(
      markdownTable(
        ['step', 'lanes', 'wall time', 'mean per item'],
        stages.map((stage) => [stage.name, stage.lanes === null ? 'once' : String(stage.lanes), formatMs(stage.wallMs), Number.isNaN(stage.perItemMs) ? '–' : formatMs(stage.perItemMs)]),
      ),
    );
    if (throughput.length > 0) {
      out.push(`\n### Encode throughput: ${encodeClips} clips of ${encodeSeconds} s (320×240), warm workers, WORKER_CONCURRENCY=1, ENCODE_KEYFRAME_SECONDS=1\n`);
      out.push(
        markdownTable(
          ['worker processes', 'videos', 'wall time', 'videos/min', 'source s per s', 'failed'],
          throughput.map((result) => [
            String(result.workers),
            String(result.videos),
            formatMs(result.wallMs),
            (result.videos / (result.wallMs / 60_000)).toFixed(1),
            (result.sourceSeconds / (result.wallMs / 1000)).toFixed(2),
            String(result.failed),
          ]),
        ),
      );
    }
    out.push(`\n${machineTable(info)}`);
    process.stdout.write(`${out.join('\n')}\n`);
  });
}

runBench(main);
