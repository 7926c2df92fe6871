/**
 * Pausing the reading of one socket for several reasons at once. The publish window
 * (ws/confirm-tracker.ts) and the resource alarms (publisher-block.ts) each pause and resume
 * reading; the socket is read again only when none of them holds it, so one never resumes what
 * the other paused.
 */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export class ReadGate {
  private readonly holders = new Set<string>();

  constructor(private readonly socket: Pausable) {}

  get paused(): boolean {
    return this.holders.size > 0;
  }

  /** A pause/resume pair acting for `reason` alone. */
  lever(reason: string): Pausable {
    return { pause: () => this.hold(reason), resume: () => this.release(reason) };
  }

  private hold(reason: string): void {
    if (this.holders.has(reason)) return;
    this.holders.add(reason);
    if (this.holders.size === 1) this.socket.pause();
  }

  private release(reason: string): void {
    if (!this.holders.delete(reason)) return;
    if (this.holders.size === 0) this.socket.resume();
  }
}
