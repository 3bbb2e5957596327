import { BitstreamError } from '../bitstream/errors.ts';
import { CodecError } from '../errors.ts';
import { MediaError } from '../io/errors.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2, badInput: 3, backendUnavailable: 4 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof BitstreamError) return EXIT.badInput;
  if (error instanceof MediaError) return error.code === 'FFMPEG_UNAVAILABLE' ? EXIT.backendUnavailable : EXIT.badInput;
  if (error instanceof CodecError) {
    if (error.code === 'GENERATOR_UNAVAILABLE' || error.code === 'SEMANTIC_CODEC_UNAVAILABLE') return EXIT.backendUnavailable;
    if (error.code === 'INVALID_OPTIONS') return EXIT.usage;
    return EXIT.failure;
  }
  return EXIT.failure;
}
