import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBitstream, withoutKeyframeImages, writeBitstream } from '../src/bitstream/container.ts';
import { decodeBitstream } from '../src/decoder.ts';
import { CodecError } from '../src/errors.ts';
import { syntheticRepresentation } from './fixtures.ts';
import { mediaIo } from '@cmvc/media-io';

const media = mediaIo();

describe('text-only streams (archive tiering)', () => {
  it('keep frame indices, texts, cameras and weights, drop the images, and round-trip', () => {
    const rep = syntheticRepresentation();
    const full = writeBitstream(rep).bytes;
    const textOnly = writeBitstream(withoutKeyframeImages(parseBitstream(full).representation)).bytes;
    const imageBytes = rep.keyframes.reduce((sum, keyframe) => sum + keyframe.image.length, 0);
    expect(full.length - textOnly.length).toBeGreaterThanOrEqual(imageBytes);

    const parsed = parseBitstream(textOnly).representation;
    expect(parsed.keyframes.map((keyframe) => [keyframe.frameIndex, keyframe.format, keyframe.image.length, keyframe.content])).toEqual(
      rep.keyframes.map((keyframe) => [keyframe.frameIndex, 'none', 0, keyframe.content]),
    );
    expect(parsed.clips.map((clip) => [clip.motion, clip.camera])).toEqual(rep.clips.map((clip) => [clip.motion, clip.camera]));
    expect([...parsed.weights!.values]).toEqual([...rep.weights!.values]);
  });

  it('refuses an IT2V decode with a clear typed error', async () => {
    const textOnly = writeBitstream(withoutKeyframeImages(syntheticRepresentation())).bytes;
    const directory = await mkdtemp(join(tmpdir(), 'cmvc-tiering-'));
    try {
      const attempt = decodeBitstream(textOnly, { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(join(directory, 'out.mp4')) });
      await expect(attempt).rejects.toBeInstanceOf(CodecError);
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('TT2V') });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
