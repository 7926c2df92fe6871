/**
 * The admin UI's one push socket, `GET /api/live` upgraded to a WebSocket (docs/admin-ui.md).
 * A page subscribes to the management API GET paths it shows; the broker answers each at once
 * and then pushes it again whenever its JSON changes, checked once a second. There is no
 * polling loop in the browser, and a socket that drops and comes back subscribes again and
 * gets fresh snapshots, so the page is correct again at once.
 *
 * Snapshots are the API's own answers (fastify's inject, with the upgrade request's
 * credentials and its real remote address), so they are exactly what a GET from that client
 * would give: the same rule of auth/route-rules.ts is checked for each path, lists are filtered
 * the same way, and a refused path is answered with its 401 / 403 once and not followed. The
 * upgrade itself needs a user, as `GET /api/whoami` does: without one it is answered 401.
 *
 * The /ws listener refuses every other upgrade path, so this endpoint takes the server's
 * upgrade event over and hands it everything that is not /api/live.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '@warren/core';
import { LiveSubscriber, type Snapshot } from './live-subscriber.js';

export const LIVE_PATH = '/api/live';
const TICK_MS = 1000;

export class LiveEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, perMessageDeflate: false });
  private readonly subscribers = new Set<LiveSubscriber>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly app: FastifyInstance,
    private readonly logger?: Logger,
  ) {
    const server = app.server;
    const others = server.listeners('upgrade') as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
    server.removeAllListeners('upgrade');
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((request.url ?? '').split('?')[0] === LIVE_PATH) this.upgrade(request, socket, head);
      else for (const listener of others) listener.call(server, request, socket, head);
    });
  }

  get size(): number {
    return this.subscribers.size;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const subscriber of this.subscribers) subscriber.close(1001, 'broker shutting down');
    this.wss.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A page of another site must not read the API through a user's browser (cross-site
    // WebSocket hijacking): the Origin, when a browser sends one, must be this very host.
    const origin = request.headers.origin;
    if (origin !== undefined && !sameHost(origin, request.headers.host)) {
      const why = 'cross-origin live socket refused';
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${why.length}\r\nConnection: close\r\n\r\n${why}`);
      return;
    }
    const credentials = credentialsOf(request);
    const address = request.socket.remoteAddress;
    void this.snapshot('/api/whoami', credentials, address).then(
      ({ status, body }) => {
        if (status === 200) this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, credentials, address));
        else socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      },
      () => socket.destroy(),
    );
  }

  private accept(ws: WebSocket, credentials: Record<string, string>, address: string | undefined): void {
    const subscriber = new LiveSubscriber(ws, (path) => this.snapshot(path, credentials, address), this.logger);
    this.subscribers.add(subscriber);
    ws.on('close', () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    });
    this.timer ??= setInterval(() => this.tick(), TICK_MS).unref();
  }

  private tick(): void {
    for (const subscriber of this.subscribers) subscriber.refresh();
  }

  private async snapshot(path: string, headers: Record<string, string>, remoteAddress: string | undefined): Promise<Snapshot> {
    // The client's own address, never inject's loopback default: guest logs in from loopback only.
    const response = await this.app.inject({ method: 'GET', url: path, headers, remoteAddress: remoteAddress ?? '0.0.0.0' });
    const json = String(response.headers['content-type'] ?? '').includes('json');
    return { status: response.statusCode, body: json || response.payload === '' ? response.payload : JSON.stringify(response.payload) };
  }
}

function credentialsOf(request: IncomingMessage): Record<string, string> {
  const credentials: Record<string, string> = {};
  if (request.headers.authorization !== undefined) credentials.authorization = request.headers.authorization;
  if (request.headers.cookie !== undefined) credentials.cookie = request.headers.cookie;
  return credentials;
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
