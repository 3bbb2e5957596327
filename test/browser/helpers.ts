/** Shared steps for the browser tests: seeding videos through the API, viewports and the axe check. */
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { join } from 'node:path';
import { launchBrowser, screenshotPath, type Browser } from '../support/browser.ts';
import { makeClip } from '../support/media.ts';
import { startStack, waitForVideo, type Stack } from '../support/stack.ts';

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Ingests server paths through the API and waits until each is READY; returns the ids in order. */
export async function ingestPaths(stack: Stack, inputs: { path: string; title: string }[], readyTimeoutMs?: number): Promise<string[]> {
  const response = await stack.graphql<{ ingestVideos: { video: { id: string } | null; error: { code: string } | null }[] }>(
    'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } error { code } } }',
    { inputs },
  );
  expect(response.errors).toBeUndefined();
  const ids = response.data!.ingestVideos.map((item) => {
    expect(item.error).toBeNull();
    return item.video!.id;
  });
  for (const id of ids) expect((await waitForVideo(stack, id, readyTimeoutMs)).status).toBe('READY');
  return ids;
}

/** A lavfi clip to archive before a browser test: made in the stack's ingest folder as `file`. */
export interface ArchivedClip {
  readonly file: string;
  readonly source: string;
  readonly seconds: number;
  readonly title: string;
}

/** A stack and Chromium, what every browser test starts from. */
export interface BrowserStack {
  readonly stack: Stack;
  readonly browser: Browser;
}

export interface WatchStack extends BrowserStack {
  /** The clips' video ids, in order, each READY. */
  readonly videoIds: string[];
  /** The first clip's. */
  readonly videoId: string;
}

/**
 * Registers the test file's beforeAll, which fills the returned object with what `start` gives, and
 * its afterAll, which closes the browser and stops the stack. Read the object in tests and hooks.
 */
export function useBrowserStack<T extends BrowserStack>(start: () => Promise<T>): T {
  const started = {} as T;
  beforeAll(async () => {
    Object.assign(started, await start());
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.stack?.stop();
  });
  return started;
}

/** The stack with the web app and a worker, the clips archived, and Chromium: what a test of the video pages starts from. */
export async function startWatchStack(clips: readonly ArchivedClip[], options: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<WatchStack> {
  const stack = await startStack({ web: true, ...(options.env ? { env: options.env } : {}) });
  // useBrowserStack's afterAll only sees a stack that started whole: one that fails midway is stopped here.
  try {
    stack.startWorker();
    const inputs = clips.map((clip) => ({ path: join(stack.ingestRoot, clip.file), title: clip.title }));
    await Promise.all(clips.map((clip, index) => makeClip(inputs[index]!.path, { source: clip.source, seconds: clip.seconds })));
    const videoIds = await ingestPaths(stack, inputs, options.readyTimeoutMs);
    return { stack, browser: await launchBrowser(), videoIds, videoId: videoIds[0]! };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** The video page's player. */
const PLAYER = 'video[data-testid="player"]';

/** On the video page: picks the mode (its radio's label) and, when given, the container, and asks for the rendition. */
export async function requestRendition(page: Page, mode: RegExp, format?: 'MP4' | 'WebM'): Promise<void> {
  await page.getByRole('radio', { name: mode }).check();
  if (format) await page.getByRole('radio', { name: format }).check();
  await page.getByRole('button', { name: 'Regenerate video' }).click();
}

/** Waits until the player has reached `readyState` and knows a duration over `minSeconds`. */
export async function waitForPlayerReady(page: Page, readyState: number, minSeconds: number): Promise<void> {
  await page.waitForFunction(
    ([selector, state, seconds]) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      return video !== null && video.readyState >= state && video.duration > seconds;
    },
    [PLAYER, readyState, minSeconds] as const,
    { timeout: 30_000 },
  );
}

/** Waits until the player's playhead is past `seconds`. */
export async function waitForPlayhead(page: Page, seconds: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction(([selector, t]) => document.querySelector<HTMLVideoElement>(selector)!.currentTime > t, [PLAYER, seconds] as const, { timeout: timeoutMs });
}

/** Fails with the rule ids and offending nodes when axe finds serious or critical problems. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const summary = severe.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(summary, `accessibility problems on ${name}`).toEqual([]);
}

/** Saves the page at desktop and phone size, returning to desktop afterwards. */
export async function screenshotBoth(page: Page, name: string, ready?: () => Promise<void>): Promise<void> {
  const top = () => page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  await page.setViewportSize(DESKTOP);
  await ready?.();
  await top();
  await page.screenshot({ path: await screenshotPath(`${name}-desktop`), fullPage: true });
  await page.setViewportSize(PHONE);
  await ready?.();
  await top();
  await page.screenshot({ path: await screenshotPath(`${name}-phone`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** Waits until every <img> on the page has loaded (or failed), so screenshots show thumbnails. */
export async function imagesSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete), undefined, { timeout: 15_000 });
}

/** What a rendition's list item went through while the page polled it. */
export interface FollowedRendition {
  /** Its last `data-status`: READY, FAILED, or a busy state when time ran out. */
  readonly final: string;
  /** The error the page shows for a FAILED rendition. */
  readonly error: string | null;
  /** Every status seen, plus `bar:N` for the number of progress bars shown while it was busy. */
  readonly seen: ReadonlySet<string>;
}

/** Watches a rendition's list item through QUEUED/RENDERING until READY or FAILED (or `timeoutMs`). */
export async function followRendition(page: Page, stack: Stack, rendition: Locator, timeoutMs: number): Promise<FollowedRendition> {
  await rendition.waitFor();
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  let final = '';
  while (Date.now() < deadline) {
    stack.assertAlive();
    final = (await rendition.getAttribute('data-status'))!;
    seen.add(final);
    if (final === 'QUEUED' || final === 'RENDERING') seen.add(`bar:${await rendition.getByRole('progressbar').count()}`);
    if (final === 'READY' || final === 'FAILED') break;
    await page.waitForTimeout(250);
  }
  // Count first: a locator action on a missing element would wait out Playwright's timeout.
  const error = final === 'FAILED' && (await rendition.locator('.error').count()) > 0 ? await rendition.locator('.error').textContent() : null;
  return { final, error, seen };
}
