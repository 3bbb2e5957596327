/**
 * Progressive playback in Chromium: pressing Regenerate on a long video starts playback (hls.js
 * over the rendition's HLS segments) while the rendition is still rendering; a jump to a late
 * moment plays from there; opening a search moment (?t=) plays from that moment. The times from
 * click or seek to the first frame are recorded in test-results/, not asserted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEGMENT_SECONDS } from '@cmvc/codec';
import { ARTIFACTS_DIR, type Browser } from '../support/browser.ts';
import type { Stack } from '../support/stack.ts';
import { followRendition, startWatchStack } from './helpers.ts';

const SECONDS = 40;
const PLAYER = 'video[data-testid="player"]';

let stack: Stack;
let browser: Browser;
let videoId: string;
const timings: Record<string, number | string | Record<string, number | null>> = {};
/** What the pages logged and which media requests they made, with ms since the test file started: kept in test-results/ to explain a slow start. */
const events: string[] = [];
const began = Date.now();

function watch(page: Page): void {
  page.on('console', (message) => events.push(`${Date.now() - began} console ${message.type()}: ${message.text()}`));
  page.on('request', (request) => {
    if (traced(request.url())) events.push(`${Date.now() - began} request ${describeRequest(request.url(), request.postData())}`);
  });
  page.on('requestfinished', (request) => {
    if (traced(request.url())) events.push(`${Date.now() - began} loaded ${describeRequest(request.url(), request.postData())}`);
  });
  page.on('requestfailed', (request) => events.push(`${Date.now() - began} failed ${request.url()}: ${request.failure()?.errorText}`));
}

/** The requests on the way from a click to the first frame: the mutation, hls.js's code, the playlist and the segments. */
const traced = (url: string): boolean => /\/media\/|\/graphql|\/_next\/static\/chunks\//.test(url);

function describeRequest(url: string, body: string | null): string {
  const { pathname } = new URL(url);
  if (pathname !== '/graphql') return pathname;
  const operation = /\b(?:query|mutation)\s+(\w+)/.exec(body ?? '')?.[1] ?? /requestRendition/.exec(body ?? '')?.[0] ?? 'anonymous';
  return `${pathname} ${operation}`;
}

/**
 * Where the time from `from` (a click, ms since the file began) to the first frame went: the first
 * time after it that each step happened, from the request log.
 */
function breakdown(from: number, firstFrame: number, segment: number): Record<string, number | null> {
  const after = (pattern: RegExp): number | null => {
    for (const line of events) {
      const at = Number(line.slice(0, line.indexOf(' ')));
      if (at >= from && pattern.test(line)) return at - from;
    }
    return null;
  };
  return {
    mutationAnsweredMs: after(/ loaded \/graphql RequestRendition/),
    // Code the page fetches only now: the hls.js chunk.
    codeLoadedMs: after(/ loaded \/_next\/static\/chunks\//),
    playlistRequestedMs: after(/ request \/media\/renditions\/[^/]+\/index\.m3u8/),
    playlistLoadedMs: after(/ loaded \/media\/renditions\/[^/]+\/index\.m3u8/),
    segmentRequestedMs: after(new RegExp(` request /media/renditions/[^/]+/segments/${segment}\\.ts`)),
    segmentLoadedMs: after(new RegExp(` loaded /media/renditions/[^/]+/segments/${segment}\\.ts`)),
    firstFrameMs: firstFrame - from,
  };
}

beforeAll(async () => {
  const watch = await startWatchStack([{ file: 'long.mp4', source: 'testsrc2=size=320x240:rate=12', seconds: SECONDS, title: 'A long test pattern' }], {
    // Few described keyframes: the encode's analyzers are not what this test is about.
    env: { ENCODE_KEYFRAME_SECONDS: '10' },
    readyTimeoutMs: 900_000,
  });
  ({ stack, browser } = watch);
  videoId = watch.videoIds[0]!;
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await writeFile(join(ARTIFACTS_DIR, 'progressive-playback-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  await writeFile(join(ARTIFACTS_DIR, 'progressive-playback-events.log'), `${events.join('\n')}\n`);
});

/** Resolves once the player shows frames at or after `from` seconds and its playhead moves on from there. */
async function playingFrom(page: Page, from: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    ([selector, start]) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      return video !== null && !video.paused && video.readyState >= 3 && video.currentTime >= start;
    },
    [PLAYER, from] as const,
    { timeout: timeoutMs, polling: 50 },
  );
}

const currentTime = (page: Page) => page.evaluate((selector) => document.querySelector<HTMLVideoElement>(selector)!.currentTime, PLAYER);

describe('progressive playback', () => {
  it('plays while rendering after Regenerate, and a jump to a late moment plays from there', async () => {
    const page = await browser.context.newPage();
    watch(page);
    await page.goto(`${stack.webUrl}/videos/${videoId}`);
    await page.getByRole('radio', { name: /Keyframes \+ motion/ }).check();
    await page.getByRole('radio', { name: 'MP4' }).check();
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Regenerate video' }).click();

    await page.locator(`${PLAYER}[data-source="stream"]`).waitFor({ timeout: 30_000 });
    await playingFrom(page, 0, 120_000);
    timings.clickToFirstFrameMs = Date.now() - clicked;
    timings.clickToFirstFrame = breakdown(clicked - began, Date.now() - began, 0);
    // hls.js feeds the element through Media Source Extensions (not Chromium's native HLS).
    expect(await page.locator(PLAYER).evaluate((video: HTMLVideoElement) => video.currentSrc)).toMatch(/^blob:/);
    const rendition = page.locator('[data-testid="renditions"] li[data-mode="IT2V"]');
    const statusAtFirstFrame = (await rendition.getAttribute('data-status'))!;
    timings.statusAtFirstFrame = statusAtFirstFrame;
    expect(['QUEUED', 'RENDERING']).toContain(statusAtFirstFrame);
    const late = SECONDS - 6;
    timings.statusAtSeek = (await rendition.getAttribute('data-status'))!;
    const seeked = Date.now();
    await page.evaluate(([selector, t]) => {
      document.querySelector<HTMLVideoElement>(selector)!.currentTime = t;
    }, [PLAYER, late] as const);
    await playingFrom(page, late, 120_000);
    timings.seekToFirstFrameMs = Date.now() - seeked;
    timings.seekToFirstFrame = breakdown(seeked - began, Date.now() - began, Math.floor(late / SEGMENT_SECONDS));
    // The playhead really advances from there.
    const early = await currentTime(page);
    await page.waitForFunction(([selector, t]) => document.querySelector<HTMLVideoElement>(selector)!.currentTime > t + 0.3, [PLAYER, early] as const, { timeout: 30_000 });
    expect(await page.evaluate((selector) => document.querySelector<HTMLVideoElement>(selector)!.duration, PLAYER)).toBeCloseTo(SECONDS, 0);
    console.log(`progressive playback: click → first frame, step by step (ms after the click): ${JSON.stringify(timings.clickToFirstFrame)}`);
    console.log(`progressive playback: seek → first frame, step by step (ms after the seek): ${JSON.stringify(timings.seekToFirstFrame)}`);
    console.log(
      `progressive playback: click → first frame ${timings.clickToFirstFrameMs} ms (rendition ${statusAtFirstFrame}); seek to ${late} s → first frame ${timings.seekToFirstFrameMs} ms (rendition ${timings.statusAtSeek} at the seek)`,
    );

    // Once READY the player moves to the finished file at the same place.
    const { final, error } = await followRendition(page, stack, rendition, 240_000);
    expect(final, error ?? undefined).toBe('READY');
    await page.locator(`${PLAYER}[data-source="file"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator(PLAYER).getAttribute('src')).toMatch(/^\/media\/renditions\//);
    await page.waitForFunction(([selector, t]) => document.querySelector<HTMLVideoElement>(selector)!.currentTime >= t, [PLAYER, late] as const, { timeout: 30_000 });
    await page.close();
  });

  it('opens a search moment and plays from it while the rendition renders', async () => {
    const moment = 30;
    const page = await browser.context.newPage();
    watch(page);
    await page.goto(`${stack.webUrl}/videos/${videoId}?t=${moment}`);
    await page.getByRole('radio', { name: /Keyframes \+ motion/ }).check();
    await page.getByRole('radio', { name: 'WebM' }).check();
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Regenerate video' }).click();
    await page.locator(`${PLAYER}[data-source="stream"]`).waitFor({ timeout: 30_000 });
    await playingFrom(page, moment, 120_000);
    timings.clickToFirstFrameAtMomentMs = Date.now() - clicked;
    timings.clickToFirstFrameAtMoment = breakdown(clicked - began, Date.now() - began, Math.floor(moment / SEGMENT_SECONDS));
    timings.statusAtFirstFrameAtMoment = (await page.locator('[data-testid="renditions"] li[data-mode="IT2V"][data-status]').first().getAttribute('data-status'))!;
    console.log(
      `progressive playback: click → first frame at the ${moment} s moment ${timings.clickToFirstFrameAtMomentMs} ms, step by step: ${JSON.stringify(timings.clickToFirstFrameAtMoment)}`,
    );
    expect(await currentTime(page)).toBeLessThan(moment + 10);
    await page.close();
  });
});
