/**
 * Regeneration on demand: requestRendition enqueues a render job (deduplicated), the worker decodes
 * the stored bitstream (IT2V with the built-in interpolator, TT2V with the retrieval generator),
 * progress arrives over graphql-ws subscriptions fed by Redis pub/sub, and the player gets the
 * result over HTTP with range requests.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../support/media.ts';
import { MemoryEvents } from '../support/memory-ports.ts';
import { readdir } from 'node:fs/promises';
import { TieringService } from '@cmvc/core';
import { LocalDiskBlobStore } from '@cmvc/blob';
import { KeyframeRepository, RepresentationRepository, VideoRepository, createDatabase } from '@cmvc/db';
import { query, requireServices, startStack, waitForVideo, type Stack } from '../support/stack.ts';

const run = promisify(execFile);

let stack: Stack;
const videoIds: string[] = [];

interface RenditionView {
  id: string;
  status: string;
  progress: number;
  error: string | null;
  url: string | null;
  mode: string;
}

const REQUEST = `mutation($id: ID!, $mode: RenditionMode!) {
  requestRendition(videoId: $id, mode: $mode) { id status progress error url mode }
}`;

beforeAll(async () => {
  stack = await startStack();
  stack.startWorker();
  const sources = ['testsrc2=size=320x240:rate=12', 'smptehdbars=size=320x240:rate=12'];
  const inputs = [];
  for (const [index, source] of sources.entries()) {
    const path = join(stack.ingestRoot, `clip-${index}.mp4`);
    await makeClip(path, { source, seconds: 2 });
    inputs.push({ path });
  }
  const response = await stack.graphql<{ ingestVideos: { video: { id: string } }[] }>(
    'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } } }',
    { inputs },
  );
  for (const item of response.data!.ingestVideos) videoIds.push(item.video.id);
  for (const id of videoIds) expect((await waitForVideo(stack, id)).status).toBe('READY');
});

afterAll(async () => {
  await stack?.stop();
});

async function waitForRendition(videoId: string, renditionId: string): Promise<RenditionView> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const response = await stack.graphql<{ video: { renditions: RenditionView[] } }>(
      'query($id: ID!) { video(id: $id) { renditions { id status progress error url mode } } }',
      { id: videoId },
    );
    const rendition = response.data!.video.renditions.find((candidate) => candidate.id === renditionId);
    if (rendition && (rendition.status === 'READY' || rendition.status === 'FAILED')) return rendition;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`rendition ${renditionId} did not finish`);
}

async function probeVideo(bytes: ArrayBuffer): Promise<{ frames: number; fps: string }> {
  const path = join(tmpdir(), `cmvc-rendition-${Date.now()}.mp4`);
  await writeFile(path, Buffer.from(bytes));
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=nb_read_frames,avg_frame_rate', '-of', 'json', path,
  ]);
  const stream = (JSON.parse(stdout) as { streams: { nb_read_frames: string; avg_frame_rate: string }[] }).streams[0]!;
  return { frames: Number(stream.nb_read_frames), fps: stream.avg_frame_rate };
}

describe('renditions', () => {
  it('renders IT2V with live progress over a subscription, deduplicates requests, and streams with ranges', async () => {
    const [videoId] = videoIds as [string];
    const events: { kind: string; fraction: number; renditionId: string | null }[] = [];
    const client = createClient({ url: `${stack.apiUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket });
    const subscribed = new Promise<void>((ready) => {
      client.on('connected', () => ready());
    });
    const unsubscribe = client.subscribe<{ jobProgress: { kind: string; fraction: number; renditionId: string | null } }>(
      { query: 'subscription($id: ID) { jobProgress(videoId: $id) { kind fraction renditionId stage } }', variables: { id: videoId } },
      { next: (message) => message.data && events.push(message.data.jobProgress), error: () => {}, complete: () => {} },
    );
    await subscribed;
    await new Promise((done) => setTimeout(done, 300));

    const first = await stack.graphql<{ requestRendition: RenditionView }>(REQUEST, { id: videoId, mode: 'IT2V' });
    expect(first.errors).toBeUndefined();
    const again = await stack.graphql<{ requestRendition: RenditionView }>(REQUEST, { id: videoId, mode: 'IT2V' });
    expect(again.data!.requestRendition.id).toBe(first.data!.requestRendition.id);

    const done = await waitForRendition(videoId, first.data!.requestRendition.id);
    expect(done).toMatchObject({ status: 'READY', error: null, progress: 1, mode: 'IT2V' });
    await new Promise((settle) => setTimeout(settle, 500));
    unsubscribe();
    await client.dispose();
    const renderEvents = events.filter((event) => event.kind === 'RENDER' && event.renditionId === done.id);
    expect(renderEvents.length).toBeGreaterThan(0);
    expect(renderEvents.at(-1)!.fraction).toBe(1);

    const partial = await fetch(`${stack.apiUrl}${done.url}`, { headers: { range: 'bytes=0-99' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
    expect((await partial.arrayBuffer()).byteLength).toBe(100);
    const unsatisfiable = await fetch(`${stack.apiUrl}${done.url}`, { headers: { range: 'bytes=999999999-' } });
    expect(unsatisfiable.status).toBe(416);

    const whole = await fetch(`${stack.apiUrl}${done.url}`);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    const facts = await probeVideo(await whole.arrayBuffer());
    expect(facts).toEqual({ frames: 24, fps: '12/1' });
  });

  it('renders TT2V from the other archived video only, keeping frame count and rate', async () => {
    const [videoId] = videoIds as [string];
    const response = await stack.graphql<{ requestRendition: RenditionView }>(REQUEST, { id: videoId, mode: 'TT2V' });
    expect(response.errors).toBeUndefined();
    const done = await waitForRendition(videoId, response.data!.requestRendition.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('READY');
    const whole = await fetch(`${stack.apiUrl}${done.url}`);
    expect(await probeVideo(await whole.arrayBuffer())).toEqual({ frames: 24, fps: '12/1' });
  });

  it('refuses unknown videos and bad modes with codes', async () => {
    const missing = await stack.graphql(REQUEST, { id: '00000000-0000-4000-8000-000000000000', mode: 'IT2V' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badMode = await stack.graphql(REQUEST, { id: videoIds[0], mode: 'VR' });
    expect(badMode.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bitstream = await fetch(`${stack.apiUrl}/media/bitstreams/${videoIds[0]}`);
    expect(bitstream.status).toBe(200);
    expect(Buffer.from(await bitstream.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('CMVC');
  });
});

describe('tiering', () => {
  const DEMOTE =
    'mutation($id: ID!) { demoteVideo(id: $id, to: TT2V_ONLY) { bytesSaved video { tier bytesSavedByTiering representationBytes representationSections { kind bytes } keyframes { url } } } }';

  it('demotes a video to text only: images gone, bytes reported, text search and TT2V still work, IT2V refused', async () => {
    const videoId = videoIds[1]!;
    const before = await stack.graphql<{ video: { representationBytes: number; keyframes: { bytes: number }[] } }>(
      'query($id: ID!) { video(id: $id) { representationBytes keyframes { bytes } } }',
      { id: videoId },
    );
    const keyframeBytes = before.data!.video.keyframes.reduce((sum, keyframe) => sum + keyframe.bytes, 0);
    const searchable = () =>
      query<{ captions: string; embeddings: string }>(
        'SELECT count(c.id) AS captions, count(e.id) AS embeddings FROM "Caption" c LEFT JOIN "Embedding" e ON e."captionId" = c.id WHERE c."videoId" = $1',
        [videoId],
      );
    const [searchableBefore] = await searchable();
    expect(Number(searchableBefore!.embeddings)).toBeGreaterThan(0);

    const demoted = await stack.graphql<{
      demoteVideo: {
        bytesSaved: number;
        video: { tier: string; bytesSavedByTiering: number; representationBytes: number; representationSections: { kind: string; bytes: number }[]; keyframes: { url: string | null }[] };
      };
    }>(DEMOTE, { id: videoId });
    expect(demoted.errors).toBeUndefined();
    const { bytesSaved, video } = demoted.data!.demoteVideo;
    expect(video.tier).toBe('TT2V_ONLY');
    expect(video.keyframes.every((keyframe) => keyframe.url === null)).toBe(true);
    expect(video.representationBytes).toBeLessThan(before.data!.video.representationBytes);
    expect(bytesSaved).toBe(keyframeBytes + before.data!.video.representationBytes - video.representationBytes);
    expect(video.bytesSavedByTiering).toBe(bytesSaved);
    // The storage chart follows the new stream: image bytes gone, the sections adding up to it.
    const imageSection = video.representationSections.find((section) => section.kind === 'keyframes');
    expect(imageSection?.bytes ?? 0).toBeLessThan(keyframeBytes);
    expect(video.representationSections.reduce((sum, section) => sum + section.bytes, 0)).toBe(video.representationBytes);
    expect(await searchable()).toEqual([searchableBefore]);

    const left = await readdir(join(stack.blobDir, 'videos', videoId), { recursive: true });
    expect(left.filter((name) => name.endsWith('.avif'))).toEqual([]);
    const bitstream = await fetch(`${stack.apiUrl}/media/bitstreams/${videoId}`);
    expect(Buffer.from(await bitstream.arrayBuffer()).length).toBe(video.representationBytes);

    const it2v = await stack.graphql(REQUEST, { id: videoId, mode: 'IT2V' });
    expect(it2v.errors?.[0]?.extensions?.code).toBe('MODE_UNAVAILABLE');
    const tt2v = await stack.graphql<{ requestRendition: RenditionView }>(REQUEST, { id: videoId, mode: 'TT2V' });
    const rendered = await waitForRendition(videoId, tt2v.data!.requestRendition.id);
    expect(rendered.status).toBe('READY');

    const again = await stack.graphql(DEMOTE, { id: videoId });
    expect(again.errors?.[0]?.extensions?.code).toBe('ALREADY_DEMOTED');
  });

  it('applies the age-based policy to videos older than the threshold only', async () => {
    const db = createDatabase(requireServices().databaseUrl);
    try {
      await query(`UPDATE "Video" SET "createdAt" = now() - interval '40 days' WHERE id = $1`, [videoIds[0]]);
      const tiering = new TieringService(new VideoRepository(db), new KeyframeRepository(db), new RepresentationRepository(db), new LocalDiskBlobStore(stack.blobDir), [], new MemoryEvents());
      const result = await tiering.demoteOlderThan(30);
      expect(result.demoted).toBe(1);
      expect(result.bytesSaved).toBeGreaterThan(0);
      const tiers = await query<{ id: string; tier: string }>('SELECT id, tier FROM "Video" ORDER BY "createdAt"');
      expect(tiers.map((row) => row.tier)).toEqual(['TT2V_ONLY', 'TT2V_ONLY']);
      expect((await tiering.demoteOlderThan(30)).demoted).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});
