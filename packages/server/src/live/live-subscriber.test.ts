import { EventEmitter } from 'node:events';
import { expect, test, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { LiveSubscriber, MAX_SUBSCRIPTIONS, type Snapshot } from './live-subscriber.js';

function fakeSocket() {
  const socket = Object.assign(new EventEmitter(), { OPEN: 1, readyState: 1, sent: [] as unknown[], send: (t: string) => socket.sent.push(JSON.parse(t)) });
  return socket;
}

function setup(answer: (path: string) => Snapshot) {
  const ws = fakeSocket();
  const fetch = vi.fn(async (path: string) => answer(path));
  const subscriber = new LiveSubscriber(ws as unknown as WebSocket, fetch);
  const say = (message: unknown) => ws.emit('message', Buffer.from(JSON.stringify(message)), false);
  return { ws, fetch, subscriber, say };
}

test('a subscription is answered at once, then only when its JSON changes', async () => {
  let ready = 0;
  const { ws, fetch, subscriber, say } = setup(() => ({ status: 200, body: JSON.stringify({ ready }) }));
  say({ subscribe: '/api/queues/%2F/q' });
  await vi.waitFor(() => expect(ws.sent).toEqual([{ path: '/api/queues/%2F/q', status: 200, data: { ready: 0 } }]));
  subscriber.refresh(Number.MAX_SAFE_INTEGER);
  await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
  expect(ws.sent).toHaveLength(1);
  ready = 3;
  subscriber.refresh(Number.MAX_SAFE_INTEGER);
  await vi.waitFor(() => expect(ws.sent).toHaveLength(2));
  expect(ws.sent[1]).toEqual({ path: '/api/queues/%2F/q', status: 200, data: { ready: 3 } });
  say({ unsubscribe: '/api/queues/%2F/q' });
  subscriber.refresh(Number.MAX_SAFE_INTEGER);
  expect(fetch).toHaveBeenCalledTimes(3);
});

test('only API GET paths, a bounded number of them; bad messages are answered, not fatal', async () => {
  const { ws, say } = setup(() => ({ status: 200, body: '{}' }));
  ws.emit('message', Buffer.from('{nope'), false);
  say({ subscribe: 42 });
  say({ subscribe: '/api/live' });
  say({ subscribe: `/api/${'x'.repeat(3000)}` });
  for (let i = 0; i <= MAX_SUBSCRIPTIONS; i++) say({ subscribe: `/api/queues/%2F/q${i}` });
  await vi.waitFor(() => expect(ws.sent.filter((m) => (m as { path?: string }).path !== undefined)).toHaveLength(MAX_SUBSCRIPTIONS));
  const errors = ws.sent.filter((m) => (m as { error?: string }).error === 'invalid_argument') as { reason: string }[];
  expect(errors.map((e) => e.reason)).toEqual([
    expect.stringContaining('expected {"subscribe"'),
    expect.stringContaining('expected {"subscribe"'),
    expect.stringContaining('not an API path'),
    expect.stringContaining('longer than 2048'),
    `at most ${MAX_SUBSCRIPTIONS} subscriptions per live socket`,
  ]);
});
