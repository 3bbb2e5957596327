/**
 * SQL snapshots of the repositories, as in Immich's `queries/*.sql`: every public repository method
 * runs once against a real, empty PostgreSQL with fixed arguments, and the SQL Prisma sends is
 * written to packages/db/queries/<repository>.sql (`npm run sql:write`). A reviewer sees what a
 * change to a repository does to its SQL, and test/integration/sql-snapshots.test.ts fails while a
 * snapshot is stale or a method has no case here.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/client.ts';
import * as db from '../src/index.ts';
import type { NewVideo, StoredRepresentation } from '../src/index.ts';

type RepositoryName = Extract<keyof typeof db, `${string}Repository`>;

/** Every repository class @cmvc/db exports (a new one needs cases below). */
export const REPOSITORIES = Object.fromEntries(Object.entries(db).filter(([name]) => name.endsWith('Repository'))) as Pick<typeof db, RepositoryName>;

type Repositories = { [Name in RepositoryName]: InstanceType<(typeof REPOSITORIES)[Name]> };

/** Ids the cases hand on to later ones (rows created earlier in the run). */
interface RunState {
  userId: string;
  tokenId: string;
  videoId: string;
  otherVideoId: string;
  keyframeId: string;
  renditionId: string;
}

interface SqlCase {
  /** `Repository.method`; one case may run the method more than once (each branch of its SQL). */
  readonly name: `${RepositoryName}.${string}`;
  run(repositories: Repositories, state: RunState): Promise<unknown>;
}

const EMBEDDING = Float32Array.from({ length: 512 }, (_, index) => (index % 7) / 7);
const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');

const newVideo = (name: string): NewVideo => ({
  title: name,
  tags: ['snapshot'],
  sha256: name.padEnd(64, '0'),
  sourceBytes: 1000,
  sourceBlobKey: `sources/${name}`,
});

const representation: StoredRepresentation = {
  keyframes: [
    { frameIndex: 0, timeSeconds: 0, blobKey: 'keyframes/0', bytes: 100, format: 'avif', width: 64, height: 48 },
    { frameIndex: 30, timeSeconds: 1, blobKey: 'keyframes/1', bytes: 100, format: 'avif', width: 64, height: 48 },
  ],
  clips: [{ index: 0, startFrame: 0, endFrame: 30, startSeconds: 0, endSeconds: 1 }],
  captions: [
    { kind: 'CONTENT', text: 'a red car on a road', clipIndex: 0, keyframeIndex: 0, embedding: { model: 'snapshot', vector: EMBEDDING } },
    { kind: 'MOTION', text: 'the car drives away', clipIndex: 0 },
    { kind: 'SPEECH', text: 'look at that', clipIndex: 0, startSeconds: 0.2, endSeconds: 0.8 },
  ],
  bitstream: { blobKey: 'bitstreams/v', bytes: 500, sections: [{ kind: 'header', bytes: 20 }] },
  keepSource: false,
};

/** In order: later cases use the rows earlier ones wrote. */
export const SQL_CASES: readonly SqlCase[] = [
  { name: 'AuthRepository.upsertUser', run: async (r, s) => (s.userId = (await r.AuthRepository.upsertUser('sql@example.org', 'hash', ['ADMIN'])).id) },
  { name: 'AuthRepository.findUserByEmail', run: (r) => r.AuthRepository.findUserByEmail('sql@example.org') },
  { name: 'AuthRepository.createSession', run: (r, s) => r.AuthRepository.createSession(s.userId, 'session-hash', FAR_FUTURE) },
  { name: 'AuthRepository.findLiveSession', run: (r) => r.AuthRepository.findLiveSession('session-hash') },
  { name: 'AuthRepository.deleteSession', run: (r) => r.AuthRepository.deleteSession('session-hash') },
  { name: 'AuthRepository.createToken', run: async (r, s) => (s.tokenId = (await r.AuthRepository.createToken('snapshot', 'token-hash', 'cmvc_snap', ['READ'])).id) },
  { name: 'AuthRepository.findLiveToken', run: (r) => r.AuthRepository.findLiveToken('token-hash') },
  { name: 'AuthRepository.touchToken', run: (r, s) => r.AuthRepository.touchToken(s.tokenId) },
  { name: 'AuthRepository.listTokens', run: (r) => r.AuthRepository.listTokens() },
  { name: 'AuthRepository.revokeToken', run: (r, s) => r.AuthRepository.revokeToken(s.tokenId) },

  { name: 'VideoRepository.createQueued', run: async (r, s) => (s.videoId = (await r.VideoRepository.createQueued(newVideo('a'))).video.id) },
  {
    name: 'VideoRepository.createManyQueued',
    run: async (r, s) => (s.otherVideoId = (await r.VideoRepository.createManyQueued([newVideo('b'), newVideo('a')]))[0]!.video.id),
  },
  { name: 'VideoRepository.findById', run: (r, s) => r.VideoRepository.findById(s.videoId) },
  { name: 'VideoRepository.findBySha256', run: (r) => r.VideoRepository.findBySha256(newVideo('a').sha256) },
  { name: 'VideoRepository.findManyBySha256', run: (r) => r.VideoRepository.findManyBySha256([newVideo('a').sha256, newVideo('b').sha256]) },
  { name: 'VideoRepository.findManyByIds', run: (r, s) => r.VideoRepository.findManyByIds([s.videoId, s.otherVideoId]) },
  { name: 'VideoRepository.setMedia', run: (r, s) => r.VideoRepository.setMedia(s.videoId, { durationSeconds: 1, fps: 30, width: 64, height: 48, frameCount: 30 }) },
  { name: 'VideoRepository.updateDetails', run: (r, s) => r.VideoRepository.updateDetails(s.videoId, { title: 'renamed', tags: ['x'] }) },
  { name: 'VideoRepository.setStatus', run: (r, s) => r.VideoRepository.setStatus(s.videoId, 'ENCODING') },

  { name: 'RepresentationRepository.saveReady', run: (r, s) => r.RepresentationRepository.saveReady(s.videoId, representation) },
  {
    name: 'KeyframeRepository.findByVideoIds',
    run: async (r, s) => (s.keyframeId = (await r.KeyframeRepository.findByVideoIds([s.videoId]))[0]!.id),
  },
  { name: 'KeyframeRepository.findById', run: (r, s) => r.KeyframeRepository.findById(s.keyframeId) },
  { name: 'KeyframeRepository.findClipsByVideoIds', run: (r, s) => r.KeyframeRepository.findClipsByVideoIds([s.videoId]) },
  { name: 'KeyframeRepository.findCaptionsByVideoIds', run: (r, s) => r.KeyframeRepository.findCaptionsByVideoIds([s.videoId]) },

  {
    name: 'SearchRepository.searchMoments',
    // Every filter condition: without a filter the statement only lacks them.
    run: (r) =>
      r.SearchRepository.searchMoments({
        text: 'red car',
        embedding: EMBEDDING,
        limit: 10,
        offset: 10,
        minSimilarity: 0.3,
        baseline: 0.1,
        filter: { createdAfter: new Date('2000-01-01T00:00:00Z'), createdBefore: FAR_FUTURE, minDurationSeconds: 0.5, maxDurationSeconds: 60, tags: ['x'] },
      }),
  },
  {
    name: 'SearchRepository.nearestKeyframes',
    run: async (r, s) => {
      await r.SearchRepository.nearestKeyframes(EMBEDDING, 5, null);
      await r.SearchRepository.nearestKeyframes(EMBEDDING, 5, s.otherVideoId);
    },
  },

  {
    name: 'RenditionRepository.findOrCreate',
    run: async (r, s) => {
      s.renditionId = (await r.RenditionRepository.findOrCreate(s.videoId, 'IT2V', { format: 'MP4', upscale: false }, 'parameters-hash')).rendition.id;
      await r.RenditionRepository.findOrCreate(s.videoId, 'IT2V', { format: 'MP4', upscale: false }, 'parameters-hash');
    },
  },
  { name: 'RenditionRepository.findById', run: (r, s) => r.RenditionRepository.findById(s.renditionId) },
  { name: 'RenditionRepository.findManyByIds', run: (r, s) => r.RenditionRepository.findManyByIds([s.renditionId]) },
  { name: 'RenditionRepository.findByVideoIds', run: (r, s) => r.RenditionRepository.findByVideoIds([s.videoId]) },
  { name: 'RenditionRepository.markQueued', run: (r, s) => r.RenditionRepository.markQueued(s.renditionId) },
  { name: 'RenditionRepository.markRendering', run: (r, s) => r.RenditionRepository.markRendering(s.renditionId) },
  { name: 'RenditionRepository.startSegments', run: (r, s) => r.RenditionRepository.startSegments(s.renditionId, '#EXTM3U', 2) },
  { name: 'RenditionRepository.wantSegment', run: (r, s) => r.RenditionRepository.wantSegment(s.renditionId, 1) },
  { name: 'RenditionRepository.addSegment', run: (r, s) => r.RenditionRepository.addSegment(s.renditionId, 0, 'renditions/r/0.ts', 100) },
  { name: 'RenditionRepository.findSegment', run: (r, s) => r.RenditionRepository.findSegment(s.renditionId, 0) },
  { name: 'RenditionRepository.findSegments', run: (r, s) => r.RenditionRepository.findSegments(s.renditionId) },
  { name: 'RenditionRepository.clearSegments', run: (r, s) => r.RenditionRepository.clearSegments(s.renditionId) },
  { name: 'RenditionRepository.setProgress', run: (r, s) => r.RenditionRepository.setProgress(s.renditionId, 0.5) },
  { name: 'RenditionRepository.markReady', run: (r, s) => r.RenditionRepository.markReady(s.renditionId, 'renditions/r', 1000) },
  { name: 'RenditionRepository.markFailed', run: (r, s) => r.RenditionRepository.markFailed(s.renditionId, 'snapshot') },

  { name: 'VideoRepository.listPage', run: async (r, s) => Promise.all([r.VideoRepository.listPage(10), r.VideoRepository.listPage(10, s.videoId)]) },
  { name: 'VideoRepository.count', run: (r) => r.VideoRepository.count() },
  { name: 'VideoRepository.totals', run: (r) => r.VideoRepository.totals() },
  { name: 'VideoRepository.blobReferences', run: (r) => r.VideoRepository.blobReferences() },
  { name: 'VideoRepository.findDemotable', run: (r) => r.VideoRepository.findDemotable(FAR_FUTURE, 10) },
  {
    name: 'RepresentationRepository.markTextOnly',
    run: (r, s) => r.RepresentationRepository.markTextOnly(s.videoId, { blobKey: 'bitstreams/t', bytes: 100, sections: [] }, 400),
  },
  { name: 'VideoRepository.deleteMany', run: (r, s) => r.VideoRepository.deleteMany([s.otherVideoId]) },
  { name: 'VideoRepository.delete', run: (r, s) => r.VideoRepository.delete(s.videoId) },
];

/** `Repository.method` for every public method of every repository (what needs a case). */
export function repositoryMethods(): string[] {
  return Object.entries(REPOSITORIES).flatMap(([name, repository]) =>
    Object.getOwnPropertyNames(repository.prototype)
      .filter((method) => method !== 'constructor' && !method.startsWith('_'))
      .map((method) => `${name}.${method}`),
  );
}

/** `video-repository.sql` for `VideoRepository`. */
const fileOf = (repository: string): string => `${repository.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.sql`;

/**
 * Runs every case against `databaseUrl` (which must be migrated and empty: the cases write rows and
 * delete what they wrote) and returns the snapshot files, name → content. It uses one connection, so
 * statements a method sends concurrently (Promise.all) are logged in the order it issues them. A
 * file holds each statement once: a repeat (a method that calls another, or runs the same query
 * twice) names the method where it stands in full.
 */
export async function captureSqlSnapshots(databaseUrl: string): Promise<Map<string, string>> {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 1 }), log: [{ emit: 'event', level: 'query' }] });
  let statements: string[] = [];
  client.$on('query', (event) => statements.push(event.query));
  const repositories = Object.fromEntries(Object.entries(REPOSITORIES).map(([name, Repository]) => [name, new Repository(client)])) as Repositories;
  const state = {} as RunState;
  const sections = new Map<string, string[]>();
  /** Per file: statement → the case that wrote it in full. */
  const written = new Map<string, Map<string, string>>();
  try {
    for (const sqlCase of SQL_CASES) {
      statements = [];
      await sqlCase.run(repositories, state);
      const file = fileOf(sqlCase.name.split('.')[0]!);
      const seen = written.get(file) ?? written.set(file, new Map()).get(file)!;
      const parts = statements.map(formatStatement).map((statement) => {
        const first = seen.get(statement);
        if (first) return `-- (the statement under ${first} above)`;
        seen.set(statement, sqlCase.name);
        return statement;
      });
      sections.set(file, [...(sections.get(file) ?? []), `-- ${sqlCase.name}\n${parts.join('\n\n')}\n`]);
    }
  } finally {
    await client.$disconnect();
  }
  const header = '-- Generated by `npm run sql:write` (packages/db/scripts/sql-snapshots.ts); do not edit.\n\n';
  return new Map([...sections].sort(([a], [b]) => a.localeCompare(b)).map(([file, parts]) => [file, header + parts.join('\n')]));
}

/** One statement per paragraph, with the indentation of raw queries' template literals removed. */
function formatStatement(sql: string): string {
  const lines = sql.split('\n').map((line) => line.trimEnd());
  const indents = lines.slice(1).filter((line) => line.trim()).map((line) => line.length - line.trimStart().length);
  const common = Math.min(...indents, Infinity);
  const body = [lines[0]!.trim(), ...lines.slice(1).map((line) => line.slice(Number.isFinite(common) ? common : 0))].join('\n').trim();
  return body.endsWith(';') ? body : `${body};`;
}
