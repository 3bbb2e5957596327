import { getPriority, setPriority } from 'node:os';
import { Queue, Worker, type Job, type Processor } from 'bullmq';
import { BlobReconciler, TieringService } from '@cmvc/archive';
import { createBlobStore } from '@cmvc/blob';
import { configureMediaTools } from '@cmvc/codec';
import { loadConfig } from '@cmvc/config';
import { createDatabase, KeyframeRepository, RenditionRepository, RepresentationRepository, SearchRepository, VideoRepository } from '@cmvc/db';
import { createRedisConnection, EventBus, MAINTENANCE_JOBS, QUEUES, type EncodeJobData, type RenderJobData } from '@cmvc/jobs';
import { loadWorkerModels } from './analyzers.ts';
import { EncodeProcessor } from './encode-processor.ts';
import { RenderProcessor } from './render-processor.ts';

const config = loadConfig();
configureMediaTools(config.ffmpeg);
// Encoding is batch work: on cores shared with the API, searches and page loads go first.
if (getPriority() < config.worker.nice) setPriority(config.worker.nice);
const db = createDatabase(config.databaseUrl, { poolSize: config.database.poolSize });
const connection = createRedisConnection(config.redisUrl);
const blobs = createBlobStore(config.blobStore);
const events = new EventBus(connection, config.redisUrl);
const videos = new VideoRepository(db);
const models = await loadWorkerModels(config, { search: new SearchRepository(db), blobs });

const representations = new RepresentationRepository(db);
const encoder = new EncodeProcessor({
  config,
  videos,
  representations,
  blobs,
  analyzers: models.analyzers,
  embedder: models.embedder,
  speech: models.speech,
  events,
});
const renderer = new RenderProcessor({
  videos,
  renditions: new RenditionRepository(db),
  blobs,
  events,
  semanticCodecs: models.semanticCodecs,
  tt2vGenerator: models.tt2vGenerator,
});

/**
 * One BullMQ worker per queue. A worker killed mid-job stops renewing its lock, and the job goes
 * back to the queue once `lockDuration` passes (stalled-job recovery), for any worker process.
 */
function startWorker<T>(queue: string, processor: Processor<T>, onFinalFailure: (job: Job<T>, reason: string) => Promise<void>): Worker<T> {
  const worker = new Worker<T>(queue, processor, {
    connection,
    name: config.worker.name,
    concurrency: config.worker.concurrency,
    lockDuration: config.worker.lockMs,
    stalledInterval: Math.max(1000, Math.round(config.worker.lockMs / 2)),
    maxStalledCount: 2,
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    console.error(`${queue} ${job.id} failed (attempt ${job.attemptsMade}/${attempts}): ${error.message}`);
    if (final) void onFinalFailure(job, error.message).catch((cause) => console.error(cause));
  });
  worker.on('completed', (job) => console.log(`${queue} ${job.id} done`));
  worker.on('error', (error) => console.error(`${queue} worker error`, error));
  return worker;
}

const tiering = new TieringService(videos, new KeyframeRepository(db), representations, blobs, models.semanticCodecs);

/** The age-based tiering policy, when TIERING_AFTER_DAYS is set: one repeatable job shared by all workers. */
async function runTieringPolicy(): Promise<void> {
  if (!config.tieringAfterDays) return;
  const { demoted, bytesSaved } = await tiering.demoteOlderThan(config.tieringAfterDays);
  if (demoted > 0) console.log(`tiering: demoted ${demoted} videos older than ${config.tieringAfterDays} days, saved ${bytesSaved} bytes`);
}

const reconciler = new BlobReconciler(videos, blobs);

async function runReconciler(): Promise<void> {
  const { removed, missing } = await reconciler.run();
  if (removed.length > 0) console.log(`reconcile: removed ${removed.length} blobs no row referenced`);
  for (const { key, videoId } of missing) console.error(`reconcile: video ${videoId} references missing blob ${key}`);
}

const maintenance = new Queue(QUEUES.maintenance, { connection });
await maintenance.upsertJobScheduler(MAINTENANCE_JOBS.reconcile.name, { every: MAINTENANCE_JOBS.reconcile.everyMs }, { name: MAINTENANCE_JOBS.reconcile.name });
if (config.tieringAfterDays) {
  await maintenance.upsertJobScheduler(MAINTENANCE_JOBS.tiering.name, { every: MAINTENANCE_JOBS.tiering.everyMs }, { name: MAINTENANCE_JOBS.tiering.name });
} else {
  await maintenance.removeJobScheduler(MAINTENANCE_JOBS.tiering.name);
}

const workers = [
  startWorker(QUEUES.maintenance, (job) => (job.name === MAINTENANCE_JOBS.reconcile.name ? runReconciler() : runTieringPolicy()), async () => {}),
  startWorker<EncodeJobData>(QUEUES.encode, (job) => encoder.process(job), (job, reason) => encoder.fail(job.data.videoId, reason)),
  startWorker<RenderJobData>(QUEUES.render, (job) => renderer.process(job), (job, reason) => renderer.fail(job.data.renditionId, reason)),
];
console.log(`cmvc worker ready (concurrency ${config.worker.concurrency} per queue)`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`cmvc worker: ${signal}, finishing current jobs`);
  await Promise.all(workers.map((worker) => worker.close()));
  await maintenance.close();
  await models.dispose();
  events.close();
  connection.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
