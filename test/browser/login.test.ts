/**
 * Logging in to the admin UI in real Chromium (issue 23, point 6; docs/admin-ui.md, "Logging
 * in"), against a broker that has no guest: the login page comes first and passes axe-core; a
 * wrong password is shown as such; a monitoring user sees only the pages and actions its tags and
 * permissions allow, and nothing it is shown is refused; logging out returns to the login page;
 * an access token logs in, handed over in the URL's fragment or pasted; an administrator can act
 * (a purge through the session cookie and its CSRF token).
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestBroker } from '../support/broker.js';
import { ALL, basic, callAs, createUser, NONE } from '../support/security.js';
import { seriousViolations } from './support/axe.js';
import { launchChromium, openPage, screenshot, type WatchedPage } from './support/chromium.js';
import { startUiBroker } from './support/ui-broker.js';

let broker: TestBroker;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
const ROOT = basic('root', 'root-pw');
/** API answers 401 or 403 the page got, but for the whoami that finds nobody logged in. */
const refusals: string[] = [];
const ISSUER = 'https://idp.example.test';
let signingKey: CryptoKey;

function token(subject: string, scope: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject(subject)
    .setIssuer(ISSUER)
    .setAudience('rabbitmq')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(signingKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  broker = await startUiBroker({ defaultUser: 'root', defaultPass: 'root-pw', oauth: { resourceServerId: 'rabbitmq', issuer: ISSUER, keys: [jwk] } } as never);
  const as = (method: string, path: string, body?: unknown) => callAs(broker.httpUrl, ROOT, method, path, body);
  await createUser(broker.httpUrl, ROOT, 'watcher', 'watcher-pw', ['monitoring'], { '/': NONE });
  await as('PUT', '/api/permissions/%2F/root', ALL);
  await as('PUT', '/api/queues/%2F/orders', {});
  await as('POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: 'orders', payload: 'one', payload_encoding: 'string', properties: {} });
  await as('PUT', '/api/policies/%2F/orders-limit', { pattern: '^orders$', definition: { 'max-length': 100 } });
  browser = await launchChromium();
  watched = await openPage(browser);
  page = watched.page;
  page.on('response', (response) => {
    const status = response.status();
    if ((status === 401 || status === 403) && !response.url().endsWith('/api/whoami')) refusals.push(`${status} ${response.request().method()} ${response.url()}`);
  });
});

afterAll(async () => {
  await watched?.close();
  await browser?.close();
  await broker?.dispose();
});

const loginHeading = () => page.getByRole('heading', { name: 'Log in to Warren' });

async function logIn(user: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

async function messagesIn(queue: string): Promise<number> {
  return (await callAs(broker.httpUrl, ROOT, 'GET', `/api/queues/%2F/${queue}`)).body.messages;
}

test('the login page comes first, passes axe, and says when the password is wrong', async () => {
  await page.goto(`${broker.httpUrl}/queues/%2F/orders`);
  await loginHeading().waitFor();
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, `login-${colorScheme}`);
    expect(await seriousViolations(page), `login in ${colorScheme} mode`).toEqual([]);
  }
  await logIn('watcher', 'wrong');
  await expect.poll(() => page.getByRole('alert').textContent()).toContain('Login refused');
  expect(refusals).toEqual(['401 POST ' + `${broker.httpUrl}/api/auth/login`]);
  refusals.length = 0;
});

test('a monitoring user sees its pages, no delete, purge or policy editor, and is refused nothing it is shown', async () => {
  await logIn('watcher', 'watcher-pw');
  // Back on the page that was asked for, now as watcher.
  await page.getByRole('heading', { name: /orders/ }).first().waitFor();
  await page.locator('[data-live="open"]').waitFor();
  await page.waitForLoadState('networkidle');
  expect(await page.getByRole('button', { name: 'Purge' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
  expect(await page.getByRole('heading', { name: 'Publish a message' }).count()).toBe(0);

  const nav = page.getByRole('navigation', { name: 'Pages' });
  const links = await nav.getByRole('link').allTextContents();
  expect(links).toContain('Nodes');
  expect(links).toContain('Audit log');
  expect(links).not.toContain('Definitions');
  for (const label of links) {
    await nav.getByRole('link', { name: label, exact: true }).click();
    await page.locator('h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByText(/access_refused|not_authorized/).count(), label).toBe(0);
    expect(await page.getByRole('button', { name: /^(Delete|Close|Cancel)\b/ }).count(), label).toBe(0);
  }
  await nav.getByRole('link', { name: 'Policies', exact: true }).click();
  await page.getByRole('cell', { name: 'orders-limit' }).waitFor();
  expect(await page.getByRole('group', { name: 'Policy editor' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: /^Edit / }).count()).toBe(0);
  await screenshot(page, 'login-monitoring-policies');
  // A page its tags do not open, asked for by URL, says so instead of failing.
  await page.goto(`${broker.httpUrl}/definitions`);
  await page.getByText('may not open this page').waitFor();
  expect(refusals).toEqual([]);
});

test('logging out returns to the login page; the session is over for the API too', async () => {
  await page.getByRole('button', { name: 'Log out' }).click();
  await loginHeading().waitFor();
  const cookies = await page.context().cookies();
  expect(cookies.filter((c) => c.name === 'warren_session')).toEqual([]);
  await page.reload();
  await loginHeading().waitFor();
});

test("an access token logs in: handed over in the URL's fragment, which is then dropped, or pasted", async () => {
  const provided = await token('svc-ui', 'rabbitmq.tag:management rabbitmq.read:%2F/*');
  await page.goto(`${broker.httpUrl}/queues/%2F/orders#access_token=${provided}`);
  await page.locator('[data-user="svc-ui"]').waitFor();
  expect(new URL(page.url()).hash).toBe('');
  // read, but no configure: purge is there, delete is not; management only: no Nodes.
  await page.getByRole('button', { name: 'Purge' }).waitFor();
  expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
  expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Nodes' }).count()).toBe(0);
  await page.getByRole('button', { name: 'Log out' }).click();
  await loginHeading().waitFor();

  await page.getByRole('button', { name: 'Access token' }).click();
  await page.getByLabel('Access token (JWT)').fill(await token('svc-pasted', 'rabbitmq.tag:monitoring'));
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('[data-user="svc-pasted"]').waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await loginHeading().waitFor();
  expect(refusals).toEqual([]);
});

test('an administrator sees every page and can act: a purge goes through with the session and its CSRF token', async () => {
  await logIn('root', 'root-pw');
  const nav = page.getByRole('navigation', { name: 'Pages' });
  await nav.getByRole('link', { name: 'Definitions', exact: true }).waitFor();
  await page.goto(`${broker.httpUrl}/queues/%2F/orders`);
  await page.getByRole('button', { name: 'Purge' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Purge' }).click();
  await expect.poll(() => messagesIn('orders')).toBe(0);
  await page.goto(`${broker.httpUrl}/policies`);
  await page.getByRole('group', { name: 'Policy editor' }).waitFor();
  expect(refusals).toEqual([]);
  expect(watched.problems).toEqual([]);
});

test('a session that ends (its user deleted) brings the login page back, saying so', async () => {
  await createUser(broker.httpUrl, ROOT, 'temp', 'temp-pw', ['management'], { '/': ALL });
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn('temp', 'temp-pw');
  await page.locator('[data-user="temp"]').waitFor();
  await page.locator('[data-live="open"]').waitFor();
  await callAs(broker.httpUrl, ROOT, 'DELETE', '/api/users/temp');
  await loginHeading().waitFor();
  await page.getByText('Your session has ended').waitFor();
  expect(await page.locator('[data-user]').count()).toBe(0);
});
