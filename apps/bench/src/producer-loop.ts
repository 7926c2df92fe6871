/**
 * The producer's pacing, the same against both brokers: keep at most `maxInFlight` publishes
 * unanswered, refill a slot as soon as an answer arrives, optionally hold to `perSecond`, wait
 * for the transport's `drain` when it says its buffer is full, and count what completes while
 * the measured window is open. Speaking a protocol is the PublishPort's job (one per client).
 */
import type { MeasureWindow } from './measure-window.js';
import { inFlightLimit, type BrokerName, type FlowScenario } from './scenario.js';
import { stampedBody } from './stamp.js';

export interface PublishPort {
  /**
   * Sends one message. The port calls the `answer` it was built with once per publish: true
   * when the broker confirmed it (at once where no confirms are asked for), false when it failed.
   * Returns false when the transport wants no more writes until it calls `drained`.
   */
  publish(body: Buffer, routingKey: string): boolean;
}

export type PortFactory = (answer: (ok: boolean) => void, drained: () => void) => PublishPort;

export interface Pacing {
  bodyBytes: number;
  routingKeys: readonly string[];
  /** Infinity where the port answers at once (no confirms). */
  maxInFlight: number;
  perSecond?: number;
}

/** Publishes per synchronous run before yielding, so IPC commands are not starved. */
const BATCH = 512;
const TICK_MS = 1;

export class ProducerLoop {
  published = 0;
  failed = 0;
  private readonly port: PublishPort;
  private inFlight = 0;
  private sent = 0;
  private limit = Number.POSITIVE_INFINITY;
  private running = false;
  private blocked = false;
  private filling = false;
  private startedAt = 0;
  /** A paced producer's next tick, or the rest of a long run after yielding to I/O. */
  private tick: NodeJS.Timeout | undefined;
  private yielded: NodeJS.Immediate | undefined;
  private idle: (() => void) | undefined;

  constructor(
    createPort: PortFactory,
    private readonly pacing: Pacing,
    private readonly window: MeasureWindow,
  ) {
    this.port = createPort(this.answer, this.drained);
  }

  /** Publishes `count` messages as fast as maxInFlight allows, ignoring perSecond; resolves once all are answered. */
  async prefill(count: number): Promise<void> {
    if (count <= 0) return;
    const perSecond = this.pacing.perSecond;
    this.pacing.perSecond = undefined;
    this.limit = count;
    const done = new Promise<void>((resolve) => (this.idle = resolve));
    this.running = true;
    this.fill();
    await done;
    this.running = false;
    this.pacing.perSecond = perSecond;
    this.limit = Number.POSITIVE_INFINITY;
    this.sent = 0;
  }

  start(): void {
    this.running = true;
    this.startedAt = performance.now();
    this.fill();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.tick);
    if (this.yielded !== undefined) clearImmediate(this.yielded);
  }

  private readonly answer = (ok: boolean): void => {
    this.inFlight--;
    if (!ok) this.failed++;
    else if (this.window.open) this.published++;
    if (this.idle !== undefined && this.inFlight === 0 && this.sent >= this.limit) {
      this.idle();
      this.idle = undefined;
    }
    if (!this.filling) this.fill();
  };

  private readonly drained = (): void => {
    this.blocked = false;
    this.fill();
  };

  private readonly resume = (): void => {
    this.tick = undefined;
    this.yielded = undefined;
    this.fill();
  };

  private fill(): void {
    if (!this.running || this.blocked || this.tick !== undefined || this.yielded !== undefined) return;
    const { bodyBytes, routingKeys, maxInFlight, perSecond } = this.pacing;
    const due = perSecond === undefined ? Number.POSITIVE_INFINITY : Math.floor(((performance.now() - this.startedAt) * perSecond) / 1000);
    this.filling = true;
    try {
      for (let batch = 0; this.inFlight < maxInFlight && this.sent < this.limit; batch++) {
        if (this.sent >= due) {
          this.tick = setTimeout(this.resume, TICK_MS);
          return;
        }
        if (batch === BATCH) {
          this.yielded = setImmediate(this.resume);
          return;
        }
        const routingKey = routingKeys[this.sent % routingKeys.length] as string;
        this.inFlight++;
        this.sent++;
        if (!this.port.publish(stampedBody(bodyBytes), routingKey)) {
          this.blocked = true;
          return;
        }
      }
    } finally {
      this.filling = false;
    }
  }
}

/** The pacing a flow scenario asks of a producer publishing to `broker`. */
export function pacingOf(scenario: FlowScenario, broker: BrokerName): Pacing {
  const pacing: Pacing = { bodyBytes: scenario.bodyBytes, routingKeys: scenario.routingKeys, maxInFlight: inFlightLimit(scenario.pace, broker) };
  if (scenario.pace.kind === 'rate') pacing.perSecond = scenario.pace.perSecond;
  return pacing;
}
