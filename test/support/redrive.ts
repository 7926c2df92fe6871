/** Redrive jobs in tests: start one over HTTP and wait, by polling its status, until it has ended. */
import { expect } from 'vitest';
import { call } from './http.js';

/** The job's view once it is no longer running. */
export async function redriveJobEnd(base: string, id: string): Promise<Record<string, unknown>> {
  let view: Record<string, unknown> = {};
  await expect
    .poll(async () => {
      view = (await call(base, 'GET', `/api/redrives/${id}`)).body;
      return view.state;
    }, { timeout: 60_000, interval: 20 })
    .not.toBe('running');
  return view;
}

/** Starts a redrive job on a queue of vhost `/` (expecting 202) and waits for its end. */
export async function redriveAndWait(base: string, queue: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const started = await call(base, 'POST', `/api/queues/%2F/${queue}/redrive`, body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return redriveJobEnd(base, started.body.id as string);
}
