import { crc32 } from 'node:zlib';
import type { CameraMotion } from '../contracts.ts';
import { decodeByteList, decodeTextList, encodeByteList, encodeTextList } from '../entropy/text-coding.ts';
import { ByteReader, ByteWriter } from './bytes.ts';
import { BitstreamError } from './errors.ts';
import { CAMERA_KINDS, IMAGE_FORMATS, LIMITS } from './format.ts';
import type { InterpolationWeightTrack, KeyframeImageFormat } from './types.ts';

export { crc32 };

// ---- keyframes -------------------------------------------------------------------------------

export interface KeyframeImagesSection {
  readonly format: KeyframeImageFormat;
  readonly width: number;
  readonly height: number;
  readonly frames: readonly { readonly frameIndex: number; readonly image: Uint8Array }[];
}

export function writeKeyframes(section: KeyframeImagesSection): Uint8Array {
  const writer = new ByteWriter().u8(IMAGE_FORMATS[section.format]).varint(section.width).varint(section.height).varint(section.frames.length);
  let previous = 0;
  for (const { frameIndex, image } of section.frames) {
    writer.varint(frameIndex - previous);
    if (section.format !== 'none') writer.blob(image);
    previous = frameIndex;
  }
  return writer.finish();
}

export function readKeyframes(payload: Uint8Array, frameCount: number): KeyframeImagesSection {
  const reader = new ByteReader(payload, 'keyframes section');
  const code = reader.u8();
  const format = (Object.keys(IMAGE_FORMATS) as KeyframeImageFormat[]).find((name) => IMAGE_FORMATS[name] === code);
  if (!format) throw new BitstreamError('BAD_SECTION', `unknown keyframe image format ${code}`);
  const withImages = format !== 'none';
  const width = reader.varint(LIMITS.maxDimension, 'keyframe width');
  const height = reader.varint(LIMITS.maxDimension, 'keyframe height');
  if (width < 1 || height < 1) throw new BitstreamError('OUT_OF_BOUNDS', 'keyframe size is zero');
  // Each keyframe costs at least two bytes (one without images), which bounds the count by the payload before any allocation.
  const count = reader.varint(Math.min(frameCount, Math.floor(reader.remaining / (withImages ? 2 : 1))), 'keyframe count');
  if (count < 1) throw new BitstreamError('INCONSISTENT', 'a stream needs at least one keyframe');
  const frames: { frameIndex: number; image: Uint8Array }[] = [];
  let frameIndex = 0;
  for (let i = 0; i < count; i += 1) {
    const delta = reader.varint(frameCount - 1 - frameIndex, 'keyframe index delta');
    if (i > 0 && delta === 0) throw new BitstreamError('INCONSISTENT', 'keyframe indices must increase');
    if (i === 0 && delta !== 0) throw new BitstreamError('INCONSISTENT', 'the first keyframe must be frame 0');
    frameIndex += delta;
    const image = withImages ? reader.blob('keyframe image') : new Uint8Array(0);
    if (withImages && image.length === 0) throw new BitstreamError('BAD_SECTION', 'empty keyframe image');
    frames.push({ frameIndex, image });
  }
  reader.expectEnd();
  if (frameIndex !== frameCount - 1) throw new BitstreamError('INCONSISTENT', 'the last keyframe must be the last frame');
  return { format, width, height, frames };
}

// ---- texts and structured semantics ----------------------------------------------------------

export const writeTexts = (texts: readonly string[]): Uint8Array => encodeTextList(texts).bytes;

export function readTexts(payload: Uint8Array, count: number, what: string): string[] {
  return decodeTextList(new ByteReader(payload, what), count);
}

export interface SemanticSection {
  readonly codecId: string;
  readonly items: readonly Uint8Array[];
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export function writeSemantic(section: SemanticSection): Uint8Array {
  const id = ascii(section.codecId);
  if (id.length === 0 || id.length > LIMITS.maxCodecIdBytes) throw new RangeError(`semantic codec id must be 1..${LIMITS.maxCodecIdBytes} bytes`);
  return new ByteWriter().blob(id).bytes(encodeByteList(section.items).bytes).finish();
}

export function readSemantic(payload: Uint8Array, count: number, what: string): SemanticSection {
  const reader = new ByteReader(payload, what);
  const idBytes = reader.blob('semantic codec id');
  if (idBytes.length === 0 || idBytes.length > LIMITS.maxCodecIdBytes || idBytes.some((byte) => byte < 0x20 || byte > 0x7e))
    throw new BitstreamError('BAD_SECTION', `${what}: semantic codec id must be 1..${LIMITS.maxCodecIdBytes} printable ASCII bytes`);
  const codecId = new TextDecoder().decode(idBytes);
  return { codecId, items: decodeByteList(reader, count) };
}

// ---- camera motion ---------------------------------------------------------------------------

const quantise = (value: number): number => {
  const scaled = Math.round(value * LIMITS.cameraScale);
  return Math.max(-LIMITS.maxCameraMagnitude, Math.min(LIMITS.maxCameraMagnitude, Number.isFinite(scaled) ? scaled : 0));
};

export function writeCameras(cameras: readonly CameraMotion[]): Uint8Array {
  const writer = new ByteWriter();
  for (const camera of cameras) {
    writer.u8(CAMERA_KINDS.indexOf(camera.kind)).svarint(quantise(camera.dx)).svarint(quantise(camera.dy)).svarint(quantise(camera.zoom - 1));
  }
  return writer.finish();
}

export function readCameras(payload: Uint8Array, count: number): CameraMotion[] {
  const reader = new ByteReader(payload, 'camera motion section');
  // Four bytes minimum per clip.
  if (reader.remaining < count * 4) throw new BitstreamError('TRUNCATED', `camera motion section too short for ${count} clips`);
  const cameras: CameraMotion[] = [];
  for (let i = 0; i < count; i += 1) {
    const kindCode = reader.u8();
    const kind = CAMERA_KINDS[kindCode];
    if (!kind) throw new BitstreamError('BAD_SECTION', `unknown camera motion kind ${kindCode}`);
    const dx = reader.svarint(LIMITS.maxCameraMagnitude, 'camera dx') / LIMITS.cameraScale;
    const dy = reader.svarint(LIMITS.maxCameraMagnitude, 'camera dy') / LIMITS.cameraScale;
    const zoom = 1 + reader.svarint(LIMITS.maxCameraMagnitude, 'camera zoom') / LIMITS.cameraScale;
    cameras.push({ kind, dx, dy, zoom });
  }
  reader.expectEnd();
  return cameras;
}

// ---- IT2V weights ----------------------------------------------------------------------------

/**
 * Weights are stored planar (all wi, then all wl), each plane delta-coded modulo 256: weights follow
 * the clip's time position, so deltas are small and repetitive and entropy-code well.
 */
export function writeWeights(track: InterpolationWeightTrack): Uint8Array {
  const pairs = track.values.length / 2;
  const planar = new Uint8Array(track.values.length);
  for (let plane = 0; plane < 2; plane += 1) {
    let previous = 0;
    for (let i = 0; i < pairs; i += 1) {
      const value = track.values[2 * i + plane] ?? 0;
      planar[plane * pairs + i] = (value - previous) & 0xff;
      previous = value;
    }
  }
  const coded = encodeByteList([planar], planar.length + 16);
  return new ByteWriter().u16(track.levels).bytes(coded.bytes).finish();
}

export function readWeights(payload: Uint8Array, pairs: number): InterpolationWeightTrack {
  const reader = new ByteReader(payload, 'IT2V weights section');
  const levels = reader.u16();
  if (levels < 2 || levels > 256) throw new BitstreamError('OUT_OF_BOUNDS', `weight levels ${levels} outside 2..256`);
  const [planar] = decodeByteList(reader, 1, 2 * pairs + 16);
  if (!planar || planar.length !== 2 * pairs) throw new BitstreamError('INCONSISTENT', `expected ${pairs} weight pairs`);
  const values = new Uint8Array(2 * pairs);
  for (let plane = 0; plane < 2; plane += 1) {
    let previous = 0;
    for (let i = 0; i < pairs; i += 1) {
      previous = (previous + (planar[plane * pairs + i] ?? 0)) & 0xff;
      if (previous >= levels) throw new BitstreamError('OUT_OF_BOUNDS', `weight ${previous} outside 0..${levels - 1}`);
      values[2 * i + plane] = previous;
    }
  }
  return { levels, values };
}
