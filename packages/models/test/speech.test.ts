import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeWav,
  OpenAiTranscriber,
  parsePocketsphinxOutput,
  POCKETSPHINX_DECODER_ARGS,
  PocketsphinxTranscriber,
  readSpeechAudio,
  SileroVad,
  speechChunks,
  speechSpans,
  transcribeSpeech,
  type PcmAudio,
} from '../src/speech/index.ts';
import { BackendError } from '../src/backends/errors.ts';
import { ModelError } from '../src/runtime/errors.ts';
import { isObject, sendJson, startServer, type RecordedRequest, type TestServer } from './backends-fixtures.ts';
import { silence, spokenAudio, wordRecall, words } from './speech-fixtures.ts';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const SENTENCE = 'Please open the door and turn on the light';
const LEAD = 1.5;

describe('Silero VAD', () => {
  const vad = new SileroVad();
  afterAll(() => vad.dispose());

  it('finds one span where the speech is, and none in silence', async () => {
    const audio = await spokenAudio(SENTENCE, LEAD, 1.5);
    const spans = await vad.detect(audio);
    expect(spans).toHaveLength(1);
    const speechEnd = audio.samples.length / audio.sampleRate - 1.5;
    // Start within 0.3 s of where the voice begins (the voice itself has a short lead-in).
    expect(spans[0]!.start).toBeGreaterThan(LEAD - 0.3);
    expect(spans[0]!.start).toBeLessThan(LEAD + 0.4);
    expect(spans[0]!.end).toBeGreaterThan(speechEnd - 0.5);
    expect(spans[0]!.end).toBeLessThan(speechEnd + 0.6);
    expect(await vad.detect(silence(3))).toEqual([]);
  });

  it('rejects audio at another sample rate', async () => {
    await expect(vad.detect({ sampleRate: 8000, samples: new Float32Array(8000) })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('turns probabilities into spans with hysteresis, minimum lengths and padding', () => {
    const settings = { threshold: 0.5, minSilence: 0.2, minSpeech: 0.2, pad: 0.05 };
    const p = [0, 0.9, 0.9, 0.9, 0.4, 0.9, 0, 0, 0, 0, 0.9, 0, 0, 0, 0];
    // Windows of 0.1 s: a dip to 0.4 stays speech (above 0.35); the lone window at 1.0 s is too short.
    expect(speechSpans(p, 0.1, 1.5, settings)).toEqual([{ start: 0.05, end: expect.closeTo(0.65, 6) }]);
  });

  it('groups spans into chunks without splitting close ones', () => {
    expect(speechChunks([{ start: 0, end: 2 }, { start: 2.5, end: 4 }, { start: 10, end: 11 }])).toEqual([
      { start: 0, end: 4 },
      { start: 10, end: 11 },
    ]);
    expect(speechChunks([{ start: 0, end: 60 }]).map((c) => c.end - c.start)).toEqual([28, 28, 4]);
  });
});

describe('PocketSphinx', () => {
  it('parses timed words into utterances', () => {
    const output = ['hello world', '<s> 0.000 0.100 1.0', 'hello 0.110 0.500 0.9', '<sil> 0.5 0.6 1.0', 'world(2) 0.610 1.000 0.8', '</s> 1.0 1.1 1.0', 'again', '<s> 2.0 2.1 1', 'again 2.1 2.5 1', '</s> 2.5 2.6 1'].join('\n');
    expect(parsePocketsphinxOutput(output)).toEqual([
      { start: 0.11, end: 1, text: 'hello world' },
      { start: 2.1, end: 2.5, text: 'again' },
    ]);
  });

  it('transcribes clean synthetic speech, keeping most words and their times', async () => {
    const spoken = 'The quick brown fox jumps over the lazy dog. Please open the door and turn on the light.';
    const audio = await spokenAudio(spoken, 2, 1);
    const segments = await transcribeSpeech(audio, { vad: new SileroVad(), transcriber: new PocketsphinxTranscriber() });
    const heard = segments.map((s) => s.text).join(' ');
    expect(wordRecall(spoken, heard)).toBeGreaterThanOrEqual(0.8);
    expect(segments[0]!.start).toBeGreaterThan(1.7);
    expect(segments[segments.length - 1]!.end).toBeLessThanOrEqual(audio.samples.length / audio.sampleRate);
  });

  it('runs the recogniser with its decoder settings and reads what it prints', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sphinx-args-'));
    try {
      // A stand-in recogniser: records its arguments, prints one timed word.
      const command = path.join(dir, 'recogniser.sh');
      await writeFile(command, `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/args'\nprintf 'hello\\n<s> 0.0 0.1 1\\nhello 0.1 0.5 1\\n</s> 0.5 0.6 1\\n'\n`);
      await chmod(command, 0o755);
      const segments = await new PocketsphinxTranscriber({ command }).transcribe(silence(0.5));
      const args = (await readFile(path.join(dir, 'args'), 'utf8')).trim().split('\n');
      expect(POCKETSPHINX_DECODER_ARGS.length).toBeGreaterThan(0);
      expect(args).toEqual(['-infile', expect.stringMatching(/\.wav$/u), '-time', 'yes', '-logfn', '/dev/null', ...POCKETSPHINX_DECODER_ARGS]);
      expect(segments).toEqual([{ start: 0.1, end: 0.5, text: 'hello' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with a clear error when the recogniser is missing', async () => {
    const missing = new PocketsphinxTranscriber({ command: 'pocketsphinx-that-does-not-exist' });
    await expect(missing.transcribe(silence(0.5))).rejects.toMatchObject({ code: 'model-not-found' });
  });
});

describe('reading a source audio track', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'speech-read-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('extracts 16 kHz mono from a video with sound, and null without', async () => {
    const run = promisify(execFile);
    const withSound = path.join(dir, 'with.mp4');
    const without = path.join(dir, 'without.mp4');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10:duration=2', '-f', 'lavfi', '-i', "flite=text='hello there':voice=awb", '-shortest', '-c:v', 'libx264', '-c:a', 'aac', withSound]);
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10:duration=1', '-c:v', 'libx264', without]);
    const audio = await readSpeechAudio(withSound);
    expect(audio?.sampleRate).toBe(16000);
    expect(audio!.samples.length / 16000).toBeGreaterThan(0.5);
    expect(Math.max(...audio!.samples.subarray(0, 16000).map(Math.abs))).toBeGreaterThan(0.05);
    expect(await readSpeechAudio(without)).toBeNull();
    await expect(readSpeechAudio(path.join(dir, 'missing.mp4'))).rejects.toBeInstanceOf(ModelError);
  });
});

// ---- A local server speaking OpenAI's /v1/audio/transcriptions wire format. ----

/** Parses a multipart body into its text fields and files, as the real server must. */
function multipart(request: RecordedRequest): { fields: Record<string, string[]>; files: Record<string, Buffer> } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/u.exec(String(request.headers['content-type']));
  if (!boundary) throw new Error('not multipart');
  const marker = `--${boundary[1] ?? boundary[2]}`;
  const fields: Record<string, string[]> = {};
  const files: Record<string, Buffer> = {};
  const body = request.body.toString('latin1');
  for (const part of body.split(marker).slice(1, -1)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    const content = rest.join('\r\n\r\n').replace(/\r\n$/u, '');
    const name = /name="([^"]+)"/u.exec(head!)?.[1];
    if (!name) continue;
    if (/filename="/u.test(head!)) files[name] = Buffer.from(content, 'latin1');
    else (fields[name] ??= []).push(content);
  }
  return { fields, files };
}

describe('OpenAI-compatible transcription adapter', () => {
  let server: TestServer;
  let answer: 'verbose' | 'text-only' | 'broken' = 'verbose';
  beforeAll(async () => {
    server = await startServer((request, response) => {
      if (request.method === 'GET' && request.path === '/v1/models') return sendJson(response, 200, { object: 'list', data: [{ id: 'whisper-test', object: 'model' }] });
      if (request.method !== 'POST' || request.path !== '/v1/audio/transcriptions') return sendJson(response, 404, { error: { message: 'not found' } });
      if (request.headers['authorization'] !== 'Bearer secret') return sendJson(response, 401, { error: { message: 'Incorrect API key', type: 'invalid_request_error' } });
      const { fields, files } = multipart(request);
      const file = files['file'];
      if (!file || file.subarray(0, 4).toString('latin1') !== 'RIFF' || file.subarray(8, 12).toString('latin1') !== 'WAVE') {
        return sendJson(response, 400, { error: { message: 'Invalid file format.', type: 'invalid_request_error', param: 'file' } });
      }
      if (fields['model']?.[0] !== 'whisper-test') return sendJson(response, 400, { error: { message: 'model not found', param: 'model' } });
      // The answer depends on what was sent: the duration of the WAV (16-bit mono at its stated rate).
      const rate = file.readUInt32LE(24);
      const duration = file.readUInt32LE(40) / 2 / rate;
      if (answer === 'broken') return sendJson(response, 200, { segments: [{ text: 'no times' }] });
      if (answer === 'text-only' || fields['response_format']?.[0] !== 'verbose_json') return sendJson(response, 200, { text: ` ${duration.toFixed(1)} seconds heard` });
      return sendJson(response, 200, {
        task: 'transcribe',
        language: 'english',
        duration,
        text: 'first half second half',
        segments: [
          { id: 0, seek: 0, start: 0, end: duration / 2, text: ' first half', tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0.01 },
          { id: 1, seek: 0, start: duration / 2, end: duration, text: ' second half', tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0.01 },
        ],
      });
    });
  });
  afterAll(() => server.close());

  const audio: PcmAudio = { sampleRate: 16000, samples: new Float32Array(16000 * 2) };

  it('uploads WAV with the model and reads timed segments', async () => {
    answer = 'verbose';
    const transcriber = new OpenAiTranscriber({ baseUrl: `${server.url}/v1`, model: 'whisper-test', apiKey: 'secret', language: 'en' });
    expect(await transcriber.transcribe(audio)).toEqual([
      { start: 0, end: 1, text: 'first half' },
      { start: 1, end: 2, text: 'second half' },
    ]);
    const sent = multipart(server.requests[server.requests.length - 1]!);
    expect(sent.fields['language']).toEqual(['en']);
    expect(sent.fields['timestamp_granularities[]']).toEqual(['segment']);
    expect((await transcriber.health()).ok).toBe(true);
  });

  it('takes a plain { text } answer as one segment over the audio', async () => {
    answer = 'text-only';
    const transcriber = new OpenAiTranscriber({ baseUrl: `${server.url}/v1`, model: 'whisper-test', apiKey: 'secret' });
    expect(await transcriber.transcribe(audio)).toEqual([{ start: 0, end: 2, text: '2.0 seconds heard' }]);
  });

  it('reports a malformed answer, a refused key and an unknown model as backend errors', async () => {
    answer = 'broken';
    const transcriber = new OpenAiTranscriber({ baseUrl: `${server.url}/v1`, model: 'whisper-test', apiKey: 'secret', maxRetries: 0 });
    await expect(transcriber.transcribe(audio)).rejects.toMatchObject({ code: 'BACKEND_BAD_RESPONSE' });
    const wrongKey = new OpenAiTranscriber({ baseUrl: `${server.url}/v1`, model: 'whisper-test', apiKey: 'nope', maxRetries: 0 });
    await expect(wrongKey.transcribe(audio)).rejects.toMatchObject({ code: 'BACKEND_REJECTED', status: 401 });
    const unknown = new OpenAiTranscriber({ baseUrl: `${server.url}/v1`, model: 'other', apiKey: 'secret', maxRetries: 0 });
    await expect(unknown.transcribe(audio)).rejects.toBeInstanceOf(BackendError);
    expect((await unknown.health()).ok).toBe(false);
  });

  it('is used through the same pipeline as the built-in recogniser, with times offset to the source', async () => {
    answer = 'verbose';
    const spoken = await spokenAudio(SENTENCE, 3, 1);
    const transcriber = new OpenAiTranscriber({ baseUrl: `${server.url}/v1`, model: 'whisper-test', apiKey: 'secret' });
    const segments = await transcribeSpeech(spoken, { vad: new SileroVad(), transcriber });
    expect(segments.map((s) => s.text)).toEqual(['first half', 'second half']);
    expect(segments[0]!.start).toBeGreaterThan(2.6);
    expect(words(segments.map((s) => s.text).join(' '))).toHaveLength(4);
  });
});

it('writes a valid 16-bit WAV header', () => {
  const wav = Buffer.from(encodeWav({ sampleRate: 16000, samples: Float32Array.from([0, 1, -1]) }));
  expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
  expect(wav.readUInt32LE(40)).toBe(6);
  expect([wav.readInt16LE(44), wav.readInt16LE(46), wav.readInt16LE(48)]).toEqual([0, 32767, -32767]);
});
