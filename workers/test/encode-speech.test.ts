/**
 * The encode's transcript starts once the keyframe layer is coded: PocketSphinx (~110 MiB) is not
 * in memory beside the layer's SVT-AV1 encoders (docs/BENCHMARKS.md, issue 15's memory target).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTechnicalDescriber } from '@cmvc/codec';
import { loadConfig } from '@cmvc/config';
import { analyseSource } from '@cmvc/core';
import { mediaIo } from '@cmvc/media-io';
import { SileroVad } from '@cmvc/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechPipeline } from '../src/analyzers.ts';

const run = promisify(execFile);
let scratch: string;
let clip: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cmvc-encode-speech-'));
  clip = join(scratch, 'clip.mp4');
  await run('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
    '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'aac', '-shortest', clip,
  ]);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('analyseSource', () => {
  it('starts the transcript after the last keyframe-layer progress, with the weights pass', async () => {
    const base = loadConfig({ DATABASE_URL: 'postgresql://test@127.0.0.1/unused' });
    const config = { ...base, encode: { ...base.encode, strategy: 'mse' as const } };
    const io = mediaIo(config.ffmpeg);
    const pipeline = speechPipeline(config.speech)!;
    // Every progress stage, and the moment the voice detector (the transcript's first step) is asked.
    const events: string[] = [];
    const vad = pipeline.vad;
    const recordingVad = { id: vad.id, detect: (audio: Parameters<typeof vad.detect>[0]) => (events.push('speech'), vad.detect(audio)) };
    try {
      const analysed = await analyseSource(
        clip,
        await io.probe(clip),
        { config, mediaIo: io, analyzers: { describer: createTechnicalDescriber() }, embedder: null, speech: { ...pipeline, vad: recordingVad } },
        (event) => events.push(event.stage),
      );
      expect(analysed.result.representation.keyframes.length).toBeGreaterThan(0);
      const speechAt = events.indexOf('speech');
      expect(speechAt).toBeGreaterThan(events.lastIndexOf('keyframes'));
      expect(events.lastIndexOf('keyframes')).toBeGreaterThan(-1);
      expect(events.indexOf('weights')).toBeLessThan(speechAt);
      expect(events.filter((stage) => stage === 'speech')).toHaveLength(1);
    } finally {
      if (vad instanceof SileroVad) await vad.dispose();
    }
  });
});
