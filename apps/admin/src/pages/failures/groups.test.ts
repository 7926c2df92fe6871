import type { BindingView } from '@warren/protocol';
import { expect, test } from 'vitest';
import type { BrowsedMessage } from '../../api/messages.js';
import type { QueueRow } from '../../api/queues.js';
import { deadLetterQueues, groupFailures } from './groups.js';

const queue = (name: string, settings: Record<string, unknown>) => ({ name, effective_settings: settings }) as unknown as QueueRow;
const binding = (source: string, destination: string) => ({ source, vhost: '/', destination, destination_type: 'queue', routing_key: '', arguments: {} }) as BindingView;

test('dead-letter queues: bound to a dead-letter exchange, or named by a default-exchange key', () => {
  const queues = [queue('orders', { 'dead-letter-exchange': 'dlx' }), queue('mail', { 'dead-letter-exchange': '', 'dead-letter-routing-key': 'mail.dlq' }), queue('x', {})];
  expect(deadLetterQueues(queues, [binding('dlx', 'orders.dlq'), binding('other', 'y')])).toEqual(['mail.dlq', 'orders.dlq']);
});

const message = (id: string, reason: string, source: string, error?: string) =>
  ({ id, properties: { headers: { 'x-death': [{ reason, queue: source }], 'x-warren-attempts': error === undefined ? [] : [{ error: 'first' }, { error }] } } }) as unknown as BrowsedMessage;

test('grouped by reason, source queue and the last attempt error, biggest group first', () => {
  const groups = groupFailures('dlq', [
    message('1', 'rejected', 'orders', 'timeout'),
    message('2', 'retries_exhausted', 'orders', 'declined'),
    message('3', 'retries_exhausted', 'orders', 'declined'),
    message('4', 'expired', 'mail'),
    { id: '5', properties: {} } as BrowsedMessage,
  ]);
  expect(groups.map((g) => [g.reason, g.sourceQueue, g.error, g.messages.length])).toEqual([
    ['retries_exhausted', 'orders', 'declined', 2],
    ['rejected', 'orders', 'timeout', 1],
    ['expired', 'mail', null, 1],
    ['unknown', 'unknown', null, 1],
  ]);
});
