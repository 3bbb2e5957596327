import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { BitstreamError } from '../src/bitstream/errors.ts';
import type { CmvcRepresentation } from '../src/bitstream/types.ts';
import type { ImageFeatureExtractor, RgbFrame } from '../src/contracts.ts';
import type { LayerTarget } from '../src/keyframes/segments.ts';
import { seededRandom } from '../src/keyframes/plan.ts';

// Clips and temporary folders are made the same way for the media I/O tests and the codec's.
export { ffprobeStream, lavfi, tempDir } from '../../media-io/test/fixtures.ts';

/** A moving picture with a sound track (a tone stands in for speech), coded losslessly. */
export function clipWithSound(output: string, seconds: number): string {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=12:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'ffv1', '-c:a', 'flac', '-shortest', output,
  ]);
  return output;
}

/** A small but complete representation with random image bytes, for container tests. */
export function syntheticRepresentation(seed = 1, frameCount = 48, keyframeIndices = [0, 17, 47]): CmvcRepresentation {
  const random = seededRandom(seed);
  const bytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(random() * 256));
  const fps = { num: 24, den: 1 };
  const keyframes = keyframeIndices.map((frameIndex, i) => ({
    frameIndex,
    time: frameIndex / 24,
    format: 'avif' as const,
    width: 160,
    height: 90,
    image: bytes(40 + i * 7),
    content: `A person in a red jacket is walking along the street, keyframe ${i}.`,
    contentSemantic: Uint8Array.of(1, i, 3),
  }));
  const clips = keyframeIndices.slice(1).map((endFrame, j) => ({
    index: j,
    startFrame: keyframeIndices[j] ?? 0,
    endFrame,
    startTime: (keyframeIndices[j] ?? 0) / 24,
    endTime: endFrame / 24,
    motion: `The camera pans left slowly while the person walks, clip ${j}.`,
    motionSemantic: Uint8Array.of(2, j),
    camera: { kind: 'pan' as const, dx: -0.125, dy: 0.01, zoom: 1 },
  }));
  const pairs = frameCount - keyframeIndices.length;
  return {
    header: { sourceWidth: 320, sourceHeight: 180, fps, frameCount, durationSeconds: frameCount / 24, workingWidth: 320, workingHeight: 180 },
    keyframes,
    clips,
    weights: { levels: 64, values: Uint8Array.from({ length: 2 * pairs }, (_, i) => Math.floor((i / 2 / pairs) * 63)) },
    semanticCodecs: { content: 'test-semantic-v1', motion: 'test-semantic-v1' },
  };
}

/** `rep` with a motion side channel on an 8×5 grid: sparse random vectors, a field for two frames in three. */
export function withSyntheticMotion(rep: CmvcRepresentation, seed = 3): CmvcRepresentation {
  const random = seededRandom(seed);
  const pairs = rep.header.frameCount - rep.keyframes.length;
  const columns = 8;
  const rows = 5;
  const fieldIndex = new Int32Array(pairs).fill(-1);
  let fields = 0;
  for (let pair = 0; pair < pairs; pair += 1) if (pair % 3 !== 1) fieldIndex[pair] = fields++;
  const vectors = Int16Array.from({ length: fields * columns * rows * 4 }, () => (random() < 0.7 ? 0 : Math.round((random() - 0.5) * 40)));
  return { ...rep, motionSideChannel: { columns, rows, unitsPerPixel: 2, fieldIndex, vectors } };
}

/** Deterministic colour-layout features (mean RGB of a 4×4 grid, L2-normalised): a stand-in image feature extractor. */
export function colourLayoutExtractor(): ImageFeatureExtractor {
  const grid = 4;
  return {
    id: 'test-colour-layout-48',
    dimensions: grid * grid * 3,
    async embed(frames: readonly RgbFrame[]) {
      return frames.map((frame) => {
        const sums = new Float32Array(grid * grid * 3);
        for (let y = 0; y < frame.height; y += 1) {
          const gy = Math.min(grid - 1, Math.floor((y * grid) / frame.height));
          for (let x = 0; x < frame.width; x += 1) {
            const cell = (gy * grid + Math.min(grid - 1, Math.floor((x * grid) / frame.width))) * 3;
            const o = (y * frame.width + x) * 3;
            for (let c = 0; c < 3; c += 1) sums[cell + c] = (sums[cell + c] ?? 0) + (frame.data[o + c] ?? 0);
          }
        }
        const norm = Math.hypot(...sums) || 1;
        return sums.map((value) => value / norm);
      });
    },
  };
}

/** Runs `run` and expects it to throw a BitstreamError with `code`. */
export const expectCode = (run: () => unknown, code: string): void => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BitstreamError);
    expect((error as BitstreamError).code).toBe(code);
    return;
  }
  throw new Error(`expected BitstreamError ${code}`);
};

/** A keyframe layer with no frames beyond the described keyframes (every other frame interpolated), whatever the content. */
export const SPARSE_LAYER: LayerTarget = { interpolationPsnr: 0, crf: 40, crfPerDoubling: 0, maxSpacingSeconds: 1000 };
