/**
 * What the management API shows of one connection (`GET /api/connections`): who is at the other
 * end, since when, which client it says it is, and what passed through it (bytes both ways and
 * RabbitMQ's message counters). The session fills it in as things happen; showing it is the
 * HTTP layer's job.
 */
import type { IncomingMessage } from 'node:http';
import { MessageStats } from '@warren/core';

export class ConnectionInfo {
  readonly connectedAt = Date.now();
  peerHost = '';
  peerPort = 0;
  host = '';
  port = 0;
  /** The client's own name for itself (`hello.client`). */
  client: string | undefined;
  /** Bytes received and sent, RabbitMQ's `recv_oct` / `send_oct`. */
  recvOct = 0;
  sendOct = 0;
  recvCnt = 0;
  sendCnt = 0;
  readonly messageStats = new MessageStats(Date.now());
  /** Bytes per second over the last sampling interval (sample()). */
  recvOctRate = 0;
  sendOctRate = 0;
  private sampled = { at: this.connectedAt, recv: 0, send: 0 };

  /** Called by the management API's sampler every few seconds. */
  sample(now: number): void {
    const seconds = (now - this.sampled.at) / 1000;
    if (seconds <= 0) return;
    this.recvOctRate = (this.recvOct - this.sampled.recv) / seconds;
    this.sendOctRate = (this.sendOct - this.sampled.send) / seconds;
    this.sampled = { at: now, recv: this.recvOct, send: this.sendOct };
    this.messageStats.sample(now);
  }

  /** Where the upgrade came from and arrived. */
  fromRequest(request: IncomingMessage | undefined): void {
    const socket = request?.socket;
    if (socket === undefined) return;
    this.peerHost = socket.remoteAddress ?? '';
    this.peerPort = socket.remotePort ?? 0;
    this.host = socket.localAddress ?? '';
    this.port = socket.localPort ?? 0;
  }
}
