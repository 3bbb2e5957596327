/**
 * Progressive playback: a rendition is rendered as HLS segments that the API serves while the
 * render goes on; asking for a segment not rendered yet makes the worker render it next.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../support/media.ts';
import { query, startStack, waitForVideo, type Stack } from '../support/stack.ts';

const run = promisify(execFile);

let stack: Stack;
let videoId: string;
let frameCount: number;

interface RenditionView {
  id: string;
  status: string;
  error: string | null;
  url: string | null;
  streamUrl: string | null;
}

const REQUEST = `mutation($id: ID!) { requestRendition(videoId: $id, mode: IT2V) { id status error url streamUrl } }`;

beforeAll(async () => {
  stack = await startStack();
  stack.startWorker();
  // Long enough for eight 2-second segments (sound in segments is covered by the codec's tests).
  const path = join(stack.ingestRoot, 'long.mp4');
  await makeClip(path, { source: 'testsrc2=size=320x240:rate=12', seconds: 16 });
  const response = await stack.graphql<{ ingestVideos: { video: { id: string } }[] }>(
    'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } } }',
    { inputs: [{ path }] },
  );
  videoId = response.data!.ingestVideos[0]!.video.id;
  expect((await waitForVideo(stack, videoId, 600_000)).status).toBe('READY');
  const facts = await stack.graphql<{ video: { frameCount: number } }>('query($id: ID!) { video(id: $id) { frameCount } }', { id: videoId });
  frameCount = facts.data!.video.frameCount;
}, 900_000);

afterAll(async () => {
  await stack?.stop();
});

async function rendition(id: string): Promise<RenditionView> {
  const response = await stack.graphql<{ video: { renditions: RenditionView[] } }>('query($id: ID!) { video(id: $id) { renditions { id status error url streamUrl } } }', {
    id: videoId,
  });
  return response.data!.video.renditions.find((candidate) => candidate.id === id)!;
}

async function ffprobeFrames(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'json', path]);
  return Number((JSON.parse(stdout) as { streams: { nb_read_frames: string }[] }).streams[0]!.nb_read_frames);
}

describe('progressive renditions', () => {
  it('serves a valid playlist at once, renders a wanted late segment first, and its segments decode to every frame', async () => {
    const requested = await stack.graphql<{ requestRendition: RenditionView }>(REQUEST, { id: videoId });
    expect(requested.errors).toBeUndefined();
    const { id, streamUrl } = requested.data!.requestRendition;
    expect(streamUrl).toBe(`/media/renditions/${id}/index.m3u8`);

    // The playlist waits for the render job to start, then lists every segment up front.
    const playlistResponse = await fetch(`${stack.apiUrl}${streamUrl}`);
    expect(playlistResponse.status).toBe(200);
    expect(playlistResponse.headers.get('content-type')).toContain('application/vnd.apple.mpegurl');
    const playlist = await playlistResponse.text();
    const lines = playlist.trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines.at(-1)).toBe('#EXT-X-ENDLIST');
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    const durations = lines.filter((line) => line.startsWith('#EXTINF:')).map((line) => Number(line.slice(8, -1)));
    const uris = lines.filter((line) => !line.startsWith('#'));
    expect(uris).toEqual(durations.map((_, index) => `segments/${index}.ts`));
    expect(durations.length).toBeGreaterThanOrEqual(8);
    expect(durations.reduce((sum, seconds) => sum + seconds, 0)).toBeCloseTo(frameCount / 12, 3);
    const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(playlist)![1]);
    expect(Math.max(...durations)).toBeLessThanOrEqual(target);

    // A seek near the end: that segment is rendered next and arrives while the rest is not done.
    const late = durations.length - 2;
    const segmentUrl = (index: number) => `${stack.apiUrl}/media/renditions/${id}/${uris[index]}`;
    const lateResponse = await fetch(segmentUrl(late));
    expect(lateResponse.status).toBe(200);
    expect(lateResponse.headers.get('content-type')).toBe('video/mp2t');
    expect((await rendition(id)).status).toBe('RENDERING');
    expect(Buffer.from(await lateResponse.arrayBuffer())[0]).toBe(0x47); // MPEG-TS sync byte

    const badIndex = await fetch(segmentUrl(0).replace(/0\.ts$/, `${durations.length}.ts`));
    expect(badIndex.status).toBe(404);
    expect(((await badIndex.json()) as { error: { code: string } }).error.code).toBe('BAD_SEGMENT');
    const malformed = await fetch(`${stack.apiUrl}/media/renditions/${id}/segments/first.ts`);
    expect(malformed.status).toBe(400);

    const deadline = Date.now() + 240_000;
    let done = await rendition(id);
    while (done.status !== 'READY' && done.status !== 'FAILED' && Date.now() < deadline) {
      await new Promise((settle) => setTimeout(settle, 500));
      done = await rendition(id);
    }
    expect(done).toMatchObject({ status: 'READY', error: null, streamUrl });

    // Segment rows in the order they were finished: the late one before the early ones it skipped.
    const order = (await query<{ index: number }>('SELECT "index" FROM "RenditionSegment" WHERE "renditionId" = $1 ORDER BY "createdAt", "index"', [id])).map((row) => row.index);
    expect(order).toHaveLength(durations.length);
    expect(order.indexOf(late)).toBeLessThan(order.indexOf(2));
    expect(order.indexOf(late + 1)).toBe(order.indexOf(late) + 1);

    // Every segment, in order, decodes to exactly the source's frames; so does the downloadable file.
    const joined = join(stack.ingestRoot, `${id}.ts`);
    const parts = await Promise.all(uris.map(async (_, index) => Buffer.from(await (await fetch(segmentUrl(index))).arrayBuffer())));
    await writeFile(joined, Buffer.concat(parts));
    expect(await ffprobeFrames(joined)).toBe(frameCount);
    const file = join(stack.ingestRoot, `${id}.mp4`);
    await writeFile(file, Buffer.from(await (await fetch(`${stack.apiUrl}${done.url}`)).arrayBuffer()));
    expect(await ffprobeFrames(file)).toBe(frameCount);

    // Where the player starts goes with the playlist request (once READY it asks for nothing); it must be a number of seconds.
    expect(await (await fetch(`${stack.apiUrl}${streamUrl}?start=1.5`)).text()).toBe(playlist);
    const badStart = await fetch(`${stack.apiUrl}${streamUrl}?start=soon`);
    expect(badStart.status).toBe(400);
    expect(((await badStart.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');

    // A finished rendition is shared: asking again returns it READY with its playlist.
    const again = await stack.graphql<{ requestRendition: RenditionView }>(REQUEST, { id: videoId });
    expect(again.data!.requestRendition).toMatchObject({ id, status: 'READY', streamUrl });
  });

  it('answers unknown renditions with 404', async () => {
    const missing = await fetch(`${stack.apiUrl}/media/renditions/00000000-0000-4000-8000-000000000000/index.m3u8`);
    expect(missing.status).toBe(404);
    const segment = await fetch(`${stack.apiUrl}/media/renditions/00000000-0000-4000-8000-000000000000/segments/0.ts`);
    expect(segment.status).toBe(404);
  });
});
