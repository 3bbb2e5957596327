import { sliceAudio } from './audio.ts';
import type { PcmAudio, SpeechTranscriber, TimeSpan, TranscriptSegment, VoiceActivityDetector } from './types.ts';

/** Speech spans closer than this are sent together, so a sentence broken by a breath stays whole. */
const JOIN_GAP_SECONDS = 1;
/** Longest stretch sent to a transcriber in one go (Whisper's window is 30 s). */
const MAX_CHUNK_SECONDS = 28;

/** Groups speech spans into chunks of at most MAX_CHUNK_SECONDS, joining spans less than JOIN_GAP_SECONDS apart. */
export function speechChunks(spans: readonly TimeSpan[]): TimeSpan[] {
  const chunks: TimeSpan[] = [];
  for (const span of spans) {
    // A single span longer than the limit is cut into pieces.
    for (let start = span.start; start < span.end; start += MAX_CHUNK_SECONDS) {
      const piece = { start, end: Math.min(span.end, start + MAX_CHUNK_SECONDS) };
      const last = chunks[chunks.length - 1];
      if (last && piece.start - last.end < JOIN_GAP_SECONDS && piece.end - last.start <= MAX_CHUNK_SECONDS) chunks[chunks.length - 1] = { start: last.start, end: piece.end };
      else chunks.push(piece);
    }
  }
  return chunks;
}

export interface SpeechPipeline {
  readonly vad: VoiceActivityDetector;
  readonly transcriber: SpeechTranscriber;
}

/**
 * What is said in `audio`, as timestamped segments (seconds from the start of `audio`): voice
 * activity first, so silence and music are never sent to the recogniser, then one transcription
 * per chunk of speech.
 */
export async function transcribeSpeech(audio: PcmAudio, pipeline: SpeechPipeline, signal?: AbortSignal): Promise<TranscriptSegment[]> {
  const segments: TranscriptSegment[] = [];
  for (const chunk of speechChunks(await pipeline.vad.detect(audio))) {
    signal?.throwIfAborted();
    const pieces = await pipeline.transcriber.transcribe(sliceAudio(audio, chunk.start, chunk.end), signal);
    for (const piece of pieces) {
      const text = piece.text.replace(/\s+/gu, ' ').trim();
      if (!text) continue;
      segments.push({ start: chunk.start + piece.start, end: Math.min(chunk.end, chunk.start + Math.max(piece.start, piece.end)), text });
    }
  }
  return segments;
}
