import { MediaError, readPcmAudio, type MediaTools } from '@cmvc/media-io';
import { ModelError } from '../runtime/errors.ts';
import type { PcmAudio } from './types.ts';

/** Speech models here (Silero VAD, PocketSphinx en-us, Whisper) all take 16 kHz mono. */
export const SPEECH_SAMPLE_RATE = 16_000;

export function assertPcmAudio(audio: PcmAudio): void {
  if (!audio || !(audio.samples instanceof Float32Array)) throw new ModelError('invalid-input', 'audio.samples must be a Float32Array');
  if (audio.sampleRate !== SPEECH_SAMPLE_RATE) {
    throw new ModelError('invalid-input', `audio must be sampled at ${SPEECH_SAMPLE_RATE} Hz (got ${audio.sampleRate})`);
  }
}

/** The part of `audio` between two times (seconds), clamped to it. */
export function sliceAudio(audio: PcmAudio, start: number, end: number): PcmAudio {
  const from = Math.max(0, Math.floor(start * audio.sampleRate));
  const to = Math.min(audio.samples.length, Math.ceil(end * audio.sampleRate));
  return { sampleRate: audio.sampleRate, samples: audio.samples.subarray(from, Math.max(from, to)) };
}

/** 16-bit PCM WAV, the format every speech-to-text server and PocketSphinx accept. */
export function encodeWav(audio: PcmAudio): Uint8Array<ArrayBuffer> {
  const { samples, sampleRate } = audio;
  const buffer = Buffer.alloc(44 + samples.length * 2) as Buffer<ArrayBuffer>;
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + samples.length * 2, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i += 1) {
    const value = Math.max(-1, Math.min(1, samples[i]!));
    buffer.writeInt16LE(Math.round(value * 32767), 44 + i * 2);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * The first audio stream of a media file as 16 kHz mono PCM, or null when the file has none.
 * Reads at most `maxSeconds` so a long source cannot exhaust memory. `tools`: ffmpeg and ffprobe on PATH by default.
 */
export async function readSpeechAudio(path: string, options: { tools?: MediaTools; maxSeconds?: number; signal?: AbortSignal } = {}): Promise<PcmAudio | null> {
  const samples = await readPcmAudio(path, {
    sampleRate: SPEECH_SAMPLE_RATE,
    ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
  }).catch((cause: unknown) => {
    if (!(cause instanceof MediaError)) throw cause;
    // A MediaError with ffmpeg's diagnostics is a file it could not read; without them ffmpeg did not run.
    throw cause.stderr === undefined
      ? new ModelError('inference-failed', `ffmpeg: ${cause.message}`, { cause })
      : new ModelError('invalid-input', `ffmpeg could not read the audio: ${cause.stderr || cause.message}`);
  });
  return samples ? { sampleRate: SPEECH_SAMPLE_RATE, samples } : null;
}
