/**
 * Bulk ingest in Chromium: several files through the file picker (one of them a text file named
 * .mp4), each with its own progress bar, the bad one explained in words; and pasted server paths.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { makeClip } from '../support/media.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { expectAccessible, screenshotBoth } from './helpers.ts';

let stack: Stack;
let browser: Browser;
let filesDir: string;

beforeAll(async () => {
  stack = await startStack({ web: true });
  stack.startWorker();
  filesDir = await mkdtemp(join(tmpdir(), 'cmvc-ingest-ui-'));
  await makeClip(join(filesDir, 'sunrise.mp4'), { source: 'testsrc2=size=320x240:rate=12', seconds: 1 });
  await makeClip(join(filesDir, 'harbour.mp4'), { source: 'smptehdbars=size=320x240:rate=12', seconds: 1 });
  await writeFile(join(filesDir, 'notes.mp4'), 'These are meeting notes, not a video.\n'.repeat(20));
  browser = await launchBrowser();
});

/** Polls an item's phase until it is `phase`, failing early (with the logs) if an app process died. */
async function waitForPhase(item: Locator, phase: string): Promise<void> {
  await expect
    .poll(
      async () => {
        stack.assertAlive();
        return item.getAttribute('data-phase');
      },
      { timeout: 150_000, interval: 500 },
    )
    .toBe(phase);
}

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

describe('the ingest page', () => {
  it('is accessible and explains itself while empty', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/ingest`);
    await page.getByText('Nothing added yet.', { exact: false }).waitFor();
    await expectAccessible(page, 'ingest (empty)');
    await page.close();
  });

  it('uploads several files with progress, archives the videos, and explains the bad file in words', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/ingest`);
    await page.getByLabel('Tags for what you add next').fill('Dock, test-batch');
    await page.locator('[data-testid="file-input"]').setInputFiles(['sunrise.mp4', 'notes.mp4', 'harbour.mp4'].map((name) => join(filesDir, name)));

    const items = page.locator('[data-testid="ingest-list"] > li');
    await expect.poll(() => items.count()).toBe(3);
    for (const item of await items.all()) expect(await item.getByRole('progressbar').count()).toBe(1);
    await page.getByRole('progressbar', { name: 'Overall progress' }).waitFor();

    const bad = items.filter({ hasText: 'notes.mp4' });
    const error = bad.locator('[data-testid="ingest-error"]');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getAttribute('data-code')).toBe('UNSUPPORTED_MEDIA');
    expect(await error.textContent()).toContain('not a video the archive can read');

    for (const name of ['sunrise.mp4', 'harbour.mp4']) {
      const item = items.filter({ hasText: name });
      await waitForPhase(item, 'READY');
      expect(await item.getByRole('link', { name: 'Open video' }).count()).toBe(1);
    }
    await page.getByText('2 of 3 archived').waitFor();
    expect(await page.getByRole('progressbar', { name: 'Overall progress' }).getAttribute('aria-valuenow')).toBe('100');

    const videos = await stack.graphql<{ videos: { edges: { node: { title: string; tags: string[] } }[] } }>('{ videos(first: 10) { edges { node { title tags } } } }');
    expect(videos.data!.videos.edges.map((edge) => edge.node.title).sort()).toEqual(['harbour', 'sunrise']);
    for (const edge of videos.data!.videos.edges) expect([...edge.node.tags].sort()).toEqual(['dock', 'test-batch']);

    await expectAccessible(page, 'ingest (done)');
    await screenshotBoth(page, 'ingest');
    await page.close();
  });

  it('ingests pasted server paths and explains a path outside the allowed folders', async () => {
    const inside = join(stack.ingestRoot, 'pasted.mp4');
    await makeClip(inside, { source: 'testsrc=size=160x120:rate=10', seconds: 1 });
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/ingest`);
    await page.getByLabel('Or paste web addresses or server paths').fill(`${inside}\n/etc/hostname\n`);
    await page.getByRole('button', { name: 'Add to archive' }).click();

    const items = page.locator('[data-testid="ingest-list"] > li');
    await expect.poll(() => items.count()).toBe(2);
    const outside = items.filter({ hasText: '/etc/hostname' }).locator('[data-testid="ingest-error"]');
    await outside.waitFor();
    expect(await outside.getAttribute('data-code')).toBe('PATH_OUTSIDE_ROOT');
    expect(await outside.textContent()).toContain('outside the folders the archive is allowed to read from');
    await waitForPhase(items.filter({ hasText: 'pasted.mp4' }), 'READY');
    await page.close();
  });
});
