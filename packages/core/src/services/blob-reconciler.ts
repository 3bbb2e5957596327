import type { BlobStore } from '@cmvc/blob';
import type { VideoRepository } from '@cmvc/db';
import type { JobHandler } from '@cmvc/jobs';

export interface ReconcileReport {
  /** Blobs no row referenced (twice, `graceMs` apart), now deleted. */
  readonly removed: string[];
  /** Keys rows point at that the blob store does not have, with the video they belong to. */
  readonly missing: { readonly key: string; readonly videoId: string }[];
}

/** The parts of the store rows point into; uploads have their own expiry. */
const RECONCILED_PREFIXES = ['sources/', 'videos/', 'renditions/'] as const;

/**
 * Makes the blob store match the database: removes blobs that no row references (left by a crash
 * between a database change and the blob deletes that follow it: deletion, demotion, a failed
 * insert) and reports rows whose blobs are gone. A blob counts as unreferenced only if it is still
 * so after `graceMs`, because ingest writes a source blob just before the row that claims it;
 * work in progress (encodes, renders) is never touched.
 */
export class BlobReconciler {
  constructor(
    private readonly videos: VideoRepository,
    private readonly blobs: BlobStore,
    private readonly graceMs = 60_000,
  ) {}

  /** The `reconcile-blobs` maintenance job: one run, its findings logged. */
  job(): JobHandler<'reconcile-blobs'> {
    return {
      name: 'reconcile-blobs',
      run: async () => {
        const { removed, missing } = await this.run();
        if (removed.length > 0) console.log(`reconcile: removed ${removed.length} blobs no row referenced`);
        for (const { key, videoId } of missing) console.error(`reconcile: video ${videoId} references missing blob ${key}`);
      },
    };
  }

  async run(): Promise<ReconcileReport> {
    const stored = (await Promise.all(RECONCILED_PREFIXES.map((prefix) => this.blobs.list(prefix)))).flat().map((blob) => blob.key);
    const first = await this.videos.blobReferences();
    const candidates = stored.filter((key) => isOrphan(key, first));
    if (candidates.length > 0 && this.graceMs > 0) await new Promise((done) => setTimeout(done, this.graceMs));
    const second = candidates.length > 0 ? await this.videos.blobReferences() : first;
    const removed = candidates.filter((key) => isOrphan(key, second));
    await Promise.all(removed.map((key) => this.blobs.delete(key)));

    const present = new Set(stored);
    const missing: { key: string; videoId: string }[] = [];
    for (const [key, videoId] of second.owners) {
      if (!present.has(key) && !second.inProgressPrefixes.some((prefix) => key.startsWith(prefix)) && !(await this.blobs.stat(key))) {
        missing.push({ key, videoId });
      }
    }
    return { removed, missing };
  }
}

function isOrphan(key: string, references: { referenced: Set<string>; inProgressPrefixes: string[] }): boolean {
  return !references.referenced.has(key) && !references.inProgressPrefixes.some((prefix) => key.startsWith(prefix));
}
