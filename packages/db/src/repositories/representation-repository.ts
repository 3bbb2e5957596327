import { randomUUID } from 'node:crypto';
import type { Database } from '../client.ts';
import type { CaptionKind, Video } from '../generated/client.ts';

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
  /** Own times (seconds) of SPEECH captions. */
  readonly startSeconds?: number;
  readonly endSeconds?: number;
  readonly embedding?: { readonly model: string; readonly vector: Float32Array };
}

/** The coded size of one bitstream section (`header` for the fixed header and section table). */
export interface BitstreamSectionSize {
  readonly kind: string;
  readonly bytes: number;
}

/** A video's bitstream as the video row records it. */
export interface StoredBitstream {
  readonly blobKey: string;
  readonly bytes: number;
  readonly sections: readonly BitstreamSectionSize[];
}

export interface StoredRepresentation {
  readonly keyframes: readonly StoredKeyframe[];
  readonly clips: readonly StoredClip[];
  readonly captions: readonly StoredCaption[];
  readonly bitstream: StoredBitstream;
  /** Whether the source blob is kept after encoding (`KEEP_ORIGINALS`). */
  readonly keepSource: boolean;
}

/** A video's recorded section sizes; empty where none were recorded (or the column holds something else). */
export function bitstreamSectionsOf(video: Pick<Video, 'bitstreamSections'>): BitstreamSectionSize[] {
  const value: unknown = video.bitstreamSections;
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    const { kind, bytes } = (entry ?? {}) as { kind?: unknown; bytes?: unknown };
    return typeof kind === 'string' && typeof bytes === 'number' && Number.isFinite(bytes) ? [{ kind, bytes }] : [];
  });
}

export function toVectorLiteral(vector: Float32Array): string {
  // Nine significant digits give back every float32 exactly (pgvector stores float4) in about half the text.
  return `[${Array.from(vector, (value) => (Number.isFinite(value) ? Number(value.toPrecision(9)) : 0)).join(',')}]`;
}

/**
 * A worker's event loop can be busy with analysis for seconds at a time, so the client-side
 * defaults (2 s to start, 5 s to finish) would fail encodes that did nothing wrong.
 */
const WRITE_TRANSACTION = { maxWait: 30_000, timeout: 120_000 } as const;

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
            startSeconds: caption.startSeconds ?? null,
            endSeconds: caption.endSeconds ?? null,
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
          ...bitstreamColumns(representation.bitstream),
          ...(representation.keepSource ? {} : { sourceBlobKey: null }),
        },
      });
    }, WRITE_TRANSACTION);
  }

  /**
   * Records a demotion to text only in one transaction: the keyframe rows lose their image keys,
   * the video points at its text-only bitstream, and the bytes saved are added up.
   */
  async markTextOnly(videoId: string, bitstream: StoredBitstream, savedBytes: number): Promise<void> {
    await this.db.$transaction([
      this.db.keyframe.updateMany({ where: { videoId }, data: { blobKey: null } }),
      this.db.video.update({
        where: { id: videoId },
        data: { tier: 'TT2V_ONLY', ...bitstreamColumns(bitstream), tieringSavedBytes: { increment: savedBytes } },
      }),
    ]);
  }
}

function bitstreamColumns(bitstream: StoredBitstream) {
  return {
    bitstreamBlobKey: bitstream.blobKey,
    bitstreamBytes: bitstream.bytes,
    bitstreamSections: bitstream.sections.map(({ kind, bytes }) => ({ kind, bytes })),
  };
}
