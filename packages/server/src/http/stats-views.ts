/**
 * RabbitMQ's `message_stats` from core's counters (protocol's http/stats.ts): each count with
 * its `<count>_details: { rate }`, only the counts that mean something on the object, and sums
 * for the objects that hold others (a vhost, the overview).
 */
import type { MessageStatsView } from '@warren/protocol';
import { MESSAGE_COUNTERS, type MessageCounter, type MessageStats } from '@warren/core';

export const QUEUE_COUNTERS: readonly MessageCounter[] = ['publish', 'deliver', 'deliver_no_ack', 'get', 'get_no_ack', 'ack', 'redeliver'];
export const EXCHANGE_COUNTERS: readonly MessageCounter[] = ['publish_in', 'publish_out', 'drop_unroutable'];
export const CONNECTION_COUNTERS: readonly MessageCounter[] = ['publish', 'deliver', 'deliver_no_ack', 'ack'];

const DELIVER_GET: readonly MessageCounter[] = ['deliver', 'deliver_no_ack', 'get', 'get_no_ack'];

/** Counts and rates added up over several objects. */
export class StatsSum {
  private readonly counts = new Map<MessageCounter, number>();
  private readonly rates = new Map<MessageCounter, number>();

  add(stats: MessageStats, counters: readonly MessageCounter[], as: (c: MessageCounter) => MessageCounter = (c) => c): this {
    for (const counter of counters) {
      const key = as(counter);
      this.counts.set(key, (this.counts.get(key) ?? 0) + stats[counter]);
      this.rates.set(key, (this.rates.get(key) ?? 0) + stats.rate(counter));
    }
    return this;
  }

  view(): MessageStatsView {
    const view: Record<string, unknown> = {};
    let deliverGet = 0;
    let deliverGetRate = 0;
    let any = false;
    for (const counter of MESSAGE_COUNTERS) {
      const count = this.counts.get(counter);
      if (count === undefined) continue;
      const rate = this.rates.get(counter) ?? 0;
      view[counter] = count;
      view[`${counter}_details`] = { rate: round(rate) };
      if (DELIVER_GET.includes(counter)) {
        any = true;
        deliverGet += count;
        deliverGetRate += rate;
      }
    }
    if (any) {
      view.deliver_get = deliverGet;
      view.deliver_get_details = { rate: round(deliverGetRate) };
    }
    return view as MessageStatsView;
  }
}

export function messageStatsView(stats: MessageStats, counters: readonly MessageCounter[]): MessageStatsView {
  return new StatsSum().add(stats, counters).view();
}

function round(rate: number): number {
  return Math.round(rate * 100) / 100;
}
