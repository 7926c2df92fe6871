/**
 * Message counters of one queue, exchange or connection, as RabbitMQ's management API counts
 * them (`message_stats`): bumped where the broker does the thing (a queue takes a publish, hands
 * a delivery over, sees an ack), never derived. Rates are not kept per event: a sampler outside
 * the core calls sample() every few seconds, and the rate is the change over the last interval,
 * as RabbitMQ's collector does. Showing them is the management API's job.
 */

/** The counters, in RabbitMQ's names. */
export const MESSAGE_COUNTERS = [
  'publish',
  'publish_in',
  'publish_out',
  'drop_unroutable',
  'deliver',
  'deliver_no_ack',
  'get',
  'get_no_ack',
  'ack',
  'redeliver',
] as const;

export type MessageCounter = (typeof MESSAGE_COUNTERS)[number];

/** How many samples consumer utilisation is averaged over (one minute at the default 5 s). */
const UTILISATION_SAMPLES = 12;

export class MessageStats {
  publish = 0;
  publish_in = 0;
  publish_out = 0;
  drop_unroutable = 0;
  deliver = 0;
  deliver_no_ack = 0;
  get = 0;
  get_no_ack = 0;
  ack = 0;
  redeliver = 0;

  private readonly previous = new Float64Array(MESSAGE_COUNTERS.length);
  private readonly perSecond = new Float64Array(MESSAGE_COUNTERS.length);
  private sampledAt: number;
  /** When a counter last changed, as far as the samples tell (ms since the epoch). */
  lastActivity: number;
  private readonly able: boolean[] = [];

  /** `now`: when the object came to be; without it, the first sample only sets the baseline. */
  constructor(now = 0) {
    this.sampledAt = now;
    this.lastActivity = now;
    this.depthAt = now;
  }

  /** deliver + deliver_no_ack + get + get_no_ack, RabbitMQ's `deliver_get`. */
  get deliverGet(): number {
    return this.deliver + this.deliver_no_ack + this.get + this.get_no_ack;
  }

  /** Takes a sample at `now`: each rate becomes the change since the previous sample, per second. */
  sample(now: number): void {
    const seconds = this.sampledAt === 0 ? Infinity : (now - this.sampledAt) / 1000;
    if (seconds <= 0) return;
    let changed = false;
    for (let i = 0; i < MESSAGE_COUNTERS.length; i++) {
      const count = this[MESSAGE_COUNTERS[i] as MessageCounter];
      const delta = count - (this.previous[i] as number);
      if (delta !== 0) changed = true;
      this.perSecond[i] = seconds === Infinity ? 0 : delta / seconds;
      this.previous[i] = count;
    }
    if (changed || this.lastActivity === 0) this.lastActivity = now;
    this.sampledAt = now;
  }

  /** Per second over the last sampling interval. */
  rate(counter: MessageCounter): number {
    return this.perSecond[MESSAGE_COUNTERS.indexOf(counter)] as number;
  }

  /** deliver_get's rate. */
  get deliverGetRate(): number {
    return this.rate('deliver') + this.rate('deliver_no_ack') + this.rate('get') + this.rate('get_no_ack');
  }

  /**
   * A queue's depth at this sample (ready, unacknowledged): depthRates become their change per
   * second since the previous one, RabbitMQ's `messages_details` and kin.
   */
  sampleDepth(now: number, ready: number, unacked: number): void {
    const seconds = (now - this.depthAt) / 1000;
    if (this.depthAt !== 0 && seconds > 0) {
      this.depthRates = { ready: (ready - this.depth.ready) / seconds, unacked: (unacked - this.depth.unacked) / seconds };
    }
    this.depth = { ready, unacked };
    this.depthAt = now;
  }

  /** Per second over the last interval: how fast the ready and unacknowledged counts grew (negative: shrank). */
  depthRates = { ready: 0, unacked: 0 };
  private depth = { ready: 0, unacked: 0 };
  private depthAt = 0;

  /** Whether the queue could hand a message to a consumer at once at this sample (consumer utilisation). */
  sampleUtilisation(able: boolean): void {
    this.able.push(able);
    if (this.able.length > UTILISATION_SAMPLES) this.able.shift();
  }

  /** The fraction of recent samples at which consumers could take a message at once; undefined before the first. */
  get utilisation(): number | undefined {
    if (this.able.length === 0) return undefined;
    return this.able.filter(Boolean).length / this.able.length;
  }

  /** Forgets utilisation samples (the queue lost its last consumer). */
  resetUtilisation(): void {
    this.able.length = 0;
  }
}
