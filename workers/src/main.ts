import { getPriority, setPriority } from 'node:os';
import { Queue } from 'bullmq';
import { BlobReconciler, EncodeService, RenditionService, renditionCapabilities, TieringService } from '@cmvc/core';
import { createBlobStore } from '@cmvc/blob';
import { mediaIo } from '@cmvc/media-io';
import { loadConfig } from '@cmvc/config';
import { createDatabase, KeyframeRepository, RenditionRepository, RepresentationRepository, SearchRepository, VideoRepository } from '@cmvc/db';
import { createJobQueues, createRedisConnection, EventBus, MAINTENANCE_JOBS, QUEUES, startJobWorkers, type JobTable } from '@cmvc/jobs';
import { loadWorkerModels } from './analyzers.ts';

const config = loadConfig();
const media = mediaIo(config.ffmpeg);
// Encoding is batch work: on cores shared with the API, searches and page loads go first.
if (getPriority() < config.worker.nice) setPriority(config.worker.nice);
const db = createDatabase(config.databaseUrl, { poolSize: config.database.poolSize });
const connection = createRedisConnection(config.redisUrl);
const blobs = createBlobStore(config.blobStore);
const events = new EventBus(connection, config.redisUrl);
const videos = new VideoRepository(db);
const models = await loadWorkerModels(config, { search: new SearchRepository(db), blobs });

const representations = new RepresentationRepository(db);
const encoding = new EncodeService({
  config,
  videos,
  representations,
  blobs,
  mediaIo: media,
  analyzers: models.analyzers,
  embedder: models.embedder,
  speech: models.speech,
  events,
});
const keyframes = new KeyframeRepository(db);
// Render jobs queue no further jobs; the queues are there for the service's requests.
const queues = createJobQueues(connection);
const renditions = new RenditionService({
  renditions: new RenditionRepository(db),
  videos,
  keyframes,
  queues,
  events,
  capabilities: renditionCapabilities(config),
});

const tiering = new TieringService(videos, keyframes, representations, blobs, models.semanticCodecs, events);

const reconciler = new BlobReconciler(videos, blobs);

/** Every job name with its one handler; startJobWorkers refuses a table with a name missing or twice. */
const jobTable: JobTable = [
  encoding.encodeJob(),
  renditions.renderJob({ blobs, mediaIo: media, semanticCodecs: models.semanticCodecs, tt2vGenerator: models.tt2vGenerator }),
  tiering.policyJob(config.tieringAfterDays),
  reconciler.job(),
];
const workers = startJobWorkers(jobTable, {
  connection,
  name: config.worker.name,
  concurrency: config.worker.concurrency,
  lockDuration: config.worker.lockMs,
  stalledInterval: Math.max(1000, Math.round(config.worker.lockMs / 2)),
  maxStalledCount: 2,
});

const maintenance = new Queue(QUEUES.maintenance, { connection });
await maintenance.upsertJobScheduler(MAINTENANCE_JOBS.reconcile.name, { every: MAINTENANCE_JOBS.reconcile.everyMs }, { name: MAINTENANCE_JOBS.reconcile.name });
if (config.tieringAfterDays) {
  await maintenance.upsertJobScheduler(MAINTENANCE_JOBS.tiering.name, { every: MAINTENANCE_JOBS.tiering.everyMs }, { name: MAINTENANCE_JOBS.tiering.name });
} else {
  await maintenance.removeJobScheduler(MAINTENANCE_JOBS.tiering.name);
}
console.log(`cmvc worker ready (concurrency ${config.worker.concurrency} per queue)`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`cmvc worker: ${signal}, finishing current jobs`);
  await Promise.all(workers.map((worker) => worker.close()));
  await maintenance.close();
  await queues.close();
  await models.dispose();
  events.close();
  connection.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
