/**
 * The web UI end to end in Chromium: search by meaning, open a moment (the video page highlights it),
 * regenerate the video with IT2V while the page shows progress, and play the result.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAccessible, followRendition, imagesSettled, requestRendition, screenshotBoth, startWatchStack, useBrowserStack, waitForPlayerReady, waitForPlayhead } from './helpers.ts';
import { contentWords } from '@cmvc/core';

const setup = useBrowserStack(() => startWatchStack([{ file: 'bars.mp4', source: 'testsrc2=size=320x240:rate=12', seconds: 2, title: 'Colour test pattern' }]));

/** The longest word of a stored caption that search treats as content (not framing such as "camera static"): searching for it must find this video. */
async function captionWord(): Promise<string> {
  const response = await setup.stack.graphql<{ video: { keyframes: { description: string | null }[]; clips: { motion: string | null }[] } }>(
    'query($id: ID!) { video(id: $id) { keyframes { description } clips { motion } } }',
    { id: setup.videoId },
  );
  const texts = [...response.data!.video.keyframes.map((k) => k.description), ...response.data!.video.clips.map((c) => c.motion)];
  const words = texts
    .flatMap((text) => (text ?? '').split(/[^A-Za-z]+/))
    .filter((word) => contentWords(word) === word)
    .sort((a, b) => b.length - a.length);
  expect(words[0]!.length).toBeGreaterThanOrEqual(4);
  return words[0]!;
}

describe('search and the video page', () => {
  it('shows the library and passes the accessibility check', async () => {
    const page = await setup.browser.context.newPage();
    await page.goto(setup.stack.webUrl!);
    const card = page.locator('[data-testid="video-list"] li', { hasText: 'Colour test pattern' });
    await card.waitFor();
    expect(await card.getAttribute('data-status')).toBe('READY');
    await imagesSettled(page);
    await expectAccessible(page, 'library');
    await screenshotBoth(page, 'library', () => imagesSettled(page));
    await page.close();
  });

  it('finds a moment as the person types, highlights the words, and opens the video at that time', async () => {
    const word = await captionWord();
    const page = await setup.browser.context.newPage();
    await page.goto(setup.stack.webUrl!);
    await page.getByLabel('Search the archive by meaning').fill(word);
    // No submit: the debounced search runs on its own.
    const moment = page.locator('[data-testid="moment"]').first();
    await moment.waitFor({ timeout: 20_000 });
    expect(await moment.locator('mark').count()).toBeGreaterThan(0);
    expect((await moment.locator('mark').first().textContent())!.toLowerCase()).toContain(word.toLowerCase());
    expect(await moment.textContent()).toContain('Colour test pattern');
    expect(page.url()).toContain(`q=${encodeURIComponent(word)}`);
    await imagesSettled(page);
    await expectAccessible(page, 'search results');
    await screenshotBoth(page, 'search', () => imagesSettled(page));

    const href = await moment.getAttribute('href');
    expect(href).toMatch(new RegExp(`^/videos/${setup.videoId}\\?t=[0-9.]+$`));
    const seconds = Number(new URL(href!, setup.stack.webUrl!).searchParams.get('t'));

    await moment.click();
    await page.waitForURL(`**/videos/${setup.videoId}?t=*`);
    const current = page.locator('[data-testid="timeline"] [data-current="true"]');
    await current.waitFor();
    const start = Number(await current.getAttribute('data-start'));
    expect(start).toBeLessThanOrEqual(seconds + 1e-6);
    expect(await page.locator('[data-testid="timeline"] [data-current="true"]').count()).toBe(1);
    expect(await current.isVisible()).toBe(true);
    await expect(page.locator('.storage-chart svg[role="img"]').count()).resolves.toBe(1);
    const sections = await setup.stack.graphql<{ video: { representationSections: { kind: string; bytes: number }[] } }>(
      'query($id: ID!) { video(id: $id) { representationSections { kind bytes } } }',
      { id: setup.videoId },
    );
    const coded = sections.data!.video.representationSections.filter((section) => section.bytes > 0);
    expect(coded.length).toBeGreaterThan(1);
    // One bar per coded section under the source and kept bars, each labelled with its size.
    await expect(page.locator('.storage-chart .chart-bar-part').count()).resolves.toBe(coded.length);
    await expect(page.locator('.storage-chart desc').textContent()).resolves.toContain('keyframe layer (AV1)');
    await expect(page.locator('figcaption', { hasText: 'smaller than the source' }).count()).resolves.toBe(1);
    await imagesSettled(page);
    await expectAccessible(page, 'video page');
    await screenshotBoth(page, 'video', () => imagesSettled(page));
    await page.close();
  });

  it('says so when nothing matches, including when a filter leaves nothing', async () => {
    const page = await setup.browser.context.newPage();
    await page.goto(`${setup.stack.webUrl}/?q=zyxwvutsrq`);
    await page.getByText('No moments match “zyxwvutsrq”.').waitFor();

    const word = await captionWord();
    await page.goto(`${setup.stack.webUrl}/?q=${encodeURIComponent(word)}`);
    await page.locator('[data-testid="moment"]').first().waitFor();
    await page.getByRole('button', { name: /^Filters/ }).click();
    await page.getByLabel('Min length (s)').fill('60');
    await page.getByText(`No moments match “${word}”.`).waitFor();
    expect(page.url()).toContain('dmin=60');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('[data-testid="moment"]').first().waitFor();
    await page.close();
  });

  it('regenerates the video with IT2V, shows progress, and plays the result at the moment', async () => {
    const page = await setup.browser.context.newPage();
    await page.goto(`${setup.stack.webUrl}/videos/${setup.videoId}?t=1`);
    await requestRendition(page, /Keyframes \+ motion/, 'WebM');

    const rendition = page.locator('[data-testid="renditions"] li[data-mode="IT2V"]');
    // The page polls: the rendition moves through QUEUED/RENDERING with a progress bar, to READY.
    const { final, error, seen } = await followRendition(page, setup.stack, rendition, 200_000);
    expect(final, error ?? undefined).toBe('READY');
    expect([...seen].some((state) => state === 'QUEUED' || state === 'RENDERING')).toBe(true);
    expect(seen.has('bar:1')).toBe(true);

    const player = page.locator('video[data-testid="player"]');
    await player.waitFor();
    expect(await player.getAttribute('src')).toMatch(/^\/media\/renditions\//);
    await waitForPlayerReady(page, 1, 0);
    // Seeks to the moment from ?t= once the metadata is in.
    await waitForPlayhead(page, 0.5, 10_000);
    await page.close();
  });

  it('compares two READY renditions side by side', async () => {
    const page = await setup.browser.context.newPage();
    await page.goto(`${setup.stack.webUrl}/videos/${setup.videoId}?t=1`);
    // A second IT2V rendition in the other container format (fast to render) next to the WebM one.
    await requestRendition(page, /Keyframes \+ motion/, 'MP4');
    await expect
      .poll(
        async () => {
          setup.stack.assertAlive();
          return page.locator('[data-testid="renditions"] li[data-status="READY"]').count();
        },
        { timeout: 150_000, interval: 500 },
      )
      .toBe(2);
    const comparison = page.locator('section.comparison');
    await comparison.waitFor();
    expect(await comparison.locator('video').count()).toBe(2);
    const labels = await comparison.locator('figcaption').allTextContents();
    expect(labels.some((label) => label.includes('MP4'))).toBe(true);
    expect(labels.some((label) => label.includes('WebM'))).toBe(true);
    await page.getByRole('button', { name: /Play together/ }).click();
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLVideoElement>('.comparison video')).every((video) => video.readyState >= 1));
    await imagesSettled(page);
    await expectAccessible(page, 'video page with renditions');
    await screenshotBoth(page, 'video-rendered', () => imagesSettled(page));
    await page.close();
  });

  it('moves the video to text only after a confirmation, leaving only TT2V', async () => {
    const page = await setup.browser.context.newPage();
    await page.goto(`${setup.stack.webUrl}/videos/${setup.videoId}`);
    await page.getByRole('button', { name: 'Keep text only…' }).click();
    await page.getByRole('button', { name: 'Delete images' }).click();
    await page.locator('.tier', { hasText: 'Text only' }).waitFor();
    expect(await page.getByRole('radio', { name: /Keyframes \+ motion/ }).isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="timeline"] img').count()).toBe(0);
    expect(await page.locator('[data-testid="timeline"] .text-only').count()).toBeGreaterThan(0);
    const response = await setup.stack.graphql<{ video: { tier: string; keyframes: { url: string | null }[] } }>(
      'query($id: ID!) { video(id: $id) { tier keyframes { url } } }',
      { id: setup.videoId },
    );
    expect(response.data!.video.tier).toBe('TT2V_ONLY');
    expect(response.data!.video.keyframes.every((keyframe) => keyframe.url === null)).toBe(true);
    await page.close();
  });
});
