import { describe, expect, it } from 'vitest';
import { perQueueText } from './per-queue-text.js';
import type { QueueSnapshot } from './queue-snapshot.js';

const snapshot = (queues: QueueSnapshot['queues']) => ({ queues }) as QueueSnapshot;

describe('perQueueText', () => {
  it('writes one sample per queue for each queue gauge, with HELP and TYPE once per family', () => {
    const text = perQueueText('warren', snapshot([{ vhost: '/', queue: 'orders', ready: 3, unacked: 2, ram: 3, bytes: 30, consumers: 1 }]));
    expect(text).toContain('# TYPE warren_queue_messages_ready gauge\nwarren_queue_messages_ready{vhost="/",queue="orders"} 3\n');
    expect(text).toContain('warren_queue_messages{vhost="/",queue="orders"} 5\n');
    expect(text).toContain('warren_queue_consumers{vhost="/",queue="orders"} 1\n');
    expect(text.match(/^# HELP /gm)).toHaveLength(6);
  });

  it('escapes backslashes, double quotes and line feeds in names, as the text format requires', () => {
    const text = perQueueText('rabbitmq', snapshot([{ vhost: 'a\\b', queue: 'say "hi"\nthere', ready: 1, unacked: 0, ram: 1, bytes: 1, consumers: 0 }]));
    expect(text).toContain('rabbitmq_queue_messages_ready{vhost="a\\\\b",queue="say \\"hi\\"\\nthere"} 1\n');
  });
});
