import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelError } from '../runtime/errors.ts';
import { assertPcmAudio, encodeWav } from './audio.ts';
import type { PcmAudio, SpeechTranscriber, TranscriptSegment } from './types.ts';

export interface PocketsphinxOptions {
  /** Default "pocketsphinx_continuous" on PATH (Debian package `pocketsphinx`, model `pocketsphinx-en-us`). */
  readonly command?: string;
}

/** One recognised word with its times, as `pocketsphinx_continuous -time yes` prints it. */
interface TimedWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Decoder settings beyond the model's defaults, chosen for CPU and word recall on flite and espeak-ng
 * sentences (docs/BENCHMARKS.md, branch issue-15sp). `-fwdflat no` drops the second, flat-lexicon
 * pass, which cost CPU and, on that speech, kept fewer words than the tree pass's lattice alone;
 * `-maxhmmpf 10000` caps the tree search's active HMMs per frame (default 30000), trimming its
 * busiest frames (about 10,000 on average on espeak-ng speech) with words within one of the flat-less pass alone.
 */
export const POCKETSPHINX_DECODER_ARGS: readonly string[] = ['-fwdflat', 'no', '-maxhmmpf', '10000'];

/** Fillers and markers PocketSphinx prints between words; not speech. */
const NON_WORDS = /^(<s>|<\/s>|<sil>|\[noise\]|\[speech\]|\+\+.*\+\+)$/iu;

/**
 * Parses `pocketsphinx_continuous -time yes` output: each utterance is a line of text followed by
 * `word start end confidence` lines between `<s>` and `</s>`. Alternate pronunciations ("the(2)")
 * lose their suffix.
 */
export function parsePocketsphinxOutput(output: string): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  let words: TimedWord[] = [];
  const flush = (): void => {
    if (words.length > 0) {
      segments.push({ start: words[0]!.start, end: words[words.length - 1]!.end, text: words.map((w) => w.word).join(' ') });
    }
    words = [];
  };
  for (const line of output.split('\n')) {
    const match = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/u.exec(line.trim());
    if (!match) continue;
    const token = match[1]!;
    if (token === '</s>') {
      flush();
      continue;
    }
    if (NON_WORDS.test(token)) continue;
    words.push({ word: token.replace(/\(\d+\)$/u, ''), start: Number(match[2]), end: Number(match[3]) });
  }
  flush();
  return segments;
}

/** Speech to text with Debian's PocketSphinx (US English acoustic and language model), on the CPU. */
export class PocketsphinxTranscriber implements SpeechTranscriber {
  readonly id = 'pocketsphinx:en-us';
  readonly #command: string;

  constructor(options: PocketsphinxOptions = {}) {
    this.#command = options.command ?? 'pocketsphinx_continuous';
  }

  async transcribe(audio: PcmAudio, signal?: AbortSignal): Promise<TranscriptSegment[]> {
    assertPcmAudio(audio);
    if (audio.samples.length === 0) return [];
    const dir = await mkdtemp(path.join(tmpdir(), 'cmvc-sphinx-'));
    try {
      const wav = path.join(dir, 'speech.wav');
      await writeFile(wav, encodeWav(audio));
      const output = await run(this.#command, ['-infile', wav, '-time', 'yes', '-logfn', '/dev/null', ...POCKETSPHINX_DECODER_ARGS], signal);
      return parsePocketsphinxOutput(output);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function run(command: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.on('error', (cause: NodeJS.ErrnoException) =>
      reject(
        cause.code === 'ENOENT'
          ? new ModelError('model-not-found', `${command} is not installed (Debian packages pocketsphinx and pocketsphinx-en-us)`, { cause })
          : new ModelError('inference-failed', `${command}: ${cause.message}`, { cause }),
      ),
    );
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new ModelError('inference-failed', `${command} exited with ${code}: ${stderr.trim()}`))));
  });
}
