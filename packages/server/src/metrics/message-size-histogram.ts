/**
 * rabbitmq_message_size_bytes: the sizes of published bodies, with RabbitMQ's buckets. The core
 * counts them per bucket (BrokerCounters.published); this prom-client Histogram reports those
 * counts as they are instead of observing each publish itself, which would put prom-client's
 * label hashing on the publish path.
 */
import { Histogram, type Registry } from 'prom-client';
import { MESSAGE_SIZE_BUCKETS, type BrokerCounters } from '@warren/core';

type HistogramReading = Awaited<ReturnType<Histogram<'protocol'>['get']>>;

const HELP = 'Size of published message bodies';

export class MessageSizeHistogram extends Histogram<'protocol'> {
  private readonly metricName: string;

  constructor(
    prefix: string,
    registry: Registry,
    private readonly counters: BrokerCounters,
  ) {
    const name = `${prefix}_message_size_bytes`;
    super({ name, help: HELP, labelNames: ['protocol'], buckets: [...MESSAGE_SIZE_BUCKETS], registers: [registry] });
    this.metricName = name;
  }

  override async get(): Promise<HistogramReading> {
    return this.reading();
  }

  /** What the registry's text output reads (prom-client's own Histogram has it too). */
  async getForPromString(): Promise<HistogramReading> {
    return this.reading();
  }

  private reading(): HistogramReading {
    const { messageSizes, messageBytes } = this.counters;
    const name = this.metricName;
    const labels = { protocol: 'warren' };
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    let cumulative = 0;
    MESSAGE_SIZE_BUCKETS.forEach((bound, i) => {
      cumulative += messageSizes[i] ?? 0;
      values.push({ value: cumulative, labels: { ...labels, le: bound }, metricName: `${name}_bucket` });
    });
    cumulative += messageSizes[MESSAGE_SIZE_BUCKETS.length] ?? 0;
    values.push({ value: cumulative, labels: { ...labels, le: '+Inf' }, metricName: `${name}_bucket` });
    values.push({ value: messageBytes, labels, metricName: `${name}_sum` });
    values.push({ value: cumulative, labels, metricName: `${name}_count` });
    // prom-client's typings give `type` as a numeric enum; at run time, and in the text format, it is the word.
    return { name, help: HELP, type: 'histogram', aggregator: 'sum', values } as unknown as HistogramReading;
  }
}
