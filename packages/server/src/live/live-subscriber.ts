/**
 * One live socket's subscriptions: which API paths it follows and the JSON last sent for each,
 * so a snapshot goes out only when it changed. Messages in are JSON text,
 * `{"subscribe": "/api/…"}` or `{"unsubscribe": "/api/…"}`; out,
 * `{"path", "status", "data"}` per snapshot or `{"error", "reason"}` for a bad message
 * (docs/admin-ui.md). Fetching a snapshot is the endpoint's job.
 */
import type { WebSocket } from 'ws';
import type { Logger } from '@warren/core';

export interface Snapshot {
  status: number;
  body: string;
}

/** Paths one socket may follow at once; a page needs a handful. */
export const MAX_SUBSCRIPTIONS = 64;
const MAX_PATH = 2048;

interface Subscription {
  last: string | undefined;
  inFlight: boolean;
  /** ms since the epoch before which the path is not looked at again. */
  notBefore: number;
}

/**
 * A snapshot that took d ms is not taken again for 9·d ms, so following even an expensive path
 * (every queue of a big broker) costs the broker at most a tenth of its time.
 */
const BACKOFF = 9;
const MAX_WAIT = 5000;

export class LiveSubscriber {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly ws: WebSocket,
    private readonly fetch: (path: string) => Promise<Snapshot>,
    private readonly logger?: Logger,
  ) {
    ws.on('message', (data, isBinary) => this.receive(isBinary ? undefined : data.toString()));
    ws.on('error', () => ws.terminate());
  }

  refresh(now = Date.now()): void {
    for (const [path, subscription] of this.subscriptions) if (now >= subscription.notBefore) this.push(path);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  private receive(text: string | undefined): void {
    let message: unknown;
    try {
      message = text === undefined ? undefined : JSON.parse(text);
    } catch {
      message = undefined;
    }
    const m = message as { subscribe?: unknown; unsubscribe?: unknown } | undefined;
    if (m !== null && typeof m === 'object' && typeof m.unsubscribe === 'string') {
      this.subscriptions.delete(m.unsubscribe);
      return;
    }
    const path = m !== null && typeof m === 'object' ? m.subscribe : undefined;
    const problem = checkPath(path);
    if (problem !== undefined) return this.send({ error: 'invalid_argument', reason: problem });
    if (this.subscriptions.has(path as string)) return;
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      return this.send({ error: 'invalid_argument', reason: `at most ${MAX_SUBSCRIPTIONS} subscriptions per live socket` });
    }
    this.subscriptions.set(path as string, { last: undefined, inFlight: false, notBefore: 0 });
    this.push(path as string);
  }

  private push(path: string): void {
    const subscription = this.subscriptions.get(path);
    if (subscription === undefined || subscription.inFlight) return;
    subscription.inFlight = true;
    const started = Date.now();
    this.fetch(path)
      .then(({ status, body }) => {
        subscription.inFlight = false;
        subscription.notBefore = Date.now() + Math.min(MAX_WAIT, BACKOFF * (Date.now() - started));
        const key = `${status} ${body}`;
        if (this.subscriptions.get(path) !== subscription || subscription.last === key) return;
        subscription.last = key;
        // Refused (the session ended, the permission is gone): answered once, then no longer
        // followed, so a page is never pushed what it may not GET and the refusal is audited once.
        if (status === 401 || status === 403) this.subscriptions.delete(path);
        this.sendRaw(`{"path":${JSON.stringify(path)},"status":${status},"data":${body === '' ? 'null' : body}}`);
      })
      .catch((error: unknown) => {
        subscription.inFlight = false;
        this.logger?.warn({ err: error, path }, 'live snapshot failed');
      });
  }

  private send(message: object): void {
    this.sendRaw(JSON.stringify(message));
  }

  private sendRaw(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
}

function checkPath(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'expected {"subscribe": "/api/…"} or {"unsubscribe": "/api/…"}';
  if (path.length > MAX_PATH) return `path longer than ${MAX_PATH} characters`;
  if (!path.startsWith('/api/') || path.startsWith('/api/live')) return `not an API path: ${JSON.stringify(path.slice(0, 100))}`;
  return undefined;
}
