import { describe, expect, it } from 'vitest';
import type { OkFrame, ScheduledView } from '@warren/protocol';
import { ScheduledMessages } from './scheduled.js';

const view: ScheduledView = {
  id: 's1',
  vhost: '/',
  reason: 'retry',
  due: 1_900_000_000_000,
  due_at: new Date(1_900_000_000_000).toISOString(),
  queue: 'jobs',
  exchange: null,
  routing_key: 'jobs',
  attempt: 2,
  size: 3,
  message_id: 'm1',
  durable: true,
};

function withReplies(reply: Record<string, unknown>): { scheduled: ScheduledMessages; sent: unknown[] } {
  const sent: unknown[] = [];
  const scheduled = new ScheduledMessages(async (frame) => {
    sent.push(frame);
    return { type: 'ok', id: 1, ...reply } as OkFrame;
  });
  return { scheduled, sent };
}

describe('client.scheduled', () => {
  it('lists with the wire names and answers in camelCase, without the nulls', async () => {
    const page = { items: [view], page: 2, page_size: 1, page_count: 3, item_count: 1, filtered_count: 3, total_count: 5 };
    const { scheduled, sent } = withReplies(page);
    const listed = await scheduled.list({ queue: 'jobs', page: 2, pageSize: 1 });
    expect(sent).toEqual([{ type: 'scheduled.list', queue: 'jobs', exchange: undefined, page: 2, page_size: 1 }]);
    expect(listed).toEqual({
      items: [{ id: 's1', reason: 'retry', due: view.due, queue: 'jobs', routingKey: 'jobs', attempt: 2, size: 3, messageId: 'm1', durable: true }],
      page: 2,
      pageSize: 1,
      pageCount: 3,
      filtered: 3,
      total: 5,
    });
  });

  it('sends a cancel by the scheduled id', async () => {
    const { scheduled, sent } = withReplies({});
    await scheduled.cancel('s1');
    expect(sent).toEqual([{ type: 'scheduled.cancel', scheduled_id: 's1' }]);
  });

  it('sends a Date as ms, a number or a string as it is, and returns the moved message', async () => {
    const { scheduled, sent } = withReplies({ scheduled: { ...view, reason: 'delay', queue: null, exchange: 'events' } });
    const moved = await scheduled.reschedule('s1', new Date(5));
    await scheduled.reschedule('s1', 7);
    await scheduled.reschedule('s1', '2030-01-31T12:00:00Z');
    expect(sent.map((f) => (f as { due: unknown }).due)).toEqual([5, 7, '2030-01-31T12:00:00Z']);
    expect(moved).toMatchObject({ id: 's1', reason: 'delay', exchange: 'events' });
    expect(moved.queue).toBeUndefined();
  });
});
