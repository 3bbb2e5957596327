import { Router, type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { BlobError, blobKeys, type BlobStore, type ByteRange } from '@cmvc/blob';
import { DomainError, type Principal, type RenditionService, requireScope, timeOrderedUuid, type VideoService } from '@cmvc/core';
import type { Scope } from '@cmvc/db';
import { sendDomainError } from '../errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IMAGE_TYPES: Record<string, string> = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' };
/** Content types accepted by POST /uploads; the probe at ingest decides whether it is really a video. */
const UPLOAD_TYPES = /^(video\/[\w.+-]+|image\/gif|application\/octet-stream)$/;

export interface MediaRouteDependencies {
  readonly blobs: BlobStore;
  readonly renditions: Pick<RenditionService, 'download' | 'playlist' | 'segment'>;
  readonly videos: Pick<VideoService, 'keyframeImage' | 'captionTrack' | 'bitstream'>;
  readonly uploadMaxBytes: number;
}

/** Aborts when the client goes away, so a request waiting for a segment stops polling. */
function clientGone(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => controller.abort());
  return controller.signal;
}

/** Answers a domain error with its status; anything else (an aborted wait aside) goes to Express. */
function sendStreamError(response: Response, error: unknown): void {
  if (error instanceof DomainError) return sendDomainError(response, error);
  if (response.destroyed || (error as Error).name === 'AbortError') return;
  throw error;
}

/** A request the route itself refuses (malformed id or path, upload type or size, range), before any service runs. */
function sendError(response: Response, status: number, code: string, message: string): void {
  response.status(status).json({ error: { code, message } });
}

/** The same scope rules as GraphQL, answered with 401/403 and a code. */
function allowed(response: Response, scope: Scope): boolean {
  try {
    requireScope(response.locals.principal as Principal, scope);
    return true;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    sendDomainError(response, error);
    return false;
  }
}

/** The id a reader asks for in `param`, or null once the request is answered (no READ scope, or a malformed id). */
function readerId(request: Request, response: Response, param: string, what: string): string | null {
  if (!allowed(response, 'READ')) return null;
  const id = String(request.params[param]);
  if (UUID.test(id)) return id;
  sendError(response, 400, 'BAD_REQUEST', `Invalid ${what} id`);
  return null;
}

export function createMediaRouter(dependencies: MediaRouteDependencies): Router {
  const router = Router();

  router.get('/media/keyframes/:id', async (request: Request, response: Response) => {
    const id = readerId(request, response, 'id', 'keyframe');
    if (!id) return;
    const image = await dependencies.videos.keyframeImage(id);
    if (!image) return sendError(response, 404, 'NOT_FOUND', 'No such keyframe image');
    const body = await dependencies.blobs.get(image.blobKey);
    response
      .status(200)
      .type(IMAGE_TYPES[image.format] ?? 'application/octet-stream')
      // Behind access control: browsers may keep it, shared caches must not.
      .set('Cache-Control', 'private, max-age=86400')
      .send(body);
  });

  router.get('/media/renditions/:id', async (request: Request, response: Response) => {
    const id = readerId(request, response, 'id', 'rendition');
    if (!id) return;
    const download = await dependencies.renditions.download(id);
    if (!download) return sendError(response, 404, 'NOT_FOUND', 'No such rendition, or not rendered yet');
    const type = download.blobKey.endsWith('.webm') ? 'video/webm' : 'video/mp4';
    await streamBlob(dependencies.blobs, download.blobKey, type, request, response);
  });

  /**
   * The HLS playlist of a rendition, available (to the same readers) from the moment its render job
   * starts. `?start=<seconds>` says where the player will start: that segment is rendered first.
   */
  router.get('/media/renditions/:id/index.m3u8', async (request: Request, response: Response) => {
    const id = readerId(request, response, 'id', 'rendition');
    if (!id) return;
    const start = request.query.start;
    if (start !== undefined && (typeof start !== 'string' || !/^\d{1,7}(\.\d{1,6})?$/u.test(start))) {
      return sendError(response, 400, 'BAD_REQUEST', 'start must be a number of seconds, like 30 or 12.5');
    }
    try {
      const playlist = await dependencies.renditions.playlist(id, clientGone(response), start === undefined ? undefined : Number(start));
      response.status(200).type('application/vnd.apple.mpegurl').set('Cache-Control', 'private, max-age=3600').send(playlist);
    } catch (error) {
      sendStreamError(response, error);
    }
  });

  /** One HLS segment; a segment not rendered yet is rendered next and waited for. */
  router.get('/media/renditions/:id/segments/:file', async (request: Request, response: Response) => {
    const id = readerId(request, response, 'id', 'rendition');
    if (!id) return;
    const match = /^(\d{1,6})\.ts$/u.exec(String(request.params.file));
    if (!match) return sendError(response, 400, 'BAD_SEGMENT', 'Expected /media/renditions/<id>/segments/<index>.ts');
    try {
      const segment = await dependencies.renditions.segment(id, Number(match[1]), clientGone(response));
      await streamBlob(dependencies.blobs, segment.blobKey, 'video/mp2t', request, response);
    } catch (error) {
      sendStreamError(response, error);
    }
  });

  /** Every caption of a READY video (speech, scene, motion) as a WebVTT track. */
  router.get('/media/captions/:file', async (request: Request, response: Response) => {
    if (!allowed(response, 'READ')) return;
    const match = /^(.+)\.vtt$/u.exec(String(request.params.file));
    const id = match?.[1] ?? '';
    if (!UUID.test(id)) return sendError(response, 400, 'BAD_REQUEST', 'Expected /media/captions/<video id>.vtt');
    const track = await dependencies.videos.captionTrack(id);
    if (track === null) return sendError(response, 404, 'NOT_FOUND', 'No such video, or not encoded yet');
    response.status(200).type('text/vtt; charset=utf-8').set('Cache-Control', 'private, max-age=60').send(track);
  });

  router.get('/media/bitstreams/:videoId', async (request: Request, response: Response) => {
    const id = readerId(request, response, 'videoId', 'video');
    if (!id) return;
    const bitstream = await dependencies.videos.bitstream(id);
    if (!bitstream) return sendError(response, 404, 'NOT_FOUND', 'No bitstream for this video');
    response.set('Content-Disposition', `attachment; filename="${bitstream.fileName}"`);
    await streamBlob(dependencies.blobs, bitstream.blobKey, 'application/x-cmvc', request, response);
  });

  /** Streams the request body into the blob store; ingest it afterwards with `ingestVideos(inputs: [{ uploadId }])`. */
  router.post('/uploads', async (request: Request, response: Response) => {
    if (!allowed(response, 'INGEST')) return;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!UPLOAD_TYPES.test(type)) {
      return sendError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', `Uploads must be video files, not ${type || 'untyped data'}`);
    }
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > dependencies.uploadMaxBytes) {
      return sendError(response, 413, 'TOO_LARGE', `Uploads are limited to ${dependencies.uploadMaxBytes} bytes`);
    }
    const uploadId = timeOrderedUuid();
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

/** Sends a blob with HTTP range support (206 partial content), as video players need. */
async function streamBlob(blobs: BlobStore, key: string, type: string, request: Request, response: Response): Promise<void> {
  const info = await blobs.stat(key);
  if (!info) return sendError(response, 404, 'NOT_FOUND', 'Blob is missing');
  response.set('Accept-Ranges', 'bytes').set('Cache-Control', 'private, max-age=3600').type(type);
  const range = parseRange(request.headers.range, info.size);
  if (range === 'invalid') {
    response.set('Content-Range', `bytes */${info.size}`);
    return sendError(response, 416, 'RANGE_NOT_SATISFIABLE', 'Requested range is not satisfiable');
  }
  if (range) {
    response.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
    response.set('Content-Length', String(range.end - range.start + 1));
  } else {
    response.status(200).set('Content-Length', String(info.size));
  }
  if (request.method === 'HEAD') return void response.end();
  const stream = await blobs.openRead(key, range ?? undefined);
  await pipeline(stream, response);
}

/** Parses a single `bytes=` range; multiple ranges are answered with the whole body. */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'invalid' {
  // RFC 9110 §14.2: a range unit the server does not know is ignored.
  if (!header || !/^\s*bytes=/i.test(header)) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return header.includes(',') ? null : 'invalid';
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}
