import type { CameraMotion, SemanticTextCodec } from '../contracts.ts';
import { ByteReader, ByteWriter } from './bytes.ts';
import { BitstreamError } from './errors.ts';
import {
  FIXED_HEADER_BYTES,
  HEADER_CRC_BYTES,
  READABLE_VERSIONS,
  LIMITS,
  MAGIC,
  SECTION_ENTRY_BYTES,
  SECTION_FLAG_OPTIONAL,
  SECTION_NAMES,
  MOTION_VECTORS_PER_NODE,
  SECTION_TYPES,
  type SectionKind,
} from './format.ts';
import {
  crc32,
  readAudio,
  readCameras,
  readKeyframeLayer,
  readKeyframes,
  readMotionSideChannel,
  readSemantic,
  readTexts,
  readWeights,
  writeAudio,
  writeCameras,
  writeKeyframeLayer,
  writeKeyframes,
  writeMotionSideChannel,
  writeSemantic,
  writeTexts,
  writeWeights,
  type SemanticSection,
} from './sections.ts';
import type { ClipEntry, CmvcRepresentation, KeyframeEntry, StreamHeader } from './types.ts';

export interface SectionInfo {
  /** `unknown` for an optional section type this decoder does not know. */
  readonly kind: SectionKind | 'unknown';
  readonly type: number;
  readonly optional: boolean;
  /** Byte offset of the payload in the stream. */
  readonly offset: number;
  readonly length: number;
  readonly crc32: number;
}

export interface ParsedBitstream {
  readonly representation: CmvcRepresentation;
  readonly sections: readonly SectionInfo[];
  /** Magic, fixed header, section table and header CRC. */
  readonly headerBytes: number;
  readonly totalBytes: number;
  readonly version: number;
}

/**
 * How descriptions are stored when the representation also carries their structured form:
 * `text` plain texts only (default; readable without any semantic codec), `semantic` structured only,
 * `both`, or `auto`: whichever codes smaller, per list (content, motion).
 */
export type TextForm = 'text' | 'semantic' | 'both' | 'auto';

export interface WriteOptions {
  readonly textForm?: TextForm;
}

export interface WrittenBitstream {
  readonly bytes: Uint8Array;
  readonly sections: readonly SectionInfo[];
  readonly headerBytes: number;
}

function checkHeader(header: StreamHeader): void {
  const inRange = (value: number, min: number, max: number): boolean => Number.isInteger(value) && value >= min && value <= max;
  if (
    !inRange(header.sourceWidth, 1, LIMITS.maxDimension) ||
    !inRange(header.sourceHeight, 1, LIMITS.maxDimension) ||
    !inRange(header.workingWidth, 1, LIMITS.maxDimension) ||
    !inRange(header.workingHeight, 1, LIMITS.maxDimension) ||
    !inRange(header.fps.num, 1, LIMITS.maxFpsTerm) ||
    !inRange(header.fps.den, 1, LIMITS.maxFpsTerm) ||
    !inRange(header.frameCount, 1, LIMITS.maxFrameCount) ||
    !(header.durationSeconds >= 0 && header.durationSeconds <= LIMITS.maxDurationSeconds)
  )
    throw new BitstreamError('OUT_OF_BOUNDS', 'stream header field out of range');
}

function semanticOf(codecId: string | undefined, items: readonly (Uint8Array | undefined)[]): SemanticSection | undefined {
  if (!codecId || items.length === 0 || items.some((item) => item === undefined)) return undefined;
  return { codecId, items: items as Uint8Array[] };
}

/**
 * The format version a representation is written in: AVIF stills are version 1, the keyframe layer
 * version 2. A text-only stream keeps its version: version 1 kept the weights, version 2 drops them
 * with the layer.
 */
export function formatVersionOf(rep: CmvcRepresentation): 1 | 2 {
  const format = rep.keyframes[0]?.format;
  if (format === 'avif') return 1;
  if (format === 'layer') return 2;
  return rep.weights && !rep.audio ? 1 : 2;
}

/** Frames IT2V interpolates, each with one weight pair: all but the keyframes (v1) or the layer's frames (v2). */
export function interpolatedFrameCount(rep: CmvcRepresentation): number {
  return rep.header.frameCount - (rep.layer ? rep.layer.frameIndices.length : rep.keyframes.length);
}

function checkLayout(rep: CmvcRepresentation, version: 1 | 2): void {
  const format = rep.keyframes[0]?.format;
  if (rep.keyframes.some((keyframe) => keyframe.format !== format)) throw new BitstreamError('INCONSISTENT', 'keyframes must share one image format');
  if (version === 1 && (rep.layer || rep.audio)) throw new BitstreamError('INCONSISTENT', 'AVIF keyframes (version 1) cannot carry a keyframe layer or audio');
  if (format === 'layer' && !rep.layer) throw new BitstreamError('INCONSISTENT', 'keyframes in the layer need a keyframe layer');
  if (format !== 'layer' && rep.layer) throw new BitstreamError('INCONSISTENT', 'a keyframe layer needs keyframes of format layer');
  if (version === 2 && Boolean(rep.layer) !== Boolean(rep.weights)) throw new BitstreamError('INCONSISTENT', 'version-2 IT2V weights go with the keyframe layer');
  if (version === 1 && !rep.weights) throw new BitstreamError('INCONSISTENT', 'a version-1 stream needs IT2V weights');
  if (rep.motionSideChannel && !rep.weights) throw new BitstreamError('INCONSISTENT', 'a motion side channel needs IT2V weights');
  if (rep.layer) {
    const coded = new Set(rep.layer.frameIndices);
    if (rep.keyframes.some((keyframe) => !coded.has(keyframe.frameIndex))) throw new BitstreamError('INCONSISTENT', 'every keyframe must be in the keyframe layer');
    const segmentFrames = rep.layer.segments.reduce((sum, segment) => sum + segment.frames, 0);
    if (segmentFrames !== rep.layer.frameIndices.length || rep.layer.segments.some((s) => s.frames < 1 || s.frames > LIMITS.maxLayerSegmentFrames || s.obus.length === 0))
      throw new BitstreamError('INCONSISTENT', 'keyframe layer segments must cover its frames, 1..' + LIMITS.maxLayerSegmentFrames + ' each');
  }
}

/** Serialises a representation into a .cmvc stream (version 1 for AVIF keyframes, else version 2). */
export function writeBitstream(rep: CmvcRepresentation, options: WriteOptions = {}): WrittenBitstream {
  const { header, keyframes, clips } = rep;
  checkHeader(header);
  if (keyframes.length < 1 || clips.length !== keyframes.length - 1) throw new BitstreamError('INCONSISTENT', 'need n keyframes and n-1 clips');
  const first = keyframes[0];
  if (!first) throw new BitstreamError('INCONSISTENT', 'no keyframes');
  const version = formatVersionOf(rep);
  checkLayout(rep, version);

  const contentSemantic = semanticOf(rep.semanticCodecs.content, keyframes.map((k) => k.contentSemantic));
  const motionSemantic = semanticOf(rep.semanticCodecs.motion, clips.map((c) => c.motionSemantic));
  const textForm = options.textForm ?? 'text';

  /** Which of the plain and structured forms of one description list to store. */
  const forms = (texts: readonly (string | null)[], semantic: SemanticSection | undefined, what: string): { text?: Uint8Array; semantic?: Uint8Array } => {
    const semanticPayload = semantic && textForm !== 'text' ? writeSemantic(semantic) : undefined;
    const textPayload = (): Uint8Array => {
      if (texts.some((text) => text === null)) throw new BitstreamError('INCONSISTENT', `${what} text missing`);
      return writeTexts(texts.map((text) => text ?? ''));
    };
    if (!semanticPayload) return { text: textPayload() };
    if (textForm === 'semantic') return { semantic: semanticPayload };
    if (textForm === 'both') return { text: textPayload(), semantic: semanticPayload };
    const text = texts.some((t) => t === null) ? undefined : textPayload();
    return text && text.length <= semanticPayload.length ? { text } : { semantic: semanticPayload };
  };

  const payloads: { kind: SectionKind; payload: Uint8Array }[] = [];
  payloads.push({ kind: 'keyframes', payload: writeKeyframes({ format: first.format, width: first.width, height: first.height, frames: keyframes }) });
  const content = forms(keyframes.map((k) => k.content), contentSemantic, 'content');
  const motion = clips.length > 0 ? forms(clips.map((c) => c.motion), motionSemantic, 'motion') : {};
  if (content.text) payloads.push({ kind: 'contentText', payload: content.text });
  if (motion.text) payloads.push({ kind: 'motionText', payload: motion.text });
  if (clips.length > 0) payloads.push({ kind: 'cameraMotion', payload: writeCameras(clips.map((c) => c.camera)) });
  if (rep.weights) payloads.push({ kind: 'it2vWeights', payload: writeWeightsChecked(rep, rep.weights) });
  if (content.semantic) payloads.push({ kind: 'contentSemantic', payload: content.semantic });
  if (motion.semantic) payloads.push({ kind: 'motionSemantic', payload: motion.semantic });
  if (rep.motionSideChannel) payloads.push({ kind: 'motionSideChannel', payload: writeMotionSideChannelChecked(rep) });
  if (rep.layer) payloads.push({ kind: 'keyframeLayer', payload: writeKeyframeLayer(rep.layer) });
  if (rep.audio) payloads.push({ kind: 'audio', payload: writeAudio(rep.audio) });

  const headerBytes = FIXED_HEADER_BYTES + payloads.length * SECTION_ENTRY_BYTES + HEADER_CRC_BYTES;
  const writer = new ByteWriter()
    .bytes(Uint8Array.from(MAGIC))
    .u8(version)
    .u8(0)
    .u16(header.sourceWidth)
    .u16(header.sourceHeight)
    .u32(header.fps.num)
    .u32(header.fps.den)
    .u32(header.frameCount)
    .f64(header.durationSeconds)
    .u16(header.workingWidth)
    .u16(header.workingHeight)
    .u8(payloads.length);
  const sections: SectionInfo[] = [];
  let offset = headerBytes;
  for (const { kind, payload } of payloads) {
    const type = SECTION_TYPES[kind];
    const optional = OPTIONAL_SECTIONS.has(kind);
    const checksum = crc32(payload);
    writer.u8(type).u8(optional ? SECTION_FLAG_OPTIONAL : 0).u32(payload.length).u32(checksum);
    sections.push({ kind, type, optional, offset, length: payload.length, crc32: checksum });
    offset += payload.length;
  }
  const headerSoFar = writer.finish();
  writer.u32(crc32(headerSoFar));
  for (const { payload } of payloads) writer.bytes(payload);
  return { bytes: writer.finish(), sections, headerBytes };
}

/** Sections a decoder may skip: the side channel only refines IT2V, and a video decodes without its sound. */
const OPTIONAL_SECTIONS: ReadonlySet<SectionKind> = new Set(['motionSideChannel', 'audio']);

function writeWeightsChecked(rep: CmvcRepresentation, weights: NonNullable<CmvcRepresentation['weights']>): Uint8Array {
  const expectedPairs = interpolatedFrameCount(rep);
  if (weights.values.length !== 2 * expectedPairs) throw new BitstreamError('INCONSISTENT', `expected ${expectedPairs} weight pairs`);
  if (weights.values.some((value) => value >= weights.levels)) throw new BitstreamError('OUT_OF_BOUNDS', 'weight above its level count');
  return writeWeights(weights);
}

function writeMotionSideChannelChecked(rep: CmvcRepresentation): Uint8Array {
  const channel = rep.motionSideChannel;
  if (!channel) throw new BitstreamError('INCONSISTENT', 'no motion side channel');
  const { columns, rows, unitsPerPixel, fieldIndex, vectors } = channel;
  const inRange = (value: number, max: number): boolean => Number.isInteger(value) && value >= 1 && value <= max;
  if (!inRange(columns, Math.min(LIMITS.maxMotionGrid, rep.header.workingWidth)) || !inRange(rows, Math.min(LIMITS.maxMotionGrid, rep.header.workingHeight)))
    throw new BitstreamError('OUT_OF_BOUNDS', `motion grid ${columns}x${rows} does not fit the working size`);
  if (!inRange(unitsPerPixel, LIMITS.maxMotionUnitsPerPixel)) throw new BitstreamError('OUT_OF_BOUNDS', `motion vector units per pixel ${unitsPerPixel} out of range`);
  const expectedPairs = interpolatedFrameCount(rep);
  if (fieldIndex.length !== expectedPairs) throw new BitstreamError('INCONSISTENT', `expected a motion entry for each of ${expectedPairs} intermediate frames`);
  let fields = 0;
  for (const index of fieldIndex) {
    if (index >= 0 && index !== fields++) throw new BitstreamError('INCONSISTENT', 'motion fields must be stored in frame order');
  }
  if (vectors.length !== fields * columns * rows * MOTION_VECTORS_PER_NODE) throw new BitstreamError('INCONSISTENT', `expected ${fields} motion fields`);
  if (vectors.some((v) => Math.abs(v) > LIMITS.maxMotionComponent)) throw new BitstreamError('OUT_OF_BOUNDS', 'motion vector component out of range');
  return writeMotionSideChannel(channel);
}

export interface ParseOptions {
  /** Expanders for structured-semantic sections, used when a stream has no plain text section. */
  readonly semanticCodecs?: readonly SemanticTextCodec[];
}

/**
 * Parses and validates a .cmvc stream. Every length is checked against the bytes that remain and
 * against fixed limits before use; any defect raises a BitstreamError.
 */
export function parseBitstream(bytes: Uint8Array, options: ParseOptions = {}): ParsedBitstream {
  const reader = new ByteReader(bytes, 'stream header');
  if (bytes.length < MAGIC.length || MAGIC.some((byte, i) => bytes[i] !== byte)) throw new BitstreamError('BAD_MAGIC', 'not a CMVC stream');
  reader.bytes(MAGIC.length);
  const version = reader.u8();
  if (!READABLE_VERSIONS.includes(version))
    throw new BitstreamError('UNSUPPORTED_VERSION', `CMVC version ${version} is not supported (this decoder reads ${READABLE_VERSIONS.join(' and ')})`);
  const flags = reader.u8();
  if (flags !== 0) throw new BitstreamError('UNSUPPORTED_VERSION', `unknown header flags ${flags}`);
  const header: StreamHeader = {
    sourceWidth: reader.u16(),
    sourceHeight: reader.u16(),
    fps: { num: reader.u32(), den: reader.u32() },
    frameCount: reader.u32(),
    durationSeconds: reader.f64(),
    workingWidth: reader.u16(),
    workingHeight: reader.u16(),
  };
  const sectionCount = reader.u8();
  if (sectionCount > LIMITS.maxSections) throw new BitstreamError('OUT_OF_BOUNDS', `${sectionCount} sections, at most ${LIMITS.maxSections}`);
  const entries: { type: number; flags: number; length: number; checksum: number }[] = [];
  for (let i = 0; i < sectionCount; i += 1) entries.push({ type: reader.u8(), flags: reader.u8(), length: reader.u32(), checksum: reader.u32() });
  const headerEnd = reader.position;
  const headerChecksum = reader.u32();
  if (crc32(bytes.subarray(0, headerEnd)) !== headerChecksum) throw new BitstreamError('CRC_MISMATCH', 'stream header checksum mismatch');
  checkHeader(header);

  const sections: SectionInfo[] = [];
  const payloads = new Map<SectionKind, Uint8Array>();
  for (const entry of entries) {
    const offset = reader.position;
    if (entry.length > reader.remaining)
      throw new BitstreamError('TRUNCATED', `section type ${entry.type} declares ${entry.length} bytes, ${reader.remaining} left`);
    const payload = reader.bytes(entry.length);
    if (crc32(payload) !== entry.checksum) throw new BitstreamError('CRC_MISMATCH', `section type ${entry.type} checksum mismatch`);
    const kind = SECTION_NAMES.get(entry.type);
    const optional = (entry.flags & SECTION_FLAG_OPTIONAL) !== 0;
    if ((entry.flags & ~SECTION_FLAG_OPTIONAL) !== 0) throw new BitstreamError('BAD_SECTION', `unknown flags on section type ${entry.type}`);
    if (!kind && !optional) throw new BitstreamError('BAD_SECTION', `unknown required section type ${entry.type}`);
    if (kind && version === 1 && VERSION_2_SECTIONS.has(kind)) throw new BitstreamError('BAD_SECTION', `section ${kind} does not exist in version 1`);
    if (kind) {
      if (payloads.has(kind)) throw new BitstreamError('DUPLICATE_SECTION', `section ${kind} appears twice`);
      payloads.set(kind, payload);
    }
    sections.push({ kind: kind ?? 'unknown', type: entry.type, optional, offset, length: entry.length, crc32: entry.checksum });
  }
  reader.expectEnd();

  const require = (kind: SectionKind): Uint8Array => {
    const payload = payloads.get(kind);
    if (!payload) throw new BitstreamError('MISSING_SECTION', `required section ${kind} is missing`);
    return payload;
  };
  const images = readKeyframes(require('keyframes'), header.frameCount, version);
  const n = images.frames.length;
  const layer = images.format === 'layer' ? readKeyframeLayer(require('keyframeLayer'), header.frameCount) : undefined;
  if (!layer && payloads.has('keyframeLayer')) throw new BitstreamError('INCONSISTENT', `keyframes of format ${images.format} cannot have a keyframe layer`);
  if (layer) {
    const coded = new Set(layer.frameIndices);
    if (images.frames.some((frame) => !coded.has(frame.frameIndex))) throw new BitstreamError('INCONSISTENT', 'a keyframe is not in the keyframe layer');
  }
  const interpolated = header.frameCount - (layer ? layer.frameIndices.length : n);
  // Version 2 keeps weights only with the layer; version 1 always.
  const hasWeights = version === 1 || layer !== undefined;
  if (!hasWeights && (payloads.has('it2vWeights') || payloads.has('motionSideChannel')))
    throw new BitstreamError('INCONSISTENT', 'a text-only version-2 stream has no IT2V weights');
  const clipCount = n - 1;
  const fps = header.fps.num / header.fps.den;

  const contentSemantic = payloads.has('contentSemantic') ? readSemantic(require('contentSemantic'), n, 'content semantic section') : undefined;
  const motionSemantic = payloads.has('motionSemantic') ? readSemantic(require('motionSemantic'), clipCount, 'motion semantic section') : undefined;
  const expand = (section: SemanticSection | undefined, count: number): (string | null)[] | undefined => {
    if (!section) return undefined;
    const codec = options.semanticCodecs?.find((candidate) => candidate.id === section.codecId);
    return Array.from({ length: count }, (_, i) => {
      if (!codec) return null;
      try {
        return codec.expand(section.items[i] ?? new Uint8Array());
      } catch (error) {
        throw new BitstreamError('BAD_SECTION', `semantic codec ${codec.id} cannot expand entry ${i}: ${(error as Error).message}`);
      }
    });
  };

  let contents: (string | null)[];
  if (payloads.has('contentText')) contents = readTexts(require('contentText'), n, 'content text section');
  else contents = expand(contentSemantic, n) ?? missing('contentText');
  let motions: (string | null)[] = [];
  let cameras: CameraMotion[] = [];
  if (clipCount > 0) {
    if (payloads.has('motionText')) motions = readTexts(require('motionText'), clipCount, 'motion text section');
    else motions = expand(motionSemantic, clipCount) ?? missing('motionText');
    cameras = readCameras(require('cameraMotion'), clipCount);
  } else if (payloads.has('motionText') || payloads.has('cameraMotion') || payloads.has('motionSemantic')) {
    throw new BitstreamError('INCONSISTENT', 'a single-keyframe stream has no clips to describe');
  }
  const weights = hasWeights ? readWeights(require('it2vWeights'), interpolated) : undefined;

  const keyframes: KeyframeEntry[] = images.frames.map(({ frameIndex, image }, i) => ({
    frameIndex,
    time: frameIndex / fps,
    format: images.format,
    width: images.width,
    height: images.height,
    image,
    content: contents[i] ?? null,
    ...(contentSemantic ? { contentSemantic: contentSemantic.items[i] } : {}),
  }));
  const clips: ClipEntry[] = [];
  for (let j = 0; j < clipCount; j += 1) {
    const start = keyframes[j];
    const end = keyframes[j + 1];
    const camera = cameras[j];
    if (!start || !end || !camera) throw new BitstreamError('INCONSISTENT', 'clip without keyframes');
    clips.push({
      index: j,
      startFrame: start.frameIndex,
      endFrame: end.frameIndex,
      startTime: start.time,
      endTime: end.time,
      motion: motions[j] ?? null,
      ...(motionSemantic ? { motionSemantic: motionSemantic.items[j] } : {}),
      camera,
    });
  }
  const sideChannelPayload = payloads.get('motionSideChannel');
  const sideChannel = sideChannelPayload
    ? readMotionSideChannel(sideChannelPayload, interpolated, header.workingWidth, header.workingHeight)
    : undefined;
  const audioPayload = payloads.get('audio');
  const representation: CmvcRepresentation = {
    header,
    keyframes,
    clips,
    ...(layer ? { layer } : {}),
    ...(weights ? { weights } : {}),
    semanticCodecs: {
      ...(contentSemantic ? { content: contentSemantic.codecId } : {}),
      ...(motionSemantic ? { motion: motionSemantic.codecId } : {}),
    },
    ...(sideChannel ? { motionSideChannel: sideChannel } : {}),
    ...(audioPayload ? { audio: readAudio(audioPayload) } : {}),
  };
  return { representation, sections, headerBytes: headerEnd + HEADER_CRC_BYTES, totalBytes: bytes.length, version };
}

function missing(kind: SectionKind): never {
  throw new BitstreamError('MISSING_SECTION', `required section ${kind} (or its structured form) is missing`);
}

/** Sections that only version 2 defines. */
const VERSION_2_SECTIONS: ReadonlySet<SectionKind> = new Set(['keyframeLayer', 'audio']);

/**
 * The same representation with its keyframe pixels removed: a text-only (TT2V) stream. The motion
 * side channel goes too: it only refines IT2V, which needs the pixels. A version-2 stream also drops
 * its IT2V weights (they belong to the layer); a version-1 stream keeps them, as that format requires.
 * The sound stays.
 */
export function withoutKeyframeImages(rep: CmvcRepresentation): CmvcRepresentation {
  const { motionSideChannel: _side, layer: _layer, weights, ...rest } = rep;
  const keepWeights = formatVersionOf(rep) === 1 && weights;
  return {
    ...rest,
    ...(keepWeights ? { weights } : {}),
    keyframes: rep.keyframes.map((keyframe) => ({ ...keyframe, format: 'none', image: new Uint8Array(0) })),
  };
}
