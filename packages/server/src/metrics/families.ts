/**
 * Metric families read when scraped: each gauge or counter takes a function that returns its
 * value (or one value per label set) at collect time, so the broker's hot paths only bump plain
 * numbers (core's BrokerCounters) and never touch prom-client. The values go to prom-client's
 * registry as they are read, without its per-label-set hash map: with 10,000 queues on
 * /metrics/per-object that map was most of a scrape's time. The prefix (`warren` or
 * `rabbitmq`) is applied here to every name.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export type Labels = Record<string, string>;
/** One unlabelled value, or one value per label set. */
export type Reading = number | ReadonlyArray<readonly [Labels, number]>;

type GaugeReading = Awaited<ReturnType<Gauge['get']>>;
type CounterReading = Awaited<ReturnType<Counter['get']>>;

function valuesOf(reading: Reading): { value: number; labels: Labels }[] {
  if (typeof reading === 'number') return [{ value: reading, labels: {} }];
  return reading.map(([labels, value]) => ({ value, labels }));
}

class ReadGauge extends Gauge {
  constructor(
    private readonly family: { name: string; help: string; labelNames: readonly string[]; registry: Registry },
    private readonly read: () => Reading,
  ) {
    super({ name: family.name, help: family.help, labelNames: family.labelNames, registers: [family.registry] });
  }

  override async get(): Promise<GaugeReading> {
    return this.reading();
  }

  /** What the registry's text output reads. */
  async getForPromString(): Promise<GaugeReading> {
    return this.reading();
  }

  private reading(): GaugeReading {
    const { name, help } = this.family;
    // prom-client's typings give `type` as a numeric enum; at run time, and in the text format, it is the word.
    return { name, help, type: 'gauge', aggregator: 'sum', values: valuesOf(this.read()) } as unknown as GaugeReading;
  }
}

class ReadCounter extends Counter {
  constructor(
    private readonly family: { name: string; help: string; labelNames: readonly string[]; registry: Registry },
    private readonly read: () => Reading,
  ) {
    super({ name: family.name, help: family.help, labelNames: family.labelNames, registers: [family.registry] });
  }

  override async get(): Promise<CounterReading> {
    return this.reading();
  }

  async getForPromString(): Promise<CounterReading> {
    return this.reading();
  }

  private reading(): CounterReading {
    const { name, help } = this.family;
    return { name, help, type: 'counter', aggregator: 'sum', values: valuesOf(this.read()) } as unknown as CounterReading;
  }
}

export class Families {
  constructor(
    readonly registry: Registry,
    readonly prefix: string,
  ) {}

  gauge(name: string, help: string, read: () => Reading, labelNames: readonly string[] = []): void {
    new ReadGauge({ name: `${this.prefix}_${name}`, help, labelNames, registry: this.registry }, read);
  }

  /** `name` ends in `_total`, as Prometheus names counters (prom-client adds it only in OpenMetrics). */
  counter(name: string, help: string, read: () => Reading, labelNames: readonly string[] = []): void {
    new ReadCounter({ name: `${this.prefix}_${name}`, help, labelNames, registry: this.registry }, read);
  }
}
