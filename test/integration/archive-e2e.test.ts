/**
 * Issue 2 acceptance: a lavfi clip goes through the GraphQL mutation, the real worker process,
 * ffmpeg, PostgreSQL and Redis, and comes out searchable, with its keyframe served over HTTP and
 * the video visible on the web page in Chromium.
 */
import { copyFile, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath } from '../support/browser.ts';
import { makeClip } from '../support/media.ts';
import { filesUnder, query, startStack, waitForVideo, type Stack } from '../support/stack.ts';
import { contentWords } from '@cmvc/core';

const INGEST = `mutation($inputs: [IngestVideoInput!]!) {
  ingestVideos(inputs: $inputs) { index created video { id status frameCount fps } error { code message } }
}`;

interface IngestResult {
  ingestVideos: {
    index: number;
    created: boolean;
    video: { id: string; status: string; frameCount: number | null; fps: number | null } | null;
    error: { code: string; message: string } | null;
  }[];
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ web: true });
  stack.startWorker();
});

afterAll(async () => {
  await stack?.stop();
});


describe('ingest → encode → archive → search → web', () => {
  let videoId: string;

  it('ingests a synthetic clip and encodes it to READY', async () => {
    const clip = join(stack.ingestRoot, 'orbit.mp4');
    await makeClip(clip, { source: 'testsrc2=size=320x240:rate=24', seconds: 3 });
    const response = await stack.graphql<IngestResult>(INGEST, { inputs: [{ path: clip, title: 'Orbit test pattern' }] });
    expect(response.errors).toBeUndefined();
    const [item] = response.data!.ingestVideos;
    expect(item!.error).toBeNull();
    expect(item!.created).toBe(true);
    // Ingest only checks the container; the encode job probes the media and records it.
    expect(item!.video).toMatchObject({ status: 'QUEUED', frameCount: null, fps: null });
    videoId = item!.video!.id;

    const final = await waitForVideo(stack, videoId);
    expect(final).toEqual({ status: 'READY', error: null });
    const probed = await stack.graphql<{ video: { frameCount: number; fps: number; width: number; height: number; durationSeconds: number } }>(
      'query($id: ID!) { video(id: $id) { frameCount fps width height durationSeconds } }',
      { id: videoId },
    );
    expect(probed.data!.video).toMatchObject({ frameCount: 72, fps: 24, width: 320, height: 240 });
    expect(probed.data!.video.durationSeconds).toBeCloseTo(3, 1);
  });

  it('records the bitstream size by section, adding up to the whole stream, and the thumbnails kept beside it', async () => {
    const response = await stack.graphql<{ video: { representationBytes: number; representationSections: { kind: string; bytes: number }[] } }>(
      'query($id: ID!) { video(id: $id) { representationBytes representationSections { kind bytes } } }',
      { id: videoId },
    );
    const { representationBytes, representationSections } = response.data!.video;
    const kinds = representationSections.map((section) => section.kind);
    expect(kinds[0]).toBe('header');
    expect(kinds).toEqual(expect.arrayContaining(['keyframes', 'keyframeLayer', 'thumbnails']));
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(representationSections.every((section) => section.bytes > 0)).toBe(true);
    const inStream = representationSections.filter((section) => section.kind !== 'thumbnails');
    expect(inStream.reduce((sum, section) => sum + section.bytes, 0)).toBe(representationBytes);
  });

  it('serves the keyframes over HTTP as decodable AVIF images', async () => {
    const response = await stack.graphql<{
      video: { keyframes: { frameIndex: number; url: string; width: number; height: number }[]; representationBytes: number; sourceBytes: number };
    }>('query($id: ID!) { video(id: $id) { representationBytes sourceBytes keyframes { frameIndex url width height } } }', { id: videoId });
    const video = response.data!.video;
    expect(video.keyframes.length).toBeGreaterThanOrEqual(2);
    expect(video.keyframes[0]!.frameIndex).toBe(0);
    expect(video.keyframes.at(-1)!.frameIndex).toBe(71);
    expect(video.representationBytes).toBeGreaterThan(0);

    const image = await fetch(`${stack.apiUrl}${video.keyframes[0]!.url}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/avif');
    const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect(metadata.width).toBe(video.keyframes[0]!.width);
    expect(metadata.height).toBe(video.keyframes[0]!.height);
  });

  it('finds the video through search, as a moment inside it', async () => {
    const captions = await stack.graphql<{ video: { keyframes: { description: string | null }[]; clips: { motion: string | null }[] } }>(
      'query($id: ID!) { video(id: $id) { keyframes { description } clips { motion } } }',
      { id: videoId },
    );
    const texts = [
      ...captions.data!.video.keyframes.map((keyframe) => keyframe.description),
      ...captions.data!.video.clips.map((clip) => clip.motion),
    ].filter((text): text is string => Boolean(text));
    expect(texts.length).toBeGreaterThan(0);
    // Search for the longest content word of a stored caption (not framing such as "camera static"): it must lead back to this video.
    const word = texts
      .flatMap((text) => text.split(/[^A-Za-z]+/))
      .filter((candidate) => contentWords(candidate) === candidate)
      .sort((a, b) => b.length - a.length)[0]!;
    expect(word.length).toBeGreaterThanOrEqual(4);

    const response = await stack.graphql<{
      search: { edges: { node: { startSeconds: number; endSeconds: number; highlight: string; video: { id: string } } }[] };
    }>('query($q: String!) { search(query: $q, first: 10) { edges { node { startSeconds endSeconds highlight video { id } } } } }', { q: word });
    expect(response.errors).toBeUndefined();
    const moments = response.data!.search.edges.map((edge) => edge.node).filter((moment) => moment.video.id === videoId);
    expect(moments.length).toBeGreaterThan(0);
    expect(moments[0]!.highlight.toLowerCase()).toContain(`<mark>`);
    expect(moments[0]!.startSeconds).toBeGreaterThanOrEqual(0);
    expect(moments[0]!.endSeconds).toBeLessThanOrEqual(3.01);

    const miss = await stack.graphql<{ search: { edges: unknown[] } }>('{ search(query: "zyxwvutsrq", first: 5) { edges { cursor } } }');
    expect(miss.data!.search.edges).toHaveLength(0);
  });

  it('shows the video with its thumbnail on the web page', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(stack.webUrl!);
      const card = page.locator('[data-testid="video-list"] li', { hasText: 'Orbit test pattern' });
      await card.waitFor({ timeout: 30_000 });
      await expect(card.getAttribute('data-status')).resolves.toBe('READY');
      const thumbnail = card.locator('img');
      await thumbnail.waitFor();
      await page.waitForFunction(
        (element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth > 0,
        await thumbnail.elementHandle(),
      );
      await page.screenshot({ path: await screenshotPath('archive-page'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

describe('bad input in a bulk ingest', () => {
  it('gives each bad item its own error code while the valid item succeeds, leaving nothing half-written', async () => {
    const root = stack.ingestRoot;
    const valid = join(root, 'valid.mp4');
    const truncated = join(root, 'truncated.mp4');
    const notVideo = join(root, 'notes.txt');
    const escape = join(root, 'escape.mp4');
    await makeClip(valid, { source: 'smptebars=size=160x120:rate=10', seconds: 1 });
    await makeClip(join(root, 'whole.mp4'), { source: 'testsrc=size=160x120:rate=10', seconds: 2 });
    const whole = await readFile(join(root, 'whole.mp4'));
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await writeFile(notVideo, 'this is not a video\n');
    await copyFile(valid, join(root, '..', 'outside.mp4'));
    await symlink('/etc/hostname', escape);

    const before = await query<{ count: string }>('SELECT count(*) FROM "Video"');
    const response = await stack.graphql<IngestResult>(INGEST, {
      inputs: [{ path: notVideo }, { path: truncated }, { path: '/etc/hostname' }, { path: escape }, { path: `${root}/../outside.mp4` }, { path: valid }],
    });
    expect(response.errors).toBeUndefined();
    const results = response.data!.ingestVideos;
    expect(results.map((result) => result.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results[0]!.error?.code).toBe('UNSUPPORTED_MEDIA');
    expect(results[1]!.error?.code).toBe('TRUNCATED_MEDIA');
    expect(results[2]!.error?.code).toBe('PATH_OUTSIDE_ROOT');
    expect(results[3]!.error?.code).toBe('PATH_OUTSIDE_ROOT');
    expect(results[4]!.error?.code).toBe('PATH_OUTSIDE_ROOT');
    for (const failed of results.slice(0, 5)) {
      expect(failed.video).toBeNull();
      expect(failed.error!.message.length).toBeGreaterThan(10);
    }
    expect(results[5]!.error).toBeNull();
    expect(results[5]!.created).toBe(true);

    const after = await query<{ count: string }>('SELECT count(*) FROM "Video"');
    expect(Number(after[0]!.count) - Number(before[0]!.count)).toBe(1);
    const sources = await filesUnder(join(stack.blobDir, 'sources'));
    const rows = await query<{ sha256: string }>('SELECT sha256 FROM "Video"');
    for (const path of sources) expect(rows.map((row) => row.sha256)).toContain(path.split('/').at(-1));
    expect((await filesUnder(join(stack.blobDir, '.tmp'))).length).toBe(0);

    const final = await waitForVideo(stack, results[5]!.video!.id);
    expect(final.status).toBe('READY');
    expect((await stat(join(stack.blobDir, 'videos', results[5]!.video!.id))).isDirectory()).toBe(true);
  });

  it('re-ingesting the same file creates nothing new', async () => {
    const response = await stack.graphql<IngestResult>(INGEST, { inputs: [{ path: join(stack.ingestRoot, 'valid.mp4') }] });
    expect(response.data!.ingestVideos[0]).toMatchObject({ created: false, error: null });
    const rows = await query<{ count: string }>('SELECT count(*) FROM "Video" WHERE title = $1', ['valid']);
    expect(Number(rows[0]!.count)).toBe(1);
  });

  it('rejects a bad GraphQL argument with a code', async () => {
    const response = await stack.graphql('{ videos(first: 101) { totalCount } }');
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const huge = await stack.graphql('{ videos(first: 100000) { edges { node { keyframes { url } clips { motion } } } } }');
    expect(huge.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const wrongType = await stack.graphql('{ videos(first: "ten") { totalCount } }');
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
