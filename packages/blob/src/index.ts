import type { BlobStoreConfig } from '@cmvc/config';
import type { BlobStore } from './blob-store.ts';
import { LocalDiskBlobStore } from './local-disk-store.ts';
import { S3BlobStore } from './s3-store.ts';

export * from './blob-store.ts';
export { LocalDiskBlobStore, STALE_TEMPORARY_MS } from './local-disk-store.ts';
export { S3BlobStore } from './s3-store.ts';
export * from './keys.ts';

export function createBlobStore(config: BlobStoreConfig): BlobStore {
  if (config.kind === 's3') {
    if (!config.s3) throw new Error('S3 blob store selected without S3 settings');
    return new S3BlobStore(config.s3);
  }
  return new LocalDiskBlobStore(config.directory);
}
