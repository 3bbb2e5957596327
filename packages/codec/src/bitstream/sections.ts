import { crc32 } from 'node:zlib';
import type { CameraMotion } from '../contracts.ts';
import { decodeByteList, decodeTextList, encodeByteList, encodeTextList } from '../entropy/text-coding.ts';
import { ByteReader, ByteWriter } from './bytes.ts';
import { BitstreamError } from './errors.ts';
import { AUDIO_CODECS, CAMERA_KINDS, IMAGE_FORMATS, LAYER_CODECS, LIMITS, MOTION_SIDE_CHANNEL_VERSION, MOTION_VECTORS_PER_NODE } from './format.ts';
import type { AudioTrack, InterpolationWeightTrack, KeyframeImageFormat, KeyframeLayer, LayerSegment, MotionSideChannel } from './types.ts';

export { crc32 };

// ---- keyframes -------------------------------------------------------------------------------

export interface KeyframeImagesSection {
  readonly format: KeyframeImageFormat;
  readonly width: number;
  readonly height: number;
  readonly frames: readonly { readonly frameIndex: number; readonly image: Uint8Array }[];
}

/** Image formats each format version may use in section 1. */
const FORMATS_BY_VERSION: Readonly<Record<number, readonly KeyframeImageFormat[]>> = { 1: ['none', 'avif'], 2: ['none', 'layer'] };

export function writeKeyframes(section: KeyframeImagesSection): Uint8Array {
  const writer = new ByteWriter().u8(IMAGE_FORMATS[section.format]).varint(section.width).varint(section.height).varint(section.frames.length);
  let previous = 0;
  for (const { frameIndex, image } of section.frames) {
    writer.varint(frameIndex - previous);
    if (section.format === 'avif') writer.blob(image);
    previous = frameIndex;
  }
  return writer.finish();
}

export function readKeyframes(payload: Uint8Array, frameCount: number, version: number): KeyframeImagesSection {
  const reader = new ByteReader(payload, 'keyframes section');
  const code = reader.u8();
  const format = (FORMATS_BY_VERSION[version] ?? []).find((name) => IMAGE_FORMATS[name] === code);
  if (!format) throw new BitstreamError('BAD_SECTION', `keyframe image format ${code} is not defined in version ${version}`);
  const withImages = format === 'avif';
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

// ---- keyframe layer (version 2) ---------------------------------------------------------------

export function writeKeyframeLayer(layer: KeyframeLayer): Uint8Array {
  const writer = new ByteWriter().u8(LAYER_CODECS.av1).varint(layer.width).varint(layer.height).varint(layer.frameIndices.length);
  let previous = 0;
  for (const frameIndex of layer.frameIndices) {
    writer.varint(frameIndex - previous);
    previous = frameIndex;
  }
  writer.varint(layer.segments.length);
  for (const segment of layer.segments) writer.varint(segment.frames).blob(segment.obus);
  return writer.finish();
}

export function readKeyframeLayer(payload: Uint8Array, frameCount: number): KeyframeLayer {
  const reader = new ByteReader(payload, 'keyframe layer section');
  const codec = reader.u8();
  if (codec !== LAYER_CODECS.av1) throw new BitstreamError('BAD_SECTION', `unknown keyframe layer codec ${codec}`);
  const width = reader.varint(LIMITS.maxDimension, 'keyframe layer width');
  const height = reader.varint(LIMITS.maxDimension, 'keyframe layer height');
  if (width < 1 || height < 1) throw new BitstreamError('OUT_OF_BOUNDS', 'keyframe layer size is zero');
  // Each coded frame costs at least one index byte, which bounds the count before any allocation.
  const count = reader.varint(Math.min(frameCount, reader.remaining), 'keyframe layer frame count');
  if (count < 1) throw new BitstreamError('INCONSISTENT', 'the keyframe layer needs at least one frame');
  const frameIndices: number[] = [];
  let frameIndex = 0;
  for (let i = 0; i < count; i += 1) {
    const delta = reader.varint(frameCount - 1 - frameIndex, 'keyframe layer index delta');
    if (i === 0 && delta !== 0) throw new BitstreamError('INCONSISTENT', 'the keyframe layer must start at frame 0');
    if (i > 0 && delta === 0) throw new BitstreamError('INCONSISTENT', 'keyframe layer indices must increase');
    frameIndex += delta;
    frameIndices.push(frameIndex);
  }
  if (frameIndex !== frameCount - 1) throw new BitstreamError('INCONSISTENT', 'the keyframe layer must end at the last frame');
  // Each segment costs at least two bytes (count and a non-empty blob's length).
  const segmentCount = reader.varint(Math.min(count, Math.floor(reader.remaining / 2)), 'keyframe layer segment count');
  const segments: LayerSegment[] = [];
  let covered = 0;
  for (let i = 0; i < segmentCount; i += 1) {
    const frames = reader.varint(Math.min(LIMITS.maxLayerSegmentFrames, count - covered), 'keyframe layer segment frames');
    if (frames < 1) throw new BitstreamError('INCONSISTENT', 'an empty keyframe layer segment');
    const obus = reader.blob('keyframe layer segment');
    if (obus.length === 0) throw new BitstreamError('BAD_SECTION', 'a keyframe layer segment has no OBUs');
    segments.push({ frames, obus });
    covered += frames;
  }
  reader.expectEnd();
  if (covered !== count) throw new BitstreamError('INCONSISTENT', `keyframe layer segments hold ${covered} frames, the layer has ${count}`);
  return { width, height, frameIndices, segments };
}

// ---- audio (version 2) -----------------------------------------------------------------------

export function writeAudio(track: AudioTrack): Uint8Array {
  return new ByteWriter().u8(AUDIO_CODECS[track.codec]).bytes(track.bytes).finish();
}

export function readAudio(payload: Uint8Array): AudioTrack {
  const reader = new ByteReader(payload, 'audio section');
  const codec = reader.u8();
  if (codec !== AUDIO_CODECS.opus) throw new BitstreamError('BAD_SECTION', `unknown audio codec ${codec}`);
  const bytes = reader.bytes(reader.remaining);
  if (bytes.length === 0) throw new BitstreamError('BAD_SECTION', 'the audio section is empty');
  return { codec: 'opus', bytes };
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

// ---- motion side channel ---------------------------------------------------------------------

const FIELD_ABSENT = 0;
const FIELD_PRESENT = 1;
/** A zig-zag varint of a component (|value| ≤ maxMotionComponent) takes at most this many bytes. */
const MAX_COMPONENT_BYTES = 3;

/** Largest decoded vector item a stream with `pairs` intermediate frames and this grid may declare. */
function motionItemBound(pairs: number, columns: number, rows: number): number {
  return Math.min(LIMITS.maxMotionSideChannelBytes, pairs * (1 + columns * rows * MOTION_VECTORS_PER_NODE * MAX_COMPONENT_BYTES) + 16);
}

/**
 * Version, grid and vector units, then one coded item: a presence byte per intermediate frame,
 * followed by the fields of the frames that have one, each node's four components as svarints
 * (node-interleaved values code smaller than component planes or temporal differences).
 */
export function writeMotionSideChannel(channel: MotionSideChannel): Uint8Array {
  const { columns, rows, unitsPerPixel, fieldIndex, vectors } = channel;
  const perField = columns * rows * MOTION_VECTORS_PER_NODE;
  const item = new ByteWriter();
  for (const index of fieldIndex) item.u8(index < 0 ? FIELD_ABSENT : FIELD_PRESENT);
  for (const index of fieldIndex) {
    if (index < 0) continue;
    for (let i = index * perField; i < (index + 1) * perField; i += 1) item.svarint(vectors[i] ?? 0);
  }
  const plain = item.finish();
  const coded = encodeByteList([plain], motionItemBound(fieldIndex.length, columns, rows));
  return new ByteWriter().u8(MOTION_SIDE_CHANNEL_VERSION).u8(unitsPerPixel).varint(columns).varint(rows).bytes(coded.bytes).finish();
}

export function readMotionSideChannel(payload: Uint8Array, pairs: number, workingWidth: number, workingHeight: number): MotionSideChannel {
  const reader = new ByteReader(payload, 'motion side channel section');
  const version = reader.u8();
  if (version !== MOTION_SIDE_CHANNEL_VERSION)
    throw new BitstreamError('UNSUPPORTED_VERSION', `motion side channel version ${version} is not supported (this decoder reads ${MOTION_SIDE_CHANNEL_VERSION})`);
  const unitsPerPixel = reader.u8();
  if (unitsPerPixel < 1 || unitsPerPixel > LIMITS.maxMotionUnitsPerPixel)
    throw new BitstreamError('OUT_OF_BOUNDS', `motion vector units per pixel ${unitsPerPixel} outside 1..${LIMITS.maxMotionUnitsPerPixel}`);
  const columns = reader.varint(Math.min(LIMITS.maxMotionGrid, workingWidth), 'motion grid columns');
  const rows = reader.varint(Math.min(LIMITS.maxMotionGrid, workingHeight), 'motion grid rows');
  if (columns < 1 || rows < 1) throw new BitstreamError('OUT_OF_BOUNDS', 'motion grid is empty');
  const [plain] = decodeByteList(reader, 1, motionItemBound(pairs, columns, rows));
  if (!plain) throw new BitstreamError('INCONSISTENT', 'motion side channel has no vectors');
  const item = new ByteReader(plain, 'motion side channel vectors');
  const presence = item.bytes(pairs);
  const fieldIndex = new Int32Array(pairs);
  let fields = 0;
  for (let i = 0; i < pairs; i += 1) {
    const flag = presence[i];
    if (flag !== FIELD_ABSENT && flag !== FIELD_PRESENT) throw new BitstreamError('BAD_SECTION', `motion field presence byte ${flag} is neither 0 nor 1`);
    fieldIndex[i] = flag === FIELD_PRESENT ? fields++ : -1;
  }
  const perField = columns * rows * MOTION_VECTORS_PER_NODE;
  // Every component takes at least one byte, which bounds the allocation by what was decoded.
  if (fields * perField > item.remaining) throw new BitstreamError('TRUNCATED', `motion side channel declares ${fields} fields but holds ${item.remaining} bytes of vectors`);
  const vectors = new Int16Array(fields * perField);
  for (let i = 0; i < vectors.length; i += 1) vectors[i] = item.svarint(LIMITS.maxMotionComponent, 'motion vector component');
  item.expectEnd();
  return { columns, rows, unitsPerPixel, fieldIndex, vectors };
}
