/**
 * Boundary values of the durations the protocol accepts, found by the fuzzers' boundary numbers:
 * every one documented up to 2³²−1 ms (x-expires, x-message-ttl, a policy's `expires`, a delayed
 * publish, a retry delay) must mean "that far in the future". Node's timers hold at most 2³¹−1 ms;
 * a longer one fires after 1 ms with a TimeoutOverflowWarning. Each test here uses the largest
 * accepted value, waits a little, and checks that nothing happened early and that no timer
 * overflowed (one warning per overflowing timer: a timer re-armed on every early firing spins).
 * Each test has a broker of its own, stopped after it, so one test's timers cannot fail another.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';
import { depth, take, texts } from '../support/messages.js';

const MAX = 0xffffffff;
const WAIT_MS = 300;

let broker: TestBroker;
let client: Client;
let overflows: string[] = [];
const onWarning = (warning: Error) => {
  if (warning.name === 'TimeoutOverflowWarning') overflows.push(warning.message);
};

beforeEach(async () => {
  overflows = [];
  process.on('warning', onWarning);
  broker = await startBroker();
  client = await connect(broker.url);
});
afterEach(async () => {
  await client.close();
  await broker.dispose();
  process.off('warning', onWarning);
});

const later = () => new Promise((resolve) => setTimeout(resolve, WAIT_MS));
const exists = (queue: string) => client.declareQueue(queue, { passive: true }).then(() => true, () => false);

describe('durations at their documented maximum (2^32 - 1 ms)', () => {
  it('x-expires: the queue is not deleted at once', async () => {
    await client.declareQueue('fz-expires-max', { arguments: { 'x-expires': MAX } });
    await later();
    expect(await exists('fz-expires-max')).toBe(true);
    expect(overflows).toEqual([]);
  });

  it('a policy with expires: the durable queues it matches, and their messages, stay', async () => {
    await client.declareQueue('fz-policy-expires', { durable: true });
    for (const body of ['a', 'b', 'c']) await client.publish('', 'fz-policy-expires', body, { persistent: true });
    await client.setPolicy('fz-expires-max', { pattern: '^fz-policy-expires$', definition: { expires: MAX } });
    await later();
    expect(await exists('fz-policy-expires')).toBe(true);
    expect(texts(await take(client, 'fz-policy-expires', 3))).toEqual(['a', 'b', 'c']);
    expect(overflows).toEqual([]);
  });

  it('x-message-ttl: the message stays, and no timer overflows', async () => {
    await client.declareQueue('fz-ttl-max', { arguments: { 'x-message-ttl': MAX } });
    await client.publish('', 'fz-ttl-max', 'kept');
    await later();
    expect(await depth(client, 'fz-ttl-max')).toBe(1);
    expect(overflows).toEqual([]);
  });

  it('a delayed publish: the message is not delivered early, and no timer overflows', async () => {
    await client.declareQueue('fz-delay-max');
    await client.publish('', 'fz-delay-max', 'later', { delay: MAX });
    await later();
    expect(await depth(client, 'fz-delay-max')).toBe(0);
    expect(overflows).toEqual([]);
  });

  it('a retry delay: the message does not come back early, and no timer overflows', async () => {
    await client.declareQueue('fz-retry-max');
    await client.publish('', 'fz-retry-max', 'again');
    const [message] = await take(client, 'fz-retry-max', 1);
    message!.retry({ delay: MAX });
    await later();
    expect(await depth(client, 'fz-retry-max')).toBe(0);
    expect(overflows).toEqual([]);
  });
});
