import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { BlobError, blobKeys, type BlobStore } from '@cmvc/blob';
import type { KeyframeRepository } from '@cmvc/db';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IMAGE_TYPES: Record<string, string> = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' };
/** Content types accepted by POST /uploads; the probe at ingest decides whether it is really a video. */
const UPLOAD_TYPES = /^(video\/[\w.+-]+|image\/gif|application\/octet-stream)$/;

export interface MediaRouteDependencies {
  readonly blobs: BlobStore;
  readonly keyframes: KeyframeRepository;
  readonly uploadMaxBytes: number;
}

function sendError(response: Response, status: number, code: string, message: string): void {
  response.status(status).json({ error: { code, message } });
}

export function createMediaRouter(dependencies: MediaRouteDependencies): Router {
  const router = Router();

  router.get('/media/keyframes/:id', async (request: Request, response: Response) => {
    const id = String(request.params.id);
    if (!UUID.test(id)) return sendError(response, 400, 'BAD_REQUEST', 'Invalid keyframe id');
    const keyframe = await dependencies.keyframes.findById(id);
    if (!keyframe?.blobKey) return sendError(response, 404, 'NOT_FOUND', 'No such keyframe image');
    const body = await dependencies.blobs.get(keyframe.blobKey);
    response
      .status(200)
      .type(IMAGE_TYPES[keyframe.format] ?? 'application/octet-stream')
      .set('Cache-Control', 'public, max-age=31536000, immutable')
      .send(body);
  });

  /** Streams the request body into the blob store; ingest it afterwards with `ingestVideos(inputs: [{ uploadId }])`. */
  router.post('/uploads', async (request: Request, response: Response) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!UPLOAD_TYPES.test(type)) {
      return sendError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', `Uploads must be video files, not ${type || 'untyped data'}`);
    }
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > dependencies.uploadMaxBytes) {
      return sendError(response, 413, 'TOO_LARGE', `Uploads are limited to ${dependencies.uploadMaxBytes} bytes`);
    }
    const uploadId = randomUUID();
    try {
      const blob = await dependencies.blobs.putStream(blobKeys.upload(uploadId), request, {
        maxBytes: dependencies.uploadMaxBytes,
      });
      if (blob.size === 0) {
        await dependencies.blobs.delete(blob.key);
        return sendError(response, 400, 'EMPTY_UPLOAD', 'The upload is empty');
      }
      response.status(201).json({ uploadId, bytes: blob.size });
    } catch (error) {
      if (error instanceof BlobError && error.code === 'BLOB_TOO_LARGE') {
        response.set('Connection', 'close');
        return sendError(response, 413, 'TOO_LARGE', `Uploads are limited to ${dependencies.uploadMaxBytes} bytes`);
      }
      throw error;
    }
  });

  return router;
}
