/**
 * Text-only regeneration (TT2V) in Chromium: with two archived videos, asking for TT2V on one shows
 * the rendition's progress until it is READY, and the player plays what the retrieval generator
 * made from the other video's keyframes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { expectAccessible, followRendition, imagesSettled, screenshotBoth, startWatchStack } from './helpers.ts';

let stack: Stack;
let browser: Browser;
let videoId: string;

beforeAll(async () => {
  // TT2V never draws on a video's own pixels: the second video is the library it retrieves from.
  const watch = await startWatchStack([
    { file: 'bars.mp4', source: 'smptehdbars=size=320x240:rate=12', seconds: 2, title: 'Broadcast colour bars' },
    { file: 'pattern.mp4', source: 'testsrc2=size=320x240:rate=12', seconds: 2, title: 'Moving test pattern' },
  ]);
  ({ stack, browser } = watch);
  videoId = watch.videoIds[0]!;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('text-only regeneration', () => {
  it('requests TT2V, follows its progress to READY, and plays the result', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/videos/${videoId}`);
    await page.getByRole('radio', { name: /Text only \(TT2V\)/ }).check();
    const started = Date.now();
    await page.getByRole('button', { name: 'Regenerate video' }).click();

    const rendition = page.locator('[data-testid="renditions"] li[data-mode="TT2V"]');
    const { final, error, seen } = await followRendition(page, stack, rendition, 240_000);
    expect(final, error ?? undefined).toBe('READY');
    console.log(`TT2V rendition READY in the page ${((Date.now() - started) / 1000).toFixed(1)} s after the request`);
    expect(seen.has('bar:1')).toBe(true);

    const player = page.locator('video[data-testid="player"]');
    await player.waitFor();
    expect(await player.getAttribute('aria-label')).toContain('Text only');
    await page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('video[data-testid="player"]');
        return video !== null && video.readyState >= 2 && video.duration > 1.5;
      },
      undefined,
      { timeout: 30_000 },
    );
    // It really plays: the playhead moves.
    await page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('video[data-testid="player"]')!;
      video.muted = true;
      return video.play();
    });
    await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('video[data-testid="player"]')!.currentTime > 0.2, undefined, { timeout: 15_000 });
    await imagesSettled(page);
    await expectAccessible(page, 'video page with a TT2V rendition');
    await screenshotBoth(page, 'video-tt2v', () => imagesSettled(page));
    await page.close();
  });
});
