export type MediaErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_MEDIA'
  | 'NO_VIDEO_STREAM'
  | 'TRUNCATED_MEDIA'
  | 'FFMPEG_FAILED'
  | 'FFMPEG_UNAVAILABLE'
  | 'ABORTED';

/** A source video could not be read, or ffmpeg could not write an output. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly stderr?: string,
  ) {
    super(message);
  }
}

/** Maps ffmpeg/ffprobe diagnostics to the most specific error code. */
export function classifyFfmpegFailure(stderr: string): MediaErrorCode {
  if (/No such file or directory/i.test(stderr)) return 'NOT_FOUND';
  if (/moov atom not found|Truncated|partial file|end of file|premature/i.test(stderr)) return 'TRUNCATED_MEDIA';
  if (/Invalid data found|could not find codec|Unknown format|EBML header parsing failed|does not contain any stream/i.test(stderr))
    return 'INVALID_MEDIA';
  return 'FFMPEG_FAILED';
}

/** Keeps the last `limit` characters of a process's stderr so a failure can quote it without unbounded growth. */
export class StderrTail {
  private text = '';
  constructor(private readonly limit = 8192) {}
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text.slice(-this.limit).trim();
  }
}
