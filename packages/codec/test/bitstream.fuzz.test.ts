import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../src/bitstream/bytes.ts';
import { parseBitstream, writeBitstream } from '../src/bitstream/container.ts';
import { BitstreamError } from '../src/bitstream/errors.ts';
import { FIXED_HEADER_BYTES, SECTION_ENTRY_BYTES } from '../src/bitstream/format.ts';
import { crc32 } from '../src/bitstream/sections.ts';
import { syntheticRepresentation, withSyntheticMotion } from './fixtures.ts';

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'length'; section: number; value: number; fixCrc: boolean };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    section: fc.nat(),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff)),
    fixCrc: fc.boolean(),
  }),
);


/** Header CRC recomputed, so that tampering reaches the section and payload parsers instead of stopping at the checksum. */
function resealHeader(bytes: Uint8Array): Uint8Array {
  const sectionCount = bytes[34] ?? 0;
  const end = FIXED_HEADER_BYTES + sectionCount * SECTION_ENTRY_BYTES;
  if (bytes.length < end + 4) return bytes;
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(end, crc32(out.subarray(0, end)), true);
  return out;
}

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = bytes.length === 0 || !('at' in m) ? 0 : m.at % bytes.length;
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      out[at] = m.value;
      return out;
    }
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), m.value, ...bytes.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.count)]);
    case 'truncate':
      return bytes.subarray(0, at);
    case 'length': {
      const sections = bytes[34] ?? 0;
      if (sections === 0 || bytes.length < FIXED_HEADER_BYTES + sections * SECTION_ENTRY_BYTES + 4) return bytes;
      const out = bytes.slice();
      new DataView(out.buffer).setUint32(FIXED_HEADER_BYTES + (m.section % sections) * SECTION_ENTRY_BYTES + 2, m.value >>> 0, true);
      return m.fixCrc ? resealHeader(out) : out;
    }
  }
}

const writtenBySeed = new Map<number, ReturnType<typeof writeBitstream>>();

/** Streams with internally consistent framing (valid CRCs) but tampered payload fields. */
function tamperedPayloadStream(seed: number, at: number, value: number): Uint8Array {
  let written = writtenBySeed.get(seed);
  if (!written) {
    written = writeBitstream(withSyntheticMotion(syntheticRepresentation(seed), seed));
    writtenBySeed.set(seed, written);
  }
  const bytes = written.bytes.slice();
  const section = written.sections[at % written.sections.length];
  if (!section || section.length === 0) return bytes;
  const offset = section.offset + (value % section.length);
  bytes[offset] = at & 0xff;
  // Recompute that section's CRC in the table, then the header CRC.
  const index = written.sections.indexOf(section);
  new DataView(bytes.buffer).setUint32(FIXED_HEADER_BYTES + index * SECTION_ENTRY_BYTES + 6, crc32(bytes.subarray(section.offset, section.offset + section.length)), true);
  return resealHeader(bytes);
}

function outcome(bytes: Uint8Array): 'valid' | string {
  try {
    parseBitstream(bytes);
    return 'valid';
  } catch (error) {
    if (error instanceof BitstreamError) return error.code;
    throw error;
  }
}

describe('bitstream parser under mutation', () => {
  // Every section type, the motion side channel included.
  const base = writeBitstream(withSyntheticMotion(syntheticRepresentation()), { textForm: 'both' }).bytes;

  it('answers every mutated or truncated stream with a valid parse or a BitstreamError', () => {
    const codes = new Map<string, number>();
    const started = Date.now();
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (mutations, reseal) => {
        let bytes = base;
        for (const m of mutations) bytes = apply(bytes, m);
        if (reseal) bytes = resealHeader(bytes);
        const result = outcome(bytes);
        codes.set(result, (codes.get(result) ?? 0) + 1);
      }),
      { numRuns: 8000, seed: 20240601 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.nat(), fc.nat(), (seed, at, value) => {
        const result = outcome(tamperedPayloadStream(seed, at, value));
        codes.set(result, (codes.get(result) ?? 0) + 1);
      }),
      { numRuns: 2500, seed: 7 },
    );
    const elapsed = Date.now() - started;
    console.log(`[fuzz] ${JSON.stringify(Object.fromEntries(codes))} in ${elapsed} ms`);
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(10_500);
    // The mutations must reach more than the magic/CRC checks to be meaningful.
    expect(codes.size).toBeGreaterThanOrEqual(6);
    expect(elapsed).toBeLessThan(30_000);
  }, 60_000);

  it('bounds declared sizes before allocating (huge varints and counts)', () => {
    // A keyframes section that claims 2^40-byte images.
    const payload = new ByteWriter().u8(1).varint(16).varint(16).varint(1).varint(0).varint(2 ** 40).finish();
    const w = new ByteWriter().bytes(base.subarray(0, 34)).u8(1).u8(1).u8(0).u32(payload.length).u32(crc32(payload));
    const head = w.finish();
    const bytes = new ByteWriter().bytes(head).u32(crc32(head)).bytes(payload).finish();
    const result = outcome(bytes);
    expect(['OUT_OF_BOUNDS', 'TRUNCATED']).toContain(result);
  });
});
