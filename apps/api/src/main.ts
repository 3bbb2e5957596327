import { createBlobStore } from '@cmvc/blob';
import { loadConfig } from '@cmvc/config';
import { AuthService, expireUploads, IngestService, JobsService, LoginThrottle, MediaHeaderCheck, mediaTool, renditionCapabilities, RenditionService, SearchService, SourceResolver, TieringService, VideoService } from '@cmvc/core';
import { AuthRepository, createDatabase, KeyframeRepository, RepresentationRepository, RenditionRepository, SearchRepository, VideoRepository } from '@cmvc/db';
import { createJobQueues, createRedisConnection, EventBus, JobMonitor } from '@cmvc/jobs';
import { mediaIo } from '@cmvc/media-io';
import { createSemanticCodec } from '@cmvc/models';
import { createApiServer } from './server.ts';
import { logger } from './logger.ts';
import { ThreadedTextEmbedder } from './services/embedder-thread.ts';

const config = loadConfig();
const db = createDatabase(config.databaseUrl, config.database);
// Fail at start when the database is unreachable, and open the first connection before any request needs it.
await db.$queryRaw`SELECT 1`;
const blobs = createBlobStore(config.blobStore);
const redis = createRedisConnection(config.redisUrl);
const queues = createJobQueues(redis);
const events = new EventBus(redis, config.redisUrl);
const monitor = new JobMonitor(redis);
const embedder = new ThreadedTextEmbedder(config.models);
// Load the model now rather than in the first search.
embedder.embed(['warm up']).catch((error: unknown) => logger.error({ err: error }, 'the query embedder failed to load'));
const videos = new VideoRepository(db);
const keyframes = new KeyframeRepository(db);
const renditionRecords = new RenditionRepository(db);
const resolver = new SourceResolver({
  roots: config.ingest.roots,
  allowPrivateUrls: config.ingest.allowPrivateUrls,
  maxBytes: config.ingest.uploadMaxBytes,
  blobs,
});

const server = await createApiServer({
  blobs,
  uploadMaxBytes: config.ingest.uploadMaxBytes,
  publicOrigins: config.api.publicOrigins,
  trustProxy: config.api.trustProxy,
  services: {
    videos: new VideoService(videos, keyframes, blobs, queues, events),
    renditions: new RenditionService({ renditions: renditionRecords, videos, keyframes, queues, events, capabilities: renditionCapabilities(config) }),
    ingest: new IngestService(resolver, videos, blobs, queues, new MediaHeaderCheck(config.media, mediaTool(mediaIo(config.ffmpeg)))),
    events,
    auth: new AuthService(new AuthRepository(db), config.api.authRequired, new LoginThrottle(redis, config.api.login)),
    tiering: new TieringService(videos, keyframes, new RepresentationRepository(db), blobs, [createSemanticCodec()], events),
    search: new SearchService(new SearchRepository(db), embedder, config.search),
    jobs: new JobsService(monitor, videos, renditionRecords, events),
  },
});
const port = await server.listen(config.api.port, config.api.host);
console.log(`cmvc api listening on http://${config.api.host}:${port}/graphql`);

// Uploads nobody ingested would otherwise stay forever.
const uploadSweep = setInterval(
  () =>
    void expireUploads(blobs, config.ingest.uploadTtlMs).then(
      (count) => count > 0 && logger.info({ count }, 'expired unclaimed uploads'),
      (error: unknown) => logger.error({ err: error }, 'could not expire uploads'),
    ),
  Math.min(3600_000, Math.max(1000, config.ingest.uploadTtlMs / 4)),
);
uploadSweep.unref();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(uploadSweep);
  console.log(`cmvc api: ${signal}, shutting down`);
  await server.close();
  await queues.close();
  await monitor.close();
  events.close();
  await embedder.dispose();
  redis.disconnect();
  await db.$disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
