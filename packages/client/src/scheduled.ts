/**
 * `client.scheduled`: the messages of the connection's vhost that wait for a delay or a retry
 * back-off, listed a page at a time, cancelled, or moved to a new due time, over the
 * `scheduled.*` request frames (spec: "Scheduled frames"). Sending and matching replies is the
 * client's request machinery; this file only shapes the calls and the answers.
 */
import type {
  OkFrame,
  ScheduledCancelFrame,
  ScheduledListFrame,
  ScheduledRescheduleFrame,
} from '@warren/protocol/wire';
import type { ScheduledPageView, ScheduledView } from '@warren/protocol/http';

type ScheduledRequest = Omit<ScheduledListFrame, 'id'> | Omit<ScheduledCancelFrame, 'id'> | Omit<ScheduledRescheduleFrame, 'id'>;

export interface ScheduledMessage {
  id: string;
  /** `delay`: a delayed publish; `retry`: a message waiting for its retry back-off. */
  reason: 'delay' | 'retry';
  /** When it is due, ms since the epoch. */
  due: number;
  /** retry: the queue it goes back to. */
  queue?: string;
  /** delay: the exchange it is published to. */
  exchange?: string;
  routingKey: string;
  /** The attempt its next delivery will be (1 for a delayed publish). */
  attempt: number;
  /** Body size in bytes. */
  size: number;
  messageId: string;
  /** Kept across a broker restart. */
  durable: boolean;
}

export interface ScheduledListOptions {
  /** Only retries going back to this queue. */
  queue?: string;
  /** Only delayed publishes going to this exchange. */
  exchange?: string;
  /** 1-based; default 1. */
  page?: number;
  /** Default 100, at most 500. */
  pageSize?: number;
}

export interface ScheduledPage {
  /** Earliest due first. */
  items: ScheduledMessage[];
  page: number;
  pageSize: number;
  pageCount: number;
  /** Messages matching the filter. */
  filtered: number;
  /** Messages waiting in the vhost. */
  total: number;
}

export class ScheduledMessages {
  /** @internal The client builds this with its request function. */
  constructor(private readonly request: (frame: ScheduledRequest) => Promise<OkFrame>) {}

  async list(options: ScheduledListOptions = {}): Promise<ScheduledPage> {
    const { queue, exchange, page, pageSize } = options;
    const reply = (await this.request({ type: 'scheduled.list', queue, exchange, page, page_size: pageSize })) as unknown as ScheduledPageView;
    return {
      items: reply.items.map(fromView),
      page: reply.page,
      pageSize: reply.page_size,
      pageCount: reply.page_count,
      filtered: reply.filtered_count,
      total: reply.total_count,
    };
  }

  /** Drops the message; resolves once the removal is on disk. Rejects with `scheduled_not_found` when it no longer waits. */
  async cancel(id: string): Promise<void> {
    await this.request({ type: 'scheduled.cancel', scheduled_id: id });
  }

  /** Moves the message to `due` (ms since the epoch, a Date, or an ISO 8601 string with a zone); a time past fires it now. */
  async reschedule(id: string, due: number | Date | string): Promise<ScheduledMessage> {
    const wire = due instanceof Date ? due.getTime() : due;
    const reply = await this.request({ type: 'scheduled.reschedule', scheduled_id: id, due: wire });
    return fromView(reply.scheduled as ScheduledView);
  }
}

function fromView(view: ScheduledView): ScheduledMessage {
  const message: ScheduledMessage = {
    id: view.id,
    reason: view.reason,
    due: view.due,
    routingKey: view.routing_key,
    attempt: view.attempt,
    size: view.size,
    messageId: view.message_id,
    durable: view.durable,
  };
  if (view.queue !== null) message.queue = view.queue;
  if (view.exchange !== null) message.exchange = view.exchange;
  return message;
}
