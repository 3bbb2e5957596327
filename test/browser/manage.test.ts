/**
 * Editing and deleting a video from its page in Chromium: the title and tags change in place, and a
 * confirmed delete returns to the library with the video's rows and blobs gone.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startWatchStack, useBrowserStack } from './helpers.ts';

const setup = useBrowserStack(() => startWatchStack([{ file: 'manage.mp4', source: 'testsrc2=size=160x120:rate=8', seconds: 2, title: 'Before the edit' }]));

async function storedVideo(): Promise<{ title: string; tags: string[] } | null> {
  const response = await setup.stack.graphql<{ video: { title: string; tags: string[] } | null }>('query($id: ID!) { video(id: $id) { title tags } }', { id: setup.videoId });
  return response.data?.video ?? null;
}

it('edits the title and tags on the video page', async () => {
  const page = await setup.browser.context.newPage();
  await page.goto(`${setup.stack.webUrl}/videos/${setup.videoId}`);
  await page.getByRole('heading', { level: 1, name: 'Before the edit' }).waitFor();
  await page.getByRole('button', { name: 'Edit title and tags…' }).click();
  await page.getByLabel('Title').fill('After the edit');
  await page.getByLabel('Tags (comma-separated)').fill('pattern,  colour bars ');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { level: 1, name: 'After the edit' }).waitFor();
  expect(await storedVideo()).toEqual({ title: 'After the edit', tags: ['pattern', 'colour bars'] });
  await page.close();
});

it('deletes the video after a confirmation, leaving no rows or blobs', async () => {
  const page = await setup.browser.context.newPage();
  await page.goto(`${setup.stack.webUrl}/videos/${setup.videoId}`);
  await page.getByRole('button', { name: 'Delete…' }).click();
  // Cancelling keeps it.
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(await storedVideo()).not.toBeNull();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('button', { name: 'Delete video' }).click();
  await page.waitForURL(`${setup.stack.webUrl}/`);
  await page.locator('[data-testid="video-list"], .empty-title').first().waitFor();
  expect(await page.locator('[data-testid="video-list"] li', { hasText: 'After the edit' }).count()).toBe(0);
  expect(await storedVideo()).toBeNull();
  const left = await readdir(join(setup.stack.blobDir, 'videos', setup.videoId)).catch(() => []);
  expect(left).toEqual([]);
  await page.close();
});
