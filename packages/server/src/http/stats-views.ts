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

/** A queue's counters a vhost or the overview adds up: its `publish` is the exchanges' `publish_in`. */
export const QUEUE_SUMMED: readonly MessageCounter[] = QUEUE_COUNTERS.filter((c) => c !== 'publish');

const DELIVER_GET: readonly MessageCounter[] = ['deliver', 'deliver_no_ack', 'get', 'get_no_ack'];
const INDEX = new Map(MESSAGE_COUNTERS.map((c, i) => [c, i]));

/** Counts and rates added up over several objects (arrays, not maps: a vhost of 10,000 queues adds 70,000 of them). */
export class StatsSum {
  private readonly counts = new Float64Array(MESSAGE_COUNTERS.length);
  private readonly rates = new Float64Array(MESSAGE_COUNTERS.length);
  private readonly present = new Uint8Array(MESSAGE_COUNTERS.length);

  add(stats: MessageStats, counters: readonly MessageCounter[], as?: (c: MessageCounter) => MessageCounter): this {
    for (const counter of counters) {
      const i = INDEX.get(as === undefined ? counter : as(counter)) as number;
      this.counts[i]! += stats[counter];
      this.rates[i]! += stats.rate(counter);
      this.present[i] = 1;
    }
    return this;
  }

  view(): MessageStatsView {
    const view: Record<string, unknown> = {};
    let deliverGet = 0;
    let deliverGetRate = 0;
    let any = false;
    for (let i = 0; i < MESSAGE_COUNTERS.length; i++) {
      if (this.present[i] === 0) continue;
      const counter = MESSAGE_COUNTERS[i] as MessageCounter;
      const count = this.counts[i] as number;
      const rate = this.rates[i] as number;
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

/** One object's counters; built directly (not through StatsSum): it runs once per queue in a list of thousands. */
export function messageStatsView(stats: MessageStats, counters: readonly MessageCounter[]): MessageStatsView {
  const view: Record<string, unknown> = {};
  let deliverGet = false;
  for (const counter of counters) {
    view[counter] = stats[counter];
    view[DETAILS[counter]] = { rate: round(stats.rate(counter)) };
    if (DELIVER_GET.includes(counter)) deliverGet = true;
  }
  if (deliverGet) {
    view.deliver_get = stats.deliverGet;
    view.deliver_get_details = { rate: round(stats.deliverGetRate) };
  }
  return view as MessageStatsView;
}

const DETAILS = Object.fromEntries(MESSAGE_COUNTERS.map((c) => [c, `${c}_details`])) as Record<MessageCounter, string>;

/**
 * A reader of one field of `message_stats` (`['publish']`, `['ack_details', 'rate']`,
 * `['deliver_get']`) that needs no view, made once for sorting thousands of queues; undefined
 * for a path that names no such field.
 */
export function messageStatsField(counters: readonly MessageCounter[], path: readonly string[]): ((stats: MessageStats) => number) | undefined {
  const [key, sub] = path;
  if (key === undefined) return undefined;
  const details = key.endsWith('_details');
  if (details && (sub !== 'rate' || path.length !== 2)) return undefined;
  if (!details && path.length !== 1) return undefined;
  const name = details ? key.slice(0, -'_details'.length) : key;
  if (name === 'deliver_get') return details ? (s) => round(s.deliverGetRate) : (s) => s.deliverGet;
  if (!counters.includes(name as MessageCounter)) return undefined;
  const counter = name as MessageCounter;
  return details ? (s) => round(s.rate(counter)) : (s) => s[counter];
}

function round(rate: number): number {
  return Math.round(rate * 100) / 100;
}
