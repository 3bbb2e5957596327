import { spawn } from 'node:child_process';
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
 * Reads at most `maxSeconds` so a long source cannot exhaust memory.
 */
export async function readSpeechAudio(path: string, options: { ffmpegPath?: string; maxSeconds?: number; signal?: AbortSignal } = {}): Promise<PcmAudio | null> {
  const args = ['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0?', '-vn', '-ac', '1', '-ar', String(SPEECH_SAMPLE_RATE)];
  if (options.maxSeconds !== undefined) args.push('-t', String(options.maxSeconds));
  args.push('-f', 'f32le', 'pipe:1');
  const chunks: Buffer[] = [];
  let stderr = '';
  let noAudio = false;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.on('error', (cause) => reject(new ModelError('inference-failed', `ffmpeg: ${cause.message}`, { cause })));
    child.on('close', (code) => {
      // "-map 0:a:0?" maps nothing when there is no audio stream, and ffmpeg then refuses to write an empty output.
      noAudio = code !== 0 && /does not contain any stream/u.test(stderr);
      return code === 0 || noAudio ? resolve() : reject(new ModelError('invalid-input', `ffmpeg could not read the audio: ${stderr.trim() || `exit ${code}`}`));
    });
  });
  if (noAudio) return null;
  const bytes = Buffer.concat(chunks);
  if (bytes.length < 4) return null;
  const samples = new Float32Array(bytes.length >> 2);
  for (let i = 0; i < samples.length; i += 1) samples[i] = bytes.readFloatLE(i * 4);
  return { sampleRate: SPEECH_SAMPLE_RATE, samples };
}
