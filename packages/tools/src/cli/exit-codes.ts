import { BitstreamError, CodecError, EXIT } from '@cmvc/codec';
import { MediaError } from '@cmvc/media-io';

export { EXIT };

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
