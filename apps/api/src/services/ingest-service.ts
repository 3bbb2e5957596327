import { blobKeys, type BlobStore } from '@cmvc/blob';
import { MediaError, probe } from '@cmvc/codec';
import type { Video, VideoRepository } from '@cmvc/db';
import type { JobQueues } from '@cmvc/jobs';
import { IngestError } from './errors.ts';
import type { IngestSource, SourceResolver } from './source-resolver.ts';

export interface IngestOutcome {
  readonly index: number;
  readonly video: Video | null;
  readonly created: boolean;
  readonly error: { readonly code: IngestError['code']; readonly message: string } | null;
}

export const MAX_INGEST_ITEMS = 10_000;
const PARALLEL_ITEMS = 4;

/**
 * Bulk ingest: each item is resolved to a file, hashed, probed, archived in the blob store and
 * recorded as a QUEUED video; then all new videos are enqueued in one addBulk. Items fail alone.
 */
export class IngestService {
  constructor(
    private readonly resolver: SourceResolver,
    private readonly videos: VideoRepository,
    private readonly blobs: BlobStore,
    private readonly queues: JobQueues,
  ) {}

  async ingest(items: readonly IngestSource[]): Promise<IngestOutcome[]> {
    if (items.length > MAX_INGEST_ITEMS) {
      throw new IngestError('INVALID_INPUT', `At most ${MAX_INGEST_ITEMS} items per call, got ${items.length}`);
    }
    const outcomes = new Array<IngestOutcome>(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        outcomes[index] = await this.ingestOne(index, items[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_ITEMS, items.length) }, worker));
    await this.queues.enqueueEncodes(outcomes.filter((outcome) => outcome.created).map((outcome) => outcome.video!.id));
    return outcomes;
  }

  private async ingestOne(index: number, item: IngestSource): Promise<IngestOutcome> {
    try {
      const tags = normaliseTags(item.tags ?? []);
      const source = await this.resolver.resolve(item);
      try {
        const existing = await this.videos.findBySha256(source.sha256);
        if (existing) {
          await source.consumed();
          return { index, video: existing, created: false, error: null };
        }
        const media = await probe(source.localPath).catch((error: unknown) => {
          throw toIngestError(error);
        });
        const sourceBlobKey = blobKeys.source(source.sha256);
        await this.blobs.putFile(sourceBlobKey, source.localPath);
        const { video, created } = await this.videos.createQueued({
          title: item.title?.trim() || source.defaultTitle,
          tags,
          sha256: source.sha256,
          sourceBytes: source.bytes,
          durationSeconds: media.durationSeconds,
          fps: media.fps,
          width: media.width,
          height: media.height,
          frameCount: media.frameCount,
          sourceBlobKey,
        });
        await source.consumed();
        return { index, video, created, error: null };
      } finally {
        await source.release();
      }
    } catch (error) {
      const failure = toIngestError(error);
      return { index, video: null, created: false, error: { code: failure.code, message: failure.message } };
    }
  }
}

const MAX_TAGS = 32;
const MAX_TAG_LENGTH = 64;

function normaliseTags(tags: readonly string[]): string[] {
  const normalised = [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter((tag) => tag.length > 0))];
  if (normalised.length > MAX_TAGS) throw new IngestError('INVALID_INPUT', `At most ${MAX_TAGS} tags per video`);
  const long = normalised.find((tag) => tag.length > MAX_TAG_LENGTH);
  if (long) throw new IngestError('INVALID_INPUT', `Tags have at most ${MAX_TAG_LENGTH} characters: ${long.slice(0, 20)}…`);
  return normalised;
}

function toIngestError(error: unknown): IngestError {
  if (error instanceof IngestError) return error;
  if (error instanceof MediaError) {
    switch (error.code) {
      case 'NOT_FOUND':
        return new IngestError('NOT_FOUND', error.message);
      case 'TRUNCATED_MEDIA':
        return new IngestError('TRUNCATED_MEDIA', `The video is truncated or damaged: ${error.message}`);
      default:
        return new IngestError('UNSUPPORTED_MEDIA', `Not a readable video: ${error.message}`);
    }
  }
  console.error('ingest item failed unexpectedly', error);
  return new IngestError('INTERNAL', 'Internal error while ingesting this item');
}
