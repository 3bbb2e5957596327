import type { BlobStore } from '@cmvc/blob';
import type { Exemplar, ExemplarLibrary } from '@cmvc/codec';
import type { SearchRepository } from '@cmvc/db';

/** The TT2V retrieval generator's exemplars: keyframes of other archived videos, nearest by caption embedding. */
export class ArchiveExemplarLibrary implements ExemplarLibrary {
  constructor(
    private readonly search: SearchRepository,
    private readonly blobs: BlobStore,
  ) {}

  async nearest(embedding: Float32Array, k: number, options: { excludeVideoId?: string }): Promise<Exemplar[]> {
    const matches = await this.search.nearestKeyframes(embedding, k, options.excludeVideoId ?? null);
    return Promise.all(
      matches.map(async (match) => ({
        videoId: match.videoId,
        image: new Uint8Array(await this.blobs.get(match.blobKey)),
        score: match.similarity,
      })),
    );
  }
}
