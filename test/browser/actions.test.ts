/**
 * The UI's other actions in real Chromium, each against the real API: the policy JSON editor's
 * inline schema errors as you type, the routing dry run, definitions export and import with the
 * diff first, rescheduling and cancelling a scheduled message, and purging a queue by keyboard
 * alone through its confirmation.
 */
import type { Client } from '@warren/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestBroker } from '../support/broker.js';
import { launchChromium, openPage, type WatchedPage } from './support/chromium.js';
import { populate } from './support/fixture.js';
import { http, startUiBroker } from './support/ui-broker.js';

let broker: TestBroker;
let browser: Browser;
let client: Client;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  broker = await startUiBroker();
  client = await populate(broker);
  browser = await launchChromium();
  watched = await openPage(browser);
  page = watched.page;
});

afterAll(async () => {
  await watched?.close();
  await client?.close();
  await browser?.close();
  await broker?.dispose();
});

async function open(path: string): Promise<void> {
  await page.goto(`${broker.httpUrl}${path}`);
  await page.locator('h1').first().waitFor();
}

test('the policy JSON editor shows the broker schema’s errors as you type', async () => {
  await open('/policies');
  await page.getByRole('button', { name: 'JSON editor' }).click();
  const editor = page.getByLabel('Policy', { exact: true });
  const problems = page.locator('.json-editor .problems');
  await editor.fill('{"pattern": "^a$", "definition": {');
  await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toContain('JSON:');
  await editor.fill('{"pattern": "^a$", "definition": {"max-lenght": 5}}');
  await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toContain("unknown key 'max-lenght'");
  await editor.fill('{"pattern": "^a$", "definition": {"message-ttl": -1, "retry-jitter": 2}}');
  await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toContain("definition key 'message-ttl': must be >= 0");
  expect(await problems.textContent()).toContain("definition key 'retry-jitter': must be <= 1");
  expect(await page.getByRole('button', { name: 'Preview changes' }).isDisabled()).toBe(true);
  await page.getByLabel('Name', { exact: true }).fill('limits');
  await editor.fill('{"pattern": "^orders", "apply-to": "queues", "priority": 5, "definition": {"max-length": 100}}');
  await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toBe('Valid');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect.poll(() => page.getByTestId('dry-run').textContent(), { timeout: 10_000 }).toContain('orders: orders-retry → limits');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByText('Policy saved.', { exact: true }).waitFor();
  expect((await (await http(broker, 'GET', '/api/policies/%2F/limits')).json()).definition).toEqual({ 'max-length': 100 });
  expect(watched.problems).toEqual([]);
});

test('the routing dry run names the queues a key would reach', async () => {
  await open('/exchanges/%2F/orders.x');
  await page.getByLabel('Routing key', { exact: true }).first().fill('order.created');
  await page.getByRole('button', { name: 'Route' }).click();
  await expect.poll(() => page.getByTestId('route-result').textContent(), { timeout: 10_000 }).toContain('Reaches 1 queue:orders');
  await page.getByLabel('Routing key', { exact: true }).first().fill('invoice.created');
  await page.getByRole('button', { name: 'Route' }).click();
  await expect.poll(() => page.getByTestId('route-result').textContent(), { timeout: 10_000 }).toContain('Unroutable');
});

test('definitions: export downloads the document; an import shows the diff first, then applies', async () => {
  await open('/definitions');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download definitions' }).click();
  const file = await (await download).path();
  const { readFile, writeFile } = await import('node:fs/promises');
  const doc = JSON.parse(await readFile(file, 'utf8')) as { queues: { name: string }[] };
  expect(doc.queues.map((q) => q.name)).toContain('orders');
  doc.queues.push({ ...doc.queues[0]!, name: 'imported.queue' });
  await writeFile(`${file}.json`, JSON.stringify(doc));
  await page.getByLabel('Definitions file (JSON)').setInputFiles(`${file}.json`);
  await expect.poll(() => page.getByTestId('definitions-diff').textContent(), { timeout: 10_000 }).toContain('imported.queue');
  expect((await http(broker, 'GET', '/api/queues').then((r) => r.json())).map((q: { name: string }) => q.name)).not.toContain('imported.queue');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText('Imported.', { exact: true }).waitFor();
  expect((await http(broker, 'GET', '/api/queues').then((r) => r.json())).map((q: { name: string }) => q.name)).toContain('imported.queue');
});

test('a scheduled message is rescheduled, then cancelled behind a confirmation', async () => {
  await open('/scheduled');
  await expect.poll(() => page.locator('main [role=status]').first().textContent(), { timeout: 10_000 }).toBe('1 waiting');
  await page.getByRole('button', { name: 'Reschedule' }).click();
  await page.getByLabel('New time').fill('2031-01-02T03:04:05');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.locator('tbody td').first().textContent(), { timeout: 10_000 }).toBe(new Date('2031-01-02T03:04:05').toISOString());
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Drop message' }).click();
  await expect.poll(() => page.locator('main [role=status]').first().textContent(), { timeout: 10_000 }).toBe('0 waiting');
});

test('by keyboard alone: find a queue, open it, purge it through the confirmation naming it', async () => {
  await open('/queues');
  await page.locator('body').press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  // Tab through the page to the queue's link.
  for (let i = 0; i < 80 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'orders'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Queue orders' }).waitFor();
  await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('2');
  for (let i = 0; i < 40 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'Purge'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  expect(await dialog.getByRole('heading').textContent()).toBe('Purge queue “orders”?');
  await page.keyboard.press('Escape');
  await expect.poll(() => dialog.isVisible(), { timeout: 10_000 }).toBe(false);
  expect(await page.getByTestId('messages-ready').textContent()).toBe('2');
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('0');
  expect(watched.problems).toEqual([]);
});
