import { describe, expect, it } from 'vitest';
import { deadLettered, deathsOf, isCycle } from './dead-letter.js';
import type { Message } from './message.js';

const message: Message = {
  id: 'm1',
  exchange: 'orders',
  routingKey: 'order.created',
  properties: { expiration: '5000', persistent: true },
  headers: { tenant: 'acme' },
  body: new Uint8Array([1]),
  persistent: true,
  publishedAt: 1_000,
};

describe('deadLettered', () => {
  it('records the first death, keeps other headers and drops the expiration', () => {
    const dead = deadLettered(message, 'work', 'expired', 'dlx', undefined, 10_500);
    expect(dead).toMatchObject({ exchange: 'dlx', routingKey: 'order.created', publishedAt: 10_500, properties: { persistent: true } });
    expect(dead.properties.expiration).toBeUndefined();
    expect(dead.headers).toMatchObject({
      tenant: 'acme',
      'x-first-death-reason': 'expired',
      'x-first-death-queue': 'work',
      'x-first-death-exchange': 'orders',
      'x-last-death-reason': 'expired',
    });
    expect(deathsOf(dead)).toEqual([
      { count: 1, reason: 'expired', queue: 'work', exchange: 'orders', 'routing-keys': ['order.created'], time: 10, 'original-expiration': '5000' },
    ]);
  });

  it('counts a repeated (queue, reason) in its entry and moves it to the front; first-death stays', () => {
    let m = deadLettered(message, 'work', 'rejected', 'dlx', 'retry', 1_000);
    m = deadLettered(m, 'wait', 'expired', 'back', 'work', 2_000);
    m = deadLettered(m, 'work', 'rejected', 'dlx', 'retry', 3_000);
    expect(deathsOf(m).map((d) => [d.queue, d.reason, d.count])).toEqual([
      ['work', 'rejected', 2],
      ['wait', 'expired', 1],
    ]);
    expect(m.headers?.['x-first-death-queue']).toBe('work');
    expect(m.routingKey).toBe('retry');
  });
});

describe('isCycle (RabbitMQ rabbit_dead_letter:is_cycle)', () => {
  it('is a cycle to return to a queue the message died in with no rejection on the way', () => {
    const once = deadLettered(message, 'q', 'expired', 'dlx', undefined, 0);
    expect(isCycle(once, 'expired', 'q')).toBe(true);
    expect(isCycle(once, 'expired', 'other')).toBe(false);
  });

  it('is not a cycle when a consumer rejected the message on the way, or rejected it now', () => {
    const rejected = deadLettered(message, 'q', 'rejected', 'dlx', undefined, 0);
    const then = deadLettered(rejected, 'wait', 'expired', 'dlx', undefined, 0);
    expect(isCycle(then, 'expired', 'q')).toBe(false);
    expect(isCycle(rejected, 'rejected', 'q')).toBe(false);
  });
});
