import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3StoreConfig } from '@cmvc/config';
import {
  BlobError,
  assertValidKey,
  assertValidPrefix,
  type BlobInfo,
  type BlobStore,
  type ByteRange,
} from './blob-store.ts';

/** Blobs in an S3-compatible bucket (AWS, MinIO, Ceph, R2...). S3 object writes are atomic. */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3StoreConfig) {
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
    });
  }

  private get bucket(): string {
    return this.options.bucket;
  }

  async put(key: string, body: Uint8Array): Promise<BlobInfo> {
    assertValidKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
    return { key, size: body.byteLength };
  }

  async putStream(key: string, source: Readable, options: { maxBytes?: number } = {}): Promise<BlobInfo> {
    // Buffered so the size limit is enforced before anything becomes visible in the bucket.
    const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of source) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new BlobError('BLOB_TOO_LARGE', `Blob exceeds ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    return this.put(key, Buffer.concat(chunks));
  }

  async putFile(key: string, path: string): Promise<BlobInfo> {
    return this.put(key, await readFile(path));
  }

  async get(key: string): Promise<Buffer> {
    const stream = await this.openRead(key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async download(key: string, path: string): Promise<void> {
    await pipeline(await this.openRead(key), createWriteStream(path));
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = response.Body;
      if (!body) throw new BlobError('BLOB_NOT_FOUND', `Blob not found: ${key}`);
      return body instanceof Readable ? body : Readable.from(body as unknown as AsyncIterable<Uint8Array>);
    } catch (error) {
      throw mapNotFound(key, error);
    }
  }

  async stat(key: string): Promise<BlobInfo | null> {
    assertValidKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0 };
    } catch (error) {
      if (mapNotFound(key, error) instanceof BlobError) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const blobs = await this.list(prefix);
    for (let start = 0; start < blobs.length; start += 1000) {
      const batch = blobs.slice(start, start + 1000).map((blob) => ({ Key: blob.key }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch } }));
    }
    return blobs.length;
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    assertValidPrefix(prefix);
    const blobs: BlobInfo[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) blobs.push({ key: object.Key, size: object.Size ?? 0 });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return blobs;
  }
}

function mapNotFound(key: string, error: unknown): unknown {
  const name = (error as { name?: string }).name;
  if (name === 'NoSuchKey' || name === 'NotFound') return new BlobError('BLOB_NOT_FOUND', `Blob not found: ${key}`);
  return error;
}

