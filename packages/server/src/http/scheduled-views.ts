/** Scheduled records and pages as the management API and the `scheduled.*` replies show them (http/scheduled.ts in protocol). */
import type { ScheduledPageView, ScheduledView } from '@warren/protocol';
import { attemptOf, type ScheduledPage, type ScheduledRecord } from '@warren/core';

export function scheduledView(record: ScheduledRecord): ScheduledView {
  const message = record.message;
  return {
    id: record.id,
    vhost: record.vhost,
    reason: record.kind,
    due: record.due,
    due_at: new Date(record.due).toISOString(),
    queue: record.kind === 'retry' ? (record.queue ?? null) : null,
    exchange: record.kind === 'delay' ? (record.exchange ?? null) : null,
    routing_key: message.routingKey,
    attempt: attemptOf(message),
    size: message.body.byteLength,
    message_id: message.id,
    durable: record.durable,
  };
}

export function scheduledPageView(page: ScheduledPage): ScheduledPageView {
  return {
    items: page.items.map(scheduledView),
    page: page.page,
    page_size: page.pageSize,
    page_count: page.pageCount,
    item_count: page.items.length,
    filtered_count: page.filtered,
    total_count: page.total,
  };
}
