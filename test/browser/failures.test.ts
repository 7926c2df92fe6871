/**
 * The Failures page in real Chromium (issue 22): dead letters grouped by reason, source queue and
 * the error of their last attempt; a group redriven by all three (the dry run counts exactly
 * it, not its neighbour with another error), paced, followed live, cancelled, then finished.
 */
import { connect, type Client } from '@warren/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestBroker } from '../support/broker.js';
import { depth } from '../support/messages.js';
import { launchChromium, openPage, screenshot, type WatchedPage } from './support/chromium.js';
import { startUiBroker } from './support/ui-broker.js';

let broker: TestBroker;
let browser: Browser;
let client: Client;
let watched: WatchedPage;

beforeAll(async () => {
  broker = await startUiBroker();
  browser = await launchChromium();
  client = await connect(broker.url, { name: 'failing-consumer' });
  watched = await openPage(browser);
}, 60_000);

afterAll(async () => {
  await watched?.close();
  await client?.close();
  await browser?.close();
  await broker?.dispose();
}, 60_000);

/** Six payments rejected by their consumer: four timed out, two were bad JSON. */
async function failPayments(): Promise<void> {
  await client.declareExchange('payments.dlx', 'fanout');
  await client.declareQueue('payments.dlq');
  await client.bind('payments.dlq', 'payments.dlx', '');
  await client.declareQueue('payments', { arguments: { 'x-dead-letter-exchange': 'payments.dlx' } });
  const errors = ['timeout', 'bad json', 'timeout', 'timeout', 'bad json', 'timeout'];
  for (let i = 0; i < errors.length; i++) await client.publish('', 'payments', { payment: i });
  let seen = 0;
  const consumer = await client.consume('payments', (m) => m.reject({ requeue: false, error: errors[seen++] }));
  await expect.poll(() => depth(client, 'payments.dlq'), { timeout: 10_000 }).toBe(errors.length);
  await consumer.cancel();
}

test('groups dead letters by their last error and redrives one group, paced, cancelled, then all of it', async () => {
  await failPayments();
  const { page } = watched;
  await page.goto(`${broker.httpUrl}/failures`);
  const groups = page.getByTestId('failure-group');
  await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(2);
  const timeouts = groups.filter({ hasText: 'timeout' });
  const badJson = groups.filter({ hasText: 'bad json' });
  expect(await timeouts.textContent()).toBe('payments.dlqrejectedpaymentstimeout4Open');
  expect(await badJson.textContent()).toBe('payments.dlqrejectedpaymentsbad json2Open');

  await timeouts.getByRole('button', { name: 'Open' }).click();
  await page.getByRole('heading', { name: 'rejected in payments: “timeout”' }).waitFor();
  await page.getByRole('button', { name: 'Redrive…' }).click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => page.getByTestId('redrive-preview').textContent(), { timeout: 10_000 }).toContain('Dry run: 4 messages (rejected, died in payments, last error “timeout”)');
  expect(await dialog.textContent()).toContain('4 to queue payments');
  await screenshot(page, 'failures-redrive-preview');
  await dialog.getByLabel('At most this many messages a second (empty: as fast as they go)').fill('0.5');
  await dialog.getByRole('button', { name: 'Redrive 4' }).click();

  const job = page.getByTestId('redrive-job');
  await expect.poll(() => job.getAttribute('data-state'), { timeout: 10_000 }).toBe('running');
  expect(await job.textContent()).toMatch(/Redrive running: \d moved, 0 skipped, \d remaining/);
  await screenshot(page, 'failures-redrive-running');
  await job.getByRole('button', { name: 'Cancel redrive' }).click();
  await expect.poll(() => job.getAttribute('data-state'), { timeout: 10_000 }).toBe('stopped');
  const moved = await depth(client, 'payments');
  expect(moved).toBeLessThan(4);
  expect(await depth(client, 'payments.dlq')).toBe(6 - moved);
  // The bad-JSON group was never touched; the timeout group shrank by what moved.
  await expect.poll(() => timeouts.textContent(), { timeout: 10_000 }).toBe(`payments.dlqrejectedpaymentstimeout${4 - moved}Close`);
  expect(await badJson.textContent()).toBe('payments.dlqrejectedpaymentsbad json2Open');

  // The group is still open: redrive what is left of it, at full speed.
  await page.getByRole('button', { name: 'Redrive…' }).click();
  await expect.poll(() => page.getByTestId('redrive-preview').textContent(), { timeout: 10_000 }).toContain(`Dry run: ${4 - moved} messages`);
  await dialog.getByRole('button', { name: `Redrive ${4 - moved}` }).click();
  await expect.poll(() => page.getByTestId('redrive-job').first().getAttribute('data-state'), { timeout: 10_000 }).toBe('completed');
  await expect.poll(() => depth(client, 'payments'), { timeout: 10_000 }).toBe(4);
  await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(1);
  expect(await groups.textContent()).toContain('bad json2');
  await screenshot(page, 'failures-redriven');
  expect(watched.problems).toEqual([]);
}, 60_000);
