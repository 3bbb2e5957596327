import { createBlobStore } from '@cmvc/blob';
import { loadConfig } from '@cmvc/config';
import { TieringService } from '@cmvc/archive';
import { AuthRepository, createDatabase, KeyframeRepository, RepresentationRepository, RenditionRepository, SearchRepository, VideoRepository } from '@cmvc/db';
import { createJobQueues, createRedisConnection, EventBus, JobMonitor } from '@cmvc/jobs';
import { createConfiguredTextEmbedder, createSemanticCodec } from '@cmvc/models';
import { createApiServer } from './server.ts';
import { AuthService } from './services/auth-service.ts';
import { IngestService } from './services/ingest-service.ts';
import { JobsService } from './services/jobs-service.ts';
import { RenditionService } from './services/rendition-service.ts';
import { SearchService } from './services/search-service.ts';
import { SourceResolver } from './services/source-resolver.ts';

const config = loadConfig();
const db = createDatabase(config.databaseUrl);
// Fail at start when the database is unreachable, and open the first connection before any request needs it.
await db.$queryRaw`SELECT 1`;
const blobs = createBlobStore(config.blobStore);
const redis = createRedisConnection(config.redisUrl);
const queues = createJobQueues(redis);
const events = new EventBus(redis, config.redisUrl);
const monitor = new JobMonitor(redis);
const embedder = createConfiguredTextEmbedder();
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
  services: {
    videos,
    keyframes,
    renditionRecords,
    renditions: new RenditionService(renditionRecords, videos, keyframes, queues, {
      tt2v:
        config.generation.tt2v === 'none'
          ? { available: false, reason: 'TT2V_GENERATOR is none' }
          : { available: true },
    }),
    ingest: new IngestService(resolver, videos, blobs, queues),
    events,
    auth: new AuthService(new AuthRepository(db), config.api.authRequired),
    tiering: new TieringService(videos, keyframes, new RepresentationRepository(db), blobs, [createSemanticCodec()]),
    search: new SearchService(new SearchRepository(db), embedder),
    jobs: new JobsService(monitor, videos, renditionRecords, events),
  },
});
const port = await server.listen(config.api.port, config.api.host);
console.log(`cmvc api listening on http://${config.api.host}:${port}/graphql`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
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
