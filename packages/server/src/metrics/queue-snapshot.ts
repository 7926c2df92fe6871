/**
 * Every queue's figures, read once per scrape: the per-queue and the summed series are all
 * served from this one pass over the vhosts, so a scrape costs one stats() call per queue
 * whatever the number of series (docs/operations.md, "Metrics").
 */
import type { Broker } from '@warren/core';

export interface QueueFigures {
  vhost: string;
  queue: string;
  ready: number;
  unacked: number;
  ram: number;
  bytes: number;
  consumers: number;
}

export class QueueSnapshot {
  queues: QueueFigures[] = [];
  readonly totals: QueueFigures & { queues: number } = { vhost: '', queue: '', queues: 0, ready: 0, unacked: 0, ram: 0, bytes: 0, consumers: 0 };

  constructor(private readonly broker: Broker) {}

  /** Reads the queues again; `perQueue` false keeps only the sums (the aggregated endpoint). */
  refresh(perQueue: boolean): void {
    const totals = this.totals;
    totals.queues = totals.ready = totals.unacked = totals.ram = totals.bytes = totals.consumers = 0;
    const queues: QueueFigures[] = [];
    for (const vhost of this.broker.vhosts.values()) {
      for (const queue of vhost.queues.values()) {
        const s = queue.stats();
        totals.queues++;
        totals.ready += s.ready;
        totals.unacked += s.unacked;
        totals.ram += s.ram;
        totals.bytes += s.bytes;
        totals.consumers += s.consumers;
        if (perQueue) queues.push({ vhost: vhost.name, queue: queue.name, ready: s.ready, unacked: s.unacked, ram: s.ram, bytes: s.bytes, consumers: s.consumers });
      }
    }
    this.queues = queues;
  }
}
