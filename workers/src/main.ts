import { Worker } from 'bullmq';
import { createBlobStore } from '@cmvc/blob';
import { loadConfig } from '@cmvc/config';
import { createDatabase, RepresentationRepository, VideoRepository } from '@cmvc/db';
import { createRedisConnection, EventBus, QUEUES, type EncodeJobData } from '@cmvc/jobs';
import { loadWorkerModels } from './analyzers.ts';
import { EncodeProcessor } from './encode-processor.ts';

const config = loadConfig();
const db = createDatabase(config.databaseUrl);
const connection = createRedisConnection(config.redisUrl);
const { analyzers, embedder, dispose } = await loadWorkerModels();
const processor = new EncodeProcessor({
  config,
  videos: new VideoRepository(db),
  representations: new RepresentationRepository(db),
  blobs: createBlobStore(config.blobStore),
  analyzers,
  embedder,
  events: new EventBus(connection, config.redisUrl),
});

const encodeWorker = new Worker<EncodeJobData>(QUEUES.encode, (job) => processor.process(job), {
  connection,
  concurrency: config.worker.concurrency,
  // A worker killed mid-encode stops renewing its lock; another worker picks the job up after this.
  lockDuration: 60_000,
  stalledInterval: 30_000,
  maxStalledCount: 2,
});

encodeWorker.on('failed', (job, error) => {
  if (!job) return;
  const attempts = job.opts.attempts ?? 1;
  const final = error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
  console.error(`encode ${job.data.videoId} failed (attempt ${job.attemptsMade}/${attempts}): ${error.message}`);
  if (final) void processor.fail(job.data.videoId, error.message).catch((cause) => console.error(cause));
});
encodeWorker.on('completed', (job) => console.log(`encode ${job.data.videoId} done`));
encodeWorker.on('error', (error) => console.error('worker error', error));
console.log(`cmvc worker ready (concurrency ${config.worker.concurrency})`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`cmvc worker: ${signal}, finishing current jobs`);
  await encodeWorker.close();
  await dispose();
  connection.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
