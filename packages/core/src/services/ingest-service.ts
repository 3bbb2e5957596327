import { tmpdir } from 'node:os';
import { blobKeys, type BlobStore } from '@cmvc/blob';
import { MediaError } from '@cmvc/media-io';
import type { Video, VideoRepository } from '@cmvc/db';
import { DomainError, isIngestErrorCode, type IngestErrorCode } from '../errors.ts';
import type { JobQueues } from '@cmvc/jobs';
import { mapInLanes } from './lanes.ts';
import type { MediaHeaderCheck } from './media-limits.ts';
import { uploadKeyOf, type IngestSource, type ResolvedSource, type SourceResolver } from './source-resolver.ts';

export interface IngestOutcome {
  readonly index: number;
  readonly video: Video | null;
  readonly created: boolean;
  readonly error: { readonly code: IngestErrorCode; readonly message: string } | null;
}

export const MAX_INGEST_ITEMS = 10_000;
/** Resolving and hashing wait mostly on the file system, so more lanes than cores keep it busy. */
export const RESOLVE_LANES = 16;
/** Container sniffing and blob copies: a few small reads and one copy (or clone, or link) each. */
export const STORE_LANES = 16;

/** An item that resolved to a file with a content hash, waiting for the batched database steps. */
interface PendingItem {
  readonly index: number;
  readonly title: string;
  readonly tags: string[];
  readonly source: ResolvedSource;
  /** Its source blob is written (temporary files are stored at once so they can be deleted early). */
  stored: boolean;
}

/**
 * Bulk ingest. Each item is resolved to a file and hashed; one query finds the hashes already
 * archived; each new file gets a cheap container check (signature and truncation) and a header
 * check against the media limits (size, length, at least one frame; nothing is decoded), and is
 * copied into the blob store; one INSERT … ON CONFLICT DO NOTHING records all new videos as
 * QUEUED, and one addBulk enqueues them. The encode job probes the media. Items fail alone and
 * results keep the order of the input; an upload refused for what it holds is deleted.
 */
export class IngestService {
  constructor(
    private readonly resolver: Pick<SourceResolver, 'resolve'>,
    private readonly videos: Pick<VideoRepository, 'findManyBySha256' | 'createManyQueued'>,
    private readonly blobs: BlobStore,
    private readonly queues: Pick<JobQueues, 'enqueueEncodes'>,
    private readonly mediaCheck: Pick<MediaHeaderCheck, 'check'> | null = null,
  ) {}

  async ingest(items: readonly IngestSource[]): Promise<IngestOutcome[]> {
    if (items.length > MAX_INGEST_ITEMS) {
      throw new DomainError('INVALID_INPUT', `At most ${MAX_INGEST_ITEMS} items per call, got ${items.length}`);
    }
    const outcomes = new Array<IngestOutcome>(items.length);
    const fail = (index: number, error: unknown) => {
      const failure = toIngestError(error);
      outcomes[index] = { index, video: null, created: false, error: { code: failure.code, message: failure.message } };
    };
    const resolved = await mapInLanes(items, RESOLVE_LANES, (item, index) =>
      this.prepare(index, item).catch((error: unknown) => {
        fail(index, error);
        return null;
      }),
    );
    const pending = resolved.filter((item): item is PendingItem => item !== null);
    try {
      const archived = await this.recordNew(pending, fail);
      for (const item of pending) {
        const video = archived.get(item.index);
        if (video) outcomes[item.index] = { index: item.index, ...video, error: null };
      }
      await this.queues.enqueueEncodes([...archived.values()].filter((entry) => entry.created).map((entry) => entry.video.id));
      await Promise.all(
        pending
          .filter((item) => archived.has(item.index))
          .map((item) => item.source.consumed().catch((error: unknown) => console.error('ingest: could not drop a consumed source', error))),
      );
    } finally {
      await Promise.all(pending.map((item) => item.source.release()));
    }
    await this.dropRefusedUploads(items, outcomes);
    return outcomes;
  }

  /** An upload that was refused for what it is will never be ingested: delete it now. */
  private async dropRefusedUploads(items: readonly IngestSource[], outcomes: readonly IngestOutcome[]): Promise<void> {
    const refused = outcomes.filter((outcome) => outcome.error && outcome.error.code !== 'INTERNAL');
    const keys = refused.map((outcome) => uploadKeyOf(items[outcome.index]!)).filter((key): key is string => key !== null);
    await Promise.all(keys.map((key) => this.blobs.delete(key).catch((error: unknown) => console.error(`ingest: could not delete ${key}`, error))));
  }

  /** Resolves and hashes one item; a temporary file (upload, download) is checked and stored right away and deleted. */
  private async prepare(index: number, item: IngestSource): Promise<PendingItem> {
    const tags = normaliseTags(item.tags ?? []);
    const source = await this.resolver.resolve(item);
    const pending: PendingItem = { index, title: item.title?.trim() || source.defaultTitle, tags, source, stored: false };
    try {
      if (source.owned) {
        await this.store(source);
        pending.stored = true;
        await source.release();
      }
      return pending;
    } catch (error) {
      await source.release();
      throw error;
    }
  }

  /**
   * Finds which hashes are archived already, stores the new sources and inserts their rows.
   * Returns the video of every item that has one now; items that failed are passed to `fail`.
   */
  private async recordNew(
    pending: readonly PendingItem[],
    fail: (index: number, error: unknown) => void,
  ): Promise<Map<number, { video: Video; created: boolean }>> {
    const archived = new Map<number, { video: Video; created: boolean }>();
    let known: Map<string, Video>;
    try {
      known = new Map((await this.videos.findManyBySha256(pending.map((item) => item.source.sha256))).map((video) => [video.sha256, video]));
    } catch (error) {
      const failure = batchFailure('looking up content hashes', error);
      await this.dropUnreferencedSources(pending, null);
      for (const item of pending) fail(item.index, failure);
      return archived;
    }
    for (const item of pending) {
      const video = known.get(item.source.sha256);
      if (video) archived.set(item.index, { video, created: false });
    }

    // One item per new hash stores it (one already stored, else the first); the others share its fate.
    const fresh = pending.filter((item) => !known.has(item.source.sha256));
    const leaders = new Map<string, PendingItem>();
    for (const item of fresh) {
      const leader = leaders.get(item.source.sha256);
      if (!leader || (item.stored && !leader.stored)) leaders.set(item.source.sha256, item);
    }
    const storeFailures = new Map<string, unknown>();
    await mapInLanes([...leaders.values()], STORE_LANES, async (leader) => {
      if (leader.stored) return;
      try {
        await this.store(leader.source);
        leader.stored = true;
      } catch (error) {
        storeFailures.set(leader.source.sha256, error);
      }
    });
    const rows = fresh.filter((item) => {
      const failure = storeFailures.get(item.source.sha256);
      if (failure !== undefined) fail(item.index, failure);
      return failure === undefined;
    });
    if (rows.length > 0) {
      try {
        const queued = await this.videos.createManyQueued(
          rows.map((item) => ({
            title: item.title,
            tags: item.tags,
            sha256: item.source.sha256,
            sourceBytes: item.source.bytes,
            sourceBlobKey: blobKeys.source(item.source.sha256),
          })),
        );
        rows.forEach((item, position) => archived.set(item.index, queued[position]!));
      } catch (error) {
        const failure = batchFailure('recording new videos', error);
        for (const item of rows) fail(item.index, failure);
        await this.dropUnreferencedSources(pending, null);
        return archived;
      }
    }
    await this.dropUnreferencedSources(pending, archived);
    return archived;
  }

  /** Cheap container check, the media limits from the header, then the copy into the blob store. */
  private async store(source: ResolvedSource): Promise<void> {
    const container = await source.checkContainer();
    await this.mediaCheck?.check(source.localPath, container.format);
    await this.blobs.putFile(blobKeys.source(source.sha256), source.localPath, { owned: source.owned });
  }

  /**
   * A source blob this call wrote stays only if a video row points at it: not when the video
   * existed already and its source is gone (encoded without keeping originals), nor when the
   * insert failed. `archived` null: the outcome is unknown, so the database is asked.
   */
  private async dropUnreferencedSources(pending: readonly PendingItem[], archived: Map<number, { video: Video }> | null): Promise<void> {
    const stored = pending.filter((item) => item.stored);
    if (stored.length === 0) return;
    const referenced = new Set<string>();
    try {
      const videos = archived
        ? [...archived.values()].map((entry) => entry.video)
        : await this.videos.findManyBySha256(stored.map((item) => item.source.sha256));
      for (const video of videos) if (video.sourceBlobKey) referenced.add(video.sourceBlobKey);
    } catch (error) {
      console.error('ingest: could not check which stored sources are referenced; leaving them', error);
      return;
    }
    const orphans = new Set(stored.map((item) => blobKeys.source(item.source.sha256)).filter((key) => !referenced.has(key)));
    await Promise.all([...orphans].map((key) => this.blobs.delete(key).catch((error: unknown) => console.error(`ingest: could not delete ${key}`, error))));
  }
}

const MAX_TAGS = 32;
const MAX_TAG_LENGTH = 64;

export function normaliseTags(tags: readonly string[]): string[] {
  const normalised = [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter((tag) => tag.length > 0))];
  if (normalised.length > MAX_TAGS) throw new DomainError('INVALID_INPUT', `At most ${MAX_TAGS} tags per video`);
  const long = normalised.find((tag) => tag.length > MAX_TAG_LENGTH);
  if (long) throw new DomainError('INVALID_INPUT', `Tags have at most ${MAX_TAG_LENGTH} characters: ${long.slice(0, 20)}…`);
  return normalised;
}

/** A database step for the whole call failed: logged once, reported on each affected item. */
function batchFailure(step: string, error: unknown): DomainError<IngestErrorCode> {
  console.error(`ingest: ${step} failed`, error);
  return new DomainError('INTERNAL', `Internal error while ${step}`);
}

/** Our temporary copies (uploads, downloads) are named in tool messages; the client never saw those paths. */
const TEMPORARY_PATH = new RegExp(`${tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^\\s:'"]+`, 'g');

function toIngestError(error: unknown): DomainError<IngestErrorCode> {
  if (error instanceof DomainError && isIngestErrorCode(error.code)) return new DomainError(error.code, redactTemporaryPaths(error.message));
  if (error instanceof MediaError) {
    switch (error.code) {
      case 'NOT_FOUND':
        return new DomainError('NOT_FOUND', redactTemporaryPaths(error.message));
      case 'TRUNCATED_MEDIA':
        return new DomainError('TRUNCATED_MEDIA', `The video is truncated or damaged: ${redactTemporaryPaths(error.message)}`);
      default:
        return new DomainError('UNSUPPORTED_MEDIA', `Not a readable video: ${redactTemporaryPaths(error.message)}`);
    }
  }
  console.error('ingest item failed unexpectedly', error);
  return new DomainError('INTERNAL', 'Internal error while ingesting this item');
}

function redactTemporaryPaths(message: string): string {
  return message.replace(TEMPORARY_PATH, 'the file');
}
