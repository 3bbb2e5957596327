/**
 * The jobs dashboard in Chromium: an encode that fails for real (its source blob is missing when
 * the worker runs it) shows up live in the failed list; once the file is back, Retry (from the
 * keyboard) puts it back in line, the video page shows encode progress, and the video ends READY.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { makeClip } from '../support/media.ts';
import { query, startStack, waitForVideo } from '../support/stack.ts';
import { expectAccessible, PHONE, DESKTOP, screenshotBoth, useBrowserStack } from './helpers.ts';

// The worker starts later, once the source blob has been moved aside.
const setup = useBrowserStack(async () => ({ stack: await startStack({ web: true }), browser: await launchBrowser() }));

describe('the jobs dashboard', () => {
  it('says when nothing has failed, and passes the accessibility check at laptop and phone width', async () => {
    const page = await setup.browser.context.newPage();
    await page.goto(`${setup.stack.webUrl}/jobs`);
    await page.getByText('No failed jobs.').waitFor();
    expect(await page.locator('[data-testid="queue-table"] tbody tr').count()).toBe(3);
    expect(await page.getByRole('link', { name: 'Jobs' }).getAttribute('aria-current')).toBe('page');
    await expectAccessible(page, 'jobs (empty)');
    await page.setViewportSize(PHONE);
    // On a phone the queues are cards instead of a wide table, and nothing sticks out sideways.
    expect(await page.locator('[data-testid="queue-table"]').isVisible()).toBe(false);
    expect(await page.locator('[data-testid="queue-cards"] li').count()).toBe(3);
    expect(await page.locator('[data-testid="queue-cards"]').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, 'jobs (empty, phone)');
    await page.setViewportSize(DESKTOP);
    await page.close();
  });

  it('shows a failed encode as it fails, retries it from the keyboard, and the video ends READY', async () => {
    const path = join(setup.stack.ingestRoot, 'harbour.mp4');
    await makeClip(path, { source: 'testsrc2=size=320x240:rate=12', seconds: 2 });
    const ingest = await setup.stack.graphql<{ ingestVideos: { video: { id: string } | null; error: { message: string } | null }[] }>(
      'mutation($path: String!) { ingestVideos(inputs: [{ path: $path, title: "Harbour at dusk" }]) { video { id } error { message } } }',
      { path },
    );
    expect(ingest.data!.ingestVideos[0]!.error).toBeNull();
    const videoId = ingest.data!.ingestVideos[0]!.video!.id;
    const [row] = await query<{ sourceBlobKey: string }>('SELECT "sourceBlobKey" FROM "Video" WHERE id = $1', [videoId]);
    const blob = join(setup.stack.blobDir, ...row!.sourceBlobKey.split('/'));
    await rename(blob, `${blob}.hidden`);

    const page = await setup.browser.context.newPage();
    await page.goto(`${setup.stack.webUrl}/jobs`);
    const encodeRow = page.locator('[data-testid="queue-table"] tr[data-queue="ENCODE"]');
    await expect.poll(() => encodeRow.locator('td[data-state="waiting"]').textContent(), { timeout: 15_000 }).toBe('1');

    setup.stack.startWorker();
    expect((await waitForVideo(setup.stack, videoId)).status).toBe('FAILED');
    // The open page picks the failure up by itself.
    const failedJob = page.locator(`[data-testid="failed-jobs"] li[data-job-id="encode-${videoId}"]`);
    await failedJob.waitFor({ timeout: 15_000 });
    expect(await failedJob.textContent()).toContain('Encoding “Harbour at dusk”');
    expect(await failedJob.textContent()).toContain('3 attempts');
    expect((await failedJob.locator('.failed-reason').textContent())!.length).toBeGreaterThan(0);
    await expect.poll(() => encodeRow.locator('td[data-state="failed"]').textContent(), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => page.locator('[data-testid="archive-totals"]').textContent(), { timeout: 15_000 }).toContain('1 failed');
    await expectAccessible(page, 'jobs (a failed job)');
    await screenshotBoth(page, 'jobs');

    await rename(`${blob}.hidden`, blob);
    const retry = failedJob.getByRole('button', { name: 'Retry: Encoding “Harbour at dusk”' });
    await retry.focus();
    await page.keyboard.press('Enter');
    await page.getByText('No failed jobs.').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('status').filter({ hasText: 'retrying' }).count()).toBe(1);
    // Focus stays in the list's section rather than falling back to the page.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('failed-heading');
    await page.close();

    // The video page follows the encode with a determinate progress bar, to READY.
    const videoPage = await setup.browser.context.newPage();
    await videoPage.goto(`${setup.stack.webUrl}/videos/${videoId}`);
    const values = new Set<string>();
    const deadline = Date.now() + 200_000;
    let status = '';
    while (Date.now() < deadline) {
      setup.stack.assertAlive();
      status = (await query<{ status: string }>('SELECT status FROM "Video" WHERE id = $1', [videoId]))[0]!.status;
      // Read without waiting: the bar goes away when the encode finishes.
      const value = await videoPage.evaluate(() => {
        const bar = document.querySelector('[role="progressbar"][aria-label="Encoding"]');
        return bar ? (bar.getAttribute('aria-valuenow') ?? 'indeterminate') : null;
      });
      if (value !== null) values.add(value);
      if (status === 'READY' || status === 'FAILED') break;
      await videoPage.waitForTimeout(200);
    }
    expect(status).toBe('READY');
    expect([...values].some((value) => value !== 'indeterminate')).toBe(true);
    await videoPage.locator('.status-ready').first().waitFor({ timeout: 15_000 });
    await videoPage.close();

    const after = await setup.browser.context.newPage();
    await after.goto(`${setup.stack.webUrl}/jobs`);
    await after.getByText('No failed jobs.').waitFor();
    const throughput = after.locator('[data-testid="throughput"]');
    await expect.poll(async () => Number(await throughput.locator('.stat-value').first().textContent()), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await after.locator('[data-testid="archive-totals"]').textContent()).toContain('1 of 1 video ready');
    await expectAccessible(after, 'jobs (after the retry)');
    await screenshotBoth(after, 'jobs-after-retry');
    await after.close();
  });
});
