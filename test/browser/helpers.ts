/** Shared steps for the browser tests: seeding videos through the API, viewports and the axe check. */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshotPath } from '../support/browser.ts';
import { waitForVideo, type Stack } from '../support/stack.ts';

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Ingests server paths through the API and waits until each is READY; returns the ids in order. */
export async function ingestPaths(stack: Stack, inputs: { path: string; title: string }[]): Promise<string[]> {
  const response = await stack.graphql<{ ingestVideos: { video: { id: string } | null; error: { code: string } | null }[] }>(
    'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } error { code } } }',
    { inputs },
  );
  expect(response.errors).toBeUndefined();
  const ids = response.data!.ingestVideos.map((item) => {
    expect(item.error).toBeNull();
    return item.video!.id;
  });
  for (const id of ids) expect((await waitForVideo(stack, id)).status).toBe('READY');
  return ids;
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
