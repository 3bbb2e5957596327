import { Worker, type Job, type Processor } from 'bullmq';
import { createBlobStore } from '@cmvc/blob';
import { loadConfig } from '@cmvc/config';
import { createDatabase, RenditionRepository, RepresentationRepository, SearchRepository, VideoRepository } from '@cmvc/db';
import { createRedisConnection, EventBus, QUEUES, type EncodeJobData, type RenderJobData } from '@cmvc/jobs';
import { loadWorkerModels } from './analyzers.ts';
import { EncodeProcessor } from './encode-processor.ts';
import { RenderProcessor } from './render-processor.ts';

const config = loadConfig();
const db = createDatabase(config.databaseUrl);
const connection = createRedisConnection(config.redisUrl);
const blobs = createBlobStore(config.blobStore);
const events = new EventBus(connection, config.redisUrl);
const videos = new VideoRepository(db);
const models = await loadWorkerModels(config, { search: new SearchRepository(db), blobs });

const encoder = new EncodeProcessor({
  config,
  videos,
  representations: new RepresentationRepository(db),
  blobs,
  analyzers: models.analyzers,
  embedder: models.embedder,
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

const workers = [
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
  await models.dispose();
  events.close();
  connection.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
