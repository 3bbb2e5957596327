import { randomUUID } from 'node:crypto';
import type { Database } from '../client.ts';
import type { CaptionKind } from '../generated/client.ts';

export interface StoredKeyframe {
  readonly frameIndex: number;
  readonly timeSeconds: number;
  readonly blobKey: string;
  readonly bytes: number;
  readonly format: string;
  readonly width: number;
  readonly height: number;
}

export interface StoredClip {
  readonly index: number;
  readonly startFrame: number;
  readonly endFrame: number;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export interface StoredCaption {
  readonly kind: CaptionKind;
  readonly text: string;
  readonly clipIndex: number;
  /** Index into `keyframes` for content captions. */
  readonly keyframeIndex?: number;
  readonly embedding?: { readonly model: string; readonly vector: Float32Array };
}

export interface StoredRepresentation {
  readonly keyframes: readonly StoredKeyframe[];
  readonly clips: readonly StoredClip[];
  readonly captions: readonly StoredCaption[];
  readonly bitstreamBlobKey: string;
  readonly bitstreamBytes: number;
  /** Whether the source blob is kept after encoding (`KEEP_ORIGINALS`). */
  readonly keepSource: boolean;
}

export function toVectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector, (value) => (Number.isFinite(value) ? value : 0)).join(',')}]`;
}

/** Writes a video's whole representation at once: either every row lands and the video is READY, or none does. */
export class RepresentationRepository {
  constructor(private readonly db: Database) {}

  async saveReady(videoId: string, representation: StoredRepresentation): Promise<void> {
    const keyframeIds = representation.keyframes.map(() => randomUUID());
    const clipIds = representation.clips.map(() => randomUUID());
    await this.db.$transaction(async (tx) => {
      await tx.clip.deleteMany({ where: { videoId } });
      await tx.keyframe.deleteMany({ where: { videoId } });
      await tx.caption.deleteMany({ where: { videoId } });
      await tx.keyframe.createMany({
        data: representation.keyframes.map((keyframe, index) => ({ id: keyframeIds[index]!, videoId, ...keyframe })),
      });
      await tx.clip.createMany({
        data: representation.clips.map((clip, index) => ({ id: clipIds[index]!, videoId, ...clip })),
      });
      for (const caption of representation.captions) {
        const captionId = randomUUID();
        await tx.caption.create({
          data: {
            id: captionId,
            videoId,
            kind: caption.kind,
            text: caption.text,
            clipId: clipIds[caption.clipIndex] ?? null,
            keyframeId: caption.keyframeIndex === undefined ? null : (keyframeIds[caption.keyframeIndex] ?? null),
          },
        });
        if (caption.embedding) {
          await tx.$executeRaw`INSERT INTO "Embedding" ("id", "captionId", "model", "vector")
            VALUES (${randomUUID()}::uuid, ${captionId}::uuid, ${caption.embedding.model}, ${toVectorLiteral(caption.embedding.vector)}::vector)`;
        }
      }
      await tx.video.update({
        where: { id: videoId },
        data: {
          status: 'READY',
          error: null,
          bitstreamBlobKey: representation.bitstreamBlobKey,
          bitstreamBytes: representation.bitstreamBytes,
          ...(representation.keepSource ? {} : { sourceBlobKey: null }),
        },
      });
    });
  }

  /**
   * Records a demotion to text only in one transaction: the keyframe rows lose their image keys,
   * the video points at its text-only bitstream, and the bytes saved are added up.
   */
  async markTextOnly(videoId: string, bitstreamBlobKey: string, bitstreamBytes: number, savedBytes: number): Promise<void> {
    await this.db.$transaction([
      this.db.keyframe.updateMany({ where: { videoId }, data: { blobKey: null } }),
      this.db.video.update({
        where: { id: videoId },
        data: { tier: 'TT2V_ONLY', bitstreamBlobKey, bitstreamBytes, tieringSavedBytes: { increment: savedBytes } },
      }),
    ]);
  }
}
