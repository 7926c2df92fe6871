/**
 * The consumer side's bookkeeping, the same against both brokers: deliveries counted and
 * end-to-end latency sampled while the measured window is open, so warm-up and shutdown do not
 * blur the numbers. Receiving the messages is the consumer worker's job.
 */
import type { ConsumerResult } from './ipc.js';
import { Reservoir } from './latency.js';
import { MeasureWindow } from './measure-window.js';
import { ageMs } from './stamp.js';

export class DeliveryTally {
  readonly window = new MeasureWindow();
  private readonly latencies = new Reservoir();
  private delivered = 0;

  add(body: Uint8Array): void {
    if (!this.window.open) return;
    this.delivered++;
    this.latencies.add(ageMs(body));
  }

  result(): ConsumerResult {
    return { role: 'consumer', ...this.window.stop(), delivered: this.delivered, latency: this.latencies.summary() };
  }
}
