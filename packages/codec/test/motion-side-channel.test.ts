import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAnalyzers } from '../src/analyzers/provider.ts';
import { ByteWriter } from '../src/bitstream/bytes.ts';
import { parseBitstream, withoutKeyframeImages, writeBitstream, type SectionInfo } from '../src/bitstream/container.ts';
import { FIXED_HEADER_BYTES, SECTION_ENTRY_BYTES } from '../src/bitstream/format.ts';
import { crc32 } from '../src/bitstream/sections.ts';
import type { CmvcRepresentation } from '../src/bitstream/types.ts';
import type { RgbFrame } from '../src/contracts.ts';
import { renderFrames } from '../src/decoder.ts';
import { encodeVideo, type EncodeResult } from '../src/encoder.ts';
import { encodeByteList } from '../src/entropy/text-coding.ts';
import { mediaIo } from '@cmvc/media-io';
import { rateReport } from '../src/representation/rate.ts';
import { expectCode, lavfi, SPARSE_LAYER, syntheticRepresentation, tempDir, withSyntheticMotion } from './fixtures.ts';

const media = mediaIo();

/** `bytes` with one section's payload replaced, its table entry and the header CRC made consistent again. */
function withSectionPayload(bytes: Uint8Array, sections: readonly SectionInfo[], kind: SectionInfo['kind'], payload: Uint8Array): Uint8Array {
  const index = sections.findIndex((section) => section.kind === kind);
  const section = sections[index];
  if (!section) throw new Error(`no ${kind} section`);
  const out = new Uint8Array(bytes.length - section.length + payload.length);
  out.set(bytes.subarray(0, section.offset));
  out.set(payload, section.offset);
  out.set(bytes.subarray(section.offset + section.length), section.offset + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(FIXED_HEADER_BYTES + index * SECTION_ENTRY_BYTES + 2, payload.length, true);
  view.setUint32(FIXED_HEADER_BYTES + index * SECTION_ENTRY_BYTES + 6, crc32(payload), true);
  const headerEnd = FIXED_HEADER_BYTES + (out[34] ?? 0) * SECTION_ENTRY_BYTES;
  view.setUint32(headerEnd, crc32(out.subarray(0, headerEnd)), true);
  return out;
}

interface PayloadParts {
  readonly version?: number;
  readonly units?: number;
  readonly columns?: number;
  readonly rows?: number;
  /** The coded list; by default one item holding `item`. */
  readonly list?: Uint8Array;
  readonly item?: Uint8Array;
}

const COLUMNS = 8;
const ROWS = 5;
const PAIRS = 45; // syntheticRepresentation(): 48 frames, 3 keyframes

function payload(parts: PayloadParts): Uint8Array {
  const list = parts.list ?? encodeByteList([parts.item ?? new Uint8Array(PAIRS)]).bytes;
  return new ByteWriter()
    .u8(parts.version ?? 1)
    .u8(parts.units ?? 2)
    .varint(parts.columns ?? COLUMNS)
    .varint(parts.rows ?? ROWS)
    .bytes(list)
    .finish();
}

/** A vector item: presence bytes, then `fields` fields of svarint components (all `value`). */
function item(presence: readonly number[], fields: number, value = 1, extra: readonly number[] = []): Uint8Array {
  const writer = new ByteWriter().bytes(Uint8Array.from(presence));
  for (let i = 0; i < fields * COLUMNS * ROWS * 4; i += 1) writer.svarint(value);
  return writer.bytes(Uint8Array.from(extra)).finish();
}

describe('motion side channel section', () => {
  const rep = withSyntheticMotion(syntheticRepresentation());
  const written = writeBitstream(rep);

  it('round-trips the grid, the units, which frames have a field and every vector', () => {
    const channel = rep.motionSideChannel!;
    const parsed = parseBitstream(written.bytes).representation.motionSideChannel;
    expect(parsed).toBeDefined();
    expect({ columns: parsed!.columns, rows: parsed!.rows, unitsPerPixel: parsed!.unitsPerPixel }).toEqual({ columns: 8, rows: 5, unitsPerPixel: 2 });
    expect([...parsed!.fieldIndex]).toEqual([...channel.fieldIndex]);
    expect([...parsed!.vectors]).toEqual([...channel.vectors]);
    expect(channel.fieldIndex.some((index) => index < 0)).toBe(true);
    // Extreme components survive too.
    const extreme = { ...channel, vectors: channel.vectors.map((_, i) => (i % 2 === 0 ? 32767 : -32767)) };
    const again = parseBitstream(writeBitstream({ ...rep, motionSideChannel: extreme }).bytes).representation.motionSideChannel;
    expect([...again!.vectors]).toEqual([...extreme.vectors]);
  });

  it('is an optional section counted in R_m, and every byte is still accounted for', () => {
    const section = written.sections.find((s) => s.kind === 'motionSideChannel');
    expect(section).toMatchObject({ type: 8, optional: true });
    const without = writeBitstream({ ...rep, motionSideChannel: undefined });
    const rate = rateReport(parseBitstream(written.bytes));
    const rateWithout = rateReport(parseBitstream(without.bytes));
    expect(rate.motionBytes - rateWithout.motionBytes).toBe(section!.length);
    expect(rate.keyframeBytes + rate.motionBytes + rate.audioBytes + rate.weightBytes + rate.overheadBytes).toBe(written.bytes.length);
    const perClip = rate.clips.map((clip) => clip.bytes.motionSideChannel ?? 0);
    expect(perClip.reduce((a, b) => a + b, 0)).toBeCloseTo(section!.length, 6);
    expect(rate.clips.reduce((sum, clip) => sum + clip.totalBytes, 0)).toBeCloseTo(written.bytes.length - written.headerBytes, 6);
  });

  it('is dropped from text-only (tiered) streams, which cannot use it', () => {
    expect(parseBitstream(writeBitstream(withoutKeyframeImages(rep)).bytes).representation.motionSideChannel).toBeUndefined();
  });

  it('answers hostile payloads with typed errors', () => {
    const hostile = (parts: PayloadParts): Uint8Array => withSectionPayload(written.bytes, written.sections, 'motionSideChannel', payload(parts));
    // Sanity: the hand-built payload format is the real one.
    expect(parseBitstream(hostile({ item: item(Array.from({ length: PAIRS }, (_, i) => (i === 4 ? 1 : 0)), 1, -3) })).representation.motionSideChannel?.vectors[0]).toBe(-3);

    expectCode(() => parseBitstream(withSectionPayload(written.bytes, written.sections, 'motionSideChannel', new Uint8Array())), 'TRUNCATED');
    expectCode(() => parseBitstream(hostile({ version: 2 })), 'UNSUPPORTED_VERSION');
    expectCode(() => parseBitstream(hostile({ units: 0 })), 'OUT_OF_BOUNDS');
    expectCode(() => parseBitstream(hostile({ units: 17 })), 'OUT_OF_BOUNDS');
    expectCode(() => parseBitstream(hostile({ columns: 0 })), 'OUT_OF_BOUNDS');
    expectCode(() => parseBitstream(hostile({ columns: 65 })), 'OUT_OF_BOUNDS');
    expectCode(() => parseBitstream(hostile({ rows: 2 ** 40 })), 'OUT_OF_BOUNDS');
    expectCode(() => parseBitstream(hostile({ item: item(Array.from({ length: PAIRS }, (_, i) => (i === 7 ? 2 : 0)), 0) })), 'BAD_SECTION');
    expectCode(() => parseBitstream(hostile({ item: new Uint8Array(PAIRS - 1) })), 'TRUNCATED');
    expectCode(() => parseBitstream(hostile({ item: item(new Array<number>(PAIRS).fill(1), 0) })), 'TRUNCATED');
    expectCode(() => parseBitstream(hostile({ item: item(new Array<number>(PAIRS).fill(0), 0, 1, [0]) })), 'TRAILING_DATA');
    expectCode(() => parseBitstream(hostile({ item: item([1, ...new Array<number>(PAIRS - 1).fill(0)], 1, 40_000) })), 'OUT_OF_BOUNDS');
    expectCode(() => parseBitstream(hostile({ list: encodeByteList([new Uint8Array(PAIRS), new Uint8Array(PAIRS)]).bytes })), 'INCONSISTENT');
    expectCode(() => parseBitstream(hostile({ list: Uint8Array.of(9, 1, 0) })), 'BAD_TEXT_CODING');
    expectCode(() => parseBitstream(hostile({ list: Uint8Array.of(1, 10, 0xde, 0xad, 0xbe, 0xef) })), 'BAD_TEXT_CODING');
    // A decoded size above what 45 frames on an 8x5 grid can need is refused before inflating anything.
    expectCode(() => parseBitstream(hostile({ list: new ByteWriter().u8(1).varint(10_000_000).u8(0).finish() })), 'OUT_OF_BOUNDS');
  });

  it('refuses to write an inconsistent side channel', () => {
    const channel = rep.motionSideChannel!;
    const attempt = (changes: Partial<typeof channel>): (() => unknown) => () => writeBitstream({ ...rep, motionSideChannel: { ...channel, ...changes } });
    expectCode(attempt({ fieldIndex: channel.fieldIndex.subarray(1) }), 'INCONSISTENT');
    expectCode(attempt({ fieldIndex: channel.fieldIndex.map((index) => (index === 0 ? 1 : index === 1 ? 0 : index)) }), 'INCONSISTENT');
    expectCode(attempt({ vectors: channel.vectors.subarray(4) }), 'INCONSISTENT');
    expectCode(attempt({ columns: 65 }), 'OUT_OF_BOUNDS');
    expectCode(attempt({ unitsPerPixel: 0 }), 'OUT_OF_BOUNDS');
    expectCode(attempt({ vectors: channel.vectors.map((v, i) => (i === 3 ? -32768 : v)) }), 'OUT_OF_BOUNDS');
  });
});

/**
 * A clip IT2V's single motion progress per frame cannot follow: a smooth, non-periodic background
 * scrolls with accelerating speed (t²) while a checkered box swings right and back left past its
 * start (one sine period over the clip), so the keyframes barely show how the box moved.
 */
const NON_LINEAR = [
  "color=size=720x400:rate=24:duration=2,format=rgb24,geq=r='128+60*sin(X/37+Y/53)+40*sin(X/23-Y/71)+25*cos(X/11+Y/29)'" +
    ":g='128+60*cos(X/41-Y/31)+40*sin(X/17+Y/59)':b='128+70*sin(X/29+Y/19+1)+30*cos(X/13)'[bg]",
  "color=size=56x56:rate=24:duration=2,format=rgb24,geq=r='255*mod(floor(X/8)+floor(Y/8)\\,2)':g='60':b='200-150*mod(floor(X/8)+floor(Y/8)\\,2)'[box]",
  "[bg]crop=320:240:x='80*(t/2)*(t/2)':y=60[scroll]",
  "[scroll][box]overlay=x='132+24*sin(PI*t)':y=92",
].join(';');

describe('encoding and decoding with the motion side channel', () => {
  const dir = tempDir();
  const source = join(dir.path, 'non-linear.mkv');
  let off: EncodeResult;
  let coarse: EncodeResult;
  let sourceFrames: RgbFrame[];

  beforeAll(async () => {
    lavfi(NON_LINEAR, source, ['-c:v', 'ffv1', '-pix_fmt', 'yuv444p']);
    const options = { keyframes: 3, strategy: 'uniform' as const, layerTarget: SPARSE_LAYER };
    off = await encodeVideo(media.videoFile(source), { ...options, layerCodec: media.av1LayerCodec }, builtinAnalyzers());
    coarse = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, ...options, motionSideChannel: 'coarse' }, builtinAnalyzers());
    sourceFrames = [];
    for await (const frame of media.decodeFrames(source, { width: 320, height: 240, pixelFormat: 'yuv444' })) sourceFrames.push(frame);
  }, 120_000);
  afterAll(() => dir.cleanup());

  const psnr = async (rep: CmvcRepresentation): Promise<number> => {
    let sum = 0;
    let count = 0;
    let index = 0;
    for await (const frame of renderFrames(rep, { mode: 'it2v', layerCodec: media.av1LayerCodec })) {
      const reference = sourceFrames[index++]!;
      for (let i = 0; i < frame.data.length; i += 1) sum += (frame.data[i]! - reference.data[i]!) ** 2;
      count += frame.data.length;
    }
    expect(index).toBe(sourceFrames.length);
    return 10 * Math.log10((255 * 255) / (sum / count));
  };

  it('writes the side channel only when asked, with the same keyframes, and counts it in R_m', () => {
    expect(off.representation.motionSideChannel).toBeUndefined();
    expect(off.sections.map((s) => s.kind)).not.toContain('motionSideChannel');
    const channel = coarse.representation.motionSideChannel;
    expect(channel).toMatchObject({ columns: 8, rows: 6, unitsPerPixel: 2 });
    expect(channel!.fieldIndex.length).toBe(48 - 3);
    expect(coarse.representation.keyframes.map((k) => k.frameIndex)).toEqual(off.representation.keyframes.map((k) => k.frameIndex));
    const section = coarse.sections.find((s) => s.kind === 'motionSideChannel')!;
    expect(coarse.rate.motionBytes - off.rate.motionBytes).toBe(section.length);
    expect(coarse.rate.keyframeBytes).toBe(off.rate.keyframeBytes);
  });

  it('also hands back, from the same encode, exactly the stream it writes without the side channel', () => {
    expect(off.withoutMotionSideChannel).toBeUndefined();
    const derived = coarse.withoutMotionSideChannel!;
    expect(Buffer.from(derived.bitstream).equals(Buffer.from(off.bitstream))).toBe(true);
    expect(derived.rate).toEqual(off.rate);
    expect(derived.representation.motionSideChannel).toBeUndefined();
  });

  it('reconstructs the non-linear clip better than the flow alone', async () => {
    const withChannel = await psnr(parseBitstream(coarse.bitstream).representation);
    const withoutChannel = await psnr(parseBitstream(off.bitstream).representation);
    console.log(`[side channel] PSNR ${withoutChannel.toFixed(2)} dB without, ${withChannel.toFixed(2)} dB with; ${coarse.bitstream.length - off.bitstream.length} bytes more`);
    expect(withChannel).toBeGreaterThan(withoutChannel + 0.5);
  });

  it('still decodes every frame when the side channel is removed (a decoder that skips the optional section)', async () => {
    const { motionSideChannel: _, ...stripped } = parseBitstream(coarse.bitstream).representation;
    const withoutChannel = await psnr(stripped);
    expect(withoutChannel).toBeGreaterThan(15);
  });
});
