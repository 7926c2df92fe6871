import { describe, expect, it } from 'vitest';
import type { Message } from '../message.js';
import { ATTEMPTS_HEADER, attemptsOf, MAX_ATTEMPT_ERROR, withAttempt } from './attempt-log.js';

const message: Message = {
  id: 'm1',
  exchange: 'x',
  routingKey: 'k',
  properties: {},
  headers: { keep: 1 },
  body: new Uint8Array(1),
  persistent: true,
  publishedAt: 0,
};

describe('attempt log', () => {
  it('appends numbered entries to a new message, leaving the shared one as it was', () => {
    const once = withAttempt(message, 'q', { reason: 'nack', error: 'boom', consumerTag: 'c1', connection: 'k1' }, 1_000, 20);
    const twice = withAttempt(once, 'q2', { reason: 'ack_timeout' }, 2_000, 20);
    expect(message.headers).toEqual({ keep: 1 });
    expect(twice.headers?.keep).toBe(1);
    expect(attemptsOf(twice)).toEqual([
      { attempt: 1, time: 1_000, queue: 'q', consumer_tag: 'c1', connection: 'k1', reason: 'nack', error: 'boom' },
      { attempt: 2, time: 2_000, queue: 'q2', consumer_tag: null, connection: null, reason: 'ack_timeout', error: null },
    ]);
  });

  it('keeps the newest entries up to the limit, numbering on from the newest', () => {
    let m = message;
    for (let i = 0; i < 25; i++) m = withAttempt(m, 'q', { reason: 'retry' }, i, 20);
    expect(attemptsOf(m).map((e) => e.attempt)).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
    m = withAttempt(m, 'q', { reason: 'retry' }, 99, 3);
    expect(attemptsOf(m).map((e) => e.attempt)).toEqual([24, 25, 26]);
  });

  it('cuts the error text to 1,024 characters', () => {
    const m = withAttempt(message, 'q', { reason: 'reject', error: 'e'.repeat(5_000) }, 0, 20);
    expect(attemptsOf(m)[0]?.error).toHaveLength(MAX_ATTEMPT_ERROR);
  });

  it('keeps no log at limit 0', () => {
    const logged = withAttempt(message, 'q', { reason: 'nack' }, 0, 20);
    const none = withAttempt(logged, 'q', { reason: 'nack' }, 0, 0);
    expect(none.headers).toEqual({ keep: 1 });
    expect(none.headers?.[ATTEMPTS_HEADER]).toBeUndefined();
  });
});
