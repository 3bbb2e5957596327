/**
 * Speech in, SPEECH captions out: a clip whose sound track says a sentence (ffmpeg's flite voice
 * muxed with a lavfi picture) is encoded by a real worker; the transcript is stored with its
 * times, found by search, listed on the video and exported as WebVTT.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../support/media.ts';
import { startStack, waitForVideo, type Stack } from '../support/stack.ts';

const run = promisify(execFile);
const SENTENCE = 'the weather today is sunny and warm';
const SPEECH_STARTS = 2;

let stack: Stack;
const ids: { speaking?: string; silent?: string } = {};

async function ingest(path: string): Promise<string> {
  const response = await stack.graphql<{ ingestVideos: { video: { id: string } | null; error: { message: string } | null }[] }>(
    'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } error { message } } }',
    { inputs: [{ path }] },
  );
  const [item] = response.data!.ingestVideos;
  if (!item?.video) throw new Error(item?.error?.message ?? 'ingest failed');
  return item.video.id;
}

beforeAll(async () => {
  stack = await startStack();
  stack.startWorker({ WORKER_NAME: 'speech' });
  const speaking = join(stack.ingestRoot, 'speaking.mp4');
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15:duration=7',
    '-f', 'lavfi', '-i', `flite=text='${SENTENCE}':voice=awb`,
    '-filter_complex', `[1:a]adelay=${SPEECH_STARTS * 1000},apad=whole_dur=7[a]`,
    '-map', '0:v', '-map', '[a]', '-t', '7',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k',
    speaking,
  ]);
  const silent = join(stack.ingestRoot, 'silent.mp4');
  await makeClip(silent, { source: 'testsrc=size=320x240:rate=15', seconds: 2 });
  ids.speaking = await ingest(speaking);
  ids.silent = await ingest(silent);
  for (const id of [ids.speaking, ids.silent]) expect(await waitForVideo(stack, id, 300_000)).toEqual({ status: 'READY', error: null });
}, 400_000);

afterAll(async () => {
  await stack?.stop();
});

describe('speech captions', () => {
  it('transcribes the sound track with times, and finds nothing to say in a silent video', async () => {
    const response = await stack.graphql<{ speaking: { speech: { startSeconds: number; endSeconds: number; text: string }[]; captionsUrl: string }; silent: { speech: unknown[] } }>(
      'query($a: ID!, $b: ID!) { speaking: video(id: $a) { speech { startSeconds endSeconds text } captionsUrl } silent: video(id: $b) { speech { text } } }',
      { a: ids.speaking, b: ids.silent },
    );
    const { speaking, silent } = response.data!;
    expect(silent.speech).toEqual([]);
    const said = speaking.speech.map((segment) => segment.text).join(' ');
    const words = SENTENCE.split(' ');
    expect(words.filter((word) => said.split(' ').includes(word)).length / words.length).toBeGreaterThanOrEqual(0.8);
    expect(speaking.speech[0]!.startSeconds).toBeGreaterThan(SPEECH_STARTS - 0.4);
    expect(speaking.speech[0]!.startSeconds).toBeLessThan(SPEECH_STARTS + 1);
    expect(speaking.speech.at(-1)!.endSeconds).toBeLessThanOrEqual(7);
  });

  it('finds the moment by what was said', async () => {
    const response = await stack.graphql<{ search: { edges: { node: { startSeconds: number; similarity: number; caption: { kind: string }; video: { id: string } } }[] } }>(
      '{ search(query: "is it sunny and warm today", first: 3) { edges { node { startSeconds similarity caption { kind } video { id } } } } }',
    );
    const [top] = response.data!.search.edges.map((edge) => edge.node);
    expect(top).toMatchObject({ caption: { kind: 'SPEECH' }, video: { id: ids.speaking } });
    expect(top!.startSeconds).toBeGreaterThan(SPEECH_STARTS - 0.4);
    expect(top!.similarity).toBeGreaterThan(0);
    expect(top!.similarity).toBeLessThanOrEqual(1);
  });

  it('exports every caption as WebVTT, speech at its time', async () => {
    const response = await fetch(`${stack.apiUrl}/media/captions/${ids.speaking}.vtt`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/vtt/);
    const vtt = await response.text();
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    const speech = /speech-\d+\n(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)/u.exec(vtt);
    expect(speech).not.toBeNull();
    const seconds = (stamp: string): number => stamp.split(':').reduce((total, part) => total * 60 + Number(part), 0);
    expect(seconds(speech![1]!)).toBeGreaterThan(SPEECH_STARTS - 0.4);
    expect(seconds(speech![2]!)).toBeGreaterThan(seconds(speech![1]!));
    expect(speech![3]).toMatch(/sunny/);
    expect(vtt).toMatch(/<v Scene>/);
    expect(vtt).toMatch(/<v Motion>camera/);
    expect((await fetch(`${stack.apiUrl}/media/captions/00000000-0000-4000-8000-000000000000.vtt`)).status).toBe(404);
    expect((await fetch(`${stack.apiUrl}/media/captions/not-a-video.vtt`)).status).toBe(400);
  });
});
