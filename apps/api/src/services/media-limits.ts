import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { MediaLimits } from '@cmvc/config';
import type { ContainerFormat } from '@cmvc/codec';
import { IngestError } from './errors.ts';

const PROBE_TIMEOUT_MS = 30_000;

interface HeaderStream {
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  nb_read_packets?: string;
}

/**
 * Checks a new source against the media limits before anything decodes it: the size GIF and
 * Y4M headers declare is read directly (ffprobe would allocate a frame of that size), then
 * ffprobe reads the container header and demuxes one packet, without decoding, to find the
 * stated geometry, length and whether there is any frame at all.
 */
export class MediaHeaderCheck {
  constructor(
    private readonly limits: MediaLimits,
    private readonly ffprobePath = 'ffprobe',
  ) {}

  async check(path: string, format: ContainerFormat): Promise<void> {
    const declared = await declaredSize(path, format);
    if (declared) this.checkSize(declared.width, declared.height);
    const stream = await this.probeHeader(path);
    if (!stream) throw new IngestError('UNSUPPORTED_MEDIA', 'Not a readable video: it has no video stream');
    this.checkSize(stream.width ?? 0, stream.height ?? 0);
    if (!(Number(stream.nb_read_packets) >= 1)) throw new IngestError('NO_FRAMES', 'The video has no frames');
    const duration = Number(stream.duration);
    if (Number.isFinite(duration) && duration > this.limits.maxDurationSeconds) {
      throw new IngestError('MEDIA_TOO_LARGE', `The video lasts ${Math.round(duration)} s; the limit is ${this.limits.maxDurationSeconds} s`);
    }
    const [num, den] = (stream.avg_frame_rate ?? '0/1').split('/').map(Number);
    const frames = Number(stream.nb_frames) || (Number.isFinite(duration) && num && den ? Math.ceil((duration * num) / den) : 0);
    if (frames > this.limits.maxFrames) {
      throw new IngestError('MEDIA_TOO_LARGE', `The video has ${frames} frames; the limit is ${this.limits.maxFrames}`);
    }
  }

  private checkSize(width: number, height: number): void {
    const { maxWidth, maxHeight, maxPixels } = this.limits;
    if (width > maxWidth || height > maxHeight || width * height > maxPixels) {
      throw new IngestError('MEDIA_TOO_LARGE', `The video is ${width}×${height}; the limit is ${maxWidth}×${maxHeight} and ${maxPixels} pixels`);
    }
  }

  private probeHeader(path: string): Promise<HeaderStream | undefined> {
    const args = ['-v', 'error', '-select_streams', 'V', '-count_packets', '-read_intervals', '%+#1', '-of', 'json',
      '-show_entries', 'stream=width,height,avg_frame_rate,nb_frames,duration,nb_read_packets', '--', path];
    return new Promise((resolve, reject) => {
      execFile(this.ffprobePath, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) {
          // ffprobe names the file; the client only knows its upload, URL or path, not our temporary copy.
          const reason = stderr.split('\n').find((line) => line.trim()) ?? 'unreadable';
          return reject(new IngestError('UNSUPPORTED_MEDIA', `Not a readable video: ${reason.replaceAll(path, 'the file').slice(0, 200)}`));
        }
        try {
          resolve((JSON.parse(stdout) as { streams?: HeaderStream[] }).streams?.[0]);
        } catch {
          reject(new IngestError('UNSUPPORTED_MEDIA', 'Not a readable video'));
        }
      });
    });
  }
}

/** The picture size a GIF or Y4M header declares, read from its first bytes. */
async function declaredSize(path: string, format: ContainerFormat): Promise<{ width: number; height: number } | null> {
  if (format !== 'gif' && format !== 'y4m') return null;
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (format === 'gif') return bytesRead >= 10 ? { width: head.readUInt16LE(6), height: head.readUInt16LE(8) } : null;
    const line = head.subarray(0, bytesRead).toString('latin1').split('\n')[0]!;
    const width = Number(/ W(\d+)/.exec(line)?.[1] ?? 0);
    const height = Number(/ H(\d+)/.exec(line)?.[1] ?? 0);
    return { width, height };
  } finally {
    await handle.close();
  }
}
