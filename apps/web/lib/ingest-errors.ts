import type { IngestErrorCode } from './api.ts';

/** Sentences a person understands, for each code the ingest mutation and the upload endpoint can return. */
const SENTENCES: Record<IngestErrorCode | UploadErrorCode, string> = {
  INVALID_INPUT: 'This item could not be read as a file, upload or web address.',
  PATH_OUTSIDE_ROOT: 'That server path is outside the folders the archive is allowed to read from.',
  NOT_FOUND: 'There is no file at that server path.',
  UNSUPPORTED_MEDIA: 'This file is not a video the archive can read (it may be a different kind of file with a video name).',
  TRUNCATED_MEDIA: 'This video file is incomplete — it looks cut off, perhaps by an interrupted download or copy.',
  UPLOAD_NOT_FOUND: 'The uploaded file expired or went missing before it could be archived. Try adding it again.',
  URL_NOT_ALLOWED: 'The archive is not allowed to fetch from that web address.',
  FETCH_FAILED: 'The video could not be downloaded from that web address.',
  TOO_LARGE: 'This file is larger than the archive accepts.',
  MEDIA_TOO_LARGE: 'This video is wider, taller or longer than the archive accepts.',
  NO_FRAMES: 'This video file has no pictures in it.',
  INTERNAL: 'Something went wrong on the server while adding this video. Try again later.',
  UNSUPPORTED_MEDIA_TYPE: 'Only video files can be uploaded.',
  EMPTY_UPLOAD: 'This file is empty.',
  UPLOAD_FAILED: 'The upload was interrupted. Check your connection and try again.',
  ENCODE_FAILED: 'The video was received but could not be converted into its archive form.',
};

export type UploadErrorCode = 'UNSUPPORTED_MEDIA_TYPE' | 'EMPTY_UPLOAD' | 'UPLOAD_FAILED' | 'ENCODE_FAILED';

export function describeIngestError(code: string): string {
  return (SENTENCES as Record<string, string>)[code] ?? 'This item could not be added to the archive.';
}
