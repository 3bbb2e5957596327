import { describe, expect, it } from 'vitest';
import { ByteReader } from '../src/bitstream/bytes.ts';
import { BitstreamError } from '../src/bitstream/errors.ts';
import { decodeByteList, decodeTextList, encodeByteList, encodeTextList } from '../src/entropy/text-coding.ts';

/** Captions of the kind a V2T model writes, and the technical describer's output. */
const CAPTIONS = [
  'A man in a blue shirt is standing in a kitchen, holding a cup of coffee and looking out of the window.',
  'A woman with long brown hair is sitting at a wooden table in front of a laptop in a bright office.',
  'Two children are playing with a red ball on the green grass of a park, trees in the background.',
  'A white car is driving along a city street at night, with lights reflecting on the wet road.',
];
const MOTIONS = [
  'The camera pans slowly to the right while the man turns his head toward the window.',
  'The camera stays still while the woman types and then looks up at the camera.',
  'The camera follows the children as they run to the left across the field.',
];
const TECHNICAL = [
  'Keyframe at 0.00 s: mean colour rgb(118, 97, 80), brightness 41%, contrast 22%.',
  'Keyframe at 2.96 s: mean colour rgb(121, 99, 82), brightness 42%, contrast 21%.',
  'Global motion over 2.96 s: camera pans left at 0.04 frame widths per second; mean frame change 6%.',
];

describe('text entropy coding', () => {
  it('round-trips texts, including empty and non-ASCII ones', () => {
    const texts = [...CAPTIONS, '', 'Ein Mann läuft über die Straße — 東京 🚶'];
    const encoded = encodeTextList(texts);
    expect(decodeTextList(new ByteReader(encoded.bytes, 'test'), texts.length)).toEqual(texts);
  });

  it('keeps the smallest candidate coding and beats raw UTF-8 on captions', () => {
    for (const texts of [CAPTIONS, MOTIONS, TECHNICAL]) {
      const encoded = encodeTextList(texts);
      const smallest = Math.min(...Object.values(encoded.candidates));
      expect(encoded.candidates[encoded.coding]).toBe(smallest);
      expect(encoded.bytes.length).toBeLessThan(encoded.candidates.raw);
      const raw = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      console.log(`[text coding] ${texts.length} texts, ${raw} B UTF-8 → raw list ${encoded.candidates.raw} B, brotli ${encoded.candidates.brotli} B, deflate+dictionary ${encoded.candidates.deflateDictionary} B → ${encoded.coding}`);
    }
  });

  it('round-trips opaque byte lists', () => {
    const items = [Uint8Array.of(), Uint8Array.of(0, 255, 7), new Uint8Array(300).fill(9)];
    expect(decodeByteList(new ByteReader(encodeByteList(items).bytes, 'test'), 3).map((b) => [...b])).toEqual(items.map((b) => [...b]));
  });

  it('rejects bad codings, wrong counts and sizes beyond the declared length', () => {
    const encoded = encodeTextList(CAPTIONS).bytes;
    expect(() => decodeTextList(new ByteReader(encoded, 't'), 3)).toThrow(BitstreamError);
    const badTag = encoded.slice();
    badTag[0] = 9;
    expect(() => decodeTextList(new ByteReader(badTag, 't'), 4)).toThrow(BitstreamError);
    const shortLength = encoded.slice();
    shortLength[1] = 3; // declared plain length far below the real one
    expect(() => decodeTextList(new ByteReader(shortLength, 't'), 4)).toThrow(BitstreamError);
  });
});
