/**
 * Writes one golden vector for the encoder's current format version: `node --import tsx
 * packages/codec/test/golden/make-golden.ts`. Vectors of other versions in vectors.json are kept,
 * so an old format's vector, once committed, stays the reference for that version.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTechnicalDescriber } from '../../src/analyzers/technical-describer.ts';
import { parseBitstream } from '../../src/bitstream/container.ts';
import { renderFrames } from '../../src/decoder.ts';
import { encodeVideo } from '../../src/encoder.ts';
import { GOLDEN_DIR, GOLDEN_SOURCE, goldenVectors, sha256, type GoldenVector } from './golden.ts';
import { mediaIo } from '@cmvc/media-io';

const media = mediaIo();

const work = mkdtempSync(join(tmpdir(), 'cmvc-golden-'));
try {
  const source = join(work, 'source.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', GOLDEN_SOURCE, '-c:v', 'ffv1', source]);
  const encoded = await encodeVideo(media.videoFile(source), { layerCodec: media.av1LayerCodec, keyframes: 3, strategy: 'uniform' }, { describer: createTechnicalDescriber() });
  const parsed = parseBitstream(encoded.bitstream);
  const frameSha256: string[] = [];
  for await (const frame of renderFrames(parsed.representation, { mode: 'it2v', layerCodec: media.av1LayerCodec })) frameSha256.push(sha256(frame.data));
  const file = `v${parsed.version}.cmvc`;
  writeFileSync(join(GOLDEN_DIR, file), encoded.bitstream);
  const vector: GoldenVector = { version: parsed.version, file, streamSha256: sha256(encoded.bitstream), frameCount: frameSha256.length, frameSha256 };
  let existing: GoldenVector[] = [];
  try {
    existing = goldenVectors();
  } catch {
    existing = [];
  }
  const vectors = [...existing.filter((v) => v.version !== vector.version), vector].sort((a, b) => a.version - b.version);
  writeFileSync(join(GOLDEN_DIR, 'vectors.json'), `${JSON.stringify(vectors, null, 2)}\n`);
  console.log(`wrote ${file}: ${encoded.bitstream.length} bytes, ${frameSha256.length} frames`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
