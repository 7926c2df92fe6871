/**
 * The Failures page in real Chromium (issue 22): dead letters grouped by reason, source queue and
 * the error of their last attempt; a group opened shows only its messages; a group redriven by
 * all three (the dry run counts exactly it, not its neighbour with another error), paced,
 * followed live, cancelled, then finished. The broker groups the whole queue, so 1,500 dead
 * letters are counted exactly, and a group's pages hold only its messages.
 */
import type { Locator } from 'playwright-core';
import { expect, test } from 'vitest';
import { depth } from '../support/messages.js';
import { screenshot, type WatchedPage } from './support/chromium.js';
import { useUiSession } from './support/ui-session.js';

const ui = useUiSession('failing-consumer');

/** Six payments rejected by their consumer: four timed out, two were bad JSON. */
async function failPayments(): Promise<void> {
  await ui.client.declareExchange('payments.dlx', 'fanout');
  await ui.client.declareQueue('payments.dlq');
  await ui.client.bind('payments.dlq', 'payments.dlx', '');
  await ui.client.declareQueue('payments', { arguments: { 'x-dead-letter-exchange': 'payments.dlx' } });
  const errors = ['timeout', 'bad json', 'timeout', 'timeout', 'bad json', 'timeout'];
  for (let i = 0; i < errors.length; i++) await ui.client.publish('', 'payments', { payment: i }, { messageId: `pay-${i}` });
  let seen = 0;
  const consumer = await ui.client.consume('payments', (m) => m.reject({ requeue: false, error: errors[seen++] }));
  await expect.poll(() => depth(ui.client, 'payments.dlq'), { timeout: 10_000 }).toBe(errors.length);
  await consumer.cancel();
}

/** A group's row, cell by cell, without its time span (which the browser's locale formats). */
async function row(group: Locator): Promise<string[]> {
  const cells = await group.locator('td').allTextContents();
  return [...cells.slice(0, 5), ...cells.slice(6)];
}

/** Ids of the messages the open group shows, from their body viewers' labels. */
async function shownIds(page: WatchedPage['page']): Promise<string[]> {
  const labels = await page.locator('[aria-label^="Body of message "][role="group"]').evaluateAll((all) => all.map((e) => e.getAttribute('aria-label') ?? ''));
  return labels.map((label) => label.replace(/^Body of message /, '').replace(/: view as$/, ''));
}

test('groups dead letters by their last error and redrives one group, paced, cancelled, then all of it', async () => {
  await failPayments();
  const { page } = ui.watched;
  await page.goto(`${ui.broker.httpUrl}/failures`);
  const groups = page.getByTestId('failure-group');
  await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(2);
  const timeouts = groups.filter({ hasText: 'timeout' });
  const badJson = groups.filter({ hasText: 'bad json' });
  expect(await row(timeouts)).toEqual(['payments.dlq', 'rejected', 'payments', 'timeout', '4', 'Open']);
  expect(await row(badJson)).toEqual(['payments.dlq', 'rejected', 'payments', 'bad json', '2', 'Open']);

  await timeouts.getByRole('button', { name: 'Open' }).click();
  await page.getByRole('heading', { name: 'rejected in payments: “timeout”' }).waitFor();
  await expect.poll(() => page.getByTestId('group-range').textContent(), { timeout: 10_000 }).toBe('Messages 1–4 of 4');
  await expect.poll(() => shownIds(page), { timeout: 10_000 }).toEqual(['pay-0', 'pay-2', 'pay-3', 'pay-5']);
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
  const moved = await depth(ui.client, 'payments');
  expect(moved).toBeLessThan(4);
  expect(await depth(ui.client, 'payments.dlq')).toBe(6 - moved);
  // The bad-JSON group was never touched; the timeout group shrank by what moved.
  await expect.poll(() => row(timeouts), { timeout: 10_000 }).toEqual(['payments.dlq', 'rejected', 'payments', 'timeout', String(4 - moved), 'Close']);
  expect(await row(badJson)).toEqual(['payments.dlq', 'rejected', 'payments', 'bad json', '2', 'Open']);

  // The group is still open: redrive what is left of it, at full speed.
  await page.getByRole('button', { name: 'Redrive…' }).click();
  await expect.poll(() => page.getByTestId('redrive-preview').textContent(), { timeout: 10_000 }).toContain(`Dry run: ${4 - moved} messages`);
  await dialog.getByRole('button', { name: `Redrive ${4 - moved}` }).click();
  await expect.poll(() => page.getByTestId('redrive-job').first().getAttribute('data-state'), { timeout: 10_000 }).toBe('completed');
  await expect.poll(() => depth(ui.client, 'payments'), { timeout: 10_000 }).toBe(4);
  await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(1);
  expect(await row(groups)).toEqual(['payments.dlq', 'rejected', 'payments', 'bad json', '2', 'Open']);
  await screenshot(page, 'failures-redriven');
  expect(ui.watched.problems).toEqual([]);
}, 60_000);

test('counts 1,500 dead letters exactly and pages through only the open group’s messages', async () => {
  await ui.client.declareExchange('bulk.dlx', 'fanout');
  await ui.client.declareQueue('bulk.dlq');
  await ui.client.bind('bulk.dlq', 'bulk.dlx', '');
  await ui.client.declareQueue('bulk', { arguments: { 'x-dead-letter-exchange': 'bulk.dlx' } });
  // Every fourth message failed on its signature, the rest on the quota: interleaved in the queue.
  const errorOf = (i: number) => (i % 4 === 0 ? 'bad signature' : 'quota exceeded');
  await Promise.all(Array.from({ length: 1500 }, (_, i) => ui.client.publish('', 'bulk', { n: i }, { messageId: `bulk-${i}` })));
  const consumer = await ui.client.consume('bulk', (m) => m.reject({ requeue: false, error: errorOf(Number(String(m.properties.messageId).slice('bulk-'.length))) }));
  await expect.poll(() => depth(ui.client, 'bulk.dlq'), { timeout: 20_000 }).toBe(1500);
  await consumer.cancel();

  const { page } = ui.watched;
  await page.goto(`${ui.broker.httpUrl}/failures`);
  const bulk = page.getByTestId('failure-group').filter({ hasText: 'bulk.dlq' });
  await expect.poll(() => bulk.count(), { timeout: 10_000 }).toBe(2);
  expect(await row(bulk.nth(0))).toEqual(['bulk.dlq', 'rejected', 'bulk', 'quota exceeded', '1125', 'Open']);
  expect(await row(bulk.nth(1))).toEqual(['bulk.dlq', 'rejected', 'bulk', 'bad signature', '375', 'Open']);

  await bulk.nth(1).getByRole('button', { name: 'Open' }).click();
  await expect.poll(() => page.getByTestId('group-range').textContent(), { timeout: 10_000 }).toBe('Messages 1–50 of 375');
  await expect.poll(() => shownIds(page), { timeout: 10_000 }).toEqual(Array.from({ length: 50 }, (_, i) => `bulk-${i * 4}`));
  await page.getByRole('navigation', { name: 'Pages of the group’s messages' }).getByRole('button', { name: 'Next' }).click();
  await expect.poll(() => page.getByTestId('group-range').textContent(), { timeout: 10_000 }).toBe('Messages 51–100 of 375');
  await expect.poll(() => shownIds(page), { timeout: 10_000 }).toEqual(Array.from({ length: 50 }, (_, i) => `bulk-${(i + 50) * 4}`));
  await screenshot(page, 'failures-bulk-group');
  expect(ui.watched.problems).toEqual([]);
}, 60_000);
