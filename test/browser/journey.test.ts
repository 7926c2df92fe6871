/**
 * The admin UI's main journey in real Chromium (issue 22, point 3): a user creates a queue and a
 * dead-letter + retry policy in the UI, publishes, sees the count move; a consumer rejects the
 * message until its retries run out; the user finds it on the Failures page, browses it and
 * redrives it back where it came from.
 */
import { expect, test } from 'vitest';
import { screenshot } from './support/chromium.js';
import { useUiSession } from './support/ui-session.js';

const ui = useUiSession('journey-consumer');

test('create a queue and a retry policy, publish, fail the message, find it in Failures and redrive it', async () => {
  const { page } = ui.watched;
  await page.goto(`${ui.broker.httpUrl}/queues`);
  await page.locator('#queue-name').fill('orders');
  await page.getByRole('button', { name: 'Add queue' }).click();
  await expect.poll(() => page.url(), { timeout: 10_000 }).toContain('/queues/%2F/orders');
  await page.getByRole('heading', { name: 'Queue orders' }).waitFor();

  await page.getByRole('link', { name: 'Policies' }).click();
  await page.getByLabel('Policy name').fill('orders-retry');
  await page.getByLabel('Queues matching (regular expression)').fill('^orders$');
  await page.getByLabel('Attempts in all (the first included)').fill('3');
  await page.getByLabel('Delays between attempts, ms (comma-separated; the last repeats)').fill('20');
  await page.getByLabel('Dead-letter exchange').fill('orders.dlx');
  await page.getByLabel('Also create this dead-letter queue, bound to that exchange (optional)').fill('orders.dlq');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect.poll(() => page.getByTestId('dry-run').textContent(), { timeout: 10_000 }).toContain('orders: no policy → orders-retry');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByText('Policy saved.', { exact: true }).waitFor();
  await screenshot(page, 'journey-policy-saved');

  await page.getByRole('link', { name: 'Queues', exact: true }).click();
  await page.getByRole('link', { name: 'orders', exact: true }).click();
  await page.getByText('policy orders-retry').first().waitFor();
  await page.getByLabel('Payload').fill('{"order": 42, "note": "card declined"}');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByText('Published.', { exact: true }).waitFor();
  // The count moves by the live socket's push: nothing in the page polls.
  await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('1');
  await screenshot(page, 'journey-published');

  const deliveries: number[] = [];
  const consumer = await ui.client.consume('orders', (message) => {
    deliveries.push(message.attempt);
    message.reject({ requeue: false, error: 'payment declined' });
  });
  await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBe(3);
  await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('0');
  await consumer.cancel();

  await page.getByRole('link', { name: 'Failures' }).click();
  const group = page.getByTestId('failure-group');
  await expect.poll(() => group.textContent(), { timeout: 10_000 }).toContain('retries_exhausted');
  const row = await group.textContent();
  expect(row).toContain('orders.dlq');
  expect(row).toContain('payment declined');
  await group.getByRole('button', { name: 'Open' }).click();
  await page.getByText('"card declined"').waitFor();
  await screenshot(page, 'journey-failures');

  await page.getByRole('button', { name: 'Redrive…' }).click();
  await expect.poll(() => page.getByTestId('redrive-preview').textContent(), { timeout: 10_000 }).toContain('Dry run: 1 messages');
  await expect.poll(() => page.getByRole('dialog').textContent(), { timeout: 10_000 }).toContain('1 to queue orders');
  await page.getByRole('button', { name: 'Redrive 1' }).click();
  await expect.poll(() => page.getByTestId('redrive-job').getAttribute('data-state'), { timeout: 10_000 }).toBe('completed');
  expect(await page.getByTestId('redrive-job').textContent()).toContain('1 moved');
  await screenshot(page, 'journey-redriven');

  await page.getByRole('link', { name: 'Queues', exact: true }).click();
  await page.getByRole('link', { name: 'orders', exact: true }).click();
  await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('1');
  expect(ui.watched.problems).toEqual([]);
}, 60_000);
