/**
 * Golden vectors: committed .cmvc streams with the SHA-256 of every frame IT2V renders from them.
 * `make-golden.ts` writes them; `golden.test.ts` checks that today's decoder still reads them and
 * renders exactly the same pixels.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDEN_DIR = new URL('.', import.meta.url).pathname;

/** The lavfi clip every golden vector is encoded from (small, so the vectors stay a few KiB). */
export const GOLDEN_SOURCE = 'testsrc2=size=96x64:rate=12:duration=2';

export interface GoldenVector {
  readonly version: number;
  readonly file: string;
  readonly streamSha256: string;
  readonly frameCount: number;
  readonly frameSha256: readonly string[];
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function goldenVectors(): GoldenVector[] {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, 'vectors.json'), 'utf8')) as GoldenVector[];
}

export function goldenStream(vector: GoldenVector): Uint8Array {
  return new Uint8Array(readFileSync(join(GOLDEN_DIR, vector.file)));
}
