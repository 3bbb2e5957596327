import { randomBytes } from 'node:crypto';
import type { BlobStore } from '@cmvc/blob';

/**
 * A UUIDv7 (RFC 9562): the first 48 bits are the creation time in milliseconds, so an upload's
 * age can be read from its id without asking the blob store for timestamps.
 */
export function timeOrderedUuid(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** When an upload id was created; ids from before time-ordered ids count as created at 0. */
export function uploadCreatedAt(uploadId: string): number {
  const hex = uploadId.replaceAll('-', '');
  return hex.length === 32 && hex[12] === '7' ? parseInt(hex.slice(0, 12), 16) : 0;
}

/** Deletes uploads that no ingest claimed within `ttlMs`; returns how many. */
export async function expireUploads(blobs: BlobStore, ttlMs: number, now = Date.now()): Promise<number> {
  const stale = (await blobs.list('uploads/')).filter((blob) => uploadCreatedAt(blob.key.slice('uploads/'.length)) < now - ttlMs);
  await Promise.all(stale.map((blob) => blobs.delete(blob.key)));
  return stale.length;
}
