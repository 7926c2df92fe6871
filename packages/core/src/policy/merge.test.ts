import { describe, expect, it } from 'vitest';
import { explainQueueSettings } from './explain.js';
import { effectivePolicy, mergePolicies } from './merge.js';
import { Policy, type PolicyRecord } from './policy.js';

const policy = (name: string, priority: number, definition: PolicyRecord['definition'], pattern = '^q'): Policy =>
  new Policy({ vhost: '/', name, pattern, applyTo: 'all', priority, definition });

describe('merging matching policies', () => {
  it('takes each key from the highest-priority policy that sets it', () => {
    const merged = mergePolicies([policy('low', 1, { 'max-length': 1, 'message-ttl': 5 }), policy('high', 5, { 'max-length': 3 })], 'queue', 'q1');
    expect(merged.winner?.name).toBe('high');
    expect(merged.definition).toEqual({ 'max-length': 3, 'message-ttl': 5 });
    expect([...merged.sources]).toEqual([
      ['max-length', 'high'],
      ['message-ttl', 'low'],
    ]);
  });

  it('breaks a priority tie by the name that sorts first, as the single pick does', () => {
    const merged = mergePolicies([policy('b', 2, { 'max-length': 2 }), policy('a', 2, { 'max-length': 1 })], 'queue', 'q');
    expect(merged.winner?.name).toBe('a');
    expect(merged.definition).toEqual({ 'max-length': 1 });
  });

  it('leaves policies that do not match out', () => {
    const merged = mergePolicies([policy('other', 9, { 'max-length': 9 }, '^x'), policy('mine', 0, { expires: 10 })], 'queue', 'q');
    expect(merged.definition).toEqual({ expires: 10 });
  });

  it('returns the single matching policy itself, and the current merged one when nothing changed', () => {
    const only = policy('only', 0, { 'max-length': 1 });
    expect(effectivePolicy([only], 'queue', 'q')).toBe(only);
    const both = [policy('low', 0, { expires: 10 }), policy('high', 1, { 'max-length': 1 })];
    const first = effectivePolicy(both, 'queue', 'q');
    expect(first?.name).toBe('high');
    expect(first?.record.definition).toEqual({ 'max-length': 1, expires: 10 });
    expect(effectivePolicy(both, 'queue', 'q', first)).toBe(first);
  });
});

describe('explaining effective settings', () => {
  it('names the argument, the policy or the default behind each key', () => {
    const merged = mergePolicies([policy('low', 0, { 'message-ttl': 100, 'dead-letter-exchange': 'p' }), policy('high', 1, { 'max-length': 2 })], 'queue', 'q');
    expect(explainQueueSettings({ 'x-max-length': 5, 'x-dead-letter-exchange': 'a' }, merged)).toMatchObject({
      'message-ttl': { value: 100, source: { type: 'policy', name: 'low' } },
      'max-length': { value: 2, source: { type: 'policy', name: 'high' } },
      overflow: { value: 'drop-head', source: { type: 'default' } },
      'dead-letter-exchange': { value: 'a', source: { type: 'argument' } },
    });
  });

  it('takes retry keys all from the arguments when any is set there, the rest defaults', () => {
    const merged = mergePolicies([policy('retry', 0, { 'retry-max-attempts': 9, 'retry-jitter': 0.5 })], 'queue', 'q');
    const explained = explainQueueSettings({ 'x-retry-max-attempts': 3 }, merged);
    expect(explained['retry-max-attempts']).toEqual({ value: 3, source: { type: 'argument' } });
    expect(explained['retry-jitter']).toEqual({ value: 0, source: { type: 'default' } });
    expect(explainQueueSettings({}, merged)['retry-jitter']).toEqual({ value: 0.5, source: { type: 'policy', name: 'retry' } });
  });
});
