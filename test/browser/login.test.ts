/**
 * Signing in and out in Chromium with AUTH=required: protected pages send a signed-out visitor to
 * /login (and back afterwards), a wrong password is explained, the account menu shows who is
 * signed in, and signing out ends the session on the server too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthRepository, createDatabase, type Database } from '@cmvc/db';
import { AuthService } from '@cmvc/core';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { requireServices, startStack, type Stack } from '../support/stack.ts';
import { expectAccessible, screenshotBoth } from './helpers.ts';

const EMAIL = 'curator@example.org';
const PASSWORD = 'tide tables at dawn';

let stack: Stack;
let browser: Browser;
let db: Database;

beforeAll(async () => {
  stack = await startStack({ web: true, env: { AUTH: 'required' } });
  db = createDatabase(requireServices().databaseUrl);
  await new AuthService(new AuthRepository(db), true).createUser(EMAIL, PASSWORD, ['ADMIN']);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await db?.$disconnect();
  await stack?.stop();
});

/** What the API says about a session cookie. */
async function viewerFor(cookie: string): Promise<{ name: string } | null> {
  const response = await fetch(`${stack.apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `cmvc_session=${cookie}` },
    body: JSON.stringify({ query: '{ me { name } }' }),
  });
  return ((await response.json()) as { data: { me: { name: string } | null } }).data.me;
}

describe('content security policy', () => {
  it('forbids framing and other origins, and the login page works under it', async () => {
    const page = await browser.context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(`${stack.webUrl}/login`);
    const policy = response!.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("default-src 'self'");
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    expect(violations).toEqual([]);
    await page.close();
  });
});

describe('signing in and out', () => {
  it('sends a signed-out visitor to the login page, explains a wrong password, and signs in back to the page asked for', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/jobs`);
    await page.waitForURL('**/login?next=%2Fjobs');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'login');
    await screenshotBoth(page, 'login');

    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    expect(page.url()).toContain('/login');

    await page.getByLabel('Password').fill(PASSWORD);
    // Submitting from the keyboard works like the button.
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${stack.webUrl}/jobs`);
    await page.getByRole('heading', { name: 'Jobs and archive' }).waitFor();
    await page.getByText('No failed jobs.').waitFor();
    const account = page.locator('.header-account');
    await account.getByText(EMAIL).waitFor();
    expect(await account.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    await expectAccessible(page, 'jobs (signed in)');
    await page.close();
  });

  it('signs out, lands on the login page, ends the session on the server, and guards pages again', async () => {
    const page = await browser.context.newPage();
    await page.goto(stack.webUrl!);
    await page.locator('.header-account').getByText(EMAIL).waitFor();
    const session = (await browser.context.cookies()).find((cookie) => cookie.name === 'cmvc_session');
    expect(session).toBeDefined();
    expect(session!.httpOnly).toBe(true);
    expect(await viewerFor(session!.value)).toEqual({ name: EMAIL });

    await page.locator('.header-account').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await browser.context.cookies()).some((cookie) => cookie.name === 'cmvc_session')).toBe(false);
    // The old cookie no longer works, even if someone kept a copy.
    expect(await viewerFor(session!.value)).toBeNull();

    for (const [path, next] of [['/', '%2F'], ['/jobs', '%2Fjobs']] as const) {
      await page.goto(`${stack.webUrl}${path}`);
      await page.waitForURL(`**/login?next=${next}`);
    }
    expect(await page.locator('.header-account').getByText(EMAIL).count()).toBe(0);
    await page.close();
  });
});
