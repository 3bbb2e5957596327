// Speech made on the spot: ffmpeg's flite voice (libflite, built into Debian's ffmpeg), silence around it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SPEECH_SAMPLE_RATE, type PcmAudio } from '../src/speech/index.ts';

const run = promisify(execFile);

/** `text` spoken by flite's "awb" voice, preceded by `leadSeconds` and followed by `tailSeconds` of silence, 16 kHz mono. */
export async function spokenAudio(text: string, leadSeconds = 1, tailSeconds = 1): Promise<PcmAudio> {
  const quoted = text.replace(/[':\\]/gu, '');
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v', 'error',
      '-f', 'lavfi', '-i', `flite=text='${quoted}':voice=awb`,
      '-af', `aresample=${SPEECH_SAMPLE_RATE},adelay=${Math.round(leadSeconds * 1000)},apad=pad_dur=${tailSeconds}`,
      '-ac', '1', '-ar', String(SPEECH_SAMPLE_RATE), '-f', 'f32le', 'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const samples = new Float32Array(stdout.length >> 2);
  for (let i = 0; i < samples.length; i += 1) samples[i] = stdout.readFloatLE(i * 4);
  return { sampleRate: SPEECH_SAMPLE_RATE, samples };
}

export function silence(seconds: number): PcmAudio {
  return { sampleRate: SPEECH_SAMPLE_RATE, samples: new Float32Array(Math.round(seconds * SPEECH_SAMPLE_RATE)) };
}

/** Lower-case words, punctuation dropped. */
export function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z' ]+/gu, ' ').split(/\s+/u).filter(Boolean);
}

/** Share of `spoken` words found in `heard`, each heard word used once. */
export function wordRecall(spoken: string, heard: string): number {
  const pool = words(heard);
  let found = 0;
  for (const word of words(spoken)) {
    const index = pool.indexOf(word);
    if (index >= 0) {
      found += 1;
      pool.splice(index, 1);
    }
  }
  return found / Math.max(1, words(spoken).length);
}
