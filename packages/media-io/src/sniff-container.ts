import { open, type FileHandle } from 'node:fs/promises';
import { MediaError } from './errors.ts';

/**
 * A cheap, synchronous-path check that a file is a video container, from a few KB of it: the
 * container signature, and for formats whose headers state their size (ISO-BMFF boxes, the
 * Matroska segment, the AVI RIFF chunk) whether the file is shorter than it says. It does not
 * decode anything: a file that passes can still fail ffprobe later (e.g. an MP4 with only audio).
 */
export type ContainerFormat =
  | 'iso-bmff'
  | 'matroska'
  | 'avi'
  | 'mpeg-ts'
  | 'mpeg-ps'
  | 'mpeg-video'
  | 'h26x-annexb'
  | 'flv'
  | 'ogg'
  | 'asf'
  | 'gif'
  | 'ivf'
  | 'y4m'
  | 'realmedia'
  | 'mxf';

export interface ContainerSniff {
  readonly format: ContainerFormat;
  /** ISO-BMFF major brand or Matroska DocType, when the container states one. */
  readonly brand: string | null;
  readonly bytes: number;
}

const HEAD_BYTES = 4096;
/** Top-level ISO-BMFF boxes walked at most; long fragmented files stop being checked past this. */
const MAX_TOP_LEVEL_BOXES = 100_000;
const TS_PACKET = 188;
const M2TS_PACKET = 192;
/** ISO-BMFF brands of still images (HEIF, AVIF): an ftyp without a moov, but not a broken video. */
const IMAGE_BRANDS = new Set(['avif', 'heic', 'heix', 'heim', 'heis', 'mif1', 'msf1', 'jpeg', 'jpgs']);
/** Box types that may open a QuickTime file written without an ftyp box. */
const QUICKTIME_FIRST_BOXES = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/**
 * Checks the file at `path`. Pass `content` when the whole file is in memory already (e.g. it was
 * just read to be hashed): then nothing is read again and `path` only names it in messages.
 */
export async function sniffContainer(path: string, content?: Uint8Array): Promise<ContainerSniff> {
  try {
    if (content) {
      const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      return await sniff(bytes.subarray(0, HEAD_BYTES), bytes.length, async (offset, length) => bytes.subarray(offset, offset + length));
    }
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch {
      throw new MediaError('NOT_FOUND', 'does not exist or cannot be read');
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new MediaError('INVALID_MEDIA', 'not a regular file');
      const head = await readAt(handle, 0, Math.min(HEAD_BYTES, info.size));
      // Small boxes (ftyp, free, a short mdat) sit inside the head already read.
      return await sniff(head, info.size, (offset, length) =>
        offset + length <= head.length ? Promise.resolve(head.subarray(offset, offset + length)) : readAt(handle, offset, length),
      );
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw error instanceof MediaError ? new MediaError(error.code, `${path}: ${error.message}`) : error;
  }
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
type ReadAt = (offset: number, length: number) => Promise<Buffer>;

async function sniff(head: Buffer, size: number, read: ReadAt): Promise<ContainerSniff> {
  if (size === 0) throw new MediaError('INVALID_MEDIA', 'the file is empty');
  const found = await identify(read, head, size);
  if (!found) throw new MediaError('INVALID_MEDIA', 'not in a known video container format');
  return found;
}

async function identify(read: ReadAt, head: Buffer, size: number): Promise<ContainerSniff | null> {
  const ascii = (start: number, length: number) => head.toString('latin1', start, start + length);
  const simple = (format: ContainerFormat): ContainerSniff => ({ format, brand: null, bytes: size });

  if (head.length >= 8 && ascii(4, 4) === 'ftyp') return checkIsoBmff(read, size);
  if (head.length >= 8 && QUICKTIME_FIRST_BOXES.has(ascii(4, 4))) {
    // Without ftyp the signature is weak ("The free…" is text), so the first box must also fit the file.
    const firstBox = head.readUInt32BE(0);
    if (firstBox <= 1 || (firstBox >= 8 && firstBox <= size)) return checkIsoBmff(read, size);
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return checkMatroska(head, size);
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && (ascii(8, 4) === 'AVI ' || ascii(8, 4) === 'AVIX')) {
    const declared = head.readUInt32LE(4) + 8;
    if (declared > size) throw truncated(`the RIFF AVI chunk declares ${declared} bytes but the file has ${size}`);
    return simple('avi');
  }
  if (isTransportStream(head, 0, TS_PACKET) || isTransportStream(head, 4, M2TS_PACKET)) return simple('mpeg-ts');
  if (head.length >= 4 && head.readUInt32BE(0) === 0x000001ba) return simple('mpeg-ps');
  if (head.length >= 4 && head.readUInt32BE(0) === 0x000001b3) return simple('mpeg-video');
  if (isAnnexB(head)) return simple('h26x-annexb');
  if (ascii(0, 3) === 'FLV' && head[3] === 1) return simple('flv');
  if (ascii(0, 4) === 'OggS') return simple('ogg');
  if (head.length >= 16 && head.subarray(0, 16).equals(ASF_HEADER_GUID)) return simple('asf');
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return simple('gif');
  if (ascii(0, 4) === 'DKIF') return simple('ivf');
  if (ascii(0, 10) === 'YUV4MPEG2 ') return simple('y4m');
  if (ascii(0, 4) === '.RMF') return simple('realmedia');
  if (head.length >= 11 && head.subarray(0, 11).equals(MXF_PARTITION_KEY)) return simple('mxf');
  return null;
}

const ASF_HEADER_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');
const MXF_PARTITION_KEY = Buffer.from('060e2b34020501010d0102', 'hex');

/** Walks the top-level boxes: each must end within the file, and a movie needs its moov index. */
async function checkIsoBmff(read: ReadAt, size: number): Promise<ContainerSniff> {
  let offset = 0;
  let brand: string | null = null;
  let hasMoov = false;
  for (let boxes = 0; offset < size && boxes < MAX_TOP_LEVEL_BOXES; boxes += 1) {
    if (size - offset < 8) {
      if (hasMoov) break; // a few stray bytes after a complete movie do not stop players
      throw truncated(`the file ends inside a box header at offset ${offset}`);
    }
    const header = await read(offset, Math.min(16, size - offset));
    const type = header.toString('latin1', 4, 8);
    if (!/^[\x20-\x7e]{4}$/.test(type)) {
      if (hasMoov) break; // junk after a complete movie, as some recorders leave
      throw truncated(`no valid box at offset ${offset}: the file is damaged or cut off`);
    }
    let boxSize = header.readUInt32BE(0);
    if (boxSize === 1) {
      if (header.length < 16) throw truncated(`the file ends inside the '${type}' box header at offset ${offset}`);
      const large = header.readBigUInt64BE(8);
      boxSize = large > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(large);
    } else if (boxSize === 0) {
      boxSize = size - offset; // "extends to the end of the file"
    }
    if (boxSize < 8) throw truncated(`box '${type}' at offset ${offset} has an impossible size ${boxSize}`);
    if (offset + boxSize > size) {
      throw truncated(`box '${type}' at offset ${offset} declares ${boxSize} bytes but the file ends after ${size - offset}`);
    }
    if (type === 'ftyp' && brand === null && header.length >= 12) brand = header.toString('latin1', 8, 12);
    if (type === 'moov') hasMoov = true;
    offset += boxSize;
  }
  if (!hasMoov) {
    if (brand !== null && IMAGE_BRANDS.has(brand)) {
      throw new MediaError('INVALID_MEDIA', `an ISO-BMFF still image (brand '${brand}'), not a video`);
    }
    throw truncated('no moov box (the movie index): the recording was cut off before it was finalised');
  }
  return { format: 'iso-bmff', brand: brand?.trim() ?? null, bytes: size };
}

/** EBML header, then the Segment: a known segment size beyond the end of the file means it was cut off. */
function checkMatroska(head: Buffer, size: number): ContainerSniff {
  const header = readElement(head, 0);
  if (!header || header.id !== 0x1a45dfa3 || header.size === null) throw new MediaError('INVALID_MEDIA', 'unreadable EBML header');
  const headerEnd = header.dataStart + header.size;
  let brand: string | null = null;
  for (let offset = header.dataStart; offset < Math.min(headerEnd, head.length); ) {
    const child = readElement(head, offset);
    if (!child || child.size === null) break;
    if (child.id === 0x4282 && child.dataStart + child.size <= head.length) {
      brand = head.toString('latin1', child.dataStart, child.dataStart + child.size).replace(/\0+$/, '');
    }
    offset = child.dataStart + child.size;
  }
  if (brand !== null && brand !== 'matroska' && brand !== 'webm') {
    throw new MediaError('INVALID_MEDIA', `an EBML document of type '${brand}', not Matroska or WebM`);
  }
  if (headerEnd >= size) throw truncated('the file ends right after the EBML header');
  const segment = readElement(head, headerEnd);
  if (segment?.id === 0x18538067) {
    if (segment.size !== null && segment.dataStart + segment.size > size) {
      throw truncated(`the Matroska segment declares ${segment.size} bytes but the file ends after ${size - segment.dataStart}`);
    }
  }
  return { format: 'matroska', brand, bytes: size };
}

interface EbmlElement {
  readonly id: number;
  /** null for "unknown size" (live streams written without seeking back). */
  readonly size: number | null;
  readonly dataStart: number;
}

function readElement(buffer: Buffer, offset: number): EbmlElement | null {
  const id = readVint(buffer, offset, true);
  if (!id) return null;
  const size = readVint(buffer, offset + id.length, false);
  if (!size) return null;
  return { id: id.value!, size: size.value, dataStart: offset + id.length + size.length };
}

/** An EBML variable-length integer; ids keep their marker bit, sizes drop it (all ones = unknown). */
function readVint(buffer: Buffer, offset: number, keepMarker: boolean): { value: number | null; length: number } | null {
  if (offset >= buffer.length) return null;
  const first = buffer[offset]!;
  const length = first === 0 ? 0 : 8 - Math.floor(Math.log2(first));
  if (length < 1 || length > 8 || offset + length > buffer.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let index = 1; index < length; index += 1) {
    const byte = buffer[offset + index]!;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value: !keepMarker && allOnes ? null : value, length };
}

/** At least a few consecutive packets must start with the 0x47 sync byte. */
function isTransportStream(head: Buffer, syncOffset: number, packet: number): boolean {
  const packets = Math.min(5, Math.floor((head.length - syncOffset) / packet));
  if (packets < 1) return false;
  for (let index = 0; index < packets; index += 1) if (head[syncOffset + index * packet] !== 0x47) return false;
  return true;
}

/** A raw H.264/H.265 stream starts with a start code and a parameter set, AUD or SEI NAL unit. */
function isAnnexB(head: Buffer): boolean {
  const start = head.length >= 5 && head.readUInt32BE(0) === 1 ? 4 : head.length >= 4 && head.readUIntBE(0, 3) === 1 ? 3 : 0;
  if (start === 0) return false;
  const nal = head[start]!;
  if ((nal & 0x80) !== 0) return false;
  const h264Type = nal & 0x1f;
  const h265Type = (nal >> 1) & 0x3f;
  return [6, 7, 9].includes(h264Type) || [32, 33, 35, 39].includes(h265Type);
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function truncated(message: string): MediaError {
  return new MediaError('TRUNCATED_MEDIA', message);
}
