/**
 * Bounds what one connection has waiting to be sent. Deliveries already stop at
 * `deliveryBufferBytes` (Session.writable); replies, errors, confirms and returns answer what the
 * peer sends, so a peer that sends and never reads would make them pile up without end. Past the
 * soft limit the connection's frames are neither read nor handled until the peer has taken half
 * of it (TCP then pushes back on the peer); past the hard limit the connection is closed with
 * `peer_not_reading` (docs/protocol.md, "Flow control"). NATS calls such a peer a slow consumer
 * and closes it at `max_pending`.
 */
import type { Pausable } from '../alarms/read-gate.js';

/** Room for frame headers around the largest body. */
const FRAME_OVERHEAD = 64 * 1024;

export interface SendBufferLimits {
  deliveryBufferBytes: number;
  sendBufferBytes: number;
  maxMessageSize: number;
}

/**
 * The soft limit stays above what deliveries alone can leave unsent (their limit plus one
 * message), so a consumer that keeps reading is never stopped from acking.
 */
export function sendBufferSoftLimit(limits: SendBufferLimits): number {
  return Math.max(limits.sendBufferBytes, limits.deliveryBufferBytes + limits.maxMessageSize + FRAME_OVERHEAD);
}

export class SendBuffer {
  readonly soft: number;
  readonly hard: number;
  private holding = false;
  private overflowed = false;

  constructor(
    limits: SendBufferLimits,
    /** Stops and restarts reading and handling the connection's frames. */
    private readonly gate: Pausable,
    /** Called once when the hard limit is passed. */
    private readonly overflow: (unsent: number) => void,
  ) {
    this.soft = sendBufferSoftLimit(limits);
    this.hard = 2 * this.soft;
  }

  get holdingReads(): boolean {
    return this.holding;
  }

  /** `unsent` bytes wait now, after something was queued. */
  grew(unsent: number): void {
    if (unsent >= this.hard) {
      if (!this.overflowed) {
        this.overflowed = true;
        this.overflow(unsent);
      }
      return;
    }
    if (!this.holding && unsent >= this.soft) {
      this.holding = true;
      this.gate.pause();
    }
  }

  /** `unsent` bytes wait now, after the socket wrote some. */
  shrank(unsent: number): void {
    if (this.holding && unsent < this.soft / 2) {
      this.holding = false;
      this.gate.resume();
    }
  }
}
