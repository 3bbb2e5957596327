/**
 * Text-only regeneration (TT2V) in Chromium: with two archived videos, asking for TT2V on one shows
 * the rendition's progress until it is READY, and the player plays what the retrieval generator
 * made from the other video's keyframes.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible, followRendition, imagesSettled, requestRendition, screenshotBoth, startWatchStack, useBrowserStack, waitForPlayerReady, waitForPlayhead } from './helpers.ts';

// TT2V never draws on a video's own pixels: the second video is the library it retrieves from.
const setup = useBrowserStack(() =>
  startWatchStack([
    { file: 'bars.mp4', source: 'smptehdbars=size=320x240:rate=12', seconds: 2, title: 'Broadcast colour bars' },
    { file: 'pattern.mp4', source: 'testsrc2=size=320x240:rate=12', seconds: 2, title: 'Moving test pattern' },
  ]),
);

describe('text-only regeneration', () => {
  it('requests TT2V, follows its progress to READY, and plays the result', async () => {
    const page = await setup.browser.context.newPage();
    await page.goto(`${setup.stack.webUrl}/videos/${setup.videoId}`);
    const started = Date.now();
    await requestRendition(page, /Text only \(TT2V\)/);

    const rendition = page.locator('[data-testid="renditions"] li[data-mode="TT2V"]');
    const { final, error, seen } = await followRendition(page, setup.stack, rendition, 240_000);
    expect(final, error ?? undefined).toBe('READY');
    console.log(`TT2V rendition READY in the page ${((Date.now() - started) / 1000).toFixed(1)} s after the request`);
    expect(seen.has('bar:1')).toBe(true);

    const player = page.locator('video[data-testid="player"]');
    await player.waitFor();
    expect(await player.getAttribute('aria-label')).toContain('Text only');
    await waitForPlayerReady(page, 2, 1.5);
    // It really plays: the playhead moves.
    await page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('video[data-testid="player"]')!;
      video.muted = true;
      return video.play();
    });
    await waitForPlayhead(page, 0.2, 15_000);
    await imagesSettled(page);
    await expectAccessible(page, 'video page with a TT2V rendition');
    await screenshotBoth(page, 'video-tt2v', () => imagesSettled(page));
    await page.close();
  });
});
