import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ByteReader, ByteWriter } from '../bitstream/bytes.ts';
import { BitstreamError } from '../bitstream/errors.ts';
import { CAPTION_DICTIONARY_V1 } from './caption-dictionary.ts';

/**
 * Entropy coding of lists of texts (or of opaque byte strings) for the text sections.
 * Node 20's brotli has no custom-dictionary support, so the candidates are brotli (with its
 * built-in static dictionary, tuned for text) and raw DEFLATE primed with a caption dictionary;
 * the encoder tries all and keeps the smallest, the one-byte coding tag tells the decoder which.
 */
export const TEXT_CODINGS = { raw: 0, brotli: 1, deflateDictionary: 2 } as const;
export type TextCoding = keyof typeof TEXT_CODINGS;

/** Largest decoded list a stream may declare (guards decompression bombs). */
export const MAX_DECODED_LIST_BYTES = 1024 * 1024;
const MAX_ITEMS = 10_000_000;

const dictionary = Buffer.from(CAPTION_DICTIONARY_V1, 'utf8');
const codingNames = new Map<number, TextCoding>(Object.entries(TEXT_CODINGS).map(([name, tag]) => [tag, name as TextCoding]));

function serialiseList(items: readonly Uint8Array[]): Uint8Array {
  const writer = new ByteWriter().varint(items.length);
  for (const item of items) writer.blob(item);
  return writer.finish();
}

function compress(coding: TextCoding, plain: Uint8Array): Uint8Array {
  switch (coding) {
    case 'raw':
      return plain;
    case 'brotli':
      return brotliCompressSync(plain, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
        },
      });
    case 'deflateDictionary':
      return deflateRawSync(plain, { level: 9, memLevel: 9, dictionary });
  }
}

function decompress(coding: TextCoding, payload: Uint8Array, expectedLength: number): Uint8Array {
  if (coding === 'raw') return payload;
  // maxOutputLength makes zlib stop (and throw) rather than inflate past the declared size.
  const maxOutputLength = Math.max(1, expectedLength);
  try {
    return coding === 'brotli'
      ? brotliDecompressSync(payload, { maxOutputLength })
      : inflateRawSync(payload, { maxOutputLength, dictionary });
  } catch (error) {
    throw new BitstreamError('BAD_TEXT_CODING', `${coding} payload does not decode: ${(error as Error).message}`);
  }
}

export interface EncodedList {
  readonly bytes: Uint8Array;
  readonly coding: TextCoding;
  /** Size of each candidate coding, for reporting. */
  readonly candidates: Readonly<Record<TextCoding, number>>;
}

/** Codes a list of byte strings with every coding and keeps the smallest (ties go to the simpler coding). */
export function encodeByteList(items: readonly Uint8Array[], maxPlainBytes = MAX_DECODED_LIST_BYTES): EncodedList {
  const plain = serialiseList(items);
  if (plain.length > maxPlainBytes) throw new RangeError(`list is ${plain.length} bytes, the limit is ${maxPlainBytes}`);
  const candidates = {} as Record<TextCoding, number>;
  let best: { coding: TextCoding; payload: Uint8Array } | undefined;
  for (const coding of Object.keys(TEXT_CODINGS) as TextCoding[]) {
    const payload = compress(coding, plain);
    candidates[coding] = payload.length;
    if (!best || payload.length < best.payload.length) best = { coding, payload };
  }
  const chosen = best ?? { coding: 'raw' as const, payload: plain };
  const bytes = new ByteWriter().u8(TEXT_CODINGS[chosen.coding]).varint(plain.length).bytes(chosen.payload).finish();
  return { bytes, coding: chosen.coding, candidates };
}

export function encodeTextList(texts: readonly string[]): EncodedList {
  const encoder = new TextEncoder();
  return encodeByteList(texts.map((text) => encoder.encode(text)));
}

/** Reads a coded list from the reader's current position to its end. */
export function decodeByteList(reader: ByteReader, expectedCount: number, maxPlainBytes = MAX_DECODED_LIST_BYTES): Uint8Array[] {
  const tag = reader.u8();
  const coding = codingNames.get(tag);
  if (!coding) throw new BitstreamError('BAD_TEXT_CODING', `unknown text coding ${tag}`);
  const plainLength = reader.varint(maxPlainBytes, 'decoded list length');
  const payload = reader.bytes(reader.remaining);
  const plain = decompress(coding, payload, plainLength);
  if (plain.length !== plainLength)
    throw new BitstreamError('BAD_TEXT_CODING', `text list decodes to ${plain.length} bytes, header says ${plainLength}`);
  const list = new ByteReader(plain, 'text list');
  const count = list.varint(MAX_ITEMS, 'text count');
  if (count !== expectedCount) throw new BitstreamError('INCONSISTENT', `text list has ${count} entries, expected ${expectedCount}`);
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) items.push(list.blob('text'));
  list.expectEnd();
  return items;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeTextList(reader: ByteReader, expectedCount: number): string[] {
  return decodeByteList(reader, expectedCount).map((bytes) => {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new BitstreamError('BAD_TEXT_CODING', 'text is not valid UTF-8');
    }
  });
}
