import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, queueSettings, retryDelay } from './settings.js';

describe('queueSettings: arguments and policy (RabbitMQ precedence)', () => {
  it('takes the smaller of argument and policy for numeric limits', () => {
    const s = queueSettings(
      { 'x-max-length': 10, 'x-message-ttl': 5_000, 'x-delivery-limit': 9 },
      { 'max-length': 20, 'message-ttl': 1_000, expires: 60_000, 'delivery-limit': 3 },
    );
    expect(s).toMatchObject({ maxLength: 10, messageTtl: 1_000, expires: 60_000, deliveryLimit: 3 });
  });

  it('lets the argument win for dead-letter exchange, routing key and overflow', () => {
    const s = queueSettings(
      { 'x-dead-letter-exchange': 'mine', 'x-overflow': 'reject-publish' },
      { 'dead-letter-exchange': 'policy', 'dead-letter-routing-key': 'rk', overflow: 'drop-head' },
    );
    expect(s).toMatchObject({ deadLetterExchange: 'mine', deadLetterRoutingKey: 'rk', overflow: 'reject-publish' });
  });

  it('defaults overflow to drop-head and has no retry unless asked', () => {
    expect(queueSettings({}, undefined)).toEqual({ overflow: 'drop-head' });
  });

  it('takes the smaller ack timeout and attempt-log limit of argument and policy', () => {
    const s = queueSettings({ 'x-ack-timeout': 30_000, 'x-attempt-log-limit': 5 }, { 'ack-timeout': 10_000, 'attempt-log-limit': 50 });
    expect(s).toMatchObject({ ackTimeout: 10_000, attemptLogLimit: 5 });
    expect(queueSettings({}, { 'attempt-log-limit': 3 }).attemptLogLimit).toBe(3);
  });

  it('takes the smaller dedup window of argument and policy; 0 turns it off', () => {
    expect(queueSettings({ 'x-dedup-window': 60_000 }, { 'dedup-window': 5_000 }).dedupWindow).toBe(5_000);
    expect(queueSettings({ 'x-dedup-window': 0 }, { 'dedup-window': 5_000 }).dedupWindow).toBe(0);
    expect(queueSettings({}, { 'dedup-window': 5_000 }).dedupWindow).toBe(5_000);
    expect(queueSettings({}, undefined).dedupWindow).toBeUndefined();
  });

  it('takes retry settings wholly from the arguments when any x-retry-* is set', () => {
    const s = queueSettings({ 'x-retry-delays': [5, 10] }, { 'retry-max-attempts': 9, 'retry-initial-delay': 7 });
    expect(s.retry).toEqual({ ...DEFAULT_RETRY, delays: [5, 10] });
    expect(queueSettings({}, { 'retry-max-attempts': 9 }).retry).toEqual({ ...DEFAULT_RETRY, maxAttempts: 9 });
  });
});

describe('retryDelay', () => {
  it('walks a ladder and repeats its last step', () => {
    const retry = { ...DEFAULT_RETRY, delays: [100, 500, 2_000] };
    expect([1, 2, 3, 4, 9].map((attempt) => retryDelay(retry, attempt))).toEqual([100, 500, 2_000, 2_000, 2_000]);
  });

  it('grows exponentially up to the maximum, with jitter around it', () => {
    const retry = { ...DEFAULT_RETRY, initialDelay: 100, multiplier: 2, maxDelay: 500 };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelay(retry, attempt))).toEqual([100, 200, 400, 500, 500]);
    const jittered = { ...retry, jitter: 0.5 };
    expect(retryDelay(jittered, 1, () => 0)).toBe(50);
    expect(retryDelay(jittered, 1, () => 1)).toBe(150);
  });
});
