import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAnalyzers } from '../src/analyzers/provider.ts';
import { formatVersionOf, parseBitstream, withoutKeyframeImages, writeBitstream } from '../src/bitstream/container.ts';
import { BitstreamError } from '../src/bitstream/errors.ts';
import { FIXED_HEADER_BYTES, SECTION_ENTRY_BYTES, SECTION_TYPES } from '../src/bitstream/format.ts';
import { crc32 } from '../src/bitstream/sections.ts';
import type { CmvcRepresentation } from '../src/bitstream/types.ts';
import { decodeBitstream, renderFrames } from '../src/decoder.ts';
import { encodeVideo, type EncodeResult } from '../src/encoder.ts';
import type { LayerCodec, LayerEncoderOptions } from '../src/media.ts';
import { clipWithSound, expectCode, ffprobeStream, lavfi, SPARSE_LAYER, tempDir } from './fixtures.ts';
import { goldenStream, goldenVectors } from './golden/golden.ts';
import { mediaIo } from '@cmvc/media-io';

const media = mediaIo();

const dir = tempDir();
const source = join(dir.path, 'speech.mkv');
let encoded: EncodeResult;

beforeAll(async () => {
  clipWithSound(source, 4);
  encoded = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, strategy: 'uniform', keyframes: 3, layerTarget: { ...SPARSE_LAYER, maxSpacingSeconds: 0.5 } }, builtinAnalyzers());
}, 120_000);
afterAll(() => dir.cleanup());

const hash = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function hashes(rep: CmvcRepresentation, fromFrame?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const frame of renderFrames(rep, { mode: 'it2v', layerCodec: media.av1LayerCodec, ...(fromFrame !== undefined ? { fromFrame } : {}) })) out.push(hash(frame.data));
  return out;
}

describe('the keyframe layer (format version 2)', () => {
  it('is written as version 2 with one AV1 sequence per segment and the layer holding every keyframe', () => {
    const parsed = parseBitstream(encoded.bitstream);
    expect(parsed.version).toBe(2);
    const layer = parsed.representation.layer!;
    expect(layer.segments.every((segment) => segment.obus.length > 0)).toBe(true);
    expect(parsed.representation.keyframes.every((k) => layer.frameIndices.includes(k.frameIndex))).toBe(true);
    // A keyframe every half second at most: the layer is denser than the three described keyframes.
    expect(layer.frameIndices.length).toBeGreaterThan(parsed.representation.keyframes.length);
  });

  it('seeks: rendering from a frame in the middle gives exactly the frames a full render gives from there', async () => {
    const rep = parseBitstream(encoded.bitstream).representation;
    const all = await hashes(rep);
    expect(all).toHaveLength(rep.header.frameCount);
    for (const from of [1, Math.floor(rep.header.frameCount / 2), rep.header.frameCount - 1]) expect(await hashes(rep, from)).toEqual(all.slice(from));
  }, 60_000);

  it('refuses a seek outside the video with a typed error', async () => {
    const rep = parseBitstream(encoded.bitstream).representation;
    await expect(hashes(rep, rep.header.frameCount)).rejects.toMatchObject({ name: 'CodecError', code: 'INVALID_OPTIONS' });
  });

  it('keeps the sound as Opus and renditions carry it; mute leaves it out', async () => {
    const audio = encoded.representation.audio!;
    expect(audio.codec).toBe('opus');
    expect(new TextDecoder().decode(audio.bytes.subarray(0, 4))).toBe('OggS');
    const soundKbps = (audio.bytes.length * 8) / 4 / 1000;
    console.log(`[audio] ${audio.bytes.length} B for 4 s: ${soundKbps.toFixed(1)} kbit/s`);
    expect(encoded.rate.audioBytes).toBe(encoded.sections.find((s) => s.kind === 'audio')!.length);
    const { keyframeBytes, motionBytes, audioBytes, weightBytes, overheadBytes } = encoded.rate;
    expect(keyframeBytes + motionBytes + audioBytes + weightBytes + overheadBytes).toBe(encoded.bitstream.length);
    const streams = (path: string): string[] =>
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', path]).toString().trim().split('\n');
    const withSound = join(dir.path, 'with-sound.mp4');
    await decodeBitstream(encoded.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(withSound) });
    expect(streams(withSound).sort()).toEqual(['audio', 'video']);
    const muted = join(dir.path, 'muted.webm');
    await decodeBitstream(encoded.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(muted), mute: true });
    expect(streams(muted)).toEqual(['video']);
    expect(ffprobeStream(muted).frames).toBe(encoded.representation.header.frameCount);
  }, 60_000);

  it('leaves the sound out when asked (audioKbps 0) and when the source has none', async () => {
    const silent = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, strategy: 'uniform', keyframes: 2, audioKbps: 0, layerTarget: SPARSE_LAYER }, builtinAnalyzers());
    expect(silent.representation.audio).toBeUndefined();
    const noTrack = join(dir.path, 'no-track.mkv');
    lavfi('testsrc2=size=96x64:rate=12:duration=1', noTrack, ['-c:v', 'ffv1']);
    expect((await encodeVideo(media.videoFile(noTrack), { layerCodec: media.av1LayerCodec, strategy: 'uniform', layerTarget: SPARSE_LAYER }, builtinAnalyzers())).representation.audio).toBeUndefined();
  }, 60_000);

  it('tiering drops the layer and the weights, keeps texts and sound, and stays version 2', () => {
    const demoted = withoutKeyframeImages(encoded.representation);
    expect(formatVersionOf(demoted)).toBe(2);
    const written = writeBitstream(demoted);
    const parsed = parseBitstream(written.bytes).representation;
    expect(parsed.layer).toBeUndefined();
    expect(parsed.weights).toBeUndefined();
    expect(parsed.audio?.bytes).toEqual(encoded.representation.audio?.bytes);
    expect(parsed.keyframes.map((k) => k.content)).toEqual(encoded.representation.keyframes.map((k) => k.content));
    expect(written.bytes.length).toBeLessThan(encoded.bitstream.length);
  });

  it('refuses inconsistent layers with typed errors', () => {
    const rep = encoded.representation;
    const layer = rep.layer!;
    const missingKeyframe = { ...rep, layer: { ...layer, frameIndices: layer.frameIndices.filter((i) => i !== rep.keyframes[1]!.frameIndex) } };
    expectCode(() => writeBitstream(missingKeyframe), 'INCONSISTENT');
    const uncovered = { ...rep, layer: { ...layer, segments: layer.segments.map((s, i) => (i === 0 ? { ...s, frames: s.frames + 1 } : s)) } };
    expectCode(() => writeBitstream(uncovered), 'INCONSISTENT');
  });

  it('codes sparse layers without SVT-AV1 lookahead and a layer of every frame with it', async () => {
    const moving = lavfi('testsrc2=size=128x96:rate=10', join(dir.path, 'moving.mkv'), ['-t', '2', '-c:v', 'ffv1']);
    const lookaheads = async (layerTarget: typeof SPARSE_LAYER): Promise<{ spacings: number[]; lookahead: (boolean | undefined)[] }> => {
      const seen: LayerEncoderOptions[] = [];
      const recording: LayerCodec = { ...media.av1LayerCodec, encoder: (options) => (seen.push(options), media.av1LayerCodec.encoder(options)) };
      const result = await encodeVideo(media.videoFile(moving), { layerCodec: recording, strategy: 'uniform', keyframes: 2, audioKbps: 0, layerTarget }, builtinAnalyzers());
      const frames = result.representation.layer!.frameIndices;
      return { spacings: frames.slice(1).map((frame, i) => frame - frames[i]!), lookahead: seen.map((options) => options.lookahead) };
    };
    const sparse = await lookaheads(SPARSE_LAYER);
    expect(Math.max(...sparse.spacings)).toBeGreaterThanOrEqual(2);
    expect(sparse.lookahead.length).toBeGreaterThan(0);
    expect(sparse.lookahead).toEqual(sparse.lookahead.map(() => false));
    const dense = await lookaheads({ ...SPARSE_LAYER, interpolationPsnr: 99 });
    expect(dense.spacings).toEqual(dense.spacings.map(() => 1));
    expect(dense.lookahead.length).toBeGreaterThan(0);
    expect(dense.lookahead).toEqual(dense.lookahead.map(() => true));
  }, 120_000);

  it('does not read a layer section in a version-1 stream', () => {
    const v1 = goldenStream(goldenVectors().find((vector) => vector.version === 1)!);
    // Append a keyframe-layer entry to the version-1 section table, with valid checksums.
    const count = v1[34]!;
    const tableEnd = FIXED_HEADER_BYTES + count * SECTION_ENTRY_BYTES;
    const payload = Uint8Array.of(1, 1, 1, 1, 0, 1, 1, 1, 0);
    const entry = new Uint8Array(SECTION_ENTRY_BYTES);
    const view = new DataView(entry.buffer);
    view.setUint8(0, SECTION_TYPES.keyframeLayer);
    view.setUint32(2, payload.length, true);
    view.setUint32(6, crc32(payload), true);
    const head = Uint8Array.from([...v1.subarray(0, tableEnd), ...entry]);
    head[34] = count + 1;
    const sealed = new Uint8Array(head.length + 4);
    sealed.set(head);
    new DataView(sealed.buffer).setUint32(head.length, crc32(head), true);
    const stream = Uint8Array.from([...sealed, ...v1.subarray(tableEnd + 4), ...payload]);
    expectCode(() => parseBitstream(stream), 'BAD_SECTION');
  });
});

/** Recomputes every section checksum and the header checksum, so damage reaches the payload parsers and the AV1 decoder. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const count = out[34] ?? 0;
  const tableEnd = FIXED_HEADER_BYTES + count * SECTION_ENTRY_BYTES;
  if (out.length < tableEnd + 4) return out;
  let offset = tableEnd + 4;
  for (let i = 0; i < count; i += 1) {
    const entry = FIXED_HEADER_BYTES + i * SECTION_ENTRY_BYTES;
    const length = view.getUint32(entry + 2, true);
    if (offset + length > out.length) return out;
    view.setUint32(entry + 6, crc32(out.subarray(offset, offset + length)), true);
    offset += length;
  }
  view.setUint32(tableEnd, crc32(out.subarray(0, tableEnd)), true);
  return out;
}

describe('damaged keyframe layers', () => {
  const vector = goldenVectors().find((v) => v.version === 2)!;
  const stream = goldenStream(vector);
  const layerSection = parseBitstream(stream).sections.find((s) => s.kind === 'keyframeLayer')!;

  it('give a typed BitstreamError (or still decode), never a crash or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(layerSection.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (at, value, overwrite) => {
        const damaged = stream.slice();
        const position = layerSection.offset + at;
        damaged[position] = overwrite ? value : (damaged[position]! ^ value) & 0xff;
        let rep: CmvcRepresentation;
        try {
          rep = parseBitstream(reseal(damaged)).representation;
        } catch (error) {
          expect(error).toBeInstanceOf(BitstreamError);
          return;
        }
        try {
          let frames = 0;
          for await (const _ of renderFrames(rep, { mode: 'it2v', layerCodec: media.av1LayerCodec })) frames += 1;
          expect(frames).toBe(rep.header.frameCount);
        } catch (error) {
          expect(error).toBeInstanceOf(BitstreamError);
        }
      }),
      { numRuns: 30, seed: 11, interruptAfterTimeLimit: 60_000 },
    );
  }, 90_000);
});
