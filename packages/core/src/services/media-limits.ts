import { open } from 'node:fs/promises';
import type { MediaLimits } from '@cmvc/config';
import { MediaError, type ContainerFormat, type VideoHeader } from '@cmvc/media-io';
import { DomainError } from '../errors.ts';
import type { MediaTool } from '../ports.ts';

const PROBE_TIMEOUT_MS = 30_000;

interface StatedVideo {
  readonly width: number;
  readonly height: number;
  readonly hasFrames: boolean;
  readonly frames: number;
  readonly durationSeconds: number;
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
    private readonly media: MediaTool,
  ) {}

  async check(path: string, format: ContainerFormat): Promise<void> {
    // MP4/QuickTime state everything in their moov box: read it directly (most sources, no process).
    const stated = format === 'iso-bmff' ? await isoBmffVideoTrack(path) : null;
    if (stated) return this.checkStated(stated);
    const declared = await declaredSize(path, format);
    if (declared) this.checkSize(declared.width, declared.height);
    const stream = await this.probeHeader(path);
    if (!stream) throw new DomainError('UNSUPPORTED_MEDIA', 'Not a readable video: it has no video stream');
    const duration = Number(stream.duration);
    const [num, den] = (stream.avg_frame_rate ?? '0/1').split('/').map(Number);
    this.checkStated({
      width: stream.width ?? 0,
      height: stream.height ?? 0,
      // Counted from the one packet demuxed: 0 means the stream has no frame at all.
      hasFrames: Number(stream.nb_read_packets) >= 1,
      frames: Number(stream.nb_frames) || (Number.isFinite(duration) && num && den ? Math.ceil((duration * num) / den) : 0),
      durationSeconds: Number.isFinite(duration) ? duration : 0,
    });
  }

  private checkStated(stated: StatedVideo): void {
    this.checkSize(stated.width, stated.height);
    if (!stated.hasFrames) throw new DomainError('NO_FRAMES', 'The video has no frames');
    if (stated.durationSeconds > this.limits.maxDurationSeconds) {
      throw new DomainError('MEDIA_TOO_LARGE', `The video lasts ${Math.round(stated.durationSeconds)} s; the limit is ${this.limits.maxDurationSeconds} s`);
    }
    if (stated.frames > this.limits.maxFrames) {
      throw new DomainError('MEDIA_TOO_LARGE', `The video has ${stated.frames} frames; the limit is ${this.limits.maxFrames}`);
    }
  }

  private checkSize(width: number, height: number): void {
    const { maxWidth, maxHeight, maxPixels } = this.limits;
    if (width > maxWidth || height > maxHeight || width * height > maxPixels) {
      throw new DomainError('MEDIA_TOO_LARGE', `The video is ${width}×${height}; the limit is ${maxWidth}×${maxHeight} and ${maxPixels} pixels`);
    }
  }

  private async probeHeader(path: string): Promise<VideoHeader | undefined> {
    try {
      return await this.media.probeVideoHeader(path, AbortSignal.timeout(PROBE_TIMEOUT_MS));
    } catch (error) {
      if (!(error instanceof MediaError)) throw error;
      // ffprobe names the file; the client only knows its upload, URL or path, not our temporary copy.
      const reason = error.stderr?.split('\n').find((line) => line.trim()) ?? 'unreadable';
      throw new DomainError('UNSUPPORTED_MEDIA', `Not a readable video: ${reason.replaceAll(path, 'the file').slice(0, 200)}`);
    }
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

/** Larger moov boxes (hours of video) are left to ffprobe rather than read into memory. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;
const CONTAINER_BOXES = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

interface Box {
  readonly type: string;
  /** The box's content, after its header. */
  readonly body: Buffer;
}

function childBoxes(buffer: Buffer): Box[] {
  const boxes: Box[] = [];
  for (let offset = 0; offset + 8 <= buffer.length; ) {
    let size = buffer.readUInt32BE(offset);
    let header = 8;
    if (size === 1 && offset + 16 <= buffer.length) {
      size = Number(buffer.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = buffer.length - offset;
    }
    if (size < header || offset + size > buffer.length) break;
    boxes.push({ type: buffer.toString('latin1', offset + 4, offset + 8), body: buffer.subarray(offset + header, offset + size) });
    offset += size;
  }
  return boxes;
}

/**
 * The first video track of an MP4/QuickTime file as its moov box states it: tkhd (size), mdhd
 * (duration), stsz/stz2 (sample count). Null when that needs ffprobe instead: no moov found, a
 * huge one, fragmented files (samples live in moof boxes), or no usable video track.
 */
async function isoBmffVideoTrack(path: string): Promise<StatedVideo | null> {
  const handle = await open(path, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const head = Buffer.alloc(16);
    let moov: Buffer | null = null;
    for (let offset = 0; offset + 8 <= fileSize; ) {
      await handle.read(head, 0, 16, offset);
      let size = head.readUInt32BE(0);
      if (size === 1) size = Number(head.readBigUInt64BE(8));
      else if (size === 0) size = fileSize - offset;
      if (size < 8) return null;
      if (head.toString('latin1', 4, 8) === 'moov') {
        if (size > MAX_MOOV_BYTES || offset + size > fileSize) return null;
        moov = Buffer.alloc(size);
        await handle.read(moov, 0, size, offset);
        break;
      }
      offset += size;
    }
    if (!moov) return null;
    const moovBody = childBoxes(moov)[0]?.body;
    if (!moovBody || childBoxes(moovBody).some((box) => box.type === 'mvex')) return null;
    for (const trak of childBoxes(moovBody).filter((box) => box.type === 'trak')) {
      const found = new Map<string, Buffer>();
      const collect = (body: Buffer) => {
        for (const box of childBoxes(body)) {
          if (CONTAINER_BOXES.has(box.type)) collect(box.body);
          else if (!found.has(box.type)) found.set(box.type, box.body);
        }
      };
      collect(trak.body);
      const [hdlr, tkhd, mdhd] = [found.get('hdlr'), found.get('tkhd'), found.get('mdhd')];
      const samples = found.get('stsz') ?? found.get('stz2');
      if (hdlr?.toString('latin1', 8, 12) !== 'vide' || !tkhd || !mdhd || !samples || samples.length < 12) continue;
      const sizeAt = tkhd[0] === 1 ? 88 : 76;
      if (tkhd.length < sizeAt + 8) return null;
      const [timescale, duration] = mdhd[0] === 1
        ? [mdhd.readUInt32BE(20), Number(mdhd.readBigUInt64BE(24))]
        : [mdhd.readUInt32BE(12), mdhd.readUInt32BE(16)];
      const frames = samples.readUInt32BE(8);
      const width = tkhd.readUInt32BE(sizeAt) / 65536;
      const height = tkhd.readUInt32BE(sizeAt + 4) / 65536;
      if (width <= 0 || height <= 0) return null;
      return { width, height, hasFrames: frames > 0, frames, durationSeconds: timescale > 0 ? duration / timescale : 0 };
    }
    return null;
  } finally {
    await handle.close();
  }
}
