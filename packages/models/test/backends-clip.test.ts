import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYTE_ENCODER, BackendError, ClipTokenizer, OnnxClipModel } from '../src/backends/index.ts';
import { encodeVarint } from '../src/runtime/onnx-proto.ts';
import type { RgbFrame } from '../src/types.ts';

// ---- A minimal protobuf writer for the handful of ONNX messages these test graphs need (onnx.proto3 field numbers). ----

type Field = Uint8Array;
const FLOAT = 1;
const INT64 = 7;

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};
const intField = (field: number, value: number | bigint): Field => Uint8Array.from([...encodeVarint(field << 3), ...encodeVarint(value)]);
const bytesField = (field: number, value: Uint8Array): Field => concat([Uint8Array.from([...encodeVarint((field << 3) | 2), ...encodeVarint(value.length)]), value]);
const strField = (field: number, value: string): Field => bytesField(field, new TextEncoder().encode(value));
const msg = (field: number, ...parts: Field[]): Field => bytesField(field, concat(parts));

const valueInfo = (field: number, name: string, elemType: number, dims: (number | string)[]): Field =>
  msg(field, strField(1, name), msg(2, msg(1, intField(1, elemType), msg(2, ...dims.map((d) => (typeof d === 'number' ? msg(1, intField(1, d)) : msg(1, strField(2, d))))))));
const floatTensor = (name: string, dims: number[], values: Float32Array): Field =>
  msg(5, ...dims.map((d) => intField(1, d)), intField(2, FLOAT), strField(8, name), bytesField(9, new Uint8Array(values.buffer.slice(0))));
const node = (op: string, inputs: string[], outputs: string[], ...attributes: Field[]): Field =>
  msg(1, ...inputs.map((i) => strField(1, i)), ...outputs.map((o) => strField(2, o)), strField(3, `${op}_${outputs[0]}`), strField(4, op), ...attributes);
const intAttr = (name: string, value: number): Field => msg(5, strField(1, name), intField(3, value), intField(20, 2));
const intsAttr = (name: string, values: number[]): Field => msg(5, strField(1, name), ...values.map((v) => intField(8, v)), intField(20, 7));
const model = (...graphParts: Field[]): Uint8Array =>
  concat([intField(1, 7), strField(2, 'cmvc-test'), msg(7, strField(2, 'g'), ...graphParts), msg(8, strField(1, ''), intField(2, 13))]);

/** Deterministic pseudo-random weights in [-1, 1). */
function randomWeights(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

const CROP = 8;
const FLAT = 3 * CROP * CROP;

/** pixel_values [N,3,8,8] → Flatten → MatMul(W) → image_embeds [N, dims]; with no W, image_embeds is the flattened input. */
function visionModel(dims: number | undefined): Uint8Array {
  const parts = [valueInfo(11, 'pixel_values', FLOAT, ['batch', 3, CROP, CROP])];
  if (dims === undefined) {
    parts.push(node('Flatten', ['pixel_values'], ['image_embeds'], intAttr('axis', 1)), valueInfo(12, 'image_embeds', FLOAT, ['batch', FLAT]));
  } else {
    parts.push(
      node('Flatten', ['pixel_values'], ['flat'], intAttr('axis', 1)),
      node('MatMul', ['flat', 'w'], ['image_embeds']),
      floatTensor('w', [FLAT, dims], randomWeights(FLAT * dims, 7)),
      valueInfo(12, 'image_embeds', FLOAT, ['batch', dims]),
    );
  }
  return model(...parts);
}

/** input_ids [N,77] → Gather(table) → ReduceMean over tokens → text_embeds [N, dims]. */
function textModel(vocabSize: number, dims: number, outputName = 'text_embeds'): Uint8Array {
  return model(
    valueInfo(11, 'input_ids', INT64, ['batch', 77]),
    node('Gather', ['table', 'input_ids'], ['tokens'], intAttr('axis', 0)),
    node('ReduceMean', ['tokens'], [outputName], intsAttr('axes', [1]), intAttr('keepdims', 0)),
    floatTensor('table', [vocabSize, dims], randomWeights(vocabSize * dims, 11)),
    valueInfo(12, outputName, FLOAT, ['batch', dims]),
  );
}

/**
 * input_ids int32 [N,77] + attention_mask int64 [N,77] → Gather(table) × mask → mean over tokens → text_embeds:
 * only unmasked tokens count, so the result checks both the ids and the mask the model is fed.
 */
function maskedTextModel(vocabSize: number, dims: number): Uint8Array {
  const INT32 = 6;
  return model(
    valueInfo(11, 'input_ids', INT32, ['batch', 77]),
    valueInfo(11, 'attention_mask', INT64, ['batch', 77]),
    node('Gather', ['table', 'input_ids'], ['tokens'], intAttr('axis', 0)),
    node('Cast', ['attention_mask'], ['maskf'], intAttr('to', FLOAT)),
    node('Unsqueeze', ['maskf', 'axis2'], ['mask3']),
    node('Mul', ['tokens', 'mask3'], ['masked']),
    node('ReduceMean', ['masked'], ['text_embeds'], intsAttr('axes', [1]), intAttr('keepdims', 0)),
    floatTensor('table', [vocabSize, dims], randomWeights(vocabSize * dims, 13)),
    msg(5, intField(1, 1), intField(2, INT64), strField(8, 'axis2'), bytesField(9, new Uint8Array(new BigInt64Array([2n]).buffer))),
    valueInfo(12, 'text_embeds', FLOAT, ['batch', dims]),
  );
}

// ---- A hand-built vocabulary whose expected ids are worked out by hand in the tests below. ----

const VOCAB: Record<string, number> = {
  'a</w>': 1,
  'photo</w>': 2,
  'of</w>': 3,
  caf: 4,
  'Ã©</w>': 5,
  '!!</w>': 6,
  '<|startoftext|>': 10,
  '<|endoftext|>': 11,
};
const MERGES = ['p h', 'ph o', 't o</w>', 'pho to</w>', 'o f</w>', 'c a', 'Ã ©</w>', 'ca f', '! !</w>'];
const MERGES_TXT = `#version: 0.2\n${MERGES.join('\n')}\n`;

function solid(width: number, height: number, rgb: [number, number, number]): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i += 1) data.set(rgb, i * 3);
  return { width, height, data };
}

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('ClipTokenizer', () => {
  it('maps bytes like GPT-2 (space is U+0120, printable ASCII maps to itself)', () => {
    expect(BYTE_ENCODER[0x20]).toBe('\u0120');
    expect(BYTE_ENCODER[0x41]).toBe('A');
    expect(BYTE_ENCODER[0xc3]).toBe('Ã');
    expect(new Set(BYTE_ENCODER).size).toBe(256);
  });

  it('lowercases, cleans whitespace, pre-tokenises, byte-encodes and applies merges in rank order', () => {
    const tokenizer = ClipTokenizer.fromVocabAndMerges(JSON.stringify(VOCAB), MERGES_TXT, { contextLength: 12 });
    // a | photo (p h → ph o → t o</w> → pho to</w>) | of | a | café → caf + Ã©</w> | !! ; É lowercases to é = bytes C3 A9.
    expect(tokenizer.tokenize('  A\n photo\tof a CAFÉ!!')).toEqual([1, 2, 3, 1, 4, 5, 6]);
    const encoded = tokenizer.encode('A photo of a café!!');
    expect(Array.from(encoded.ids)).toEqual([10, 1, 2, 3, 1, 4, 5, 6, 11, 0, 0, 0]);
    expect(encoded.length).toBe(9);
  });

  it('applies the lowest-ranked merge first when merges compete', () => {
    const vocab = { ...VOCAB, a: 21, aa: 20, 'aa</w>': 22 };
    // "aaa" → a a a</w>: with "a a" ranked first the left pair merges (aa + a</w>); ranked second, the right one does.
    expect(new ClipTokenizer({ vocab, merges: ['a a', 'a a</w>'] }).tokenize('aaa')).toEqual([20, 1]);
    expect(new ClipTokenizer({ vocab, merges: ['a a</w>', 'a a'] }).tokenize('aaa')).toEqual([21, 22]);
  });

  it('truncates to the context length keeping the end token last', () => {
    const tokenizer = ClipTokenizer.fromVocabAndMerges(JSON.stringify(VOCAB), MERGES_TXT, { contextLength: 5 });
    expect(Array.from(tokenizer.encode('a photo of a café').ids)).toEqual([10, 1, 2, 3, 11]);
  });

  it('reads the same vocabulary from a Hugging Face tokenizer.json with pair-style merges', () => {
    const json = JSON.stringify({ model: { type: 'BPE', vocab: VOCAB, merges: MERGES.map((m) => m.split(' ')), end_of_word_suffix: '</w>' } });
    expect(ClipTokenizer.fromTokenizerJson(json).tokenize('photo of café')).toEqual([2, 3, 4, 5]);
  });

  it('rejects text the vocabulary cannot spell with a typed error', () => {
    const tokenizer = ClipTokenizer.fromVocabAndMerges(JSON.stringify(VOCAB), MERGES_TXT);
    expect(() => tokenizer.tokenize('zebra')).toThrow(BackendError);
  });
});

describe('OnnxClipModel on a tiny generated ONNX pair', () => {
  let root: string;
  let dir: string;
  let clip: OnnxClipModel;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cmvc-clip-'));
    dir = join(root, 'tiny-clip');
    await mkdir(dir);
    await writeFile(join(dir, 'vision_model.onnx'), visionModel(512));
    await writeFile(join(dir, 'text_model.onnx'), textModel(12, 512));
    await writeFile(join(dir, 'vocab.json'), JSON.stringify(VOCAB));
    await writeFile(join(dir, 'merges.txt'), MERGES_TXT);
    await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify({ crop_size: { height: CROP, width: CROP }, size: { shortest_edge: CROP } }));
    clip = new OnnxClipModel({ directory: dir });
  });

  afterAll(async () => {
    await clip.release();
    await rm(root, { recursive: true, force: true });
  });

  it('embeds images: deterministic, distinct, unit norm, 512-d', async () => {
    const red = solid(40, 30, [220, 30, 30]);
    const [a, b, c] = await clip.images.embed([red, { ...red, data: red.data.slice() }, solid(30, 40, [20, 40, 200])]);
    expect(clip.images.id).toBe('clip:tiny-clip:image');
    for (const v of [a, b, c]) {
      expect(v).toHaveLength(512);
      expect(norm(v!)).toBeCloseTo(1, 5);
    }
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Array.from(a!)).not.toEqual(Array.from(c!));
  });

  it('embeds texts: deterministic, distinct, unit norm, 512-d', async () => {
    const [a, b, c] = await clip.texts.embed(['a photo of a café', 'A photo of a CAFÉ', 'a café!!']);
    expect(a).toHaveLength(512);
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(norm(c!)).toBeCloseTo(1, 5);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Array.from(a!)).not.toEqual(Array.from(c!));
    expect(await clip.texts.embed([])).toEqual([]);
  });

  it('reports health and a clear error when the configured dimension differs from the model', async () => {
    expect((await clip.health()).ok).toBe(true);
    const wrong = new OnnxClipModel({ directory: dir, dimensions: 256 });
    await expect(wrong.texts.embed(['a photo'])).rejects.toMatchObject({ code: 'BACKEND_BAD_RESPONSE', message: expect.stringContaining('512 dimensions but 256') });
    await wrong.release();
  });

  it('preprocesses as CLIP does: shortest side to the crop size, centre crop, mean/std, planar RGB', async () => {
    const identityDir = join(root, 'identity');
    await mkdir(join(identityDir, 'onnx'), { recursive: true });
    await writeFile(join(identityDir, 'onnx', 'visual.onnx'), visionModel(undefined));
    await writeFile(join(identityDir, 'onnx', 'textual.onnx'), textModel(12, FLAT, 'text_features'));
    await writeFile(join(identityDir, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: VOCAB, merges: MERGES } }));
    await writeFile(join(identityDir, 'preprocessor_config.json'), JSON.stringify({ crop_size: CROP, size: CROP, image_mean: [0.5, 0.5, 0.5], image_std: [0.25, 0.5, 1] }));
    const identity = new OnnxClipModel({ directory: identityDir, dimensions: FLAT });
    try {
      // 16×8: left 8 columns red, right 8 blue; the 8×8 centre crop keeps columns 4..11, i.e. 4 red then 4 blue per row.
      const data = new Uint8Array(16 * 8 * 3);
      for (let y = 0; y < 8; y += 1) for (let x = 0; x < 16; x += 1) data.set(x < 8 ? [255, 0, 0] : [0, 0, 255], (y * 16 + x) * 3);
      const [vector] = await identity.images.embed([{ width: 16, height: 8, data }]);
      const expected = new Float32Array(FLAT);
      const std = [0.25, 0.5, 1];
      for (let ch = 0; ch < 3; ch += 1) {
        for (let y = 0; y < CROP; y += 1) {
          for (let x = 0; x < CROP; x += 1) {
            const rgb = x < 4 ? [255, 0, 0] : [0, 0, 255];
            expected[ch * 64 + y * 8 + x] = (rgb[ch]! / 255 - 0.5) / std[ch]!;
          }
        }
      }
      const scale = 1 / norm(expected);
      vector!.forEach((value, i) => expect(value).toBeCloseTo(expected[i]! * scale, 3));
      expect((await identity.texts.embed(['a café']))[0]).toHaveLength(FLAT);
    } finally {
      await identity.release();
    }
  });

  it('feeds int32 ids and an attention mask covering exactly start, tokens and end', async () => {
    const maskedDir = join(root, 'masked');
    await mkdir(maskedDir);
    await writeFile(join(maskedDir, 'vision_model.onnx'), visionModel(16));
    await writeFile(join(maskedDir, 'text_model.onnx'), maskedTextModel(12, 16));
    await writeFile(join(maskedDir, 'vocab.json'), JSON.stringify(VOCAB));
    await writeFile(join(maskedDir, 'merges.txt'), MERGES_TXT);
    await writeFile(join(maskedDir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 77, pad_token: '<|endoftext|>' }));
    await writeFile(join(maskedDir, 'preprocessor_config.json'), JSON.stringify({ crop_size: CROP }));
    const masked = new OnnxClipModel({ directory: maskedDir, dimensions: 16 });
    try {
      const [vector] = await masked.texts.embed(['A photo']);
      // <|startoftext|>=10, a</w>=1, photo</w>=2, <|endoftext|>=11; padding (here <|endoftext|> too) is masked out.
      const table = randomWeights(12 * 16, 13);
      const expected = Float32Array.from({ length: 16 }, (_, d) => [10, 1, 2, 11].reduce((sum, id) => sum + table[id * 16 + d]!, 0));
      const scale = 1 / norm(expected);
      vector!.forEach((value, i) => expect(value).toBeCloseTo(expected[i]! * scale, 5));
    } finally {
      await masked.release();
    }
  });

  it('fails clearly, without hanging, on a folder with no model', async () => {
    const empty = new OnnxClipModel({ directory: join(root, 'missing') });
    await expect(empty.images.embed([solid(4, 4, [0, 0, 0])])).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    const health = await empty.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('vision_model.onnx or visual.onnx');
  });
});
