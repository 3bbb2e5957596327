import { describe, expect, it } from 'vitest';
import { parseBitstream } from '../../src/bitstream/container.ts';
import { FORMAT_VERSION } from '../../src/bitstream/format.ts';
import { renderFrames } from '../../src/decoder.ts';
import { goldenStream, goldenVectors, sha256 } from './golden.ts';
import { mediaIo } from '@cmvc/media-io';

const media = mediaIo();

describe('golden vectors', () => {
  const vectors = goldenVectors();

  it('cover format version 1 and the current version', () => {
    expect(vectors.map((vector) => vector.version)).toEqual(expect.arrayContaining([1, FORMAT_VERSION]));
  });

  for (const vector of vectors) {
    it(`version ${vector.version}: the committed stream parses and IT2V renders exactly the recorded frames`, async () => {
      const bytes = goldenStream(vector);
      expect(sha256(bytes)).toBe(vector.streamSha256);
      const parsed = parseBitstream(bytes);
      expect(parsed.version).toBe(vector.version);
      const hashes: string[] = [];
      for await (const frame of renderFrames(parsed.representation, { mode: 'it2v', layerCodec: media.av1LayerCodec })) hashes.push(sha256(frame.data));
      expect(hashes).toEqual(vector.frameSha256);
    });
  }
});
