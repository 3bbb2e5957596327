import { BackendError } from '../backends/errors.ts';
import { HttpBackendClient, isRecord, type HttpBackendOptions } from '../backends/http.ts';
import { openAiModelHealth } from '../backends/openai-common.ts';
import type { BackendHealth, HealthCheckable } from '../backends/types.ts';
import { assertPcmAudio, encodeWav } from './audio.ts';
import type { PcmAudio, SpeechTranscriber, TranscriptSegment } from './types.ts';

export interface OpenAiTranscriberOptions extends HttpBackendOptions {
  /** e.g. "whisper-1", "Systran/faster-whisper-small", "ggml-base.en". */
  readonly model: string;
  /** ISO-639-1 code passed as `language`; left out, the server detects it. */
  readonly language?: string;
}

/**
 * SpeechTranscriber over an OpenAI-compatible `POST {baseUrl}/audio/transcriptions` (OpenAI,
 * faster-whisper-server / speaches, whisper.cpp server, LocalAI): a WAV upload, asking for
 * `verbose_json` so segments carry times. A server that answers only `{ text }` gives one segment
 * spanning the audio.
 */
export class OpenAiTranscriber implements SpeechTranscriber, HealthCheckable {
  readonly id: string;
  readonly #client: HttpBackendClient;
  readonly #model: string;
  readonly #language: string | undefined;

  constructor(options: OpenAiTranscriberOptions) {
    if (!options.model) throw new BackendError('BACKEND_CONFIG', 'openai-transcriptions', 'model is required');
    this.id = `openai-transcriptions:${options.model}`;
    this.#model = options.model;
    this.#language = options.language;
    this.#client = new HttpBackendClient(this.id, { timeoutMs: 300_000, ...options });
  }

  async transcribe(audio: PcmAudio, signal?: AbortSignal): Promise<TranscriptSegment[]> {
    assertPcmAudio(audio);
    if (audio.samples.length === 0) return [];
    const duration = audio.samples.length / audio.sampleRate;
    const form = new FormData();
    form.append('file', new Blob([encodeWav(audio)], { type: 'audio/wav' }), 'speech.wav');
    form.append('model', this.#model);
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'segment');
    if (this.#language) form.append('language', this.#language);
    const body = await this.#client.json('/audio/transcriptions', { form, ...(signal ? { signal } : {}) });
    return this.#segments(body, duration);
  }

  health(): Promise<BackendHealth> {
    return openAiModelHealth(this.#client, this.#model);
  }

  #segments(body: unknown, duration: number): TranscriptSegment[] {
    if (!isRecord(body)) throw new BackendError('BACKEND_BAD_RESPONSE', this.id, 'the answer is not a JSON object');
    if (Array.isArray(body['segments'])) {
      return body['segments'].flatMap((segment, index): TranscriptSegment[] => {
        if (!isRecord(segment) || typeof segment['text'] !== 'string' || typeof segment['start'] !== 'number' || typeof segment['end'] !== 'number') {
          throw new BackendError('BACKEND_BAD_RESPONSE', this.id, `segment ${index} lacks text, start or end`);
        }
        const text = segment['text'].trim();
        const start = Math.max(0, Math.min(duration, segment['start']));
        const end = Math.max(start, Math.min(duration, segment['end']));
        return text ? [{ start, end, text }] : [];
      });
    }
    if (typeof body['text'] !== 'string') throw new BackendError('BACKEND_BAD_RESPONSE', this.id, 'the answer has neither segments nor text');
    const text = body['text'].trim();
    return text ? [{ start: 0, end: duration, text }] : [];
  }
}
