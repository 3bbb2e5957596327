import { describe, expect, it } from 'vitest';
import { BitstreamError } from '../src/bitstream/errors.ts';
import { parseBitstream, writeBitstream } from '../src/bitstream/container.ts';
import type { SemanticTextCodec } from '../src/contracts.ts';
import { rateReport } from '../src/representation/rate.ts';
import { expectCode, syntheticRepresentation } from './fixtures.ts';

describe('bitstream container', () => {
  it('round-trips every field of a representation', () => {
    const rep = syntheticRepresentation();
    const { bytes } = writeBitstream(rep, { textForm: 'both' });
    const parsed = parseBitstream(bytes).representation;
    expect(parsed.header).toEqual(rep.header);
    expect(parsed.keyframes.map((k) => [k.frameIndex, k.width, k.height, k.content, [...k.image]])).toEqual(
      rep.keyframes.map((k) => [k.frameIndex, k.width, k.height, k.content, [...k.image]]),
    );
    expect(parsed.clips.map((c) => [c.startFrame, c.endFrame, c.motion, c.camera])).toEqual(rep.clips.map((c) => [c.startFrame, c.endFrame, c.motion, c.camera]));
    expect([...parsed.weights!.values]).toEqual([...rep.weights!.values]);
    expect(parsed.weights!.levels).toBe(64);
    expect(parsed.semanticCodecs).toEqual({ content: 'test-semantic-v1', motion: 'test-semantic-v1' });
    expect([...(parsed.keyframes[1]?.contentSemantic ?? [])]).toEqual([1, 1, 3]);
  });

  it('accounts for every byte: header plus section payloads equal the file size', () => {
    const { bytes, sections, headerBytes } = writeBitstream(syntheticRepresentation());
    expect(headerBytes + sections.reduce((sum, s) => sum + s.length, 0)).toBe(bytes.length);
    const rate = rateReport(parseBitstream(bytes));
    expect(rate.keyframeBytes + rate.motionBytes + rate.audioBytes + rate.weightBytes + rate.overheadBytes).toBe(bytes.length);
    expect(rate.overheadBytes).toBe(headerBytes);
    expect(rate.sections.reduce((sum, s) => sum + s.bytes, 0)).toBe(bytes.length);
    const clipBytes = rate.clips.reduce((sum, clip) => sum + clip.totalBytes, 0);
    expect(clipBytes).toBeCloseTo(bytes.length - headerBytes, 6);
    expect(rate.clips.reduce((sum, clip) => sum + clip.frames, 0)).toBe(48);
  });

  it('stores only the structured form when asked, and expands it with the matching codec', () => {
    const rep = syntheticRepresentation();
    const { bytes, sections } = writeBitstream(rep, { textForm: 'semantic' });
    expect(sections.map((s) => s.kind)).not.toContain('contentText');
    expect(sections.map((s) => s.kind)).not.toContain('motionText');
    expect(parseBitstream(bytes).representation.keyframes[0]?.content).toBeNull();
    const codec: SemanticTextCodec = { id: 'test-semantic-v1', expand: (semantic) => `expanded ${[...semantic].join(',')}` };
    const parsed = parseBitstream(bytes, { semanticCodecs: [codec] }).representation;
    expect(parsed.keyframes[2]?.content).toBe('expanded 1,2,3');
    expect(parsed.clips[1]?.motion).toBe('expanded 2,1');
  });

  it('writes plain texts only by default, and the smaller form per list with auto', () => {
    const rep = syntheticRepresentation();
    const kinds = (form?: 'auto') => writeBitstream(rep, form ? { textForm: form } : {}).sections.map((s) => s.kind);
    expect(kinds()).toEqual(['keyframes', 'contentText', 'motionText', 'cameraMotion', 'it2vWeights']);
    // The synthetic structured forms are 2–3 bytes per entry, far below the sentences.
    expect(kinds('auto')).toEqual(['keyframes', 'cameraMotion', 'it2vWeights', 'contentSemantic', 'motionSemantic']);
  });

  it('handles a single-frame video (one keyframe, no clips)', () => {
    const rep = syntheticRepresentation(2, 1, [0]);
    const parsed = parseBitstream(writeBitstream(rep).bytes);
    expect(parsed.representation.keyframes).toHaveLength(1);
    expect(parsed.representation.clips).toHaveLength(0);
  });

  it('rejects defects with typed errors', () => {
    const { bytes, sections } = writeBitstream(syntheticRepresentation());
    expectCode(() => parseBitstream(new TextEncoder().encode('RIFF0000')), 'BAD_MAGIC');
    expectCode(() => parseBitstream(new Uint8Array()), 'BAD_MAGIC');
    const version = bytes.slice();
    version[4] = 9;
    expectCode(() => parseBitstream(version), 'UNSUPPORTED_VERSION');
    expectCode(() => parseBitstream(bytes.subarray(0, 20)), 'TRUNCATED');
    expectCode(() => parseBitstream(bytes.subarray(0, bytes.length - 1)), 'TRUNCATED');
    const flipped = bytes.slice();
    const last = sections[sections.length - 1];
    if (!last) throw new Error('no sections');
    flipped[last.offset] = (flipped[last.offset] ?? 0) ^ 0x10;
    expectCode(() => parseBitstream(flipped), 'CRC_MISMATCH');
    const header = bytes.slice();
    header[6] = (header[6] ?? 0) ^ 1;
    expectCode(() => parseBitstream(header), 'CRC_MISMATCH');
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expectCode(() => parseBitstream(trailing), 'TRAILING_DATA');
  });

  it('refuses to write inconsistent representations', () => {
    const rep = syntheticRepresentation();
    expect(() => writeBitstream({ ...rep, weights: { levels: 64, values: new Uint8Array(3) } })).toThrow(BitstreamError);
    expect(() => writeBitstream({ ...rep, header: { ...rep.header, frameCount: 0 } })).toThrow(BitstreamError);
  });
});
