/**
 * A Clock that tests move by hand: time stands still until `advance`, which fires the timers that
 * fall due, earliest first (ties in the order they were armed), each at its own due time, as a
 * punctual real clock would. `fireDue` runs the timers armed for "now" or earlier without moving
 * time, as Node's event loop would right after the current task. `time` may also be set directly.
 */
import type { Clock } from '../ports.js';

interface Timer {
  due: number;
  order: number;
  fire: () => void;
}

export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private armed = 0;

  constructor(public time = 1_000_000) {}

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fire: () => void): () => void {
    const timer: Timer = { due: this.time + Math.max(0, ms), order: this.armed++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers armed and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const target = this.time + ms;
    this.fireUntil(target);
    this.time = target;
  }

  fireDue(): void {
    this.fireUntil(this.time);
  }

  private fireUntil(target: number): void {
    for (let next = this.earliest(); next !== undefined && next.due <= target; next = this.earliest()) {
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.due);
      next.fire();
    }
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (best === undefined || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t;
    return best;
  }
}
